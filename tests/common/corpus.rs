//! An independent corpus of mutuality notes: realistic prose in Dutch, French, German and English
//! with planted identifiers, names, addresses and values that must stay, for the `free_text` tests.
//!
//! Written from the identifier rules of `reference/belgian-identifiers.md` alone, without reading
//! the scrubber, so the two do not share a blind spot. Names come from a held-out list
//! (`tests/data/heldout-names.txt`, Faker, MIT) that the product does not ship (its own lists in
//! `data/names/` hold most of these names: the untitled-name figure measures their coverage).

mod idents;
mod people;
mod templates;

use std::sync::OnceLock;

/// What a planted item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A valid NISS or BIS number (2000 rule, BIS months +20/+40), in one of many spellings.
    Niss,
    /// An 11-digit NISS-shaped value with a plausible date whose check digits fail (one digit off).
    NissMistyped,
    /// A NISS of someone born 2001-2009 written as 10 bare digits (leading zero lost).
    NissShort,
    /// A Belgian IBAN (assigned bank code, national check, mod 97).
    Iban,
    /// An NL, FR, DE, LU or GB IBAN of the registry length.
    ForeignIban,
    /// An old Belgian account number `bbb-nnnnnnn-cc`.
    OldAccount,
    /// A Belgian mobile or landline number in one of the usual spellings.
    Phone,
    /// An e-mail address.
    Email,
    /// An INAMI/RIZIV care-provider number (mod 97).
    Inami,
    /// A KBO/BCE enterprise number.
    Kbo,
    /// An IPv4 address.
    Ip,
    /// Somebody's name after a title (`Dhr.`, `Mme`, `Herr`, `Dr.`...).
    TitledName,
    /// `First Last` without a title.
    UntitledName,
    /// A street and house number, sometimes followed by postcode and municipality.
    Address,
    /// An amount of money (must stay).
    Amount,
    /// A date (must stay).
    Date,
    /// A 6-digit INAMI nomenclature code (must stay).
    Nomenclature,
    /// A structured payment reference OGM/VCS (must stay).
    Ogm,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 18] = [
        Category::Niss,
        Category::NissMistyped,
        Category::NissShort,
        Category::Iban,
        Category::ForeignIban,
        Category::OldAccount,
        Category::Phone,
        Category::Email,
        Category::Inami,
        Category::Kbo,
        Category::Ip,
        Category::TitledName,
        Category::UntitledName,
        Category::Address,
        Category::Amount,
        Category::Date,
        Category::Nomenclature,
        Category::Ogm,
    ];

    /// True for numbers and addresses that identify someone (all must be replaced).
    pub fn is_identifier(self) -> bool {
        !self.must_stay() && !matches!(self, Category::TitledName | Category::UntitledName | Category::Address)
    }

    /// True for what a note must keep exactly as written: amounts, dates, codes, payment references.
    pub fn must_stay(self) -> bool {
        matches!(self, Category::Amount | Category::Date | Category::Nomenclature | Category::Ogm)
    }

    /// The category's name as written in reports (`Niss`, `TitledName`...).
    pub fn name(self) -> &'static str {
        match self {
            Category::Niss => "Niss",
            Category::NissMistyped => "NissMistyped",
            Category::NissShort => "NissShort",
            Category::Iban => "Iban",
            Category::ForeignIban => "ForeignIban",
            Category::OldAccount => "OldAccount",
            Category::Phone => "Phone",
            Category::Email => "Email",
            Category::Inami => "Inami",
            Category::Kbo => "Kbo",
            Category::Ip => "Ip",
            Category::TitledName => "TitledName",
            Category::UntitledName => "UntitledName",
            Category::Address => "Address",
            Category::Amount => "Amount",
            Category::Date => "Date",
            Category::Nomenclature => "Nomenclature",
            Category::Ogm => "Ogm",
        }
    }
}

/// One item planted in a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planted {
    pub category: Category,
    /// Exactly as it appears in the text (for a titled name: the name without its title).
    pub written: String,
    /// Identifiers: ASCII alphanumerics upper-cased (NISS: 11 digits; NISS short: the 10 digits
    /// written; IBAN: compact; old account: 12 digits; KBO: the 10 digits; INAMI: 11 digits;
    /// phone: national digits without trunk 0, e.g. `475123456`; IPv4: its digits; e-mail: the
    /// whole address lowercased). Names: the name as written. Address: street and number as
    /// written. Values that must stay: as written.
    pub canonical: String,
}

