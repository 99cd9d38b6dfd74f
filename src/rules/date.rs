//! `date`: dates shifted by one keyed number of days per subject (`shift_by`), or a birth date
//! taken from the row's pseudonymised NISS (`from_niss`). The input's format is kept.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{Pseudonym, Rule, RuleError};
use crate::crypto::{Key, Permutation};
use crate::ident::date::{civil_from_days, days_from_civil, parse};
use crate::ident::niss::{self, NissKeep};

/// Options of the `date` rule (exactly one of `shift_by` and `from_niss`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateSpec {
    /// Shift every date of a subject by the same keyed number of days in `[-max_days, max_days]`, never 0.
    ShiftBy { column: String, max_days: u32 },
    /// The birth date encoded in the pseudonym of the row's NISS (`keep` as in that column's rule).
    FromNiss { column: String, keep: NissKeep },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDate {
    #[serde(default)]
    shift_by: Option<String>,
    #[serde(default = "default_max_days")]
    max_days: u32,
    #[serde(default)]
    from_niss: Option<String>,
}

fn default_max_days() -> u32 {
    30
}

impl DateSpec {
    pub(super) fn parse(options: &serde_norway::Value) -> Result<DateSpec, String> {
        let raw: RawDate = serde_norway::from_value(options.clone()).map_err(|e| format!("rule `date`: {e}"))?;
        match (raw.shift_by, raw.from_niss) {
            (Some(column), None) if raw.max_days >= 1 => Ok(DateSpec::ShiftBy { column, max_days: raw.max_days }),
            (Some(_), None) => Err("rule `date`: max_days must be at least 1".into()),
            (None, Some(column)) => Ok(DateSpec::FromNiss { column, keep: NissKeep::default() }),
            _ => Err("rule `date` takes either `shift_by: COLUMN` (with `max_days`) or `from_niss: COLUMN`".into()),
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
    niss: Permutation,
}

impl Date {
    pub fn new(key: &Key, spec: &DateSpec) -> Date {
        Date { spec: spec.clone(), shift: key.subkey("date/shift").hmac(), niss: Permutation::new(&key.subkey("niss")) }
    }

    /// The shift, in days, of `subject` (normalised: letters and digits, upper case).
    pub fn shift_days(&self, subject: &str, max_days: u32) -> i64 {
        let normalised: String = subject.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect();
        let mut mac = self.shift.clone();
        mac.update(normalised.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let s = (u64::from_le_bytes(first) % (2 * max_days as u64)) as i64;
        if s < max_days as i64 {
            -(s + 1)
        } else {
            s - max_days as i64 + 1
        }
    }
}

impl Rule for Date {
    fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let Some(date) = parse(value.trim()) else {
            // Not a date we can read: never passed through.
            return Ok(Pseudonym { text: None, invalid: true });
        };
        let subject = inputs.first().copied().flatten();
        match &self.spec {
            DateSpec::ShiftBy { max_days, .. } => {
                let days = days_from_civil(date.year, date.month, date.day)
                    + self.shift_days(subject.unwrap_or(""), *max_days);
                let (y, m, d) = civil_from_days(days);
                Ok(Pseudonym::valid(date.write(y, m, d)))
            }
            DateSpec::FromNiss { keep, .. } => {
                let pseudonym = subject
                    .and_then(|s| niss::Niss::parse(s, true))
                    .and_then(|n| niss::pseudonymise(&self.niss, *keep, &n))
                    .and_then(niss::Niss::from_digits);
                match pseudonym {
                    Some(n) if n.real_date => Ok(Pseudonym::valid(date.write(n.year as i64, n.month, n.day))),
                    _ => Ok(Pseudonym { text: None, invalid: true }),
                }
            }
        }
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
            &DateSpec::ShiftBy { column: "niss".into(), max_days: 30 },
        );
        let mut seen = std::collections::HashSet::new();
        for i in 0..5000 {
            let s = rule.shift_days(&format!("{i:011}"), 30);
            assert!(s != 0 && (-30..=30).contains(&s));
            seen.insert(s);
        }
        assert_eq!(seen.len(), 60, "every shift in [-30, 30] but 0 occurs");
        assert_eq!(rule.shift_days("85.07.30-033.28", 30), rule.shift_days("85073003328", 30));
    }
}
