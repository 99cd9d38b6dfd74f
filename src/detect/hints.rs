//! Column-name hints in Dutch, French, German and English: what a column's name says it holds.

use super::Kind;

/// Hints in priority order: the first that matches wins, so `postcode` is a postcode before it
/// is a `code`, and `birth_date` a birth date before it is a date. A pattern matches a name when
/// it equals one of its words, equals the name without separators, or (from 5 letters) occurs
/// inside it (`rijksregisternummer_partner`). A pattern starting with `=` matches only the whole
/// name (`name` is a person's name, `product_name` is not).
const HINTS: &[(Kind, &[&str])] = &[
    (
        Kind::Niss,
        &[
            "niss",
            "inss",
            "insz",
            "rijksregister",
            "rijksregisternummer",
            "rrn",
            "nrn",
            "numeronational",
            "numeroregistrenational",
            "registrenational",
            "nationalnumber",
            "nationalregisternumber",
            "ssin",
            "bisnummer",
            "numerobis",
            "nationalregisternummer",
            "nationalnummer",
            "sozialversicherungsnummer",
            "ssn",
        ],
    ),
    (
        Kind::Iban,
        &[
            "iban",
            "rekeningnummer",
            "rekening",
            "numerocompte",
            "compte",
            "kontonummer",
            "konto",
            "bankaccount",
            "accountnumber",
        ],
    ),
    (Kind::Inami, &["inami", "riziv", "nihdi", "inaminummer", "rizivnummer"]),
    (
        Kind::Kbo,
        &[
            "kbo",
            "bce",
            "ondernemingsnummer",
            "numeroentreprise",
            "unternehmensnummer",
            "enterprisenumber",
            "btw",
            "tva",
            "vat",
        ],
    ),
    (
        Kind::Exid,
        &[
            "exid",
            "lidnummer",
            "lidnr",
            "membernumber",
            "memberid",
            "numeromembre",
            "numerodemembre",
            "mitgliedsnummer",
            "affiliatenumber",
        ],
    ),
    (Kind::Email, &["email", "mail", "courriel", "emailadres", "adressemail"]),
    (
        Kind::Phone,
        &[
            "phone",
            "telephone",
            "telefoon",
            "telefoonnummer",
            "tel",
            "gsm",
            "mobile",
            "mobiel",
            "portable",
            "handy",
            "telefon",
            "telefonnummer",
            "fax",
        ],
    ),
    (Kind::Ip, &["ip", "ipaddress", "ipadres", "adresseip", "ipadresse"]),
    (Kind::Icd10, &["icd", "icd10", "icd9", "diagnose", "diagnosis", "diagnostic", "diagnosecode", "cim10", "cim"]),
    (
        Kind::BirthDate,
        &[
            "birthdate",
            "dateofbirth",
            "dob",
            "geboortedatum",
            "geboorte",
            "datenaissance",
            "naissance",
            "geburtsdatum",
            "geburt",
            "birth",
        ],
    ),
    (Kind::FirstName, &["firstname", "givenname", "voornaam", "voornamen", "prenom", "prenoms", "vorname"]),
    (
        Kind::LastName,
        &[
            "lastname",
            "surname",
            "familyname",
            "achternaam",
            "familienaam",
            "=nom",
            "nomdefamille",
            "nachname",
            "familienname",
        ],
    ),
    (
        Kind::FullName,
        &[
            "fullname",
            "=naam",
            "=name",
            "=nom_complet",
            "nomcomplet",
            "personname",
            "membername",
            "patientname",
            "volledigenaam",
        ],
    ),
    (
        Kind::HouseNumber,
        &[
            "housenumber",
            "huisnummer",
            "huisnr",
            "hausnummer",
            "numeromaison",
            "numerodemaison",
            "numerorue",
            "busnummer",
        ],
    ),
    (Kind::Postcode, &["postcode", "postalcode", "zip", "zipcode", "codepostal", "postleitzahl", "plz", "cp"]),
    (Kind::Street, &["street", "straat", "straatnaam", "rue", "strasse", "adres", "address", "adresse", "anschrift"]),
    (
        Kind::City,
        &[
            "city",
            "gemeente",
            "stad",
            "ville",
            "commune",
            "localite",
            "ort",
            "stadt",
            "woonplaats",
            "municipality",
            "plaats",
            "gemeinde",
        ],
    ),
    (Kind::Sex, &["sex", "gender", "geslacht", "sexe", "geschlecht"]),
    (Kind::Language, &["language", "taal", "langue", "sprache", "lang", "taalrol"]),
    (
        Kind::FreeText,
        &[
            "note",
            "notes",
            "comment",
            "comments",
            "commentaar",
            "opmerking",
            "opmerkingen",
            "commentaire",
            "commentaires",
            "remarque",
            "remarques",
            "bemerkung",
            "bemerkungen",
            "kommentar",
            "memo",
            "description",
            "omschrijving",
            "beschrijving",
            "text",
            "tekst",
            "texte",
            "remarks",
            "remark",
            "motivation",
            "motivering",
            "toelichting",
        ],
    ),
    (Kind::Date, &["date", "datum", "dt", "day", "dag", "jour", "tag", "timestamp", "created", "updated"]),
    (
        Kind::Amount,
        &[
            "amount",
            "bedrag",
            "montant",
            "betrag",
            "eur",
            "euro",
            "price",
            "prijs",
            "prix",
            "preis",
            "total",
            "totaal",
            "cost",
            "kost",
            "cout",
            "kosten",
            "fee",
            "honoraire",
            "honorarium",
            "tarif",
            "tarief",
            "remboursement",
            "terugbetaling",
        ],
    ),
    (
        Kind::Count,
        &["count", "aantal", "nombre", "anzahl", "qty", "quantity", "hoeveelheid", "quantite", "menge", "nb"],
    ),
    (
        Kind::Code,
        &[
            "code",
            "nomenclature",
            "nomenclatuur",
            "pseudocode",
            "cd",
            "type",
            "status",
            "category",
            "categorie",
            "kategorie",
        ],
    ),
    (
        Kind::Id,
        &[
            "id",
            "nr",
            "no",
            "num",
            "number",
            "numero",
            "key",
            "seq",
            "sequence",
            "volgnummer",
            "ref",
            "reference",
            "referentie",
        ],
    ),
];

