//! Column rules: what a mapping may say about a column, and the keyed transformations behind them.
//!
//! A rule is deterministic for a key, fallible, and does not know which column it serves: the
//! plan binds columns to rules. `ColumnRule::parse` is the one factory; `RULES` the one list.

mod constant;
mod date;
mod fake;
mod free_text;
mod hash;
mod icd10;
mod identifier;
mod number;
mod people;

pub use constant::Constant;
pub use date::{Date, DateSpec, Granularity};
pub use fake::{FakeValue, FAKE_KINDS};
pub use free_text::{FreeText, FreeTextSpec};
pub use hash::Hash;
pub use icd10::{Icd10, Icd10Level};
pub use identifier::{Identifier, IdentifierKind, IdentifierSpec, OnInvalid};
pub use number::{Number, NumberSpec};
pub use people::{language_of, People, PeopleSpec, PostcodeMode};
pub(crate) use people::{sex_of, Sex};

use crate::crypto::Key;

/// The result of applying a rule to one non-empty value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pseudonym {
    /// The replacement text; `None` writes an empty (null) cell.
    pub text: Option<String>,
    /// The input failed the rule's validation and was replaced by a keyed fake (counted in the manifest).
    pub invalid: bool,
}

impl Pseudonym {
    /// A valid input replaced by `text`.
    pub fn valid(text: String) -> Pseudonym {
        Pseudonym { text: Some(text), invalid: false }
    }
}

