//! `date`: dates shifted by one keyed number of days per subject (`shift_by`), or a birth date
//! taken from the row's pseudonymised NISS (`from_niss`). The input's format is kept.

use std::sync::Mutex;

use hmac::{Hmac, Mac};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use sha2::Sha256;

use super::{Pseudonym, Rule, RuleError};
use crate::crypto::{Key, Permutation};
use crate::ident::date::{civil_from_days, days_from_civil, parse};
use crate::ident::niss::{self, NissKeep};

/// Options of the `date` rule (exactly one of `shift_by` and `from_niss`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateSpec {
    /// Shift every date of a subject by the same keyed number of days in `[-max_days, max_days]`,
    /// never 0; with `Granularity::Month`, by a keyed number of whole months in
    /// `[-max_months, max_months]`, never 0, the day of the month kept.
    ShiftBy { column: String, max_days: u32, granularity: Granularity, max_months: u32 },
    /// The birth date encoded in the pseudonym of the row's NISS (`keep` as in that column's rule).
    FromNiss { column: String, keep: NissKeep },
}

/// What a shift moves: days, or whole months for columns whose dates are all the first of a
/// month (affiliation dates), where a day shift would show in the output's day of the month and
/// give the subject's shift, and with it every other date of the subject, away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    #[default]
    Day,
    Month,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDate {
    #[serde(default)]
    shift_by: Option<String>,
    #[serde(default)]
    max_days: Option<u32>,
    #[serde(default)]
    granularity: Granularity,
    #[serde(default)]
    max_months: Option<u32>,
    #[serde(default)]
    from_niss: Option<String>,
}

const DEFAULT_MAX_DAYS: u32 = 30;
const DEFAULT_MAX_MONTHS: u32 = 6;

impl DateSpec {
    pub(super) fn parse(options: &serde_norway::Value) -> Result<DateSpec, String> {
        let raw: RawDate = serde_norway::from_value(options.clone()).map_err(|e| format!("rule `date`: {e}"))?;
        let month = raw.granularity == Granularity::Month;
        if raw.from_niss.is_some() && (raw.max_days.is_some() || raw.max_months.is_some() || month) {
            return Err("rule `date`: `from_niss` takes no `max_days`, `max_months` or `granularity`".into());
        }
        if month && raw.max_days.is_some() {
            return Err("rule `date`: `granularity: month` shifts by `max_months`, not `max_days`".into());
        }
        if !month && raw.max_months.is_some() {
            return Err("rule `date`: `max_months` needs `granularity: month`".into());
        }
        let max_days = raw.max_days.unwrap_or(DEFAULT_MAX_DAYS);
        let max_months = raw.max_months.unwrap_or(DEFAULT_MAX_MONTHS);
        match (raw.shift_by, raw.from_niss) {
            (Some(_), None) if max_days < 1 || max_months < 1 => {
                Err("rule `date`: max_days and max_months must be at least 1".into())
            }
            (Some(column), None) => {
                Ok(DateSpec::ShiftBy { column, max_days, granularity: raw.granularity, max_months })
            }
            (None, Some(column)) => Ok(DateSpec::FromNiss { column, keep: NissKeep::default() }),
            _ => Err("rule `date` takes either `shift_by: COLUMN` (with `max_days`, or `granularity: month` and `max_months`) or `from_niss: COLUMN`".into()),
        }
    }

    /// The column the rule reads.
    pub fn input(&self) -> &str {
        match self {
            DateSpec::ShiftBy { column, .. } | DateSpec::FromNiss { column, .. } => column,
        }
    }
}

/// The keyed date rule.
pub struct Date {
    spec: DateSpec,
    shift: Hmac<Sha256>,
    /// Month shifts use their own subkey: knowing a subject's month shift says nothing of its day shift.
    month_shift: Hmac<Sha256>,
    niss: Permutation,
    /// Shifts already worked out, by subject number (`subject_number`): a member's claims are
    /// spread over the whole file, and each row's HMAC cost more than the rest of the rule.
    known: Mutex<FxHashMap<u64, i64>>,
}

/// Subjects whose shift `Date` holds at most (about 20 MB).
const KNOWN_CAP: usize = 1 << 20;