/// A generated note and what was planted in it, in text order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub template: usize,
    pub text: String,
    pub planted: Vec<Planted>,
}

/// Number of sentence templates: 11 Dutch, 12 French, 11 German, 11 English.
pub const TEMPLATES: usize = templates::ALL.len();

/// The note of `template` (`0..TEMPLATES`) for `seed`: the same for the same arguments.
///
/// Every planted item is found exactly once in the text by [`occurrences`], so a survivor in the
/// scrubbed text can only be that item.
pub fn note(template: usize, seed: u64) -> Note {
    let template = template % TEMPLATES;
    let (lang, write) = templates::ALL[template];
    for attempt in 0..1000u64 {
        let mut g = Gen::new(lang, mix(&[seed, template as u64, attempt]));
        let text = write(&mut g);
        if g.planted.iter().all(|p| occurrences(p, &text) == 1) {
            return Note { template, text, planted: g.planted };
        }
    }
    unreachable!("template {template} never planted unique items")
}

/// The language of `template`'s prose: `nl`, `fr`, `de` or `en`.
pub fn language(template: usize) -> &'static str {
    match templates::ALL[template % TEMPLATES].0 {
        Lang::Nl => "nl",
        Lang::Fr => "fr",
        Lang::De => "de",
        Lang::En => "en",
    }
}

/// A valid NISS (11 digits) for `seed`, e.g. for the structured `niss` column of a test table.
pub fn valid_niss(seed: u64) -> String {
    idents::niss(&mut SplitMix(mix(&[seed, 0x6e69_7373])), 1930..=2020)
}

/// True when `canonical` is a valid value of its identifier `category` by the reference rules
/// (the corpus's own arithmetic; python-stdnum and phonenumbers agree on every generated value).
pub fn valid(category: Category, canonical: &str) -> bool {
    idents::valid(category, canonical)
}

/// True when `planted` is still present in `text`: for an identifier, a leak; for a value that
/// must stay, that it was kept.
///
/// Identifiers: the canonical form is a substring of `text` with every non-alphanumeric removed
/// and upper-cased (for an IBAN the BBAN alone counts too); e-mail: a substring of the lowercased
/// text. Names: any of its [`name_words`] as a whole word, case-insensitive (stricter than the
/// whole name: `Mevr. MEUNIER Jan` for `Mevr. MEUNIER Paul` still leaks the surname). Address:
/// its street word ([`street_word`]) as a whole word. Values that must stay: exactly as written.
pub fn present_in(planted: &Planted, text: &str) -> bool {
    occurrences(planted, text) > 0
}

/// How many times `planted` occurs in `text`, by the rules of [`present_in`].
pub fn occurrences(planted: &Planted, text: &str) -> usize {
    match planted.category {
        Category::Email => text.to_lowercase().matches(&planted.canonical).count(),
        Category::TitledName | Category::UntitledName => {
            let text = text.to_lowercase();
            name_words(&planted.written).iter().map(|w| whole_words(&text, &w.to_lowercase())).max().unwrap_or(0)
        }
        Category::Address => whole_words(text, street_word(&planted.canonical)),
        Category::Iban | Category::ForeignIban => {
            let compact = alphanumerics(text);
            compact.matches(&planted.canonical).count().max(compact.matches(&planted.canonical[4..]).count())
        }
        c if c.must_stay() => text.matches(&planted.written).count(),
        _ => alphanumerics(text).matches(&planted.canonical).count(),
    }
}

/// The words of a name that identify someone: all but the particles (`Van`, `de`, `D'`, `Le`...),
/// split at spaces and apostrophes (`Jean-Pierre` stays one word).
pub fn name_words(name: &str) -> Vec<&str> {
    const PARTICLES: &[&str] = &["van", "vanden", "de", "den", "der", "d", "le", "la", "du", "di"];
    name.split(|c: char| c.is_whitespace() || c == '\'')
        .filter(|w| !w.is_empty() && !PARTICLES.contains(&w.to_lowercase().as_str()))
        .collect()
}

/// The distinctive word of a street address: its longest word that is not a house number, a
/// box or a generic word (`Rue`, `de`, `la`, `Straße`...): `Beukenlaan`, `Loi`, `Albertlaan`.
pub fn street_word(address: &str) -> &str {
    const GENERIC: &[&str] = &[
        "rue",
        "avenue",
        "chaussée",
        "boulevard",
        "place",
        "straße",
        "strasse",
        "de",
        "la",
        "le",
        "les",
        "du",
        "des",
        "l'",
        "d'",
        "bus",
        "bte",
        "boîte",
        "van",
        "den",
        "der",
        "sint",
        "saint",
        "sainte",
    ];
    address
        .split_whitespace()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()) && !GENERIC.contains(&w.to_lowercase().as_str()))
        .fold("", |best, w| if w.chars().count() > best.chars().count() { w } else { best })
}

