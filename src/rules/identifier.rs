//! The identifier rules (`niss`, `exid`, `iban`, `inami`, `kbo`, `phone`, `email`, `ip`): each
//! parses and validates the value, maps it through its keyed format-preserving pseudonym, and
//! treats a value that fails validation as `on_invalid` says (never passing it through).

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::people::{People, PeopleSpec};
use super::{Pseudonym, Rule, RuleError};
use crate::crypto::{Key, Permutation};
use crate::ident::{email, exid, iban, inami, ip, kbo, niss, phone};

/// What to write for a value that fails the identifier's validation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnInvalid {
    /// A keyed fake of the same shape (digits for digits, letters for letters), counted as invalid.
    #[default]
    Fake,
    /// An empty cell, counted as invalid.
    Null,
    /// Stop the run with an error naming file, line and column.
    Error,
}

/// Reads `on_invalid`; a bare YAML `null` means the `null` choice, as with column rules.
fn on_invalid<'de, D: serde::Deserializer<'de>>(d: D) -> Result<OnInvalid, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref() {
        None | Some("null") => Ok(OnInvalid::Null),
        Some("fake") => Ok(OnInvalid::Fake),
        Some("error") => Ok(OnInvalid::Error),
        Some(other) => Err(serde::de::Error::custom(format!("on_invalid is fake, null or error, not `{other}`"))),
    }
}

/// The identifier kinds and their options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentifierKind {
    Niss(niss::NissKeep),
    Exid { keep_prefix: usize, check: exid::Check },
    Iban { keep_bank: bool },
    Inami,
    Kbo,
    Phone,
    Email,
    Ip,
}

impl IdentifierKind {
    /// The rule name, which is also the name of its subkey.
    pub fn name(&self) -> &'static str {
        match self {
            IdentifierKind::Niss(_) => "niss",
            IdentifierKind::Exid { .. } => "exid",
            IdentifierKind::Iban { .. } => "iban",
            IdentifierKind::Inami => "inami",
            IdentifierKind::Kbo => "kbo",
            IdentifierKind::Phone => "phone",
            IdentifierKind::Email => "email",
            IdentifierKind::Ip => "ip",
        }
    }
}

impl IdentifierKind {
    /// The cells of fewer than 10^6 values this rule permutes in, with their sizes (0: set by
    /// each value's length). Sizes come from the cells the `ident` modules build; SECURITY.md
    /// explains each.
    pub fn small_domains(&self) -> Vec<(&'static str, u64)> {
        match self {
            IdentifierKind::Niss(keep) => {
                let (dated, undated) = if keep.sex { (182_135, 499) } else { (364_270, 998) };
                let mut cells = vec![("NISS without a real birth date: the serial numbers of one date field", undated)];
                if keep.birth_year {
                    cells.push(("NISS: the birth dates and serials of one birth year (and sex, if kept)", dated));
                } else {
                    cells.push(("NISS born from 2026 on: one birth year (kept for dates past the draw range)", dated));
                }
                cells
            }
            IdentifierKind::Exid { .. } => {
                vec![("member number: the free characters after the kept prefix (under 1,000 refused)", 0)]
            }
            IdentifierKind::Iban { .. } => {
                vec![("foreign IBAN with 3-5 account digits: those digits (under 3 digits: invalid)", 100_000)]
            }
            IdentifierKind::Inami => vec![("INAMI: the 5 sequence digits of one profession and check scheme", 100_000)],
            IdentifierKind::Phone => {
                vec![("8-digit phone number (landline, 0800, 090x, 070, 078): the 5 digits after the kept 3", 100_000)]
            }
            IdentifierKind::Kbo | IdentifierKind::Email | IdentifierKind::Ip => Vec::new(),
        }
    }

    /// What a `free_text` column permutes in cells under 10^6: the identifiers found in the text,
    /// each as its table's column rule (`table`) does it, or with the rule's defaults when the
    /// table has no such column (NISS, phone and INAMI numbers are found in any note).
    pub fn in_free_text_small_domains(table: &[IdentifierSpec]) -> Vec<(&'static str, u64)> {
        let mut kinds: Vec<IdentifierKind> = table.iter().map(|s| s.kind.clone()).collect();
        for default in [IdentifierKind::Niss(niss::NissKeep::default()), IdentifierKind::Phone, IdentifierKind::Inami] {
            if !kinds.iter().any(|k| k.name() == default.name()) {
                kinds.push(default);
            }
        }
        kinds.iter().flat_map(IdentifierKind::small_domains).collect()
    }
}

