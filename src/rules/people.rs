//! People and addresses: `first_name`, `last_name`, `full_name`, `street`, `house_number`,
//! `postcode`, `city`. A keyed pick from Belgian lists (by sex and language where the row says),
//! seeded by the normalised original: the same surname gets the same fake surname everywhere,
//! so families stay families. Names may collide; identifiers may not (they use other rules).

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{Pseudonym, Rule, RuleError};
use crate::crypto::Key;
use crate::refdata::{self, Lang, Place};

/// What `postcode` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PostcodeMode {
    /// The postcode as it is (validated).
    #[default]
    Keep,
    /// The first digit, then `000`.
    Region,
    /// A real postcode of the same province (Brussels-Capital counting as one), keyed by the original.
    SameRegion,
}

/// Which people or address rule, with the columns it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleSpec {
    FirstName {
        sex_from: Option<String>,
        language_from: Option<String>,
    },
    LastName {
        language_from: Option<String>,
    },
    FullName {
        sex_from: Option<String>,
        language_from: Option<String>,
    },
    /// A street in the row's language, else in the language of the municipality of `postcode_from`.
    Street {
        language_from: Option<String>,
        postcode_from: Option<String>,
    },
    HouseNumber,
    Postcode {
        mode: PostcodeMode,
    },
    /// A municipality; with `postcode_from`, the municipality of the postcode that column's own
    /// rule writes (`postcode_mode`, completed from the table when the mapping is validated).
    City {
        language_from: Option<String>,
        postcode_from: Option<String>,
        postcode_mode: PostcodeMode,
    },
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Columns {
    #[serde(default)]
    sex_from: Option<String>,
    #[serde(default)]
    language_from: Option<String>,
    #[serde(default)]
    postcode_from: Option<String>,
}

impl PeopleSpec {
    /// Parses rule `name` with `options`; `None` if `name` is not a people or address rule.
    pub fn parse(name: &str, options: &serde_norway::Value) -> Option<Result<PeopleSpec, String>> {
        let columns = || -> Result<Columns, String> {
            if options.is_null() {
                return Ok(Columns::default());
            }
            serde_norway::from_value(options.clone()).map_err(|e| format!("rule `{name}`: {e}"))
        };
        if !matches!(name, "city" | "street") && options.get("postcode_from").is_some() {
            return Some(Err(format!("rule `{name}` takes no `postcode_from`")));
        }
        let spec = match name {
            "first_name" => {
                columns().map(|c| PeopleSpec::FirstName { sex_from: c.sex_from, language_from: c.language_from })
            }
            "full_name" => {
                columns().map(|c| PeopleSpec::FullName { sex_from: c.sex_from, language_from: c.language_from })
            }
            "last_name" => columns().and_then(|c| match c.sex_from {
                Some(_) => Err("rule `last_name` takes `language_from` only".into()),
                None => Ok(PeopleSpec::LastName { language_from: c.language_from }),
            }),
            "street" => columns().and_then(|c| match c.sex_from {
                Some(_) => Err("rule `street` takes `language_from` and `postcode_from`".into()),
                None => Ok(PeopleSpec::Street { language_from: c.language_from, postcode_from: c.postcode_from }),
            }),
            "city" => columns().and_then(|c| match c.sex_from {
                Some(_) => Err("rule `city` takes `language_from` and `postcode_from`".into()),
                None => Ok(PeopleSpec::City {
                    language_from: c.language_from,
                    postcode_from: c.postcode_from,
                    postcode_mode: PostcodeMode::Keep,
                }),
            }),
            "house_number" if options.is_null() => Ok(PeopleSpec::HouseNumber),
            "house_number" => Err("rule `house_number` takes no options".into()),
            "postcode" => match options.as_str() {
                None if options.is_null() => Ok(PeopleSpec::Postcode { mode: PostcodeMode::Keep }),
                Some("keep") => Ok(PeopleSpec::Postcode { mode: PostcodeMode::Keep }),
                Some("region") => Ok(PeopleSpec::Postcode { mode: PostcodeMode::Region }),
                Some("same_region") => Ok(PeopleSpec::Postcode { mode: PostcodeMode::SameRegion }),
                _ => Err("rule `postcode` takes keep, region or same_region: `{ postcode: same_region }`".into()),
            },
            _ => return None,
        };
        Some(spec)
    }

