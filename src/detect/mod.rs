//! Detectors shared by `scan`, `check`, `verify` and the `free_text` rule.
//!
//! Detectors validate, they do not just match: NISS/BIS by checksum and date rules, IBAN by
//! mod 97 and the registry length, INAMI by mod 97/89, KBO by mod 97, phones by the numbering
//! plan. A column is classified from its name (`hints`) and from the share of its sampled
//! non-empty values that validate as each kind (its confidence).

pub mod hints;
pub mod text;

use std::collections::HashSet;

use crate::ident::{email, exid, iban::Iban, inami::Inami, kbo, niss::Niss, phone::Phone};

/// What a value or a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Niss,
    Iban,
    Inami,
    Kbo,
    Exid,
    Email,
    Phone,
    Ip,
    Icd10,
    Date,
    BirthDate,
    FirstName,
    LastName,
    FullName,
    Street,
    HouseNumber,
    Postcode,
    City,
    Sex,
    Language,
    FreeText,
    Amount,
    Count,
    Id,
    Code,
    Unknown,
}

impl Kind {
    /// Kinds that identify a person or a provider directly: never acceptable in a `keep` column.
    pub const IDENTIFIERS: [Kind; 8] =
        [Kind::Niss, Kind::Iban, Kind::Inami, Kind::Kbo, Kind::Exid, Kind::Email, Kind::Phone, Kind::Ip];

    /// Kinds a single value is tested for, in order of trust when several validate.
    const VALUE_KINDS: [Kind; 13] = [
        Kind::Niss,
        Kind::Iban,
        Kind::Inami,
        Kind::Kbo,
        Kind::Exid,
        Kind::Email,
        Kind::Phone,
        Kind::Ip,
        Kind::Icd10,
        Kind::Date,
        Kind::FirstName,
        Kind::LastName,
        Kind::FullName,
    ];

    /// Name in reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Niss => "NISS/BIS number",
            Kind::Iban => "IBAN",
            Kind::Inami => "INAMI number",
            Kind::Kbo => "KBO/BCE number",
            Kind::Exid => "member number (EXID)",
            Kind::Email => "e-mail address",
            Kind::Phone => "phone number",
            Kind::Ip => "IP address",
            Kind::Icd10 => "ICD-10 code",
            Kind::Date => "date",
            Kind::BirthDate => "birth date",
            Kind::FirstName => "first name",
            Kind::LastName => "last name",
            Kind::FullName => "person name",
            Kind::Street => "street",
            Kind::HouseNumber => "house number",
            Kind::Postcode => "postcode",
            Kind::City => "city",
            Kind::Sex => "sex",
            Kind::Language => "language",
            Kind::FreeText => "free text",
            Kind::Amount => "amount",
            Kind::Count => "count",
            Kind::Id => "record id",
            Kind::Code => "code",
            Kind::Unknown => "unclassified",
        }
    }

    const fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// Numbers in columns named as these are measures or keys, never phones, bank accounts or NISS.
    pub fn is_numeric(self) -> bool {
        matches!(self, Kind::Amount | Kind::Count | Kind::Id | Kind::Code)
    }
}

/// The shape of a table's member numbers (EXID has no public format): taken from the mapping's
/// `exid` rule and from the values of the columns it is declared on.
#[derive(Debug, Clone, Default)]
pub struct ExidShape {
    /// The mapping's check, when an `exid` rule exists.
    pub check: Option<exid::Check>,
    /// Character-class patterns (`9` digit, `A` letter, other kept) seen in declared EXID columns.
    pub patterns: HashSet<String>,
}

/// Patterns kept per shape: enough for every real numbering scheme, bounded for odd data.
const MAX_PATTERNS: usize = 64;

impl ExidShape {
    /// Records the shape of a value of a declared EXID column.
    pub fn learn(&mut self, value: &str) {
        if self.patterns.len() < MAX_PATTERNS {
            self.patterns.insert(pattern(value.trim()));
        }
    }

    /// Whether `value` has a declared EXID shape and check.
    pub fn matches(&self, value: &str) -> bool {
        let Some(check) = self.check else { return false };
        let v = value.trim();
        exid::is_valid(v, check) && self.patterns.iter().any(|p| fits(p, v))
    }
}