/// A validated identifier rule as written in a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifierSpec {
    pub kind: IdentifierKind,
    pub on_invalid: OnInvalid,
    /// `email` only: the row's name columns whose fake names make the local part.
    pub names_from: Vec<String>,
    /// The people rule of each `names_from` column and the columns that rule reads, completed
    /// from the table when the mapping is validated.
    pub name_rules: Vec<(PeopleSpec, Vec<String>)>,
}

impl IdentifierSpec {
    /// A rule of `kind` without name columns.
    pub fn new(kind: IdentifierKind, on_invalid: OnInvalid) -> IdentifierSpec {
        IdentifierSpec { kind, on_invalid, names_from: Vec::new(), name_rules: Vec::new() }
    }

    /// Every column `apply` receives: the names, then the columns their rules read.
    pub fn inputs(&self) -> Vec<String> {
        let mut all = self.names_from.clone();
        for (_, inputs) in &self.name_rules {
            all.extend(inputs.iter().cloned());
        }
        all
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NissOptions {
    #[serde(default = "default_niss_keep")]
    keep: Vec<String>,
    #[serde(default, deserialize_with = "on_invalid")]
    on_invalid: OnInvalid,
}

fn default_niss_keep() -> Vec<String> {
    vec!["sex".into(), "birth_year".into()]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExidOptions {
    #[serde(default)]
    keep_prefix: usize,
    #[serde(default)]
    check: Option<String>,
    #[serde(default, deserialize_with = "on_invalid")]
    on_invalid: OnInvalid,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IbanOptions {
    #[serde(default = "yes")]
    keep_bank: bool,
    #[serde(default, deserialize_with = "on_invalid")]
    on_invalid: OnInvalid,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailOptions {
    #[serde(default, deserialize_with = "on_invalid")]
    on_invalid: OnInvalid,
    #[serde(default)]
    names_from: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonOptions {
    #[serde(default, deserialize_with = "on_invalid")]
    on_invalid: OnInvalid,
}

fn options<T: serde::de::DeserializeOwned>(name: &str, value: &serde_norway::Value) -> Result<T, String> {
    let value = if value.is_null() { serde_norway::Value::Mapping(Default::default()) } else { value.clone() };
    serde_norway::from_value(value).map_err(|e| format!("rule `{name}`: {e}"))
}

impl IdentifierSpec {
    /// Parses the options of identifier rule `name`; `None` if `name` is not an identifier rule.
    pub fn parse(name: &str, value: &serde_norway::Value) -> Option<Result<IdentifierSpec, String>> {
        let parsed = match name {
            "niss" => options::<NissOptions>(name, value).and_then(|o| {
                let mut keep = niss::NissKeep { sex: false, birth_year: false };
                for item in &o.keep {
                    match item.as_str() {
                        "sex" => keep.sex = true,
                        "birth_year" => keep.birth_year = true,
                        other => return Err(format!("rule `niss`: `keep` takes sex and birth_year, not `{other}`")),
                    }
                }
                Ok(IdentifierSpec::new(IdentifierKind::Niss(keep), o.on_invalid))
            }),
            "exid" => options::<ExidOptions>(name, value).and_then(|o| {
                let check = match o.check.as_deref() {
                    None | Some("none") => exid::Check::None,
                    Some("mod97") => exid::Check::Mod97,
                    Some(other) => return Err(format!("rule `exid`: `check` is none or mod97, not `{other}`")),
                };
                Ok(IdentifierSpec::new(IdentifierKind::Exid { keep_prefix: o.keep_prefix, check }, o.on_invalid))
            }),
            "iban" => options::<IbanOptions>(name, value)
                .map(|o| IdentifierSpec::new(IdentifierKind::Iban { keep_bank: o.keep_bank }, o.on_invalid)),
            "email" => options::<EmailOptions>(name, value).and_then(|o| {
                if o.names_from.len() > 2 {
                    return Err(
                        "rule `email`: `names_from` names one full-name column or a first-name and a surname column"
                            .into(),
                    );
                }
                Ok(IdentifierSpec {
                    names_from: o.names_from,
                    ..IdentifierSpec::new(IdentifierKind::Email, o.on_invalid)
                })
            }),
            "inami" | "kbo" | "phone" | "ip" => options::<CommonOptions>(name, value).map(|o| {
                let kind = match name {
                    "inami" => IdentifierKind::Inami,
                    "kbo" => IdentifierKind::Kbo,
                    "phone" => IdentifierKind::Phone,
                    _ => IdentifierKind::Ip,
                };
                IdentifierSpec::new(kind, o.on_invalid)
            }),
            _ => return None,
        };
        Some(parsed)
    }
}

/// A keyed identifier rule.
pub struct Identifier {
    spec: IdentifierSpec,
    perm: Permutation,
    /// HMAC state for e-mail local parts and for fakes.
    keyed: Hmac<Sha256>,
    /// `email` with `names_from`: each name column's rule and the indices of the inputs it reads.
    names: Vec<(People, Vec<usize>)>,
}

impl Identifier {
    /// Keys the rule with the subkey of its kind.
    pub fn new(key: &Key, spec: &IdentifierSpec) -> Identifier {
        let name = spec.kind.name();
        let names = super::people::name_rules(key, spec.names_from.len(), &spec.name_rules);
        Identifier {
            spec: spec.clone(),
            perm: Permutation::new(&key.subkey(name)),
            keyed: key.subkey(&format!("{name}/keyed")).hmac(),
            names,
        }
    }

    /// The local part's name for `names_from`: the row's fake names as the name columns write
    /// them, first name first, folded to ASCII letters (`pierre.vandenbossche`); `None` when
    /// the row has no name.
    fn email_name(&self, inputs: &[Option<&str>]) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        for (i, (rule, indices)) in self.names.iter().enumerate() {
            let Some(original) = inputs.get(i).copied().flatten().filter(|v| !v.trim().is_empty()) else { continue };
            let rule_inputs: Vec<Option<&str>> = indices.iter().map(|&j| inputs.get(j).copied().flatten()).collect();
            let Ok(Pseudonym { text: Some(fake), .. }) = rule.apply(original, &rule_inputs) else { continue };
            // `Last, First` and `LAST First` are written first name first.
            let words: Vec<String> = match fake.split_once(", ") {
                Some((last, first)) => vec![first.to_string(), last.to_string()],
                None => {
                    let all: Vec<&str> = fake.split_whitespace().collect();
                    let capitals = all.iter().take_while(|w| super::people::in_capitals(w)).count();
                    if capitals > 0 && capitals < all.len() {
                        vec![all[capitals..].join(" "), all[..capitals].join(" ")]
                    } else {
                        let first_is_given = matches!(rule.spec(), PeopleSpec::FullName { .. }) && all.len() > 1;
                        if first_is_given {
                            vec![all[0].to_string(), all[1..].join(" ")]
                        } else {
                            vec![fake.clone()]
                        }
                    }
                }
            };
            parts.extend(words.iter().map(|w| email::local_word(w)).filter(|w| !w.is_empty()));
        }
        (!parts.is_empty()).then(|| parts.join("."))
    }

    /// The pseudonym of a valid value, written in its spelling; `None` if the value is not valid.
    pub fn pseudonym(&self, value: &str) -> Option<String> {
        let v = value.trim();
        match &self.spec.kind {
            IdentifierKind::Niss(keep) => niss::pseudonymise_text(&self.perm, *keep, v, true),
            // `None` too for a cell under MIN_DOMAIN values: the column refuses it (`apply`), a note masks it.
            IdentifierKind::Exid { keep_prefix, check } => exid::pseudonymise(&self.perm, *keep_prefix, *check, v),
            IdentifierKind::Iban { keep_bank } => iban::pseudonymise_text(&self.perm, *keep_bank, v),
            IdentifierKind::Inami => inami::pseudonymise_text(&self.perm, v),
            IdentifierKind::Kbo => kbo::pseudonymise_text(&self.perm, v),
            IdentifierKind::Phone => phone::pseudonymise_text(&self.perm, v),
            IdentifierKind::Email => email::pseudonymise_text(&self.keyed, &self.perm, v, None),
            IdentifierKind::Ip => ip::pseudonymise_text(&self.perm, v),
        }
    }

    /// A keyed fake of the same shape: each digit replaced by a keyed digit, every other
    /// character but the separators identifiers are written with (white space `. - / + ( ) :`)
    /// by a keyed ASCII letter, upper case for an upper-case letter. Accented letters, other
    /// scripts and punctuation are replaced too: nothing of an invalid value shows through but
    /// its shape.
    fn fake(&self, value: &str) -> String {
        let mut mac = self.keyed.clone();
        mac.update(b"fake\0");
        mac.update(value.as_bytes());
        let seed = mac.finalize().into_bytes();
        let mut counter = 0u32;
        let mut pool: Vec<u8> = Vec::new();
        let mut next = |modulus: u8| -> u8 {
            if pool.is_empty() {
                let mut m = self.keyed.clone();
                m.update(&seed);
                m.update(&counter.to_le_bytes());
                counter += 1;
                pool = m.finalize().into_bytes().to_vec();
            }
            pool.pop().unwrap_or(0) % modulus
        };
        value
            .chars()
            .map(|c| {
                if c.is_whitespace() || ".-/+():".contains(c) {
                    c
                } else if c.is_ascii_digit() {
                    (b'0' + next(10)) as char
                } else if c.is_uppercase() {
                    (b'A' + next(26)) as char
                } else {
                    (b'a' + next(26)) as char
                }
            })
            .collect()
    }
}

pub use crate::crypto::MIN_DOMAIN;

impl Rule for Identifier {
    fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let name = (!self.names.is_empty()).then(|| self.email_name(inputs));
        self.apply_named(value, name.as_ref().map(Option::as_deref))
    }

    /// E-mail addresses take four dependent permutations each (two blocks, two passes), one
    /// AES block at a time when computed alone: `pseudonymise_many` runs each pass for every row
    /// at once, so the AES unit works on many blocks per call (a run of 200,000 members, every
    /// column mapped: 2.25 -> 1.96-2.03 s). NISS (every member, birth date and claim), member
    /// numbers, IBANs and phone numbers take one permutation each: a chunk is read once, its
    /// permutations run side by side, then each value is written (`niss::pseudonymise_texts`,
    /// `exid::pseudonymise_many` ...; 630 -> 260 ns a permutation).
    fn apply_many(&self, values: &[&str], inputs: &[&[Option<&str>]]) -> Vec<Result<Pseudonym, RuleError>> {
        let names: Vec<Option<Option<String>>> =
            inputs.iter().map(|inputs| (!self.names.is_empty()).then(|| self.email_name(inputs))).collect();
        let name = |i: usize| names[i].as_ref().map(Option::as_deref);
        let texts: Vec<&str> = values.iter().map(|v| v.trim()).collect();
        let batched = match self.spec.kind {
            IdentifierKind::Niss(keep) => niss::pseudonymise_texts(&self.perm, keep, &texts, true),
            IdentifierKind::Exid { keep_prefix, check } => {
                exid::pseudonymise_many(&self.perm, keep_prefix, check, &texts)
            }
            IdentifierKind::Iban { keep_bank } => iban::pseudonymise_texts(&self.perm, keep_bank, &texts),
            IdentifierKind::Phone => phone::pseudonymise_texts(&self.perm, &texts),
            IdentifierKind::Email => {
                let items: Vec<(&str, Option<&str>)> =
                    texts.iter().enumerate().map(|(i, v)| (*v, name(i).flatten())).collect();
                email::pseudonymise_many(&self.keyed, &self.perm, &items)
            }
            IdentifierKind::Inami | IdentifierKind::Kbo | IdentifierKind::Ip => {
                return (0..values.len()).map(|i| self.apply_named(values[i], name(i))).collect();
            }
        };
        // A value without a pseudonym goes the way of `apply` (on_invalid).
        batched
            .into_iter()
            .enumerate()
            .map(|(i, text)| match text {
                Some(text) => Ok(Pseudonym::valid(text)),
                None => self.apply_named(values[i], name(i)),
            })
            .collect()
    }
}

impl Identifier {
    /// `apply`, given the row's fake names for an e-mail with `names_from` (`Some(None)`: the
    /// row has none; `None`: the rule reads no names).
    fn apply_named(&self, value: &str, name: Option<Option<&str>>) -> Result<Pseudonym, RuleError> {
        if let Some(name) = name {
            if let Some(text) = email::pseudonymise_text(&self.keyed, &self.perm, value.trim(), name) {
                return Ok(Pseudonym::valid(text));
            }
        }
        if let Some(text) = self.pseudonym(value) {
            return Ok(Pseudonym::valid(text));
        }
        // A valid member number in a cell too small to permute is the mapping's fault, not the value's.
        if let IdentifierKind::Exid { keep_prefix, check } = self.spec.kind {
            if exid::domain_size(keep_prefix, check, value).is_some_and(|n| n < MIN_DOMAIN) {
                return Err(RuleError(format!(
                    "the mapping's `exid` rule keeps {keep_prefix} leading characters, which leaves fewer than \
                     {MIN_DOMAIN} possible pseudonyms for a member number of this length: lower `keep_prefix`"
                )));
            }
        }
        match self.spec.on_invalid {
            OnInvalid::Fake => {
                let text = match self.spec.kind {
                    IdentifierKind::Email => format!("invalid.{}@example.invalid", self.fake("xxxxxxxx")),
                    _ => self.fake(value.trim()),
                };
                Ok(Pseudonym { text: Some(text), invalid: true })
            }
            OnInvalid::Null => Ok(Pseudonym { text: None, invalid: true }),
            OnInvalid::Error => {
                Err(RuleError(format!("value is not a valid {} (on_invalid: error)", self.spec.kind.name())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, options: &str) -> Identifier {
        let value: serde_norway::Value = serde_norway::from_str(options).unwrap();
        let spec = IdentifierSpec::parse(name, &value).unwrap().unwrap();
        Identifier::new(&Key::from_hex(&"42".repeat(32), "t").unwrap(), &spec)
    }

    #[test]
    fn invalid_values_are_faked_nulled_or_refused_never_passed_through() {
        let fake = rule("niss", "~");
        let out = fake.apply("85073003329", &[]).unwrap();
        assert!(out.invalid);
        let text = out.text.unwrap();
        assert_eq!(text.len(), 11);
        assert_ne!(text, "85073003329");
        assert_eq!(fake.apply("85073003329", &[]).unwrap().text.unwrap(), text, "fakes are deterministic");
        let null = rule("niss", "{ on_invalid: null }");
        assert_eq!(null.apply("85073003329", &[]).unwrap(), Pseudonym { text: None, invalid: true });
        let error = rule("niss", "{ on_invalid: error }");
        let message = error.apply("85073003329", &[]).unwrap_err().0;
        assert!(!message.contains("85073003329"));
    }

    #[test]
    fn invalid_values_show_nothing_but_their_shape() {
        let fake = rule("exid", "~");
        let value = "Zoë Ærø №12,#x@ç 北京 - 04/75";
        let out = fake.apply(value, &[]).unwrap();
        assert!(out.invalid);
        let text = out.text.unwrap();
        assert_eq!(text.chars().count(), value.chars().count());
        for (a, b) in value.chars().zip(text.chars()) {
            if a.is_whitespace() || ".-/+():".contains(a) {
                assert_eq!(a, b, "separators stay");
            } else {
                assert!(b.is_ascii_alphanumeric(), "{b} replaces {a}");
                assert_eq!(a.is_ascii_digit(), b.is_ascii_digit());
            }
        }
        let kept: Vec<char> = value.chars().filter(|c| !c.is_ascii() && !c.is_whitespace()).collect();
        assert!(!text.chars().any(|c| kept.contains(&c)), "{text}");
    }

    #[test]
    fn exid_cells_under_a_thousand_values_are_refused() {
        let r = rule("exid", "{ keep_prefix: 9 }");
        assert!(r.apply("512345678901", &[]).is_ok(), "12 - 9 = 3 free digits: exactly 1,000 values");
        let r = rule("exid", "{ keep_prefix: 10 }");
        let message = r.apply("512345678901", &[]).unwrap_err().0;
        assert!(message.contains("keep_prefix") && !message.contains("5123"), "{message}");
        assert!(rule("exid", "{ keep_prefix: 12 }").apply("512345678901", &[]).is_err(), "a domain of one value");
        assert!(rule("exid", "{ keep_prefix: 4 }").apply("512345678901", &[]).is_ok());
    }

    #[test]
    fn options_are_validated() {
        let bad = |name: &str, options: &str| {
            let value: serde_norway::Value = serde_norway::from_str(options).unwrap();
            IdentifierSpec::parse(name, &value).unwrap().is_err()
        };
        assert!(bad("niss", "{ keep: [eye_colour] }"));
        assert!(bad("exid", "{ check: luhn }"));
        assert!(bad("iban", "{ keep_bank: maybe }"));
        assert!(bad("kbo", "{ colour: red }"));
        assert!(IdentifierSpec::parse("hash", &serde_norway::Value::Null).is_none());
    }

    #[test]
    fn many_rows_at_once_equal_one_row_at_a_time() {
        let mut named = rule("email", "{ names_from: [first_name, last_name] }");
        named.spec.name_rules = vec![
            (PeopleSpec::FirstName { sex_from: None, language_from: None }, vec![]),
            (PeopleSpec::LastName { language_from: None }, vec![]),
        ];
        let named = Identifier::new(&Key::from_hex(&"42".repeat(32), "t").unwrap(), &named.spec);
        let values: Vec<String> = (0..700)
            .map(|i| match i % 6 {
                0 => format!("Jan.Peeters{i}@Telenet.be"),
                1 => format!("not an address {i}"),
                2 => format!("{}{i}@skynet.be", "marie.dubois.".repeat(i % 8)),
                3 => format!("  e{i}@x.org "),
                4 => format!("Zoë{i}@exämple.be"),
                _ => format!("{i}@{}.be", "a".repeat(i % 90)),
            })
            .collect();
        let names: Vec<[Option<&str>; 2]> = (0..700)
            .map(|i| match i % 4 {
                0 => [Some("Marie"), Some("Dubois")],
                1 => [None, Some("Van den Bossche")],
                2 => [None, None],
                _ => [Some("Élodie"), Some("  ")],
            })
            .collect();
        let texts: Vec<&str> = values.iter().map(String::as_str).collect();
        let inputs: Vec<&[Option<&str>]> = names.iter().map(|n| &n[..]).collect();
        let no_inputs: Vec<&[Option<&str>]> = vec![&[]; texts.len()];
        let niss: Vec<String> = (0..700)
            .map(|i| match i % 3 {
                0 => "85073003328".to_string(),
                1 => "85.07.30-033.28".to_string(),
                _ => format!("{i}"),
            })
            .collect();
        let niss: Vec<&str> = niss.iter().map(String::as_str).collect();
        // Valid numbers of every kind the NISS rule tells apart: dated and undated, BIS (+20,
        // +40), born before and after 2000, lost leading zeros, eID spelling; serials 000 and 999.
        let valid: Vec<String> = (0..2_000u64)
            .map(|i| {
                let (yy, month, day) = ((i * 7) % 100, (i % 12) + 1, (i % 28) + 1);
                let month = match i % 5 {
                    0 => month + 20,
                    1 => month + 40,
                    2 if i % 3 == 0 => 0,
                    _ => month,
                };
                let serial = match i % 97 {
                    0 => 0,
                    1 => 999,
                    _ => (i * 31) % 997 + 1,
                };
                let first9 = ((yy * 100 + month) * 100 + day) * 1000 + serial;
                let n = niss::with_check(first9, i % 4 == 0);
                match i % 3 {
                    0 => niss::format_eid(n),
                    1 => n.to_string(),
                    _ => format!("{n:011}"),
                }
            })
            .collect();
        let valid: Vec<&str> = valid.iter().map(String::as_str).collect();
        let no_inputs_valid: Vec<&[Option<&str>]> = vec![&[]; valid.len()];
        let (all, sex_only, none) =
            (rule("niss", "~"), rule("niss", "{ keep: [sex] }"), rule("niss", "{ keep: [], on_invalid: null }"));
        let cases = [
            (&named, &texts, &inputs),
            (&rule("email", "~"), &texts, &no_inputs),
            (&rule("niss", "~"), &niss, &no_inputs),
            (&all, &valid, &no_inputs_valid),
            (&sex_only, &valid, &no_inputs_valid),
            (&none, &valid, &no_inputs_valid),
        ];
        // Belgian IBANs built here (account check mod 97, then the IBAN's own), with banks in
        // and outside the assigned pool, foreign ones, and spellings and shapes that are not IBANs.
        let mod97 = |digits: &str| digits.bytes().fold(0u64, |r, b| (r * 10 + u64::from(b - b'0')) % 97);
        let accounts: Vec<String> = (0..900u64)
            .map(|i| {
                let (bank, account) = ((i * 37) % 1000, (i * 7_919_993) % 10_000_000);
                let ten = format!("{bank:03}{account:07}");
                let check = match mod97(&ten) {
                    0 => 97,
                    r => r,
                };
                let bban = format!("{ten}{check:02}");
                let iban = format!("BE{:02}{bban}", 98 - mod97(&format!("{bban}111400")));
                match i % 9 {
                    0 => iban
                        .chars()
                        .collect::<Vec<_>>()
                        .chunks(4)
                        .map(|c| c.iter().collect::<String>())
                        .collect::<Vec<_>>()
                        .join(" "),
                    1 => iban.to_lowercase(),
                    2 => "NL91ABNA0417164300".to_string(),
                    3 => "DE89 3704 0044 0532 0130 00".to_string(),
                    4 => "FR1420041010050500013M02606".to_string(),
                    5 => format!("BE00{bban}"),
                    6 => format!("not an iban {i}"),
                    _ => iban,
                }
            })
            .collect();
        let accounts: Vec<&str> = accounts.iter().map(String::as_str).collect();
        let phones: Vec<String> = (0..900u64)
            .map(|i| {
                let n = (i * 104_729) % 1_000_000;
                match i % 8 {
                    0 => format!("0475 {:02} {:02} {:02}", n / 10_000, n / 100 % 100, n % 100),
                    1 => format!("+32 4{:02} {:06}", 70 + i % 30, n),
                    2 => format!("02 5{:02} {:04}", i % 100, n % 10_000),
                    3 => format!("+33 1 {:02} {:06}", i % 100, n),
                    4 => format!("00324{:02}{:06}", 70 + i % 30, n),
                    5 => format!("{}", i % 1000),
                    6 => "no phone".to_string(),
                    _ => format!("09/{:03}.{:02}.{:02}", n % 1000, i % 100, n % 100),
                }
            })
            .collect();
        let phones: Vec<&str> = phones.iter().map(String::as_str).collect();
        let members: Vec<String> = (0..900u64)
            .map(|i| match i % 7 {
                0 => format!("{:012}", i * 1_000_003),
                1 => format!("AB-{:06}", i),
                2 => format!("ab{:05}x", i),
                3 => format!("  {:09} ", i * 7),
                4 => format!("5160000{:05}", i),
                5 => "Ö".to_string(),
                _ => format!("{}", 10_000 + i),
            })
            .collect();
        let members: Vec<&str> = members.iter().map(String::as_str).collect();
        let no_inputs_900: Vec<&[Option<&str>]> = vec![&[]; 900];
        let (keep_bank, pool, phone) = (rule("iban", "~"), rule("iban", "{ keep_bank: false }"), rule("phone", "~"));
        let (exid, exid_none) = (rule("exid", "{ keep_prefix: 1 }"), rule("exid", "{ on_invalid: null }"));
        let cases = cases.into_iter().chain([
            (&keep_bank, &accounts, &no_inputs_900),
            (&pool, &accounts, &no_inputs_900),
            (&phone, &phones, &no_inputs_900),
            (&exid, &members, &no_inputs_900),
            (&exid_none, &members, &no_inputs_900),
        ]);
        for (r, texts, inputs) in cases {
            let many: Vec<Pseudonym> = r.apply_many(texts, inputs).into_iter().map(Result::unwrap).collect();
            let alone: Vec<Pseudonym> = texts.iter().zip(inputs.iter()).map(|(v, i)| r.apply(v, i).unwrap()).collect();
            assert_eq!(many, alone);
            assert!(many.iter().any(|p| !p.invalid) && many.iter().any(|p| p.invalid));
        }
    }

    #[test]
    fn emails_land_in_reserved_domains() {
        let r = rule("email", "~");
        let a = r.apply("Jan.Peeters@Telenet.be", &[]).unwrap().text.unwrap();
        assert_eq!(a, r.apply("jan.peeters@telenet.be", &[]).unwrap().text.unwrap());
        assert!(email::RESERVED_DOMAINS.iter().any(|d| a.ends_with(&format!("@{d}"))), "{a}");
        let bad = r.apply("not an email", &[]).unwrap();
        assert!(bad.invalid && bad.text.unwrap().ends_with("@example.invalid"));
    }
}