    /// The other columns of the row the rule reads, in the order `apply` receives them.
    pub fn inputs(&self) -> Vec<String> {
        match self {
            PeopleSpec::FirstName { sex_from, language_from } | PeopleSpec::FullName { sex_from, language_from } => {
                sex_from.iter().chain(language_from.iter()).cloned().collect()
            }
            PeopleSpec::LastName { language_from } => language_from.iter().cloned().collect(),
            PeopleSpec::Street { language_from, postcode_from }
            | PeopleSpec::City { language_from, postcode_from, .. } => {
                language_from.iter().chain(postcode_from.iter()).cloned().collect()
            }
            _ => Vec::new(),
        }
    }

    /// The rule name.
    pub fn name(&self) -> &'static str {
        match self {
            PeopleSpec::FirstName { .. } => "first_name",
            PeopleSpec::LastName { .. } => "last_name",
            PeopleSpec::FullName { .. } => "full_name",
            PeopleSpec::Street { .. } => "street",
            PeopleSpec::HouseNumber => "house_number",
            PeopleSpec::Postcode { .. } => "postcode",
            PeopleSpec::City { .. } => "city",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sex {
    Male,
    Female,
}

pub(crate) fn sex_of(value: Option<&str>) -> Option<Sex> {
    match value?.trim().to_lowercase().as_str() {
        "m" | "1" | "h" | "male" | "man" | "homme" | "mannelijk" | "masculin" => Some(Sex::Male),
        "f" | "2" | "v" | "w" | "female" | "vrouw" | "femme" | "vrouwelijk" | "féminin" | "feminin" => {
            Some(Sex::Female)
        }
        _ => None,
    }
}

/// The language a cell names (`NL`, `fr`, `Deutsch` ...), or the language of the municipality
/// of a Belgian postcode (`9000` Dutch, `4700` German; none for Brussels).
pub fn language_of(value: Option<&str>) -> Option<Lang> {
    let v = value?.trim();
    if v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) {
        return postcode_place(v).and_then(|p| p.language());
    }
    match v.to_lowercase().as_str() {
        "nl" | "n" | "dutch" | "nederlands" | "vl" => Some(Lang::Nl),
        "fr" | "f" | "french" | "français" | "francais" | "frans" => Some(Lang::Fr),
        "de" | "d" | "german" | "deutsch" | "duits" => Some(Lang::De),
        _ => None,
    }
}

/// The first (postcode, municipality) pair of a postcode Statbel lists.
fn postcode_place(code: &str) -> Option<&'static Place> {
    refdata::places().of_postcode(code).next()
}

/// Whether `v` is written as a Belgian postcode (four digits, 1000-9999).
fn is_postcode(v: &str) -> bool {
    v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0')
}

/// The province of a postcode: Statbel's, or for a code it does not list (a special code such as
/// a company's), that of the nearest listed code below it, since postcodes run by area.
fn province_of(code: &str) -> Option<&'static str> {
    if let Some(p) = postcode_place(code) {
        return Some(p.province);
    }
    refdata::places().all.iter().filter(|p| p.postcode <= code).max_by_key(|p| p.postcode).map(|p| p.province)
}

/// A second, independent choice from a seed (splitmix64's finaliser).
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The entry of `list` the seed picks, never `original` itself (compared folded): a frequent name
/// would otherwise be its own fake about as often as its share (1 %), and every mention of it
/// in every note would survive. Picks again with derived seeds, the same for the same value.
fn other_than(original: &str, list: &refdata::Ranked, seed: u64) -> &'static str {
    pick_refusing(list, seed, 16, |pick| refdata::same_folded(pick, original))
}

/// A keyed pick from `list`, drawn again with derived seeds (at most `tries` times) while
/// `refuse` refuses it: the same for the same seed.
fn pick_refusing(list: &refdata::Ranked, seed: u64, tries: usize, refuse: impl Fn(&str) -> bool) -> &'static str {
    let mut seed = seed;
    let mut pick = list.pick(seed);
    for _ in 0..tries {
        if !refuse(pick) {
            break;
        }
        seed = mix(seed);
        pick = list.pick(seed);
    }
    pick
}

