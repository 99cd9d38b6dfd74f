//! `number`: amounts and counts rounded to a multiple (`round: N`) and/or moved by keyed noise
//! (`noise_pct: P`), written with the input's decimal separator and number of decimals.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{Pseudonym, Rule, RuleError};
use crate::crypto::Key;

/// Options of the `number` rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberSpec {
    /// Round to the nearest multiple of this (e.g. 5, 0.5).
    #[serde(default)]
    pub round: Option<f64>,
    /// Multiply by a keyed factor in `[1 - P/100, 1 + P/100]`, the same for the same value.
    #[serde(default)]
    pub noise_pct: Option<f64>,
}

impl NumberSpec {
    pub(super) fn parse(options: &serde_norway::Value) -> Result<NumberSpec, String> {
        let spec: NumberSpec = serde_norway::from_value(options.clone()).map_err(|e| format!("rule `number`: {e}"))?;
        if spec.round.is_none() && spec.noise_pct.is_none() {
            return Err("rule `number` needs `round: N` and/or `noise_pct: P`".into());
        }
        if spec.round.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
            return Err("rule `number`: round must be a positive number".into());
        }
        if spec.noise_pct.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
            return Err("rule `number`: noise_pct must be 0 to 100".into());
        }
        Ok(spec)
    }
}

/// The longest number read, in bytes (`-1.234.567.890.123,4567`-like amounts fit easily).
const MAX_WRITTEN: usize = 40;

/// A number as written: value, decimal separator and decimals.
struct Written {
    value: f64,
    separator: char,
    decimals: usize,
}

/// Reads `-1234,56`, `1.234,56`, `1,234.56`, `12.5`, `007`. With both separators the last one
/// is the decimal mark; a separator seen once is a decimal mark; one seen twice groups thousands.
fn read(text: &str) -> Option<Written> {
    let t = text.trim();
    // An f64 holds 17 significant digits: a longer "number" is not an amount but a code or a
    // mistake, and formatting tens of thousands of decimals would fail.
    if t.is_empty()
        || t.len() > MAX_WRITTEN
        || !t.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | ','))
    {
        return None;
    }
    let decimal_at = match t.rfind(['.', ',']) {
        Some(i) if t.contains('.') && t.contains(',') => Some(i),
        Some(i) if t.matches(t.as_bytes()[i] as char).count() == 1 => Some(i),
        _ => None,
    };
    let keep = |s: &str| -> String { s.chars().filter(|c| c.is_ascii_digit() || matches!(c, '-' | '+')).collect() };
    let (separator, decimals, normalised) = match decimal_at {
        Some(i) => (t.as_bytes()[i] as char, t.len() - i - 1, format!("{}.{}", keep(&t[..i]), &t[i + 1..])),
        None => ('.', 0, keep(t)),
    };
    normalised.parse().ok().map(|value| Written { value, separator, decimals })
}

/// The keyed number rule.
pub struct Number {
    spec: NumberSpec,
    noise: Hmac<Sha256>,
}

impl Number {
    pub fn new(key: &Key, spec: &NumberSpec) -> Number {
        Number { spec: spec.clone(), noise: key.subkey("number").hmac() }
    }
}

impl Rule for Number {
    fn apply(&self, value: &str, _inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let Some(w) = read(value) else {
            return Ok(Pseudonym { text: None, invalid: true });
        };
        let mut x = w.value;
        if let Some(p) = self.spec.noise_pct {
            let mut mac = self.noise.clone();
            mac.update(value.trim().as_bytes());
            let digest = mac.finalize().into_bytes();
            let mut first = [0u8; 8];
            first.copy_from_slice(&digest[..8]);
            let unit = (u64::from_le_bytes(first) >> 11) as f64 / (1u64 << 53) as f64; // [0, 1)
            x *= 1.0 + (unit * 2.0 - 1.0) * p / 100.0;
        }
        if let Some(r) = self.spec.round {
            x = (x / r).round() * r;
        }
        let text = format!("{x:.prec$}", prec = w.decimals);
        let text = if w.separator == ',' { text.replace('.', ",") } else { text };
        Ok(Pseudonym::valid(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(yaml: &str) -> Number {
        let spec = NumberSpec::parse(&serde_norway::from_str(yaml).unwrap()).unwrap();
        Number::new(&Key::from_hex(&"41".repeat(32), "t").unwrap(), &spec)
    }

    fn out(rule: &Number, v: &str) -> String {
        rule.apply(v, &[]).unwrap().text.unwrap()
    }

    #[test]
    fn rounds_keeping_the_separator_and_decimals() {
        let r = number("{ round: 5 }");
        assert_eq!(out(&r, "12,40"), "10,00");
        assert_eq!(out(&r, "12,50"), "15,00", "half away from zero");
        assert_eq!(out(&r, "13.75"), "15.00");
        assert_eq!(out(&r, "1.234,56"), "1235,00");
        assert_eq!(out(&r, "-3"), "-5");
    }

    #[test]
    fn noise_is_keyed_deterministic_and_bounded() {
        let r = number("{ noise_pct: 10 }");
        let a = out(&r, "100,00");
        assert_eq!(a, out(&r, "100,00"));
        let v: f64 = a.replace(',', ".").parse().unwrap();
        assert!((90.0..=110.0).contains(&v));
        let huge = format!("1,{}", "5".repeat(70_000));
        assert_eq!(r.apply(&huge, &[]).unwrap(), Pseudonym { text: None, invalid: true }, "no panic, no pass-through");
        let moved = (0..200).filter(|i| out(&r, &format!("{i}.00")) != format!("{i}.00")).count();
        assert!(moved > 190);
        assert!(NumberSpec::parse(&serde_norway::from_str("{ }").unwrap()).is_err());
    }
}