/// Appends one part of a memo key (a value, or one of the row's inputs): its length, then its
/// text (`-` for an empty input), so the parts of two different rows never run together into
/// the same key. A rule is a pure function of its value and inputs: equal keys, equal results.
pub(crate) fn push_key_part(key: &mut String, part: Option<&str>) {
    match part {
        Some(text) => {
            // The length in decimal (not through `write!`: this runs for every cell of a row's inputs).
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut n = text.len();
            loop {
                at -= 1;
                digits[at] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            for &d in &digits[at..] {
                key.push(char::from(d));
            }
            key.push(':');
            key.push_str(text);
        }
        None => key.push('-'),
    }
}

/// Why a rule refused a value. It never carries the value itself: the engine adds file, row and column.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct RuleError(pub String);

/// A keyed transformation of one cell.
pub trait Rule: Send + Sync {
    /// Returns the pseudonym of `value` (never empty); `inputs` holds the row's values of the
    /// columns named by `ColumnRule::inputs`, in that order. Same key, same arguments: same result.
    fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError>;

    /// `apply` of many rows: `values[i]` with `inputs[i]`, the same results in the same order.
    /// A rule may share work between the rows (e-mail addresses permute their blocks side by
    /// side, dates shift once per subject); by default it applies one row after the other.
    fn apply_many(&self, values: &[&str], inputs: &[&[Option<&str>]]) -> Vec<Result<Pseudonym, RuleError>> {
        values.iter().zip(inputs).map(|(value, inputs)| self.apply(value, inputs)).collect()
    }

    /// Whether an empty or null cell is also replaced (a `constant`), instead of staying empty.
    fn fills_empty(&self) -> bool {
        false
    }
}

/// One entry of the list of rules, for `--help` and the docs.
pub struct RuleInfo {
    /// Name as written in a mapping.
    pub name: &'static str,
    /// What it writes.
    pub summary: &'static str,
    /// A mapping line that uses it (`column: rule`).
    pub example: &'static str,
}

/// Every rule a mapping may use in this version.
pub const RULES: &[RuleInfo] = &[
    RuleInfo { name: "keep", summary: "unchanged, byte for byte", example: "nomenclature_code: keep" },
    RuleInfo { name: "drop", summary: "column removed from the output", example: "internal_ref: drop" },
    RuleInfo { name: "null", summary: "column kept, every value emptied (a bare YAML `null` too)", example: "remarks: null" },
    RuleInfo { name: "hash", summary: "keyed HMAC-SHA256 token in hex; option `length` (8-64, default 16)", example: "file_id: { hash: { length: 12 } }" },
    RuleInfo { name: "constant", summary: "the same fixed value in every row: `{ constant: VALUE }`", example: "country: { constant: BE }" },
    RuleInfo { name: "niss", summary: "NISS/BIS number: valid, same class and century; `keep: [sex, birth_year]` (default) or less", example: "niss: { niss: { keep: [sex, birth_year] } }" },
    RuleInfo { name: "exid", summary: "member number: same length and character classes; `keep_prefix: N`, `check: none|mod97`", example: "member_number: { exid: { keep_prefix: 3 } }" },
    RuleInfo { name: "iban", summary: "IBAN with valid checks; Belgian bank kept (`keep_bank: true`) or drawn among assigned codes", example: "iban: { iban: { keep_bank: true } }" },
    RuleInfo { name: "inami", summary: "care-provider number: profession, qualification and check scheme (97/89) kept", example: "provider_inami: inami" },
    RuleInfo { name: "kbo", summary: "enterprise or establishment number: first digit kept, mod-97 valid", example: "employer: kbo" },
    RuleInfo { name: "phone", summary: "phone number: country and first three national digits kept, rest permuted, spelling kept", example: "phone: phone" },
    RuleInfo { name: "email", summary: "keyed address in a reserved domain (example.com/.net/.org); `names_from: [FIRST, LAST]` writes the row's fake names", example: "email: { email: { names_from: [first_name, last_name] } }" },
    RuleInfo { name: "ip", summary: "IPv4/IPv6 address of the same family", example: "client_ip: ip" },
    RuleInfo { name: "date", summary: "`shift_by: COLUMN` (+`max_days`): one keyed shift per subject; `from_niss: COLUMN`: birth date of the pseudonymised NISS", example: "care_date: { date: { shift_by: niss, max_days: 30 } }" },
    RuleInfo { name: "icd10", summary: "diagnosis code: `keep`, `category` (3 characters), `chapter` (range) or `suppress`", example: "icd10: { icd10: category }" },
    RuleInfo { name: "number", summary: "`round: N` (nearest multiple) and/or `noise_pct: P` (keyed, deterministic)", example: "amount_eur: { number: { round: 5 } }" },
    RuleInfo { name: "first_name", summary: "Belgian first name, weighted by frequency; `sex_from:` and `language_from:` (a language or postcode column) pick the list", example: "first_name: { first_name: { sex_from: sex, language_from: language } }" },
    RuleInfo { name: "last_name", summary: "Belgian surname (the same surname gets the same fake); `language_from:`", example: "last_name: { last_name: { language_from: language } }" },
    RuleInfo { name: "full_name", summary: "`Last, First` or `First Last`, each part as first_name/last_name", example: "contact: full_name" },
    RuleInfo { name: "street", summary: "Belgian street name, Dutch/French/German by `language_from:` or the municipality of `postcode_from:`", example: "street: { street: { postcode_from: postcode } }" },
    RuleInfo { name: "house_number", summary: "keyed house number 1-199, suffix (`B`, `bus 2`) kept", example: "house_number: house_number" },
    RuleInfo { name: "postcode", summary: "`keep`, `region` (first digit, then 000) or `same_region` (a real postcode of the same province)", example: "postcode: { postcode: region }" },
    RuleInfo { name: "city", summary: "Belgian municipality; with `postcode_from:` the one of the row's written postcode, named in `language_from:`", example: "city: { city: { postcode_from: postcode, language_from: language } }" },
    RuleInfo { name: "fake", summary: "`{ fake: KIND }`: company, job, profession, industry, buzzword, catch_phrase or word, the same for the same value", example: "employer_name: { fake: company }" },
    RuleInfo { name: "free_text", summary: "NISS, IBAN, e-mail, phone, INAMI and EXID in the text replaced by their pseudonyms; `names_from: [COLUMNS]`", example: "notes: { free_text: { names_from: [first_name, last_name] } }" },
];

/// The rule whose name is closest to a misspelt one (`phnoe`, `free-text`, `NISS`), if any is close.
pub fn closest_rule(typed: &str) -> Option<&'static str> {
    let typed = typed.to_lowercase().replace('-', "_");
    RULES
        .iter()
        .map(|r| (strsim::damerau_levenshtein(&typed, r.name), r.name))
        .filter(|&(distance, name)| distance <= 2.max(name.len() / 4) && distance < name.len())
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name)
}