/// The words of a column name, lower-case and without accents: `Date_Naissance` and
/// `dateNaissance` both give `["date", "naissance"]`.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if ch.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = ch.is_lowercase() || ch.is_ascii_digit();
        for lower in ch.to_lowercase() {
            match lower {
                'ß' => current.push_str("ss"),
                other => current.push(fold_accent(other)),
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        other => other,
    }
}

/// What the column's name suggests, if anything.
pub fn hint(name: &str) -> Option<Kind> {
    let words = words(name);
    let joined: String = words.concat();
    HINTS.iter().find_map(|(hint, patterns)| {
        patterns
            .iter()
            .any(|p| match p.strip_prefix('=') {
                Some(whole) => joined == whole.replace('_', ""),
                None => words.iter().any(|w| w == p) || joined == *p || (p.len() >= 5 && joined.contains(p)),
            })
            .then_some(*hint)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_four_languages() {
        for (name, expected) in [
            ("rijksregisternummer", Kind::Niss),
            ("INSZ", Kind::Niss),
            ("numero_national", Kind::Niss),
            ("NationalRegisterNumber", Kind::Niss),
            ("rekeningnummer", Kind::Iban),
            ("IBAN", Kind::Iban),
            ("exid", Kind::Exid),
            ("voornaam", Kind::FirstName),
            ("prénom", Kind::FirstName),
            ("Vorname", Kind::FirstName),
            ("first_name", Kind::FirstName),
            ("nom", Kind::LastName),
            ("naam", Kind::FullName),
            ("adres", Kind::Street),
            ("gsm", Kind::Phone),
            ("telefoon", Kind::Phone),
            ("diagnose", Kind::Icd10),
            ("date_naissance", Kind::BirthDate),
            ("geboortedatum", Kind::BirthDate),
            ("birth_date", Kind::BirthDate),
            ("care_date", Kind::Date),
            ("postcode", Kind::Postcode),
            ("code_postal", Kind::Postcode),
            ("house_number", Kind::HouseNumber),
            ("amount_eur", Kind::Amount),
            ("montant", Kind::Amount),
            ("claim_id", Kind::Id),
            ("nomenclature_code", Kind::Code),
            ("aantal", Kind::Count),
            ("opmerking", Kind::FreeText),
            ("provider_inami", Kind::Inami),
            ("RIZIV_nr", Kind::Inami),
        ] {
            assert_eq!(hint(name), Some(expected), "{name}");
        }
        assert_eq!(hint("affiliation_date"), Some(Kind::Date));
        assert_eq!(hint("zzz"), None);
        assert_eq!(hint("product_name"), None);
        assert_eq!(hint("nom_produit"), None);
    }

    #[test]
    fn words_split_case_and_separators() {
        assert_eq!(words("Date_Naissance"), ["date", "naissance"]);
        assert_eq!(words("dateNaissance"), ["date", "naissance"]);
        assert_eq!(words("Prénom"), ["prenom"]);
        assert_eq!(words("Straße"), ["strasse"]);
    }
}