/// A fake street that shares no distinctive word with the original (`Avenue de la Forge` is
/// never faked as `Rue de la Forge`: the name of a street is its distinctive word, and a note
/// or a join on it would still point at the member). Generic street words (`Rue`, `Avenue`,
/// `straat`, `Sint` ...) and words under four letters may recur.
fn other_street_than(original: &str, list: &refdata::Ranked, seed: u64) -> &'static str {
    let generic = generic_street_words();
    let distinctive: Vec<String> =
        street_words(original).map(refdata::fold).filter(|w| w.chars().count() >= 4 && !generic.contains(w)).collect();
    let shares = |pick: &str| street_words(pick).any(|w| distinctive.iter().any(|d| refdata::same_folded(w, d)));
    pick_refusing(list, seed, 32, |pick| refdata::same_folded(pick, original) || shares(pick))
}

/// The words of a street name, split at spaces, hyphens and apostrophes.
fn street_words(street: &str) -> impl Iterator<Item = &str> {
    street.split(|c: char| c.is_whitespace() || c == '-' || c == '\'' || c == '’')
}

/// Folded words that name no particular street: the street words the text scanner knows
/// (`Rue`, `Chaussée`, `straat`, `laan` ...), and the Dutch and French words before a name.
fn generic_street_words() -> &'static std::collections::HashSet<String> {
    static WORDS: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    WORDS.get_or_init(|| {
        use crate::detect::text::people::{STREET_PREFIXES, STREET_SUFFIXES};
        const BEFORE_A_NAME: &[&str] = &[
            "grote", "kleine", "nieuwe", "oude", "lange", "korte", "hoge", "lage", "sint", "saint", "sainte", "koning",
            "koningin", "heilig", "heilige", "onze", "lieve", "vrouw",
        ];
        STREET_PREFIXES
            .split('|')
            .chain(STREET_SUFFIXES.iter().copied())
            .chain(BEFORE_A_NAME.iter().copied())
            .flat_map(street_words)
            .map(refdata::fold)
            .collect()
    })
}

/// A language for a row that does not tell: Dutch or French as Belgium's population splits
/// (about 60 % / 40 %).
fn either_language(seed: u64) -> Lang {
    if mix(seed) % 10 < 6 {
        Lang::Nl
    } else {
        Lang::Fr
    }
}

/// The keyed people and address rule.
pub struct People {
    spec: PeopleSpec,
    state: Hmac<Sha256>,
    /// The `postcode` rule a city's `postcode_from` column uses.
    postcode: Option<Box<People>>,
    /// For the row's own names inside another rule (`names_from`): each name's fake worked out once.
    memo: Option<NameMemo>,
}

/// Fake names already worked out, by name and the rule's inputs: an e-mail rule with
/// `names_from` needs the fake of every row's names, which recur (a surname in many rows).
/// Shared by the threads in shards, each behind its own lock; at most `NAME_MEMO_CAP` names of
/// at most `NAME_MEMO_KEY` bytes with their inputs (about 20 MB at worst).
struct NameMemo {
    shards: Vec<std::sync::Mutex<rustc_hash::FxHashMap<String, Pseudonym>>>,
}

/// Names a `NameMemo` holds at most.
const NAME_MEMO_CAP: usize = 1 << 16;
/// Longest name (with its inputs) a `NameMemo` holds: a longer cell is no name.
const NAME_MEMO_KEY: usize = 128;
const NAME_MEMO_SHARDS: usize = 16;

impl NameMemo {
    fn new() -> NameMemo {
        NameMemo { shards: (0..NAME_MEMO_SHARDS).map(|_| Default::default()).collect() }
    }

    /// The memo's pseudonym of `key`, or `compute`'s (then held while there is room).
    fn get_or(
        &self,
        key: String,
        compute: impl FnOnce() -> Result<Pseudonym, RuleError>,
    ) -> Result<Pseudonym, RuleError> {
        use std::hash::BuildHasher;
        if key.len() > NAME_MEMO_KEY {
            return compute();
        }
        let shard = &self.shards[(rustc_hash::FxBuildHasher.hash_one(&key) % NAME_MEMO_SHARDS as u64) as usize];
        let lock = || shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(held) = lock().get(&key) {
            return Ok(held.clone());
        }
        let computed = compute()?;
        let mut held = lock();
        if held.len() < NAME_MEMO_CAP / NAME_MEMO_SHARDS {
            held.insert(key, computed.clone());
        }
        Ok(computed)
    }
}

impl People {
    pub fn new(key: &Key, spec: &PeopleSpec) -> People {
        let postcode = match spec {
            PeopleSpec::City { postcode_mode, .. } => {
                Some(Box::new(People::new(key, &PeopleSpec::Postcode { mode: *postcode_mode })))
            }
            _ => None,
        };
        People {
            spec: spec.clone(),
            state: key.subkey(&format!("people/{}", spec.name())).hmac(),
            postcode,
            memo: None,
        }
    }

