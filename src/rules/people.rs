//! People and addresses: `first_name`, `last_name`, `full_name`, `street`, `house_number`,
//! `postcode`, `city`. A keyed pick from Belgian lists (by sex and language where the row says),
//! seeded by the normalised original: the same surname gets the same fake surname everywhere,
//! so families stay families. Names may collide; identifiers may not (they use other rules).

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{Pseudonym, Rule, RuleError};
use crate::crypto::Key;
use crate::sample::data;

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
    Street {
        language_from: Option<String>,
    },
    HouseNumber,
    /// `keep` or `region` (first digit, then `000`).
    Postcode {
        region: bool,
    },
    /// A municipality; with `postcode_from`, one whose postcode starts like the row's.
    City {
        language_from: Option<String>,
        postcode_from: Option<String>,
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
        if name != "city" && options.get("postcode_from").is_some() {
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
                Some(_) => Err("rule `street` takes `language_from` only".into()),
                None => Ok(PeopleSpec::Street { language_from: c.language_from }),
            }),
            "city" => columns().and_then(|c| match c.sex_from {
                Some(_) => Err("rule `city` takes `language_from` and `postcode_from`".into()),
                None => Ok(PeopleSpec::City { language_from: c.language_from, postcode_from: c.postcode_from }),
            }),
            "house_number" if options.is_null() => Ok(PeopleSpec::HouseNumber),
            "house_number" => Err("rule `house_number` takes no options".into()),
            "postcode" => match options.as_str() {
                None if options.is_null() => Ok(PeopleSpec::Postcode { region: false }),
                Some("keep") => Ok(PeopleSpec::Postcode { region: false }),
                Some("region") => Ok(PeopleSpec::Postcode { region: true }),
                _ => Err("rule `postcode` takes keep or region: `{ postcode: region }`".into()),
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
            PeopleSpec::LastName { language_from } | PeopleSpec::Street { language_from } => {
                language_from.iter().cloned().collect()
            }
            PeopleSpec::City { language_from, postcode_from } => {
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
enum Sex {
    Male,
    Female,
}

fn sex_of(value: Option<&str>) -> Option<Sex> {
    match value?.trim().to_lowercase().as_str() {
        "m" | "1" | "h" | "male" | "man" | "homme" | "mannelijk" | "masculin" => Some(Sex::Male),
        "f" | "2" | "v" | "w" | "female" | "vrouw" | "femme" | "vrouwelijk" | "féminin" | "feminin" => {
            Some(Sex::Female)
        }
        _ => None,
    }
}

fn language_of(value: Option<&str>) -> Option<data::Lang> {
    match value?.trim().to_lowercase().as_str() {
        "nl" | "n" | "dutch" | "nederlands" | "vl" => Some(data::Lang::Nl),
        "fr" | "f" | "french" | "français" | "francais" | "frans" => Some(data::Lang::Fr),
        "de" | "d" | "german" | "deutsch" | "duits" => Some(data::Lang::De),
        _ => None,
    }
}

/// The keyed people and address rule.
pub struct People {
    spec: PeopleSpec,
    state: Hmac<Sha256>,
}

impl People {
    pub fn new(key: &Key, spec: &PeopleSpec) -> People {
        People { spec: spec.clone(), state: key.subkey(&format!("people/{}", spec.name())).hmac() }
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

    /// Picks from the lists as if they were one concatenated list, without building it.
    fn pick<'a>(&self, label: &str, value: &str, lists: &[&[&'a str]]) -> &'a str {
        let total: usize = lists.iter().map(|l| l.len()).sum();
        let mut index = (self.seed(label, value) % total as u64) as usize;
        for list in lists {
            if index < list.len() {
                return list[index];
            }
            index -= list.len();
        }
        ""
    }

    fn first_name(&self, value: &str, sex: Option<Sex>, lang: Option<data::Lang>) -> String {
        use data::Lang::*;
        let lists: &[&[&str]] = match (sex, lang) {
            (Some(Sex::Male), Some(Nl)) => &[data::MALE_NL],
            (Some(Sex::Male), Some(Fr)) => &[data::MALE_FR],
            (Some(Sex::Male), Some(De)) => &[data::MALE_DE],
            (Some(Sex::Female), Some(Nl)) => &[data::FEMALE_NL],
            (Some(Sex::Female), Some(Fr)) => &[data::FEMALE_FR],
            (Some(Sex::Female), Some(De)) => &[data::FEMALE_DE],
            (Some(Sex::Male), None) => &[data::MALE_NL, data::MALE_FR],
            (Some(Sex::Female), None) => &[data::FEMALE_NL, data::FEMALE_FR],
            (None, Some(Nl)) => &[data::MALE_NL, data::FEMALE_NL],
            (None, Some(Fr)) => &[data::MALE_FR, data::FEMALE_FR],
            (None, Some(De)) => &[data::MALE_DE, data::FEMALE_DE],
            (None, None) => &[data::MALE_NL, data::FEMALE_NL, data::MALE_FR, data::FEMALE_FR],
        };
        self.pick("first", value, lists).to_string()
    }

    fn last_name(&self, value: &str, lang: Option<data::Lang>) -> String {
        let lists: &[&[&str]] = match lang {
            Some(data::Lang::Nl) => &[data::SURNAMES_NL],
            Some(data::Lang::Fr) => &[data::SURNAMES_FR],
            Some(data::Lang::De) => &[data::SURNAMES_DE],
            None => &[data::SURNAMES_NL, data::SURNAMES_FR],
        };
        self.pick("last", value, lists).to_string()
    }
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
        let text = match &self.spec {
            PeopleSpec::FirstName { sex_from, .. } => {
                let sex = sex_from.as_ref().and_then(|_| sex_of(inputs.first().copied().flatten()));
                let lang = language_of(inputs.get(usize::from(sex_from.is_some())).copied().flatten());
                cased(value, &self.first_name(value, sex, lang))
            }
            PeopleSpec::LastName { .. } => {
                cased(value, &self.last_name(value, language_of(inputs.first().copied().flatten())))
            }
            PeopleSpec::FullName { sex_from, .. } => {
                let sex = sex_from.as_ref().and_then(|_| sex_of(inputs.first().copied().flatten()));
                let lang = language_of(inputs.get(usize::from(sex_from.is_some())).copied().flatten());
                let v = value.trim();
                let full = match v.split_once(',') {
                    Some((last, first)) => {
                        format!("{}, {}", self.last_name(last, lang), self.first_name(first, sex, lang))
                    }
                    None => match v.rsplit_once(' ') {
                        Some((first, last)) => {
                            format!("{} {}", self.first_name(first, sex, lang), self.last_name(last, lang))
                        }
                        None => self.last_name(v, lang),
                    },
                };
                cased(value, &full)
            }
            PeopleSpec::Street { .. } => {
                let lists: &[&[&str]] = match language_of(inputs.first().copied().flatten()) {
                    Some(data::Lang::Nl) => &[data::STREETS_NL],
                    Some(data::Lang::Fr) => &[data::STREETS_FR],
                    Some(data::Lang::De) => &[data::STREETS_DE],
                    None => &[data::STREETS_NL, data::STREETS_FR],
                };
                let street = self.pick("street", value, lists);
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
            PeopleSpec::Postcode { region } => {
                let v = value.trim();
                // Belgian postcodes run from 1000 to 9999; anything else (a note) is never copied.
                if !(v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0')) {
                    return Ok(Pseudonym { text: None, invalid: true });
                }
                if *region {
                    format!("{}000", &v[..1])
                } else {
                    v.to_string()
                }
            }
            PeopleSpec::City { language_from, postcode_from } => {
                let lang = language_from.as_ref().and_then(|_| language_of(inputs.first().copied().flatten()));
                let region = postcode_from
                    .as_ref()
                    .and_then(|_| inputs.get(usize::from(language_from.is_some())).copied().flatten())
                    .and_then(|p| p.trim().chars().next());
                // Same region as the row's postcode first (so a generalised postcode stays true), then language.
                let candidates = |use_lang: bool| -> Vec<&str> {
                    data::PLACES
                        .iter()
                        .filter(|p| region.is_none_or(|r| p.0.starts_with(r)))
                        .filter(|p| !use_lang || lang.is_none_or(|l| p.2 == l))
                        .map(|p| p.1)
                        .collect()
                };
                let mut places = candidates(true);
                if places.is_empty() {
                    places = candidates(false);
                }
                if places.is_empty() {
                    places = data::PLACES.iter().map(|p| p.1).collect();
                }
                cased(value, self.pick("city", value, &[&places]))
            }
        };
        Ok(Pseudonym::valid(text))
    }
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

    fn rule(name: &str, options: &str) -> People {
        let spec = PeopleSpec::parse(name, &serde_norway::from_str(options).unwrap()).unwrap().unwrap();
        People::new(&Key::from_hex(&"61".repeat(32), "t").unwrap(), &spec)
    }

    fn out(r: &People, v: &str, inputs: &[Option<&str>]) -> String {
        r.apply(v, inputs).unwrap().text.unwrap()
    }

    #[test]
    fn first_names_follow_sex_and_language() {
        let r = rule("first_name", "{ sex_from: sex, language_from: language }");
        for i in 0..200 {
            let name = format!("Name{i}");
            assert!(data::FEMALE_FR.contains(&out(&r, &name, &[Some("F"), Some("FR")]).as_str()));
            assert!(data::MALE_NL.contains(&out(&r, &name, &[Some("M"), Some("nl")]).as_str()));
        }
        assert_eq!(out(&r, "Jan", &[Some("M"), Some("NL")]).to_lowercase(), out(&r, " jan ", &[Some("M"), Some("NL")]));
    }

    #[test]
    fn surnames_stay_families_and_keep_case() {
        let r = rule("last_name", "~");
        assert_eq!(out(&r, "Peeters", &[]).to_lowercase(), out(&r, " peeters ", &[]));
        assert_eq!(out(&r, "Peeters", &[]).to_uppercase(), out(&r, "PEETERS", &[]));
        let distinct: std::collections::HashSet<String> = (0..500).map(|i| out(&r, &format!("Name{i}"), &[])).collect();
        assert!(distinct.len() > 20, "picks spread over the list");
    }

    #[test]
    fn full_names_in_both_orders() {
        let r = rule("full_name", "{ language_from: language }");
        let comma = out(&r, "Dubois, Marie", &[Some("FR")]);
        assert!(comma.contains(", "));
        let plain = out(&r, "Marie Dubois", &[Some("FR")]);
        assert!(plain.contains(' ') && !plain.contains(','));
    }

    #[test]
    fn city_follows_the_postcode_region() {
        let r = rule("city", "{ postcode_from: postcode }");
        for i in 0..100 {
            let city = out(&r, &format!("Town{i}"), &[Some("9300")]);
            let place = data::PLACES.iter().find(|p| p.1 == city).unwrap();
            assert!(place.0.starts_with('9'), "{city}");
        }
        assert!(PeopleSpec::parse("street", &serde_norway::from_str("{ postcode_from: p }").unwrap())
            .unwrap()
            .is_err());
    }

    #[test]
    fn postcode_region_and_house_numbers() {
        assert_eq!(out(&rule("postcode", "region"), "9300", &[]), "9000");
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
