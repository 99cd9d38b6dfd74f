//! Other people and places in prose: a person's name after a title (`Dhr.`, `Mevr.`, `Mme`,
//! `Herr`, `Dr.` ...) or led by a known first name, and a street address (a street word with a
//! street suffix or prefix, then its house number). Data-driven from the shipped name lists:
//! a name that is no known first name and has no title is not found.

use std::sync::OnceLock;

use regex::Regex;

use crate::detect::Kind;

/// A name or an address inside a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Byte offset where the mention starts (after the title).
    pub start: usize,
    /// Byte offset right after it.
    pub end: usize,
    /// `FullName`, `Street` (street name and house number) or `Postcode` (postcode and
    /// municipality after an address).
    pub kind: Kind,
    /// For a name: the sex its title gives, `Some(true)` female.
    pub female: Option<bool>,
    /// For a name: the byte offset where the surname starts, when a first name leads.
    pub surname_at: Option<usize>,
}

impl Mention {
    /// The sex the title gives, as the people rules read it (`F`, `M`), if any.
    pub fn sex(&self) -> Option<&'static str> {
        self.female.map(|f| if f { "F" } else { "M" })
    }
}

/// The patterns below start at a word boundary, checked by `at_word_start` rather than by a
/// leading `\b`: a Unicode `\b` keeps the regex engine's DFA off every text with one non-ASCII
/// character (`versé`), and the slower engines it falls back to cost more than the rest of a note's
/// scan. Every other `\b` in them follows a space or a hyphen (where it always holds, so it is
/// left out) or is ASCII (`(?-u:\b)`, after a digit or an ASCII letter; it holds a little more
/// often than the Unicode one, which only finds more).
fn at_word_start(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(regex_syntax::is_word_character)
}

/// Where to look again after a match refused at `start`: past the run of word characters it
/// starts in (every start inside the run follows a word character and would be refused too;
/// stepping one character at a time would rescan a long run once per character).
fn next_start(text: &str, start: usize) -> usize {
    text[start..].find(|c: char| !regex_syntax::is_word_character(c)).map_or(text.len(), |k| start + k)
}

/// What `search(at)` finds from `at` on (a match and its span), keeping those that start at a
/// word boundary, leftmost first, not overlapping: `find_iter` of the pattern with a leading
/// `\b`.
fn at_word_starts<T>(text: &str, mut search: impl FnMut(usize) -> Option<(T, usize, usize)>) -> Vec<T> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some((found, start, end)) = search(at) {
        if at_word_start(text, start) {
            out.push(found);
            at = end.max(start + 1);
        } else {
            at = next_start(text, start);
        }
        while at < text.len() && !text.is_char_boundary(at) {
            at += 1;
        }
    }
    out
}

/// The matches of `re` in `text` that start at a word boundary.
fn word_matches<'t>(re: &Regex, text: &'t str) -> Vec<regex::Match<'t>> {
    at_word_starts(text, |at| re.find_at(text, at).map(|m| (m, m.start(), m.end())))
}

/// `word_matches` with the capture groups.
fn word_captures<'t>(re: &Regex, text: &'t str) -> Vec<regex::Captures<'t>> {
    at_word_starts(text, |at| {
        let c = re.captures_at(text, at)?;
        let (start, end) = c.get(0).map(|m| (m.start(), m.end()))?;
        Some((c, start, end))
    })
}

/// A capitalised name word (`Peeters`, `Jean-Pierre`, `D'Hondt`), or a particle before one.
const NAME: &str = r"(?:(?:[Vv]an(?:\s[Dd]e[nr]?|\s[Tt]er)?|[Vv]ande[nr]?|[Dd]e|[Dd]en|[Dd]er|[Tt]er|[Tt]en|[Ll]e|[Ll]a|[Dd]u|[Dd]i|[Dd]es|[Vv]on|[Dd]a|[Dd]el|[Dd]os)\s)?(?:[DdLlOo]['’])?\p{Lu}(?:[\p{Ll}\p{Lu}'’]*\p{Ll}|\p{Lu}+)(?:-\p{Lu}[\p{Ll}'’]+)*";