/// Whether `value` has `pattern` (`pattern(value) == pattern`), without building it: this runs
/// on every value of every kept column.
fn fits(pattern: &str, value: &str) -> bool {
    let mut shape = pattern.chars();
    value.chars().all(|c| shape.next() == Some(class(c))) && shape.next().is_none()
}

fn pattern(value: &str) -> String {
    value.chars().map(class).collect()
}

/// A character's class in a pattern: `9` a digit, `A` a letter, others themselves.
fn class(c: char) -> char {
    match c {
        '0'..='9' => '9',
        c if c.is_alphabetic() => 'A',
        c => c,
    }
}

/// Whether `word` is in the shipped lists of Belgian first names.
pub fn is_known_first_name(word: &str) -> bool {
    crate::refdata::is_first_name(word)
}

/// Whether `word` is in the shipped lists of Belgian first names and surnames.
pub fn is_known_name(word: &str) -> bool {
    crate::refdata::is_name(word)
}

/// The person-name kinds a value reads as, as a bit set: `FirstName` (`Jean-Pierre`),
/// `LastName` (`Van den Bossche`, a double surname `Peeters Janssens`), `FullName` (`Marie
/// Dubois`, `Dubois, Marie`, `DUBOIS Marie`). Many names are both a first name and a surname
/// (`Thomas`, `Simon`): a value may read as several, and the column's shares decide.
pub fn name_kinds(v: &str) -> u32 {
    use crate::refdata::{is_first_name, is_surname};
    if v.len() > 60 || v.chars().any(|c| c.is_ascii_digit()) {
        return 0;
    }
    let first = |w: &str| is_first_name(w) || (w.contains('-') && w.split('-').all(is_first_name));
    let last = |w: &str| is_surname(w) || (w.contains('-') && w.split('-').all(is_surname));
    if let Some((a, b)) = v.split_once(',') {
        let (a, b) = (a.trim(), b.trim());
        return if last(a) && (first(b) || b.split_whitespace().all(first)) { Kind::FullName.bit() } else { 0 };
    }
    let words: Vec<&str> = v.split_whitespace().collect();
    let mut kinds = 0;
    if first(v) || (words.len() > 1 && words.iter().all(|w| first(w))) {
        kinds |= Kind::FirstName.bit();
    }
    if last(v) || (words.len() > 1 && words.iter().all(|w| last(w))) {
        kinds |= Kind::LastName.bit();
    }
    if words.len() > 1 {
        let n = words.len();
        let given_first = first(words[0]) && last(&words[1..].join(" "));
        let given_last = first(words[n - 1]) && last(&words[..n - 1].join(" "));
        if given_first || given_last {
            kinds |= Kind::FullName.bit();
        }
    }
    kinds
}

/// Whether `value` is a plain number: digits with at most one decimal mark and thousands groups.
fn is_number(v: &str) -> bool {
    let v = v.strip_prefix('-').unwrap_or(v);
    !v.is_empty()
        && v.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && v.bytes().all(|b| b.is_ascii_digit() || b == b',' || b == b'.')
        && v.bytes().filter(|b| *b == b',' || *b == b'.').count() <= 2
}

/// Whether a value reads like prose (a note, a comment) rather than a field.
fn is_prose(v: &str) -> bool {
    let words = v.split_whitespace().count();
    words >= 4 || (words >= 2 && v.len() >= 30) || v.contains('\n')
}