/// An all-digit subject (a NISS, a member number) as the number its digits write: two subjects
/// get one number exactly when `normalise` makes them one string (leading zeros dropped).
/// `None` for other spellings, and for more than 19 characters.
fn subject_number(subject: &str) -> Option<u64> {
    let digits = subject.trim();
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// What a date the rule cannot read or write becomes: an empty cell, counted as invalid.
const NO_DATE: Pseudonym = Pseudonym { text: None, invalid: true };

impl Date {
    pub fn new(key: &Key, spec: &DateSpec) -> Date {
        Date {
            spec: spec.clone(),
            shift: key.subkey("date/shift").hmac(),
            month_shift: key.subkey("date/shift-month").hmac(),
            niss: Permutation::new(&key.subkey("niss")),
            known: Mutex::default(),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, FxHashMap<u64, i64>> {
        self.known.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The shift of `subject` in the rule's unit (days or months).
    fn shift_of(&self, subject: &str) -> i64 {
        match self.spec {
            DateSpec::ShiftBy { max_months, granularity: Granularity::Month, .. } => {
                self.shift_months(subject, max_months)
            }
            DateSpec::ShiftBy { max_days, .. } => self.shift_days(subject, max_days),
            DateSpec::FromNiss { .. } => 0,
        }
    }

    /// `value` moved by `shift()` (days or months: the rule's unit), asked only for a date.
    fn shifted(&self, value: &str, shift: impl FnOnce() -> i64) -> Result<Pseudonym, RuleError> {
        // Not a date we can read, or a date followed by anything but a time (`12/03/2024 opname,
        // zie ...`): never passed through, not even in part.
        let Some(date) = parse(value.trim()).filter(|d| d.rest_is_time()) else {
            return Ok(NO_DATE);
        };
        let (y, m, d) = match self.spec {
            DateSpec::ShiftBy { granularity: Granularity::Month, .. } => {
                add_months(date.year, date.month, date.day, shift())
            }
            _ => civil_from_days(days_from_civil(date.year, date.month, date.day) + shift()),
        };
        Ok(Pseudonym::valid(date.write(y, m, d)))
    }

    /// The shift, in days, of `subject` (any spelling of one identifier gives one shift).
    pub fn shift_days(&self, subject: &str, max_days: u32) -> i64 {
        keyed_shift(&self.shift, subject, max_days)
    }

    /// The shift, in whole months, of `subject`.
    pub fn shift_months(&self, subject: &str, max_months: u32) -> i64 {
        keyed_shift(&self.month_shift, subject, max_months)
    }

    /// `from_niss` of many rows: the birth date of each row's pseudonymised NISS, in the
    /// spelling of the row's date (an empty cell for a date it cannot read, or without a NISS).
    fn birth_dates(
        &self,
        keep: NissKeep,
        values: &[&str],
        inputs: &[&[Option<&str>]],
    ) -> Vec<Result<Pseudonym, RuleError>> {
        // Not a date we can read, or a date followed by anything but a time: never passed through.
        let dates: Vec<_> = values.iter().map(|v| parse(v.trim()).filter(|d| d.rest_is_time())).collect();
        let numbers: Vec<Option<niss::Niss>> = dates
            .iter()
            .zip(inputs)
            .map(|(date, inputs)| {
                date.as_ref().and(inputs.first().copied().flatten()).and_then(|s| niss::Niss::parse(s, true))
            })
            .collect();
        let pseudonyms = niss::pseudonymise_many(&self.niss, keep, &numbers);
        dates
            .into_iter()
            .zip(pseudonyms)
            .map(|(date, pseudonym)| match (date, pseudonym.and_then(niss::Niss::from_digits)) {
                (Some(date), Some(n)) if n.real_date => Ok(Pseudonym::valid(date.write(n.year as i64, n.month, n.day))),
                _ => Ok(NO_DATE),
            })
            .collect()
    }
}

/// A keyed shift in `[-max, max]` but never 0 for `subject`, normalised as every subject is.
fn keyed_shift(state: &Hmac<Sha256>, subject: &str, max: u32) -> i64 {
    let mut mac = state.clone();
    // What `normalise` gives an all-digit subject (its leading zeros dropped), without
    // building the string: the shift is taken once per claim row.
    let digits = subject.trim();
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = digits.trim_start_matches('0');
        mac.update(if trimmed.is_empty() { b"0" } else { trimmed.as_bytes() });
    } else {
        mac.update(crate::ident::subject::normalise(subject).as_bytes());
    }
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let s = (u64::from_le_bytes(first) % (2 * max as u64)) as i64;
    if s < max as i64 {
        -(s + 1)
    } else {
        s - max as i64 + 1
    }
}

/// `date` moved by `months` whole months, the day kept (or the month's last day when it has fewer).
fn add_months(year: i64, month: u32, day: u32, months: i64) -> (i64, u32, u32) {
    let index = year * 12 + i64::from(month) - 1 + months;
    let (y, m) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
    let next = if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) };
    let last = (next - days_from_civil(y, m, 1)) as u32;
    (y, m, day.min(last))
}

impl Rule for Date {
    fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let subject = inputs.first().copied().flatten();
        match &self.spec {
            DateSpec::ShiftBy { .. } => self.shifted(value, || self.shift_of(subject.unwrap_or(""))),
            DateSpec::FromNiss { keep, .. } => {
                self.birth_dates(*keep, &[value], &[inputs]).into_iter().next().unwrap_or(Ok(NO_DATE))
            }
        }
    }

    /// Shifts: one HMAC per subject while `known` holds it, not one per row. Birth dates: the
    /// NISS pseudonyms of the rows side by side.
    fn apply_many(&self, values: &[&str], inputs: &[&[Option<&str>]]) -> Vec<Result<Pseudonym, RuleError>> {
        if let DateSpec::FromNiss { keep, .. } = self.spec {
            return self.birth_dates(keep, values, inputs);
        }
        let subjects: Vec<&str> = inputs.iter().map(|i| i.first().copied().flatten().unwrap_or("")).collect();
        let numbers: Vec<Option<u64>> = subjects.iter().map(|s| subject_number(s)).collect();
        let known: Vec<Option<i64>> = {
            let known = self.known();
            numbers.iter().map(|n| n.and_then(|n| known.get(&n).copied())).collect()
        };
        let mut learnt: Vec<(u64, i64)> = Vec::new();
        let out = values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                self.shifted(value, || {
                    known[i].unwrap_or_else(|| {
                        let shift = self.shift_of(subjects[i]);
                        learnt.extend(numbers[i].map(|n| (n, shift)));
                        shift
                    })
                })
            })
            .collect();
        if !learnt.is_empty() {
            let mut known = self.known();
            for (n, s) in learnt {
                if known.len() >= KNOWN_CAP {
                    break;
                }
                known.insert(n, s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_day_arithmetic_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2, "2000 is a leap year");
        assert_eq!(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1, "1900 is not");
        for z in [-50_000i64, -1, 0, 1, 11_016, 20_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn parses_and_rewrites_the_usual_layouts() {
        for (text, rewritten) in [
            ("2024-02-29", "2023-12-31"),
            ("29/02/2024", "31/12/2023"),
            ("29-02-2024 13:45", "31-12-2023 13:45"),
            ("20240229", "20231231"),
            ("2024-02-29T08:00:00", "2023-12-31T08:00:00"),
        ] {
            let d = parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((d.year, d.month, d.day), (2024, 2, 29));
            assert_eq!(d.write(2023, 12, 31), rewritten);
        }
        for bad in ["2023-02-29", "31/04/2024", "2024-1-5", "12,50", "202402290", ""] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn one_subject_one_shift_never_zero_within_bounds() {
        let rule = Date::new(
            &Key::from_hex(&"31".repeat(32), "t").unwrap(),
            &DateSpec::ShiftBy {
                column: "niss".into(),
                max_days: 30,
                granularity: Granularity::Day,
                max_months: DEFAULT_MAX_MONTHS,
            },
        );
        let mut seen = std::collections::HashSet::new();
        for i in 0..5000 {
            let s = rule.shift_days(&format!("{i:011}"), 30);
            assert!(s != 0 && (-30..=30).contains(&s));
            seen.insert(s);
        }
        assert_eq!(seen.len(), 60, "every shift in [-30, 30] but 0 occurs");
        assert_eq!(rule.shift_days("85.07.30-033.28", 30), rule.shift_days("85073003328", 30));
        assert_eq!(rule.shift_days("5073003328", 30), rule.shift_days("05073003328", 30), "lost leading zero");
        // The all-digit shortcut agrees with the normalisation every other spelling goes through.
        for i in (0..5000u64).map(|i| i * 20_000_003) {
            let digits = format!("{i:011}");
            let spelled = format!("{}.{}-{}", &digits[..2], &digits[2..6], &digits[6..]);
            assert_eq!(rule.shift_days(&digits, 30), rule.shift_days(&spelled, 30), "{digits}");
        }
        assert_eq!(rule.shift_days("00000000000", 30), rule.shift_days("00.00", 30));
    }

    fn rule(yaml: &str) -> Date {
        let spec = DateSpec::parse(&serde_norway::from_str(yaml).unwrap()).unwrap();
        Date::new(&Key::from_hex(&"31".repeat(32), "t").unwrap(), &spec)
    }

    fn out(rule: &Date, value: &str, subject: &str) -> Pseudonym {
        rule.apply(value, &[Some(subject)]).unwrap()
    }

    #[test]
    fn only_a_time_may_follow_the_date() {
        let r = rule("{ shift_by: niss }");
        for ok in [
            "2024-03-12",
            "12/03/2024 13:45",
            "12/03/2024 8:05",
            "12/03/2024  8:05 PM",
            "2024-03-12T08:00:00",
            "2024-03-12 08:00:00.000000",
            "2024-03-12 08:00:00.123+01:00",
            "2024-03-12T08:00:00+0100",
            "2024-03-12T08:00Z",
        ] {
            assert!(!out(&r, ok, "1").invalid, "{ok}");
        }
        for bad in [
            "12/03/2024 opname, zie 85073003328",
            "2024-03-12 x",
            "12/03/2024 13:45 dr Peeters",
            "2024-03-12T",
            "2024-03-12 99:99",
            "2024-03-12 08:00 +99999",
            "2024-03-12 13:00 PM",
        ] {
            assert_eq!(out(&r, bad, "1"), Pseudonym { text: None, invalid: true }, "{bad}");
        }
    }

    #[test]
    fn month_granularity_keeps_the_first_of_the_month_and_hides_the_day_shift() {
        let r = rule("{ shift_by: niss, granularity: month, max_months: 3 }");
        let mut shifts = std::collections::HashSet::new();
        for i in 0..2000 {
            let subject = format!("{i:011}");
            let text = out(&r, "2019-07-01", &subject).text.unwrap();
            assert!(text.ends_with("-01"), "{text}: the day of the month stays the 1st");
            let (y, m): (i64, i64) = (text[..4].parse().unwrap(), text[5..7].parse().unwrap());
            let months = (y - 2019) * 12 + m - 7;
            assert!(months != 0 && (-3..=3).contains(&months), "{text}");
            shifts.insert(months);
        }
        assert_eq!(shifts.len(), 6, "every shift in [-3, 3] but 0 occurs");
        assert_eq!(add_months(2024, 1, 31, 1), (2024, 2, 29), "clamped to the month's last day");
        assert_eq!(add_months(2024, 1, 15, -1), (2023, 12, 15));
        let bad = |yaml: &str| DateSpec::parse(&serde_norway::from_str(yaml).unwrap()).is_err();
        assert!(bad("{ shift_by: niss, granularity: week }"));
        assert!(bad("{ shift_by: niss, granularity: month, max_days: 3 }"));
        assert!(bad("{ shift_by: niss, max_months: 3 }"));
        assert!(bad("{ from_niss: niss, granularity: month }"));
    }

    #[test]
    fn shifts_held_by_subject_equal_shifts_worked_out_per_row() {
        // Subjects in the spellings `normalise` makes one (leading zeros, spaces) and others
        // (separators, letters, 20 digits, none); twice, so the second pass reads `known`.
        let subjects: Vec<Option<String>> = (0..600u64)
            .map(|i| match i % 7 {
                0 => Some(format!("{:011}", i * 7_919)),
                1 => Some(format!("{}", i * 7_919)),
                2 => Some(format!("  000{} ", i * 7_919)),
                3 => Some(format!("85.07.30-{:03}.{}", i % 1000, i % 97)),
                4 => Some(format!("{:020}", i)),
                5 => Some(format!("M{i}")),
                _ => None,
            })
            .collect();
        let dates = ["2024-02-29", "12/03/2024 13:45", "not a date", "2019-07-01", "1999-12-31"];
        for yaml in
            ["{ shift_by: niss }", "{ shift_by: niss, granularity: month, max_months: 4 }", "{ from_niss: niss }"]
        {
            let r = rule(yaml);
            let inputs: Vec<[Option<&str>; 1]> = subjects.iter().map(|s| [s.as_deref()]).collect();
            let inputs: Vec<&[Option<&str>]> = inputs.iter().map(|i| &i[..]).collect();
            let values: Vec<&str> = (0..subjects.len()).map(|i| dates[i % dates.len()]).collect();
            let alone: Vec<Pseudonym> = values.iter().zip(&inputs).map(|(v, i)| r.apply(v, i).unwrap()).collect();
            for pass in 0..2 {
                let many: Vec<Pseudonym> = r.apply_many(&values, &inputs).into_iter().map(Result::unwrap).collect();
                assert_eq!(many, alone, "{yaml}, pass {pass}");
            }
            assert!(alone.iter().any(|p| !p.invalid), "{yaml}");
        }
        // Birth dates are those of the NISS pseudonym worked out one number at a time; BIS and
        // undated numbers, serials 000 and 999, non-NISS subjects and unreadable dates give none.
        let r = rule("{ from_niss: niss }");
        let perm = Permutation::new(&Key::from_hex(&"31".repeat(32), "t").unwrap().subkey("niss"));
        let subjects: Vec<Option<String>> = (0..700u64)
            .map(|i| {
                let month = match i % 6 {
                    0 => i % 12 + 21,
                    1 => i % 12 + 41,
                    2 => 0,
                    _ => i % 12 + 1,
                };
                let serial = [0, 999, i % 998 + 1][(i % 7).min(2) as usize];
                let first9 = ((i % 99) * 10_000 + month * 100 + i % 28 + 1) * 1000 + serial;
                match i % 11 {
                    0 => None,
                    1 => Some(format!("M{i}")),
                    _ => Some(format!("{:011}", niss::with_check(first9, i % 3 == 0))),
                }
            })
            .collect();
        let inputs: Vec<[Option<&str>; 1]> = subjects.iter().map(|s| [s.as_deref()]).collect();
        let inputs: Vec<&[Option<&str>]> = inputs.iter().map(|i| &i[..]).collect();
        let values: Vec<&str> =
            (0..subjects.len()).map(|i| if i % 13 == 0 { "31/02/1999" } else { "1999-12-31" }).collect();
        let mut dated = 0;
        for (i, date) in r.apply_many(&values, &inputs).into_iter().enumerate() {
            let pseudonym = subjects[i]
                .as_deref()
                .and_then(|s| niss::Niss::parse(s, true))
                .and_then(|n| niss::pseudonymise(&perm, NissKeep::default(), &n))
                .and_then(niss::Niss::from_digits)
                .filter(|p| p.real_date && i % 13 != 0);
            let expected = pseudonym.map(|p| format!("{:04}-{:02}-{:02}", p.year, p.month, p.day));
            assert_eq!(date.unwrap().text, expected, "{:?}", subjects[i]);
            dated += expected.is_some() as usize;
        }
        assert!(dated > 200 && dated < 600, "{dated} of 700 dated");
        // Leading zeros do not make another subject, and digits only ever name digits.
        assert_eq!(subject_number("00012"), subject_number("12"));
        assert_eq!(subject_number(" 0 "), Some(0));
        assert_eq!(subject_number("12a"), None);
        assert_eq!(subject_number(&"9".repeat(20)), None);
        let r = rule("{ shift_by: niss }");
        assert_eq!(out(&r, "2024-01-15", "00012"), out(&r, "2024-01-15", "12"));
    }
}