const TITLES: &str = r"Dhr|dhr|DHR|De heer|de heer|Hr|hr|Mevr|mevr|MEVR|Mevrouw|mevrouw|MEVROUW|Mw|mw|Mej|mej|Meneer|meneer|Mijnheer|mijnheer|Juffrouw|Fam|fam|Familie|familie|Wwe|wwe|Weduwe|weduwe|M|Mme|MME|Mlle|Madame|madame|MADAME|Mademoiselle|Monsieur|monsieur|MONSIEUR|Dr|dr|DR|Dokter|dokter|Docteur|docteur|Prof|prof|Herr|HERR|Frau|FRAU|Mr|MR|Mrs|MRS|Ms|Miss|Mister|Me|Maître|Meester|huisarts|Huisarts|tandarts|apotheker|kinesist|verpleegkundige|médecin|Médecin|pharmacien|kiné|Hausarzt|Zahnarzt";

/// Initials before a surname (`J.`, `J.-P.`, `A.M.`).
const INITIALS: &str = r"(?:\p{Lu}\.(?:-?\p{Lu}\.)*\s?)?";

fn titled() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // Titles may stack (`Prof. Dr. Janssens`, `huisarts Dr. Peeters`): the last one counts.
        let pattern = format!(
            r"(?:(?:{TITLES})(?:\.,?\s*|,?\s+))*(?P<title>{TITLES})(?:\.,?\s*|,?\s+)(?P<name>{INITIALS}{NAME}(?:\s{NAME}){{0,3}})"
        );
        Regex::new(&pattern).unwrap_or_else(|e| unreachable!("the title pattern is valid: {e}"))
    })
}

fn capitalised_run() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let pattern = format!(r"\p{{Lu}}(?:[\p{{Ll}}'’]+|\p{{Lu}}+)(?:-\p{{Lu}}[\p{{Ll}}'’]+)*(?:\s{NAME}){{1,3}}");
        Regex::new(&pattern).unwrap_or_else(|e| unreachable!("the name pattern is valid: {e}"))
    })
}

/// Words that end a street name (`Kerkstraat`, `Grote Markt`, `Aachener Straße`).
pub const STREET_SUFFIXES: &[&str] = &[
    "straat", "laan", "steenweg", "plein", "dreef", "lei", "weg", "baan", "kaai", "markt", "singel", "dijk", "vest",
    "gracht", "kouter", "plaats", "park", "hof", "pad", "straße", "strasse", "str.", "gasse", "platz", "allee",
];

/// The language a street name is written in (`de`, `fr` or `nl`), from the street words that
/// found it, so its fake is of the same language.
pub fn street_language(street: &str) -> &'static str {
    let lower = street.to_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    if ["straße", "strasse", "gasse", "platz", "allee"].iter().any(|s| lower.contains(s)) {
        "de"
    } else if STREET_PREFIXES.split('|').any(|p| p.replace('\\', "").to_lowercase() == first) {
        "fr"
    } else {
        "nl"
    }
}

/// Street suffixes that are no ordinary word ending, so a street written in lower case
/// (`woont kerkstraat 12`) is found too; `onderweg 2 uur` is not a street.
const LOWER_CASE_SUFFIXES: &[&str] = &["straat", "laan", "steenweg", "plein", "dreef", "straße", "strasse"];

/// Words that start a street name (`Rue de la Loi`, `Avenue Louise`).
pub const STREET_PREFIXES: &str = r"Rue|rue|Avenue|avenue|Av\.|av\.|Chaussée|chaussée|Boulevard|boulevard|Bd|Place|place|Chemin|chemin|Allée|allée|Quai|quai|Impasse|impasse|Square|square|Drève|drève|Route|route|Clos|clos|Rond-Point|Sentier|sentier|Passage|Parvis|Esplanade|Galerie";