    /// The same rule, remembering each name's fake (for the row's names inside another rule).
    fn remembering(self) -> People {
        People { memo: Some(NameMemo::new()), ..self }
    }

    /// What the rule is.
    pub fn spec(&self) -> &PeopleSpec {
        &self.spec
    }

    fn seed(&self, label: &str, value: &str) -> u64 {
        let mut mac = self.state.clone();
        mac.update(label.as_bytes());
        mac.update(&[0]);
        mac.update(value.trim().to_lowercase().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_le_bytes(first)
    }

    fn first_name(&self, value: &str, sex: Option<Sex>, lang: Option<Lang>) -> &'static str {
        let seed = self.seed("first", value);
        let lang = lang.unwrap_or_else(|| either_language(seed));
        let female = match sex {
            Some(s) => s == Sex::Female,
            None => mix(mix(seed)) & 1 == 1,
        };
        let names = refdata::names();
        other_than(value, if female { names.female(lang) } else { names.male(lang) }, seed)
    }

    fn last_name(&self, value: &str, lang: Option<Lang>) -> &'static str {
        let seed = self.seed("last", value);
        other_than(value, refdata::names().last(lang.unwrap_or_else(|| either_language(seed))), seed)
    }

    /// The pseudonym of a full name: `Last, First`, `LAST First` (surname in capitals first),
    /// or `First Last` (the first word the first name, the rest the surname).
    fn full_name(&self, value: &str, sex: Option<Sex>, lang: Option<Lang>) -> String {
        let v = value.trim();
        if let Some((last, first)) = v.split_once(',') {
            return format!("{}, {}", self.last_name(last, lang), self.first_name(first, sex, lang));
        }
        let words: Vec<&str> = v.split_whitespace().collect();
        if words.len() < 2 {
            return self.last_name(v, lang).to_string();
        }
        let capitals = words.iter().take_while(|w| in_capitals(w)).count();
        if capitals > 0 && capitals < words.len() {
            // `DUBOIS Marie`, `VAN DEN BOSSCHE Jan`: the surname in capitals first.
            let (last, first) = (words[..capitals].join(" "), words[capitals..].join(" "));
            return format!("{} {}", self.last_name(&last, lang).to_uppercase(), self.first_name(&first, sex, lang));
        }
        let last = words[1..].join(" ");
        format!("{} {}", self.first_name(words[0], sex, lang), self.last_name(&last, lang))
    }

    /// The postcode `postcode` writes for `v`, or `None` if `v` is no Belgian postcode.
    fn postcode(&self, v: &str, mode: PostcodeMode) -> Option<String> {
        if !is_postcode(v) {
            return None;
        }
        Some(match mode {
            PostcodeMode::Keep => v.to_string(),
            PostcodeMode::Region => format!("{}000", &v[..1]),
            PostcodeMode::SameRegion => {
                let codes = refdata::places().postcodes_of_province(province_of(v)?);
                if codes.is_empty() {
                    return None;
                }
                codes[(self.seed("postcode", v) % codes.len() as u64) as usize].to_string()
            }
        })
    }
}

/// The rules of `names_from` columns keyed, each with the indices of the inputs it reads: a
/// rule with `names_from` receives the name columns first, then each name rule's own inputs.
pub fn name_rules(key: &Key, names_from: usize, rules: &[(PeopleSpec, Vec<String>)]) -> Vec<(People, Vec<usize>)> {
    let mut offset = names_from;
    rules
        .iter()
        .map(|(people, inputs)| {
            let indices = (offset..offset + inputs.len()).collect();
            offset += inputs.len();
            (People::new(key, people).remembering(), indices)
        })
        .collect()
}

/// Whether a word is written in capitals (`DUBOIS`, `VAN`): letters, none of them lower case. A
/// full name whose first words are (`DUBOIS Marie`) has its surname first, as registers write it.
pub(crate) fn in_capitals(word: &str) -> bool {
    word.chars().any(char::is_alphabetic) && !word.chars().any(char::is_lowercase)
}