/// The kinds one trimmed value validates as, as a bit set (none for an empty one).
pub fn value_kinds(v: &str, exid: &ExidShape) -> u32 {
    let b = v.as_bytes();
    let mut kinds = 0u32;
    if b.is_empty() {
        return kinds;
    }
    if b.contains(&b'@') {
        if email::is_email(v) {
            kinds |= Kind::Email.bit();
        }
        return kinds;
    }
    if exid.matches(v) {
        kinds |= Kind::Exid.bit();
    }
    // `BE0403.170.701`: an enterprise number with its country prefix.
    if b.len() < 16 && (v.starts_with("BE") || v.starts_with("be")) && kbo::parse(v).is_some() {
        return kinds | Kind::Kbo.bit();
    }
    if b.len() >= 15 && b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic() && b[2].is_ascii_digit() {
        if Iban::parse(v).is_some() {
            kinds |= Kind::Iban.bit();
        }
        return kinds;
    }
    let first = b[0];
    let numeric_like = b.iter().all(|c| c.is_ascii_digit() || b" .-/+()".contains(c));
    if numeric_like && b.iter().any(u8::is_ascii_digit) {
        let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
        // 9 or 10 bare digits: a NISS whose leading zeros a spreadsheet dropped (born 2000-2009).
        let bare = digits == b.len();
        if (digits == 11 || (bare && (digits == 9 || digits == 10))) && Niss::parse(v, bare).is_some() {
            kinds |= Kind::Niss.bit();
        }
        if (digits == 11 || (digits == 8 && !v.contains('/'))) && Inami::parse(v).is_some() {
            kinds |= Kind::Inami.bit();
        }
        if digits == 10 && kbo::parse(v).is_some() {
            kinds |= Kind::Kbo.bit();
        }
        if (first == b'0' || first == b'+' || first == b'(') && Phone::parse(v).is_some() {
            kinds |= Kind::Phone.bit();
        }
        if (digits == 8 || v.len() >= 10) && crate::ident::date::parse(v).is_some_and(|d| d.rest().is_empty()) {
            kinds |= Kind::Date.bit();
        }
        if v.bytes().filter(|c| *c == b'.').count() == 3 && v.parse::<std::net::Ipv4Addr>().is_ok() {
            kinds |= Kind::Ip.bit();
        }
        return kinds;
    }
    if b.contains(&b':') && v.parse::<std::net::Ipv6Addr>().is_ok() {
        return kinds | Kind::Ip.bit();
    }
    if b.len() >= 10 && crate::ident::date::parse(v).is_some() {
        kinds |= Kind::Date.bit();
    }
    if b.len() <= 8 && first.is_ascii_alphabetic() && crate::ident::icd10::is_code(v) {
        kinds |= Kind::Icd10.bit();
    }
    if first.is_ascii_alphabetic() || !first.is_ascii() {
        kinds |= name_kinds(v);
    }
    kinds
}

/// What was seen in one column: counts over its sampled non-empty values.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Non-empty values looked at.
    pub values: u64,
    /// Values that validate as each kind (index: `Kind as usize`).
    pub kinds: [u64; Kind::Unknown as usize + 1],
    /// Values that read like prose.
    pub prose: u64,
    /// Values with at least one identifier inside (prose or not).
    pub with_identifiers: u64,
    /// Identifiers found inside the values, by kind.
    pub inside: [u64; Kind::Unknown as usize + 1],
    /// Plain numbers.
    pub numbers: u64,
    /// Total length of the values, in bytes.
    pub length: u64,
    /// Dates (nothing but a time after them) on the first day of a month.
    pub first_of_month: u64,
    /// Values that read as a person's name (first name, surname or full name).
    pub names: u64,
    /// Values that validate as at least one identifier kind, and as at least one that no
    /// number is by chance (e-mail, IBAN, IP), for the share of identifiers of all kinds.
    pub any_identifier: u64,
    pub any_not_by_chance: u64,
}

impl Profile {
    /// Adds one value (empty values are not counted).
    pub fn add(&mut self, value: &str, exid: &ExidShape) {
        let v = value.trim();
        if v.is_empty() {
            return;
        }
        self.values += 1;
        self.length += v.len() as u64;
        let kinds = value_kinds(v, exid);
        for kind in Kind::VALUE_KINDS {
            if kinds & kind.bit() != 0 {
                self.kinds[kind as usize] += 1;
            }
        }
        if is_number(v) {
            self.numbers += 1;
        }
        if kinds & NAME_BITS != 0 {
            self.names += 1;
        }
        if kinds & IDENTIFIER_BITS != 0 {
            self.any_identifier += 1;
        }
        if kinds & NOT_BY_CHANCE_BITS != 0 {
            self.any_not_by_chance += 1;
        }
        if kinds & Kind::Date.bit() != 0 && crate::ident::date::parse(v).is_some_and(|d| d.day == 1 && d.rest_is_time())
        {
            self.first_of_month += 1;
        }
        let prose = is_prose(v);
        if prose {
            self.prose += 1;
        }
        // A whole value that is an identifier is counted above; look inside longer values.
        if prose || (v.len() > 16 && kinds == 0) {
            let found = text::find_identifiers(v, exid.check);
            if !found.is_empty() {
                self.with_identifiers += 1;
                for f in found {
                    self.inside[f.kind as usize] += 1;
                }
            }
        } else if kinds & IDENTIFIER_BITS != 0 {
            self.with_identifiers += 1;
        }
    }