/// Words before a Dutch street word that belong to its name (`Koning Albertlaan`).
const STREET_LEADERS: &str = r"Koning|Koningin|Sint|Onze-Lieve-Vrouw|Oude|Grote|Kleine|Nieuwe|Lange|Korte|Hoge|Lage|Generaal|Burgemeester|Pastoor|Kardinaal|Prins|Prinses|Graaf|Dokter|Kapitein|Pater|Zuster|Heilig|Heilige";

/// A house number: digits, a letter, and a box (`12`, `12B`, `12 bus 3`, `5 bte 2`, `7/3`).
const HOUSE: &str = r"(?:(?:nr|Nr|n°|N°|no|No)\.?\s?)?[0-9]{1,4}(?:\s?[A-Za-z](?-u:\b))?(?:\s?(?:bus|bte|boîte|Bus|Bte|b\.|/)\s?[0-9]{1,4}[A-Za-z]?)?";

fn street_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        let suffixes = STREET_SUFFIXES.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|");
        // A suffix standing alone as a capitalised word (`Grote Markt`, `Aachener Straße`).
        let alone = STREET_SUFFIXES
            .iter()
            .filter(|s| !s.ends_with('.'))
            .map(|s| {
                let mut c = s.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
            })
            .chain(["Ring".to_string(), "Wall".to_string()])
            .collect::<Vec<_>>()
            .join("|");
        let word = r"\p{Lu}[\p{L}'’-]*";
        let pattern = format!(
            concat!(
                r"(?:(?:{prefixes})(?:\s(?:[lLdD]['’])?[\p{{L}}'’-]+){{0,5}}",
                r"|(?:(?:{leaders})[\s-])?(?:\p{{Lu}}[\p{{L}}'’-]*(?i:{suffixes})|\p{{Ll}}[\p{{L}}'’-]*(?:{lower})|(?:{word}\s)?(?:{alone})))",
                r"\s?,?\s?{house}(?-u:\b)",
            ),
            prefixes = STREET_PREFIXES,
            word = word,
            leaders = STREET_LEADERS,
            suffixes = suffixes,
            alone = alone,
            lower = LOWER_CASE_SUFFIXES.join("|"),
            house = HOUSE,
        );
        Regex::new(&pattern).unwrap_or_else(|e| unreachable!("the street pattern is valid: {e}"))
    })
}

/// `, 9000 Gent` or ` 1000 Bruxelles` right after an address: a Belgian postcode and the
/// municipality's name (one to three capitalised words, `Sint-Niklaas`, `La Louvière`).
fn place_pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^,?\s?[1-9][0-9]{3}\s\p{Lu}[\p{L}'’-]*(?:\s(?:\p{Lu}[\p{L}'’-]*|(?:sur|aan|de|la|le)\s\p{Lu}[\p{L}'’-]*)){0,2}")
            .unwrap_or_else(|e| unreachable!("the place pattern is valid: {e}"))
    })
}

fn female_title(title: &str) -> Option<bool> {
    match title.to_lowercase().as_str() {
        "mevr" | "mevrouw" | "juffrouw" | "mme" | "mlle" | "madame" | "mademoiselle" | "frau" | "mrs" | "ms"
        | "miss" => Some(true),
        "dhr" | "de heer" | "meneer" | "mijnheer" | "m" | "monsieur" | "herr" | "mr" | "mister" => Some(false),
        _ => None,
    }
}

/// Where the surname starts in `name`, when its first word is a known first name and more follow.
fn surname_start(name: &str) -> Option<usize> {
    let first_end = name.find(char::is_whitespace)?;
    let first = &name[..first_end];
    let known = super::super::is_known_first_name(first)
        || first.split('-').next().is_some_and(super::super::is_known_first_name);
    known.then(|| first_end + name[first_end..].find(|c: char| !c.is_whitespace()).unwrap_or(0))
}