/// What a mapping says about one column, validated but not yet keyed.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnRule {
    /// Copied unchanged.
    Keep,
    /// Removed from the output.
    Drop,
    /// Kept as a column, every value emptied.
    Null,
    /// Replaced through a keyed rule.
    Hash(hash::HashOptions),
    /// Replaced by a fixed value.
    Constant(String),
    /// Replaced by a keyed format-preserving pseudonym (all identifier rules take `on_invalid`).
    Identifier(IdentifierSpec),
    /// Dates shifted per subject or taken from the pseudonymised NISS.
    Date(DateSpec),
    /// Diagnosis codes kept or generalised.
    Icd10(Icd10Level),
    /// Numbers rounded or noised.
    Number(NumberSpec),
    /// Names and addresses.
    People(PeopleSpec),
    /// Notes scrubbed of identifiers and of the row's names.
    FreeText(FreeTextSpec),
    /// A free fake of a kind.
    Fake(String),
}

impl ColumnRule {
    /// Parses a rule as written in YAML: `keep`, `null`, `{ hash: { length: 12 } }`, `{ constant: X }`.
    /// The error names the problem, never a data value (mappings hold no data).
    pub fn parse(spec: &serde_norway::Value) -> Result<ColumnRule, String> {
        use serde_norway::Value;
        let (name, options) = match spec {
            Value::Null => return Ok(ColumnRule::Null),
            Value::String(name) => (name.as_str(), &Value::Null),
            Value::Mapping(map) if map.len() == 1 => {
                let (name, options) = map.iter().next().ok_or("empty rule")?;
                let name = name.as_str().ok_or("a rule name must be a string")?;
                (name, options)
            }
            _ => {
                return Err("a rule is a name (`keep`) or a map with one rule name (`{ hash: { length: 12 } }`)".into())
            }
        };
        let no_options = |rule: ColumnRule| match options {
            Value::Null => Ok(rule),
            _ => Err(format!("rule `{name}` takes no options")),
        };
        match name {
            "keep" => no_options(ColumnRule::Keep),
            "drop" => no_options(ColumnRule::Drop),
            "null" => no_options(ColumnRule::Null),
            "hash" => hash::HashOptions::parse(options).map(ColumnRule::Hash),
            "constant" => constant::parse(options).map(ColumnRule::Constant),
            "date" => DateSpec::parse(options).map(ColumnRule::Date),
            "icd10" => Icd10Level::parse(options).map(ColumnRule::Icd10),
            "number" => NumberSpec::parse(options).map(ColumnRule::Number),
            "free_text" => FreeTextSpec::parse(options).map(ColumnRule::FreeText),
            "fake" => fake::parse_kind(options).map(ColumnRule::Fake),
            other => {
                if let Some(people) = PeopleSpec::parse(other, options) {
                    return people.map(ColumnRule::People);
                }
                if let Some(identifier) = IdentifierSpec::parse(other, options) {
                    return identifier.map(ColumnRule::Identifier);
                }
                let hint = closest_rule(other).map_or_else(String::new, |r| format!("did you mean `{r}`? "));
                Err(format!(
                    "unknown rule `{other}`: {hint}(`pseudata rules` lists them: {})",
                    RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
                ))
            }
        }
    }