/// Writes `fake` in the letter case style of `original` (all upper, all lower, or as listed).
fn cased(original: &str, fake: &str) -> String {
    let letters = original.chars().filter(|c| c.is_alphabetic());
    if original.chars().any(char::is_alphabetic) && letters.clone().all(char::is_uppercase) {
        fake.to_uppercase()
    } else if original.chars().any(char::is_alphabetic)
        && original.chars().filter(|c| c.is_alphabetic()).all(char::is_lowercase)
    {
        fake.to_lowercase()
    } else {
        fake.to_string()
    }
}

impl Rule for People {
    fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        match &self.memo {
            Some(memo) => {
                let mut key = String::with_capacity(value.len() + 8);
                super::push_key_part(&mut key, Some(value));
                for &input in inputs {
                    super::push_key_part(&mut key, input);
                }
                memo.get_or(key, || self.apply_alone(value, inputs))
            }
            None => self.apply_alone(value, inputs),
        }
    }
}

impl People {
    /// `apply`, worked out.
    fn apply_alone(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let input = |i: usize| inputs.get(i).copied().flatten();
        let text = match &self.spec {
            PeopleSpec::FirstName { sex_from, .. } => {
                let sex = sex_from.as_ref().and_then(|_| sex_of(input(0)));
                let lang = language_of(input(usize::from(sex_from.is_some())));
                cased(value, self.first_name(value, sex, lang))
            }
            PeopleSpec::LastName { .. } => cased(value, self.last_name(value, language_of(input(0)))),
            PeopleSpec::FullName { sex_from, .. } => {
                let sex = sex_from.as_ref().and_then(|_| sex_of(input(0)));
                let lang = language_of(input(usize::from(sex_from.is_some())));
                cased(value, &self.full_name(value, sex, lang))
            }
            PeopleSpec::Street { language_from, postcode_from } => {
                let postcode_at = usize::from(language_from.is_some());
                let lang = language_from
                    .as_ref()
                    .and_then(|_| language_of(input(0)))
                    .or_else(|| postcode_from.as_ref().and_then(|_| language_of(input(postcode_at))));
                let seed = self.seed("street", value);
                let street = other_street_than(
                    &street_name(value),
                    refdata::streets(lang.unwrap_or_else(|| either_language(seed))),
                    seed,
                );
                // A house number written in the street cell is replaced too.
                if value.trim().chars().last().is_some_and(|c| c.is_ascii_digit()) {
                    format!("{street} {}", 1 + self.seed("number", value) % 199)
                } else {
                    street.to_string()
                }
            }
            PeopleSpec::HouseNumber => {
                let v = value.trim();
                let suffix = v.trim_start_matches(|c: char| c.is_ascii_digit());
                // Only a house number's own suffix is kept (`B`, ` bus 2`, `/3`): a note written
                // after the number makes the cell invalid, never copied.
                if suffix.len() == v.len() || !is_house_suffix(suffix) {
                    return Ok(Pseudonym { text: None, invalid: true });
                }
                format!("{}{suffix}", 1 + self.seed("number", value) % 199)
            }
            PeopleSpec::Postcode { mode } => match self.postcode(value.trim(), *mode) {
                Some(code) => code,
                // Belgian postcodes run from 1000 to 9999; anything else (a note) is never copied.
                None => return Ok(Pseudonym { text: None, invalid: true }),
            },
            PeopleSpec::City { language_from, postcode_from, postcode_mode } => {
                let lang = language_from.as_ref().and_then(|_| language_of(input(0)));
                let written = postcode_from
                    .as_ref()
                    .and_then(|_| input(usize::from(language_from.is_some())))
                    .and_then(|p| self.postcode.as_ref()?.postcode(p.trim(), *postcode_mode));
                let seed = self.seed("city", value);
                let places = refdata::places();
                // The municipality of the postcode the row ends up with, so the pair is one Statbel lists.
                let pairs = written.as_deref().map_or(0, |c| places.of_postcode(c).count());
                let place = match written.as_deref() {
                    Some(code) if pairs > 0 => places.of_postcode(code).nth((seed % pairs as u64) as usize),
                    _ => {
                        let mut of_language = places.municipalities_in(lang);
                        let n = of_language.len().max(1) as u64;
                        of_language.nth((seed % n) as usize)
                    }
                };
                match place {
                    Some(p) => cased(value, p.name(lang)),
                    None => return Ok(Pseudonym { text: None, invalid: true }),
                }
            }
        };
        Ok(Pseudonym::valid(text))
    }
}