/// Every name and street address in `text`, in order, not overlapping.
pub fn find(text: &str) -> Vec<Mention> {
    let mut found: Vec<Mention> = Vec::new();
    // Claimed spans, for overlap checks in O(log n): a long note holds thousands of mentions.
    let mut claimed = super::Spans::default();
    let streets: Vec<(usize, usize)> =
        word_matches(street_pattern(), text).into_iter().map(|m| (m.start(), m.end())).collect();
    for (i, &(start, end)) in streets.iter().enumerate() {
        claimed.insert(start, end);
        found.push(Mention { start, end, kind: Kind::Street, female: None, surname_at: None });
        // The postcode and municipality that follow an address (`, 9000 Gent`), up to the next
        // address at most (`Kerkstraat 12, 9000 Gent Stationsstraat 5` holds two).
        let until = streets.get(i + 1).map_or(text.len(), |next| next.0);
        if let Some(place) = place_pattern().find(&text[end..until]) {
            let digits = place.as_str().find(|c: char| c.is_ascii_digit()).unwrap_or(0);
            let (from, to) = (end + place.start() + digits, end + place.end());
            claimed.insert(from, to);
            found.push(Mention { start: from, end: to, kind: Kind::Postcode, female: None, surname_at: None });
        }
    }
    for c in word_captures(titled(), text) {
        let (Some(title), Some(name)) = (c.name("title"), c.name("name")) else { continue };
        if !claimed.free(name.start(), name.end()) {
            continue;
        }
        // A name is a word of its own: not the start of `Kine-sessie`.
        if text[name.end()..].chars().next().is_some_and(|c| c == '-' || c.is_alphanumeric()) {
            continue;
        }
        claimed.insert(name.start(), name.end());
        found.push(Mention {
            start: name.start(),
            end: name.end(),
            kind: Kind::FullName,
            female: female_title(title.as_str()),
            surname_at: surname_start(name.as_str()).map(|s| name.start() + s),
        });
    }
    if text.bytes().any(|b| b.is_ascii_uppercase()) || !text.is_ascii() {
        for m in word_matches(capitalised_run(), text) {
            // The name starts at the first known first name of the capitalised run.
            let run = m.as_str();
            let mut offset = 0;
            for word in run.split_whitespace() {
                let at = offset + run[offset..].find(word).unwrap_or(0);
                offset = at + word.len();
                let rest = &run[at..];
                if rest.contains(char::is_whitespace) {
                    if let Some(surname) = surname_start(rest) {
                        let (start, end) = (m.start() + at, m.end());
                        if claimed.free(start, end) {
                            claimed.insert(start, end);
                            found.push(Mention {
                                start,
                                end,
                                kind: Kind::FullName,
                                female: None,
                                surname_at: Some(start + surname),
                            });
                        }
                        break;
                    }
                }
            }
        }
    }
    found.sort_by_key(|m| m.start);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<(Kind, &str)> {
        find(text).into_iter().map(|m| (m.kind, &text[m.start..m.end])).collect()
    }

    /// Texts from pieces that sit on word boundaries: accented and capital letters, digits,
    /// titles, street words, apostrophes, hyphens, underscores, mixed scripts.
    fn tricky_texts(n: usize) -> Vec<String> {
        const PIECES: &[&str] = &[
            "Mevr. ",
            "dhr ",
            "M. ",
            "Mme ",
            "Dr.",
            "Herr ",
            "xMme ",
            "éDupont",
            "Élodie ",
            "Peeters",
            "VAN DAMME",
            "Jean-Pierre ",
            "D'Hondt",
            "d’Ursel ",
            "_Jan ",
            "Jan",
            "Kerkstraat ",
            "12",
            " bus 3",
            "Rue de la Loi ",
            "5 bte 2",
            "Straße ",
            "Grote Markt ",
            "7B",
            ", 9000 Gent",
            "Ærø ",
            "Øster ",
            "ß",
            "İstanbul ",
            "名 ",
            "Sint-Élooi ",
            "straat",
            " ",
            ", ",
            ".",
            "-",
            "\n",
            "1000",
            "Ring ",
            "Koning Albertlaan ",
            "a",
            "Z",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..n)
            .map(|_| {
                let len = 3 + (state % 9) as usize;
                (0..len)
                    .map(|_| {
                        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                        PIECES[(state >> 33) as usize % PIECES.len()]
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_word_start_check_finds_what_a_leading_unicode_boundary_finds() {
        // The oracle: the same pattern behind the regex crate's own Unicode `\b`.
        for re in [titled(), capitalised_run(), street_pattern()] {
            let oracle = Regex::new(&format!(r"\b(?:{})", re.as_str())).unwrap();
            for text in tricky_texts(3000) {
                let expected: Vec<(usize, usize)> = oracle.find_iter(&text).map(|m| (m.start(), m.end())).collect();
                let found: Vec<(usize, usize)> = word_matches(re, &text).iter().map(|m| (m.start(), m.end())).collect();
                assert_eq!(found, expected, "{text:?}");
                let captured: Vec<(usize, usize)> =
                    word_captures(re, &text).iter().filter_map(|c| c.get(0)).map(|m| (m.start(), m.end())).collect();
                assert_eq!(captured, expected, "{text:?}");
            }
        }
    }

    #[test]
    fn names_after_titles_with_particles() {
        assert_eq!(spans("Gesprek met Mevr. Marie Dubois over"), [(Kind::FullName, "Marie Dubois")]);
        assert_eq!(spans("dhr Van den Broeck belde"), [(Kind::FullName, "Van den Broeck")]);
        assert_eq!(
            spans("Mme D'Hondt et M. Jean-Pierre Le Clercq."),
            [(Kind::FullName, "D'Hondt"), (Kind::FullName, "Jean-Pierre Le Clercq")]
        );
        assert_eq!(spans("Frau Schmitz, Herr Müller"), [(Kind::FullName, "Schmitz"), (Kind::FullName, "Müller")]);
        assert_eq!(
            spans("Dhr. J. Verhaegen, Mw. Wuyts, DHR. VERSTRAETEN"),
            [(Kind::FullName, "J. Verhaegen"), (Kind::FullName, "Wuyts"), (Kind::FullName, "VERSTRAETEN")]
        );
        assert!(spans("Zie M. Kine-sessie en een MRI scan").is_empty());
        assert_eq!(
            spans("huisarts Dr. Peeters en Prof. Dr. Janssens"),
            [(Kind::FullName, "Peeters"), (Kind::FullName, "Janssens")]
        );
    }

    #[test]
    fn a_known_first_name_leads_a_name() {
        assert_eq!(spans("Vandaag belde Marie Vanden Berghe terug"), [(Kind::FullName, "Marie Vanden Berghe")]);
        assert!(spans("Vandaag belde de dokter terug").is_empty());
    }

    #[test]
    fn street_addresses_with_their_numbers() {
        assert_eq!(
            spans("woont Kerkstraat 12, 9000 Gent"),
            [(Kind::Street, "Kerkstraat 12"), (Kind::Postcode, "9000 Gent")]
        );
        assert_eq!(spans("adres: Rue de la Loi 16 bte 2"), [(Kind::Street, "Rue de la Loi 16 bte 2")]);
        assert_eq!(spans("naar Grote Markt 7."), [(Kind::Street, "Grote Markt 7")]);
        assert_eq!(spans("Aachener Straße 12"), [(Kind::Street, "Aachener Straße 12")]);
        assert_eq!(spans("Koning Albertlaan 3 bus 4"), [(Kind::Street, "Koning Albertlaan 3 bus 4")]);
        assert!(spans("de straat was 12 jaar oud, in de weg 3 keer, Herinnering 2024").is_empty());
        assert_eq!(spans("woont kerkstraat nr. 12"), [(Kind::Street, "kerkstraat nr. 12")]);
        assert!(spans("was onderweg 2 uur, hof 3").is_empty());
        assert_eq!(
            spans("Boulevard Anspach, 1 en place de la gare 3"),
            [(Kind::Street, "Boulevard Anspach, 1"), (Kind::Street, "place de la gare 3")]
        );
        assert_eq!(spans("Rue Saint-Lambert 20"), [(Kind::Street, "Rue Saint-Lambert 20")]);
    }
}