/// ASCII letters and digits of `text`, upper-cased.
pub fn alphanumerics(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// Occurrences of `word` in `text` not touching another letter or digit.
fn whole_words(text: &str, word: &str) -> usize {
    if word.is_empty() {
        return 0;
    }
    text.match_indices(word)
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + word.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
        .count()
}

/// A small, well-mixed PRNG (splitmix64), so the corpus needs no dependency.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (the modulo bias is negligible for these small `n`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`, each as likely (a repeated item counts twice).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Folds several numbers into one seed.
fn mix(parts: &[u64]) -> u64 {
    parts.iter().fold(0x243f_6a88_85a3_08d3, |acc, &p| SplitMix(acc ^ p).next_u64())
}

/// The language a template writes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Nl,
    Fr,
    De,
    En,
}

/// Sex of a first name, when the sentence needs one (`Mevr.`, `sa fille`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sex {
    Male,
    Female,
}

/// The held-out names: first names by language and sex, surnames by language (Dutch, French).
struct Names {
    first: [[Vec<&'static str>; 2]; 2],
    last: [Vec<&'static str>; 2],
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Names { first: Default::default(), last: Default::default() };
        let mut section: Option<&mut Vec<&'static str>> = None;
        for line in include_str!("../data/heldout-names.txt").lines().map(str::trim) {
            section = match line {
                "" => section,
                l if l.starts_with('#') => section,
                "[first nl male]" => Some(&mut names.first[0][0]),
                "[first nl female]" => Some(&mut names.first[0][1]),
                "[first fr male]" => Some(&mut names.first[1][0]),
                "[first fr female]" => Some(&mut names.first[1][1]),
                "[last nl]" => Some(&mut names.last[0]),
                "[last fr]" => Some(&mut names.last[1]),
                name => {
                    let list = section.expect("a name under a section header");
                    list.push(name);
                    Some(list)
                }
            };
        }
        assert!(names.first.iter().flatten().all(|l| l.len() > 30), "held-out first names too few");
        assert!(names.last.iter().all(|l| l.len() > 50), "held-out surnames too few");
        names
    })
}

/// The writer of one note: the random stream and what was planted so far.
pub(crate) struct Gen {
    pub(crate) lang: Lang,
    pub(crate) rng: SplitMix,
    pub(crate) planted: Vec<Planted>,
}

impl Gen {
    fn new(lang: Lang, seed: u64) -> Gen {
        Gen { lang, rng: SplitMix(seed), planted: Vec::new() }
    }

    /// Records an item and returns its written form.
    pub(crate) fn plant(&mut self, category: Category, written: String, canonical: String) -> String {
        self.planted.push(Planted { category, written: written.clone(), canonical });
        written
    }

    /// Index of the name lists for this note (Dutch or French; German and English notes mix).
    fn name_list(&mut self) -> usize {
        match self.lang {
            Lang::Nl => usize::from(self.rng.chance(15)),
            Lang::Fr => usize::from(!self.rng.chance(15)),
            Lang::De | Lang::En => self.rng.below(2) as usize,
        }
    }

    /// A first name from the held-out list, of `sex` when given.
    pub(crate) fn first_name(&mut self, sex: Option<Sex>) -> &'static str {
        let list = self.name_list();
        let sex = sex.unwrap_or(if self.rng.chance(50) { Sex::Male } else { Sex::Female });
        self.rng.pick(&names().first[list][sex as usize])
    }

    /// A surname from the held-out list; one in six carries a particle Faker's lists lack
    /// (`Vanden`, `D'`, `Le`, `Du`, `Di`) in front of a one-word held-out surname.
    pub(crate) fn surname(&mut self) -> String {
        let list = self.name_list();
        let base: &str = self.rng.pick(&names().last[list]);
        if !self.rng.chance(17) || base.contains(' ') {
            return base.to_string();
        }
        match self.rng.pick(&["Vanden ", "D'", "Le ", "Du ", "Di "]) {
            "D'" => format!("D'{base}"),
            particle => format!("{particle}{base}"),
        }
    }
}