    /// Returns the rule's name as written in a mapping.
    pub fn name(&self) -> &'static str {
        match self {
            ColumnRule::Keep => "keep",
            ColumnRule::Drop => "drop",
            ColumnRule::Null => "null",
            ColumnRule::Hash(_) => "hash",
            ColumnRule::Constant(_) => "constant",
            ColumnRule::Identifier(spec) => spec.kind.name(),
            ColumnRule::Date(_) => "date",
            ColumnRule::Icd10(_) => "icd10",
            ColumnRule::Number(_) => "number",
            ColumnRule::People(spec) => spec.name(),
            ColumnRule::FreeText(_) => "free_text",
            ColumnRule::Fake(_) => "fake",
        }
    }

    /// Returns the other columns of the row this rule reads.
    pub fn inputs(&self) -> Vec<String> {
        match self {
            ColumnRule::Date(spec) => vec![spec.input().to_string()],
            ColumnRule::People(spec) => spec.inputs(),
            ColumnRule::FreeText(spec) => spec.inputs(),
            ColumnRule::Identifier(spec) => spec.inputs(),
            _ => Vec::new(),
        }
    }

    /// Returns the keyed rule for a transforming column, `None` for keep, drop and null.
    pub fn build(&self, key: &Key) -> Option<Box<dyn Rule>> {
        match self {
            ColumnRule::Keep | ColumnRule::Drop | ColumnRule::Null => None,
            ColumnRule::Hash(options) => Some(Box::new(Hash::new(key, options))),
            ColumnRule::Constant(value) => Some(Box::new(Constant(value.clone()))),
            ColumnRule::Identifier(spec) => Some(Box::new(Identifier::new(key, spec))),
            ColumnRule::Date(spec) => Some(Box::new(Date::new(key, spec))),
            // `keep` too: a code column is validated, so a note typed into it is never copied.
            ColumnRule::Icd10(level) => Some(Box::new(Icd10(*level))),
            ColumnRule::Number(spec) => Some(Box::new(Number::new(key, spec))),
            ColumnRule::People(spec) => Some(Box::new(People::new(key, spec))),
            ColumnRule::FreeText(spec) => Some(Box::new(FreeText::new(key, spec))),
            ColumnRule::Fake(kind) => Some(Box::new(FakeValue::new(key, kind))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<ColumnRule, String> {
        ColumnRule::parse(&serde_norway::from_str(yaml).unwrap())
    }

    #[test]
    fn parses_short_and_long_forms() {
        assert_eq!(parse("keep").unwrap(), ColumnRule::Keep);
        assert_eq!(parse("drop").unwrap(), ColumnRule::Drop);
        assert_eq!(parse("null").unwrap(), ColumnRule::Null);
        assert_eq!(parse("~").unwrap(), ColumnRule::Null);
        assert_eq!(parse("{ keep: }").unwrap(), ColumnRule::Keep);
        assert_eq!(parse("{ constant: 'X' }").unwrap(), ColumnRule::Constant("X".into()));
        assert_eq!(parse("{ constant: 12 }").unwrap(), ColumnRule::Constant("12".into()));
        assert!(matches!(parse("hash").unwrap(), ColumnRule::Hash(_)));
    }

    #[test]
    fn every_listed_example_parses_as_its_rule() {
        for info in RULES {
            let (column, rule) = info.example.split_once(": ").expect("`column: rule`");
            assert!(!column.is_empty());
            let parsed = parse(rule).unwrap_or_else(|e| panic!("{}: {e}", info.example));
            assert_eq!(parsed.name(), info.name, "{}", info.example);
        }
    }

    #[test]
    fn a_misspelt_rule_gets_a_suggestion_and_a_far_one_none() {
        for (typed, meant) in [
            ("phnoe", "phone"),
            ("free-text", "free_text"),
            ("NISS", "niss"),
            ("lastname", "last_name"),
            ("ibna", "iban"),
            ("shift", ""),
        ] {
            let err = parse(&format!("{{ {typed}: }}")).unwrap_err();
            if meant.is_empty() {
                assert!(!err.contains("did you mean"), "{typed}: {err}");
            } else {
                assert!(err.contains(&format!("did you mean `{meant}`?")), "{typed}: {err}");
            }
        }
    }

    #[test]
    fn unknown_rule_is_named_in_the_error() {
        let err = parse("{ scramble: 3 }").unwrap_err();
        assert!(err.contains("unknown rule `scramble`"), "{err}");
        assert!(err.contains("keep"), "{err}");
    }

    #[test]
    fn options_on_an_optionless_rule_are_refused() {
        assert!(parse("{ keep: { x: 1 } }").unwrap_err().contains("takes no options"));
        assert!(parse("[keep, drop]").is_err());
    }
}