    /// Adds the counts of another profile of the same column.
    pub fn merge(&mut self, other: Profile) {
        self.values += other.values;
        self.any_identifier += other.any_identifier;
        self.any_not_by_chance += other.any_not_by_chance;
        self.prose += other.prose;
        self.with_identifiers += other.with_identifiers;
        self.numbers += other.numbers;
        self.length += other.length;
        self.first_of_month += other.first_of_month;
        self.names += other.names;
        for i in 0..self.kinds.len() {
            self.kinds[i] += other.kinds[i];
            self.inside[i] += other.inside[i];
        }
    }

    /// Whether the column's dates are mostly the first of a month (at least half of them, at
    /// least 5 seen; by chance about 3 % are): a day shift would show in the day of the month of
    /// those rows and give each member's shift away, so such columns shift by whole months.
    pub fn month_granular(&self) -> bool {
        let dates = self.kinds[Kind::Date as usize];
        dates >= 5 && self.first_of_month * 2 >= dates
    }

    /// Share of values that validate as `kind`.
    pub fn share(&self, kind: Kind) -> f64 {
        ratio(self.kinds[kind as usize], self.values)
    }

    /// Share of values that read as a person's name of any form.
    pub fn name_share(&self) -> f64 {
        ratio(self.names, self.values)
    }

    /// The person-name kind most values read as, with its share: a full name before a first
    /// name before a surname when as many values read as both (`Jan`, `Marie` and `Luc` are
    /// surnames too, while a column of surnames seldom holds first names only).
    pub fn best_name(&self) -> (Kind, f64) {
        [Kind::FullName, Kind::FirstName, Kind::LastName]
            .into_iter()
            .map(|k| (k, self.share(k)))
            .fold((Kind::FullName, -1.0), |best, next| if next.1 > best.1 { next } else { best })
    }

    /// The identifier kind most values validate as, with its share; numbers in amount, count, id
    /// and code columns are not taken for phones or member numbers (an EXID is often just a
    /// number of the same length as other keys), and need 90 % to be taken for NISS, IBAN, INAMI
    /// or KBO.
    pub fn best_identifier(&self, hint: Option<Kind>) -> Option<(Kind, f64)> {
        self.counted_identifiers(hint).into_iter().fold(None, |best: Option<(Kind, f64)>, (k, s)| match best {
            Some((_, bs)) if bs >= s => best,
            _ => Some((k, s)),
        })
    }

    /// The identifier kinds the values validate as, each with its share, under the rules of
    /// `best_identifier`. E-mail, IBAN and IP addresses count in amount, id and code columns too:
    /// no number passes for one by chance.
    fn counted_identifiers(&self, hint: Option<Kind>) -> Vec<(Kind, f64)> {
        let numeric = hint.is_some_and(Kind::is_numeric);
        Kind::IDENTIFIERS
            .iter()
            .filter(|k| !(numeric && matches!(**k, Kind::Phone | Kind::Exid)))
            .map(|&k| (k, self.share(k)))
            .filter(|&(k, share)| share > 0.0 && (!numeric || !by_chance(k) || share >= 0.9))
            .collect()
    }

    /// The identifier kinds of the values (most frequent first) and the share of values that
    /// validate as any of them: a column of 4 % NISS, 4 % phones and 4 % IBANs holds 12 %
    /// identifiers, each value counted once. In amount, id and code columns, numbers count only
    /// as `best_identifier` takes them (90 % of one kind), e-mails, IBANs and IPs always.
    pub fn identifier_share(&self, hint: Option<Kind>) -> Option<(Vec<Kind>, f64)> {
        let mut counted = self.counted_identifiers(hint);
        if counted.is_empty() {
            return None;
        }
        counted.sort_by(|a, b| b.1.total_cmp(&a.1));
        let share = if hint.is_some_and(Kind::is_numeric) {
            let numbers = counted.iter().filter(|(k, _)| by_chance(*k)).map(|(_, s)| *s).fold(0.0, f64::max);
            (numbers + ratio(self.any_not_by_chance, self.values)).min(1.0)
        } else {
            ratio(self.any_identifier, self.values)
        };
        Some((counted.into_iter().map(|(k, _)| k).collect(), share))
    }