/// The street's name in a cell that may hold its house number too: the words before the first
/// one that starts with a digit or names a number or box (`Kerkstraat 12 bus 3`, `Rue de la Loi
/// nr 16`), after a leading number (`12, Rue de la Station`).
fn street_name(value: &str) -> String {
    let numeric = |w: &&str| w.starts_with(|c: char| c.is_ascii_digit());
    let marker = |w: &&str| {
        let w = w.to_lowercase();
        let w = w.trim_end_matches(['.', ':', ',']);
        numeric(&w) || matches!(w, "nr" | "n°" | "no" | "num" | "bus" | "bte" | "boîte" | "boite" | "box")
    };
    let words: Vec<&str> = value.split_whitespace().collect();
    let start = words.iter().position(|w| !numeric(w)).unwrap_or(words.len());
    let end = words[start..].iter().position(marker).map_or(words.len(), |e| start + e);
    words[start..end].join(" ")
}

/// Whether `suffix` is what follows a house number's digits: nothing, one or two letters, or a
/// box (`bus 2`, `bte 3A`, `b.12`, `/3`, `-5`), at most a few characters of it.
fn is_house_suffix(suffix: &str) -> bool {
    let s = suffix.trim();
    if s.is_empty() || (s.len() <= 2 && s.chars().all(|c| c.is_ascii_alphabetic())) {
        return true;
    }
    let lower = s.to_lowercase();
    let rest = ["bus", "bte", "boîte", "boite", "box", "bt", "b", "/", "-"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .map(|r| r.trim_start_matches('.').trim());
    rest.is_some_and(|r| !r.is_empty() && r.len() <= 5 && r.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fake_street_keeps_no_distinctive_word_of_the_original() {
        for (original, word) in [
            ("Avenue de la Forge 41 bte 12", "forge"),
            ("Rue de la Station 5", "station"),
            ("Chaussée de Louvain 102", "louvain"),
            ("Stationsstraat 12", "stationsstraat"),
            ("Rue du Moulin", "moulin"),
        ] {
            for byte in 0..60u8 {
                let key = Key::from_hex(&format!("{byte:02x}").repeat(32), "t").unwrap();
                let spec = PeopleSpec::parse("street", &serde_norway::Value::Null).unwrap().unwrap();
                let fake = People::new(&key, &spec).apply(original, &[]).unwrap().text.unwrap();
                let words: Vec<String> = fake.split([' ', '-', '\'']).map(refdata::fold).collect();
                assert!(!words.iter().any(|w| w == word), "{original} -> {fake}");
            }
        }
    }

    fn rule(name: &str, options: &str) -> People {
        let spec = PeopleSpec::parse(name, &serde_norway::from_str(options).unwrap()).unwrap().unwrap();
        People::new(&Key::from_hex(&"61".repeat(32), "t").unwrap(), &spec)
    }

    fn out(r: &People, v: &str, inputs: &[Option<&str>]) -> String {
        r.apply(v, inputs).unwrap().text.unwrap()
    }

    fn in_list(list: &refdata::Ranked, name: &str) -> bool {
        list.entries().contains(&name)
    }

    #[test]
    fn first_names_follow_sex_and_language() {
        let r = rule("first_name", "{ sex_from: sex, language_from: language }");
        let names = refdata::names();
        for i in 0..200 {
            let name = format!("Name{i}");
            assert!(in_list(names.female(Lang::Fr), &out(&r, &name, &[Some("F"), Some("FR")])));
            assert!(in_list(names.male(Lang::Nl), &out(&r, &name, &[Some("M"), Some("nl")])));
            assert!(
                in_list(names.male(Lang::De), &out(&r, &name, &[Some("M"), Some("4700")])),
                "postcode 4700 is German"
            );
        }
        assert_eq!(out(&r, "Jan", &[Some("M"), Some("NL")]).to_lowercase(), out(&r, " jan ", &[Some("M"), Some("NL")]));
    }

    #[test]
    fn no_name_or_street_is_its_own_fake() {
        let names = refdata::names();
        let (first, last, street) = (
            rule("first_name", "{ sex_from: s, language_from: l }"),
            rule("last_name", "{ language_from: l }"),
            rule("street", "{ language_from: l }"),
        );
        for lang in Lang::ALL {
            let code = Some(lang.code());
            for (list, sex) in [(names.male(lang), "M"), (names.female(lang), "F")] {
                for name in list.entries().iter().take(400) {
                    assert_ne!(refdata::fold(&out(&first, name, &[Some(sex), code])), refdata::fold(name), "{name}");
                }
            }
            for name in names.last(lang).entries().iter().take(400) {
                assert_ne!(refdata::fold(&out(&last, name, &[code])), refdata::fold(name), "{name}");
            }
            for name in refdata::streets(lang).entries().iter().take(400) {
                assert_ne!(out(&street, name, &[code]), *name);
                for written in [
                    format!("{name} 12"),
                    format!("{name} 12 bus 3"),
                    format!("{name} 12 B"),
                    format!("{name} nr 12"),
                    format!("12, {name}"),
                ] {
                    let fake = out(&street, &written, &[code]);
                    assert!(!fake.starts_with(&format!("{name} ")) && fake != *name, "{written} -> {fake}");
                }
            }
        }
    }

    #[test]
    fn remembered_names_equal_names_worked_out_alone_on_every_thread() {
        use rayon::prelude::*;
        // Names in several spellings and cases, with sexes and languages (or none) as inputs.
        let names =
            ["Peeters", "PEETERS", "peeters", "Dubois", "Van den Bossche", "Lefèvre", "Marie", "Jean-Luc", "O'Neill"];
        let sexes = [Some("F"), Some("M"), Some("x"), None];
        let languages = [Some("NL"), Some("FR"), Some("DE"), Some("9000"), None];
        for (name, options) in [
            ("first_name", "{ sex_from: sex, language_from: language }"),
            ("last_name", "{ language_from: language }"),
            ("full_name", "{ sex_from: sex, language_from: language }"),
        ] {
            let alone = rule(name, options);
            let remembering = rule(name, options).remembering();
            let mut rows: Vec<(String, Vec<Option<&str>>)> = Vec::new();
            for (i, n) in names.iter().enumerate() {
                for sex in sexes {
                    for language in languages {
                        let inputs = if name == "last_name" { vec![language] } else { vec![sex, language] };
                        rows.push((format!("{n} {}", i % 3), inputs));
                    }
                }
            }
            // Every row three times, on both threads: the second and third are memo hits.
            let all: Vec<&(String, Vec<Option<&str>>)> = rows.iter().chain(&rows).chain(&rows).collect();
            let remembered: Vec<Pseudonym> =
                all.par_iter().map(|(v, inputs)| remembering.apply(v, inputs).unwrap()).collect();
            let worked_out: Vec<Pseudonym> = all.iter().map(|(v, inputs)| alone.apply(v, inputs).unwrap()).collect();
            assert_eq!(remembered, worked_out, "{name}");
            let held: usize =
                remembering.memo.as_ref().map_or(0, |m| m.shards.iter().map(|s| s.lock().unwrap().len()).sum());
            let distinct: std::collections::HashSet<&(String, Vec<Option<&str>>)> = rows.iter().collect();
            assert_eq!(held, distinct.len(), "{name}: each row's name held once");
        }
    }

    #[test]
    fn the_name_memo_is_bounded() {
        let remembering = rule("last_name", "~").remembering();
        let held = || remembering.memo.as_ref().map_or(0, |m| m.shards.iter().map(|s| s.lock().unwrap().len()).sum());
        let long = "Van ".repeat(40);
        let alone = rule("last_name", "~");
        assert_eq!(remembering.apply(&long, &[]).unwrap(), alone.apply(&long, &[]).unwrap());
        assert_eq!(held(), 0, "a cell longer than a name is not held");
        for i in 0..NAME_MEMO_CAP + 5_000 {
            let name = format!("Naam{i}");
            assert_eq!(remembering.apply(&name, &[]).unwrap(), alone.apply(&name, &[]).unwrap());
        }
        let held = held();
        assert!(held <= NAME_MEMO_CAP && held > NAME_MEMO_CAP * 9 / 10, "{held} names held");
    }

    #[test]
    fn surnames_stay_families_and_keep_case() {
        let r = rule("last_name", "~");
        assert_eq!(out(&r, "Peeters", &[]).to_lowercase(), out(&r, " peeters ", &[]));
        assert_eq!(out(&r, "Peeters", &[]).to_uppercase(), out(&r, "PEETERS", &[]));
        let distinct: std::collections::HashSet<String> =
            (0..2000).map(|i| out(&r, &format!("Name{i}"), &[])).collect();
        assert!(distinct.len() > 1000, "picks spread over the lists: {}", distinct.len());
    }

    #[test]
    fn full_names_in_every_order() {
        let r = rule("full_name", "{ language_from: language }");
        let comma = out(&r, "Dubois, Marie", &[Some("FR")]);
        assert!(comma.contains(", "));
        let plain = out(&r, "Marie Van den Bossche", &[Some("NL")]);
        let (first, last) = plain.split_once(' ').unwrap();
        assert!(in_list(refdata::names().last(Lang::Nl), last), "{plain}");
        assert!(!first.is_empty());
        let capitals = out(&r, "VAN DEN BOSSCHE Marie", &[Some("NL")]);
        let last_upper =
            refdata::names().last(Lang::Nl).entries().iter().any(|l| capitals.starts_with(&l.to_uppercase()));
        assert!(last_upper && capitals.chars().any(char::is_lowercase), "{capitals}");
    }

    #[test]
    fn city_is_the_municipality_of_the_written_postcode() {
        let places = refdata::places();
        for mode in ["keep", "region", "same_region"] {
            let spec = PeopleSpec::City {
                language_from: Some("language".into()),
                postcode_from: Some("postcode".into()),
                postcode_mode: match mode {
                    "keep" => PostcodeMode::Keep,
                    "region" => PostcodeMode::Region,
                    _ => PostcodeMode::SameRegion,
                },
            };
            let r = People::new(&Key::from_hex(&"61".repeat(32), "t").unwrap(), &spec);
            let postcodes = rule("postcode", mode);
            for code in ["9300", "1000", "4700", "6700", "1804", "8000"] {
                for lang in ["NL", "FR"] {
                    let city = out(&r, "Somewhere", &[Some(lang), Some(code)]);
                    let written = out(&postcodes, code, &[]);
                    assert!(
                        places.of_postcode(&written).any(|p| p.names().any(|n| n == city)),
                        "{mode}: {code} -> {written} {city}"
                    );
                }
            }
        }
        assert!(PeopleSpec::parse("last_name", &serde_norway::from_str("{ postcode_from: p }").unwrap())
            .unwrap()
            .is_err());
    }

    #[test]
    fn same_region_stays_in_the_province() {
        let r = rule("postcode", "same_region");
        let places = refdata::places();
        let mut moved = 0;
        for p in places.all.iter().step_by(7) {
            let written = out(&r, p.postcode, &[]);
            let province = places.of_postcode(&written).next().map(|w| w.province);
            assert_eq!(province, Some(p.province), "{} -> {written}", p.postcode);
            moved += usize::from(written != p.postcode);
        }
        assert!(moved > 100, "postcodes move: {moved}");
        assert_eq!(out(&r, "9300", &[]), out(&r, " 9300 ", &[]));
        assert!(r.apply("0999", &[]).unwrap().invalid && r.apply("93000", &[]).unwrap().invalid);
        let unlisted = out(&r, "1099", &[]);
        assert!(unlisted.starts_with('1'), "an unlisted code stays in its area: {unlisted}");
    }

    #[test]
    fn postcode_region_and_house_numbers() {
        assert_eq!(out(&rule("postcode", "region"), "9300", &[]), "9000");
        assert!(PeopleSpec::parse("postcode", &serde_norway::from_str("same_regio").unwrap()).unwrap().is_err());
        assert_eq!(out(&rule("postcode", "keep"), "9300", &[]), "9300");
        let h = out(&rule("house_number", "~"), "12B", &[]);
        assert!(h.ends_with('B') && h[..h.len() - 1].parse::<u32>().is_ok());
        for ok in ["12", "12 bus 3", "12/4", "12bte 2A", "7-9", "3 b.12"] {
            assert!(!rule("house_number", "~").apply(ok, &[]).unwrap().invalid, "{ok}");
        }
        let invalid = Pseudonym { text: None, invalid: true };
        for bad in ["12 opname, zie 85073003328", "12 b zie dossier", "bus 3", "Peeters"] {
            assert_eq!(rule("house_number", "~").apply(bad, &[]).unwrap(), invalid, "{bad}");
        }
        for bad in ["zie 85073003328", "0123", "93000", "9300 Gent"] {
            assert_eq!(rule("postcode", "keep").apply(bad, &[]).unwrap(), invalid, "postcode: keep validates: {bad}");
        }
        let key = Key::from_hex(&"11".repeat(32), "t").unwrap();
        let keep: serde_norway::Value = serde_norway::from_str("{ postcode: keep }").unwrap();
        assert!(crate::rules::ColumnRule::parse(&keep).unwrap().build(&key).is_some(), "`keep` still validates");
    }
}
