//! Column names as a file gives them: a first line that holds data rather than names is
//! refused before any of it is shown, and names are quoted in messages only when they look like
//! names. A header-less file read with `header: true` would otherwise print its first row.

use crate::detect::text::find_identifiers;

/// Whether `name`, a header cell, looks like a data value rather than a column name: an
/// identifier the detectors know, an e-mail, a date, a number with a decimal mark, five or more
/// digits with hardly a letter, control characters (a binary file), a first name or surname among
/// the most frequent of the shipped lists, a street (`Kerkstraat`), or a sentence-length text. Real names such as
/// `kost_2023_2024`, `bedrag_202401` or `Q1_2024` pass.
pub fn looks_like_data(name: &str) -> bool {
    let name = name.trim();
    if name.is_empty() {
        return false;
    }
    let digits = name.bytes().filter(u8::is_ascii_digit).count();
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    // A bare year (`2024`) can name a column; `12,50` or `3.5` cannot.
    let numeric = name.bytes().any(|b| b.is_ascii_digit())
        && name.bytes().any(|b| b".,:/".contains(&b))
        && name.bytes().all(|b| b.is_ascii_digit() || b" .,-+/:".contains(&b));
    let words: Vec<&str> = name.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    let street = words.iter().any(|word| {
        crate::detect::text::people::STREET_SUFFIXES.iter().any(|s| {
            word.chars().next().is_some_and(char::is_uppercase)
                && word.len() > s.len() + 2
                && word.to_lowercase().ends_with(s)
        })
    });
    // A person's name as a whole (`Peeters`, `Marie Dubois`, `Van den Bossche`): every word a
    // frequent name or a particle. `Montant max` or `Top 10` are column names.
    let particle =
        |w: &str| matches!(w.to_lowercase().as_str(), "van" | "de" | "den" | "der" | "le" | "la" | "du" | "von");
    // No name holds an underscore: `c_leo` folds to the first name `Cleo` but names a column.
    let person = !name.contains('_')
        && (crate::refdata::is_common_name(name)
            || (words.iter().any(|w| !particle(w))
                && words.iter().all(|w| particle(w) || crate::refdata::is_common_name(w))));
    let person_or_street = street || person;
    name.contains('@')
        || name.chars().any(char::is_control)
        || (digits >= 5 && letters < 3)
        || longest_digit_run(name) >= 9
        || numeric
        || person_or_street
        || name.chars().count() > 128
        || crate::ident::date::parse(name).is_some()
        || !find_identifiers(name, Some(crate::ident::exid::Check::None)).is_empty()
}

/// The longest run of consecutive ASCII digits in `text` (identifiers run to 9 digits and more).
fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0)
}

/// How a message names header column `index` (0-based): by its name, or by its position when
/// the name looks like data.
pub fn shown(name: &str, index: usize) -> String {
    if looks_like_data(name) {
        format!("column {} of the header", index + 1)
    } else {
        format!("column `{name}`")
    }
}

/// The first header cell that looks like data, as its 1-based position.
pub fn data_in_header(header: &[String]) -> Option<usize> {
    header.iter().position(|h| looks_like_data(h)).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_names_and_values_are_not() {
        for name in [
            "niss",
            "2024",
            "member_id",
            "Date of birth",
            "adres_2024",
            "Q1",
            "rijksregisternummer",
            "e-mail",
            "",
            "c_leo",
            "an_na",
        ] {
            assert!(!looks_like_data(name), "{name}");
        }
        // Column-name words that are also rarer names of the shipped lists (`Post`, `Rue`, `Rank`).
        let words = "id naam name nom voornaam prenom geslacht sexe datum date bedrag montant amount status type \
                     code post postcode gemeente commune city straat rue street huisnummer numero telefoon phone \
                     gsm email iban taal langue lang language note notes opmerking remarque diagnose nomenclature \
                     inami claim membre lid pays land box bus dag day jaar year maand month bron source rank job \
                     beroep profession employer sector total totaal score label category titel title max min \
                     top line link may june six will petit klein ward brand";
        for word in words.split_whitespace() {
            assert!(!looks_like_data(word), "{word}");
            let capitalised = format!("{}{}", word[..1].to_uppercase(), &word[1..]);
            assert!(!looks_like_data(&capitalised), "{capitalised}");
        }
        for value in [
            "85073003328",
            "85.07.30-033.28",
            "jan@telenet.be",
            "12/03/2024",
            "1234,50",
            "BE71 0961 2345 6769",
            "0475 12 34 56",
        ] {
            assert!(looks_like_data(value), "{value}");
        }
        assert!(looks_like_data("\u{1f}\u{8b}\u{8}"), "control characters: a binary file");
        assert!(looks_like_data("10085073003328AaA"), "an identifier-length digit run, letters or not");
        for header in ["Montant max", "Petit risque", "Top 10", "Bedrag max", "Klein verlet"] {
            assert!(!looks_like_data(header), "{header}");
        }
        for row in [
            "Peeters",
            "Jan",
            "Kerkstraat",
            "Marie Dubois",
            "Janssens",
            "Dupont",
            "Emma",
            "Lucas",
            "Yilmaz",
            "Van den Bossche",
        ] {
            assert!(looks_like_data(row), "{row}: a first row of names and streets");
        }
        assert_eq!(shown("85073003328", 2), "column 3 of the header");
        assert_eq!(shown("niss", 0), "column `niss`");
    }
}