    /// The identifier kinds found inside the values (free text), most frequent first.
    pub fn kinds_inside(&self) -> Vec<Kind> {
        let mut kinds: Vec<Kind> = Kind::IDENTIFIERS.iter().copied().filter(|k| self.inside[*k as usize] > 0).collect();
        kinds.sort_by_key(|k| std::cmp::Reverse(self.inside[*k as usize]));
        kinds
    }

    fn mostly_prose(&self) -> bool {
        self.values > 0 && (ratio(self.prose, self.values) >= 0.3 || self.length / self.values >= 40)
    }
}

/// `Kind::IDENTIFIERS` as a bit set.
const IDENTIFIER_BITS: u32 = {
    let mut bits = 0;
    let mut i = 0;
    while i < Kind::IDENTIFIERS.len() {
        bits |= Kind::IDENTIFIERS[i].bit();
        i += 1;
    }
    bits
};

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// A column's classification: what it holds and how sure the detectors are.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Classification {
    pub kind: Kind,
    /// Share of sampled non-empty values that validate as `kind`; `None` when only the name
    /// speaks (sex, street, amount... have no validator).
    pub confidence: Option<f64>,
    /// Whether the column's name suggested the kind.
    pub by_name: bool,
}

const NAME_BITS: u32 = Kind::FirstName.bit() | Kind::LastName.bit() | Kind::FullName.bit();

/// Identifier kinds that no number is by chance: e-mail, IBAN and IP addresses.
const NOT_BY_CHANCE_BITS: u32 = Kind::Email.bit() | Kind::Iban.bit() | Kind::Ip.bit();

/// Whether a random number can validate as `kind` (1 in 97 passes a mod-97 check).
fn by_chance(kind: Kind) -> bool {
    NOT_BY_CHANCE_BITS & kind.bit() == 0
}

/// Values must validate this often for a column to be classified by its values alone.
const VALUE_SHARE: f64 = 0.5;

