//! Phone numbers: the Belgian numbering plan (`+32`, `0032`, trunk `0`; mobile `4xx`, 1- and
//! 2-digit zones, 0800/090x) and foreign numbers after `+` or `00`. The pseudonym keeps the
//! country, the first three digits of the national number and the spelling; it permutes the rest.

use crate::crypto::{tweak, Call, Domain, Permutation};

/// A parsed phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone {
    /// Country calling code digits as written (`32` for Belgium).
    pub country: String,
    /// National significant number (no trunk prefix).
    pub national: String,
    /// Index, in the text's digit sequence, where the national number starts.
    national_start: usize,
}

/// Digits kept at the start of the national number (operator or zone, first subscriber digit).
const KEPT: usize = 3;

impl Phone {
    /// Parses a phone number in any usual spelling; `None` if it does not fit a numbering plan.
    pub fn parse(text: &str) -> Option<Phone> {
        let t = text.trim();
        if t.is_empty()
            || !t.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '.' | '-' | '/' | '(' | ')'))
        {
            return None;
        }
        if t.matches('+').count() > 1 || (t.contains('+') && !t.starts_with('+')) {
            return None;
        }
        let d: String = t.chars().filter(char::is_ascii_digit).collect();
        let (international, rest_start) = if t.starts_with('+') {
            (true, 0)
        } else if d.starts_with("00") {
            (true, 2)
        } else {
            (false, 0)
        };
        // Belgian "(0)" written after +32, as in +32 (0)475 12 34 56.
        let parenthesised_trunk = t.contains("(0)");
        if international {
            let rest = &d[rest_start..];
            if let Some(be) = rest.strip_prefix("32") {
                let skip = usize::from(parenthesised_trunk && be.starts_with('0'));
                return Phone::belgian(&be[skip..], rest_start + 2 + skip);
            }
            // Foreign: country code of 1 to 3 digits is inside the kept prefix.
            if rest.len() < 8 || rest.len() > 15 || rest.starts_with('0') {
                return None;
            }
            return Some(Phone { country: String::new(), national: rest.to_string(), national_start: rest_start });
        }
        if let Some(national) = d.strip_prefix('0') {
            return Phone::belgian(national, 1);
        }
        if d.starts_with("32") && (d.len() == 10 || d.len() == 11) {
            return Phone::belgian(&d[2..], 2);
        }
        None
    }

    fn belgian(national: &str, start: usize) -> Option<Phone> {
        let ok = match national.len() {
            9 => national.starts_with('4'),
            // 8 digits: a landline (zone 4 is Liège); 46-49 are mobile blocks, which have 9.
            8 => !national.starts_with('0') && !matches!(national.as_bytes()[..2], [b'4', b'6'..=b'9']),
            _ => false,
        };
        ok.then(|| Phone { country: "32".into(), national: national.to_string(), national_start: start })
    }
}

/// Pseudonymises the number written as `text`, in the same spelling: only the digits after the
/// kept prefix change, so `+32 475 12 34 56` and `0475 12 34 56` get the same subscriber digits.
pub fn pseudonymise_text(perm: &Permutation, text: &str) -> Option<String> {
    let (pending, call) = prepare(text)?;
    pending.finish(perm.permute_call(call)?)
}

/// `pseudonymise_text` of many numbers, their permutations side by side.
pub fn pseudonymise_texts(perm: &Permutation, texts: &[&str]) -> Vec<Option<String>> {
    let prepared = texts.iter().map(|t| prepare(t)).collect();
    perm.permute_prepared(prepared).into_iter().map(|p| p.and_then(|(pending, y)| pending.finish(y?))).collect()
}

/// A number read, waiting for the image of its subscriber digits.
pub(crate) struct Pending<'a> {
    text: &'a str,
    /// How many digits are permuted.
    width: usize,
    /// Where they start among the digits of `text`.
    first_changed: usize,
}

/// Reads `text` and names the permutation of its subscriber digits; `None` if not a phone number.
fn prepare(text: &str) -> Option<(Pending<'_>, Option<Call>)> {
    let phone = Phone::parse(text)?;
    let permuted = &phone.national[KEPT..];
    let value: u128 = permuted.parse().ok()?;
    let t = tweak(&[b"phone", phone.country.as_bytes(), &phone.national.as_bytes()[..KEPT], &[permuted.len() as u8]]);
    let call = (t, Domain::new(10u128.pow(permuted.len() as u32)), value);
    Some((Pending { text, width: permuted.len(), first_changed: phone.national_start + KEPT }, Some(call)))
}

impl Pending<'_> {
    /// The number written with the image `y` of its subscriber digits.
    fn finish(self, y: u128) -> Option<String> {
        let text = self.text;
        let first_changed = self.first_changed;
        let new_digits = format!("{y:0width$}", width = self.width);
        let mut replacement = new_digits.chars();
        let mut index = 0;
        let out = text
            .chars()
            .map(|c| {
                if !c.is_ascii_digit() {
                    return c;
                }
                let here = index;
                index += 1;
                if here >= first_changed {
                    replacement.next().unwrap_or(c)
                } else {
                    c
                }
            })
            .collect();
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key;

    // Spellings verified with phonenumbers 9.0.43 (shared/reference/belgian-identifiers.md, 4.6).
    #[test]
    fn parses_belgian_spellings_to_one_national_number() {
        for (text, national) in [
            ("02 511 11 11", "25111111"),
            ("050 12 34 56", "50123456"),
            ("0475 12 34 56", "475123456"),
            ("+32470123456", "470123456"),
            ("0032 470 12 34 56", "470123456"),
            ("+32 (0)475 12 34 56", "475123456"),
            ("0800 12 345", "80012345"),
            ("04 222 33 44", "42223344"),
        ] {
            let p = Phone::parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(p.country, "32");
            assert_eq!(p.national, national, "{text}");
        }
        for bad in ["047012345", "12,50", "2024-01-02", "85.07.30-033.28", "+32 12"] {
            assert!(Phone::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn spellings_of_one_number_agree() {
        let p = Permutation::new(&Key::from_hex(&"21".repeat(32), "t").unwrap().subkey("phone"));
        let a = pseudonymise_text(&p, "0475 12 34 56").unwrap();
        let b = pseudonymise_text(&p, "+32 475 12 34 56").unwrap();
        assert!(a.starts_with("0475 "));
        assert_ne!(a, "0475 12 34 56");
        assert_eq!(&a[1..], &b[4..]);
        let foreign = pseudonymise_text(&p, "+33 1 23 45 67 89").unwrap();
        assert!(foreign.starts_with("+33 1 "));
    }
}