/// Classifies a column from its name and the profile of its values.
pub fn classify(name: &str, profile: &Profile) -> Classification {
    let hint = hints::hint(name);
    let by_hint = |kind: Kind, confidence: Option<f64>| Classification { kind, confidence, by_name: true };
    let by_values = |kind: Kind, confidence: f64| Classification { kind, confidence: Some(confidence), by_name: false };
    // Values that validate as an identifier outrank a harmless-sounding name.
    if let Some((kind, share)) = profile.best_identifier(hint) {
        if share >= VALUE_SHARE {
            return Classification { kind, confidence: Some(share), by_name: hint == Some(kind) };
        }
    }
    if let Some(kind) = hint {
        let confidence = match kind {
            Kind::BirthDate => Some(profile.share(Kind::Date)),
            Kind::FreeText => Some(ratio(profile.with_identifiers, profile.values)),
            k if Kind::VALUE_KINDS.contains(&k) => Some(profile.share(k)),
            _ => None,
        };
        // A "date" column of dates, a "code" of ICD-10 codes: the values decide between close kinds.
        if kind == Kind::Code && profile.share(Kind::Icd10) >= VALUE_SHARE {
            return by_values(Kind::Icd10, profile.share(Kind::Icd10));
        }
        // `naam` names a surname beside `voornaam`, a full name elsewhere: the values decide.
        if matches!(kind, Kind::FirstName | Kind::LastName | Kind::FullName) && profile.share(kind) < VALUE_SHARE {
            let (best, share) = profile.best_name();
            if share >= VALUE_SHARE {
                return Classification { kind: best, confidence: Some(share), by_name: true };
            }
        }
        if matches!(kind, Kind::FreeText) || !profile.mostly_prose() {
            return by_hint(kind, confidence);
        }
    }
    if profile.mostly_prose() {
        return by_values(Kind::FreeText, ratio(profile.with_identifiers, profile.values));
    }
    for kind in [Kind::Date, Kind::Icd10] {
        if profile.share(kind) >= VALUE_SHARE {
            return by_values(kind, profile.share(kind));
        }
    }
    if profile.name_share() >= VALUE_SHARE {
        let (kind, share) = profile.best_name();
        return by_values(kind, share);
    }
    if profile.values > 0 && profile.numbers == profile.values {
        return by_values(Kind::Amount, 1.0);
    }
    by_values(Kind::Unknown, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(values: &[&str]) -> Profile {
        let mut p = Profile::default();
        for v in values {
            p.add(v, &ExidShape::default());
        }
        p
    }

    #[test]
    fn values_that_validate_classify_a_column_whatever_its_name() {
        let c = classify("x1", &profile(&["85.07.30-033.28", "85073003328", "00012556777"]));
        assert_eq!(c.kind, Kind::Niss);
        assert!(c.confidence.is_some_and(|c| c > 0.6), "{c:?}");
        assert_eq!(classify("col", &profile(&["BE71 0961 2345 6769", "be71096123456769"])).kind, Kind::Iban);
        // Leading zeros lost in a spreadsheet (born in 2000-2009).
        assert_eq!(classify("col", &profile(&["1012556701", "5120312305", "9071200103"])).kind, Kind::Niss);
        assert_eq!(classify("col", &profile(&["a@b.be", "jan.peeters@telenet.be"])).kind, Kind::Email);
        assert_eq!(classify("col", &profile(&["0475 12 34 56", "+32 2 512 34 56"])).kind, Kind::Phone);
        assert_eq!(classify("col", &profile(&["J06.9", "E11", "Z00.00"])).kind, Kind::Icd10);
        assert_eq!(classify("col", &profile(&["BE0403.170.701", "0403170701", "BE 0403 170 701"])).kind, Kind::Kbo);
        assert_eq!(classify("col", &profile(&["2024-01-03", "03/01/2024"])).kind, Kind::Date);
    }

    proptest::proptest! {
        /// `fits` answers what comparing built patterns answers, for values of one shape or
        /// another (digits, letters of any script, separators, lengths that differ by one).
        #[test]
        fn fits_is_pattern_equality(a in "[0-9A-Za-zé./ -]{0,12}", b in "[0-9A-Za-zé./ -]{0,12}", c in "\\PC{0,12}") {
            for (x, y) in [(&a, &b), (&a, &a), (&b, &c), (&c, &c)] {
                proptest::prop_assert_eq!(fits(&pattern(x), y), pattern(x) == pattern(y));
            }
            let digits: String = a.chars().map(|ch| if ch.is_ascii_alphanumeric() { '7' } else { ch }).collect();
            proptest::prop_assert_eq!(fits(&pattern(&a), &digits), pattern(&a) == pattern(&digits));
        }

        /// Any text, any script: detectors never panic, and what they find lies on character
        /// boundaries, in order, without overlap.
        #[test]
        fn detectors_take_any_text(text in "\\PC{0,80}", digits in "[0-9 ./+()@a-zA-Z-]{0,40}") {
            for t in [text.as_str(), digits.as_str()] {
                let _ = value_kinds(t.trim(), &ExidShape::default());
                let mut last = 0;
                for f in text::find_identifiers(t, Some(exid::Check::None)) {
                    proptest::prop_assert!(f.start >= last && f.start < f.end && f.end <= t.len());
                    proptest::prop_assert!(t.is_char_boundary(f.start) && t.is_char_boundary(f.end));
                    last = f.end;
                }
                let mut p = Profile::default();
                p.add(t, &ExidShape::default());
                let _ = classify(t, &p);
            }
        }
    }

    #[test]
    fn amounts_counts_and_ids_are_not_phones_or_niss() {
        // 0475123456 is a valid mobile number, 85073003328 a valid NISS: in an amount or id column
        // a few such values are chance, not identifiers.
        let ids = ["0475123456", "0475123457", "1000001", "1000002", "85073003328"];
        assert_eq!(classify("claim_id", &profile(&ids)).kind, Kind::Id);
        assert_eq!(classify("amount_eur", &profile(&["0475123456", "19,45"])).kind, Kind::Amount);
        assert_eq!(classify("aantal", &profile(&["0475123456", "3"])).kind, Kind::Count);
    }

    #[test]
    fn prose_with_identifiers_is_free_text() {
        let c = classify(
            "remark",
            &profile(&[
                "Belde op 12/03/2024 vanop 0475 12 34 56 voor de terugbetaling",
                "Geen opmerking bij dit dossier vandaag",
            ]),
        );
        assert_eq!(c.kind, Kind::FreeText);
        assert!(c.confidence.is_some_and(|c| (c - 0.5).abs() < 1e-9), "{c:?}");
    }
}
