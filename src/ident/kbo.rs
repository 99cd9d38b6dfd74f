//! KBO/BCE enterprise numbers (first digit 0 or 1) and establishment-unit numbers (2-8):
//! 10 digits, `97 - (first 8 mod 97)`; the keyed pseudonym keeps the first digit.

use super::spelling::{digits, respell};
use crate::crypto::{tweak, Domain, Permutation};

/// Check digits of the first eight digits.
pub fn check(first8: u64) -> u64 {
    97 - first8 % 97
}

/// Parses `0403.019.261`, `0403019261`, `BE0403019261`, `BE 0403 019 261` or the old 9-digit
/// form `403.019.261`; returns the 10 digits.
pub fn parse(text: &str) -> Option<u64> {
    let trimmed = text.trim();
    let body = trimmed.strip_prefix("BE").or_else(|| trimmed.strip_prefix("be")).unwrap_or(trimmed);
    if body.trim().is_empty() || !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ' ' | '-' | '/')) {
        return None;
    }
    let d = digits(body);
    if d.len() != 10 && d.len() != 9 {
        return None;
    }
    let n: u64 = d.parse().ok()?;
    (check(n / 100) == n % 100 && n / 1_000_000_000 <= 8).then_some(n)
}

/// The keyed pseudonym: first digit kept, the next seven permuted, check recomputed.
pub fn pseudonymise(perm: &Permutation, n: u64) -> u64 {
    let first = n / 1_000_000_000;
    let middle = (n / 100) % 10_000_000;
    let y = perm.permute(tweak(&[b"kbo", &first.to_le_bytes()]), &Domain::new(10_000_000), middle as u128) as u64;
    let first8 = first * 10_000_000 + y;
    first8 * 100 + check(first8)
}

/// Pseudonymises the number written as `text`, in the same spelling.
pub fn pseudonymise_text(perm: &Permutation, text: &str) -> Option<String> {
    let n = parse(text)?;
    let out = format!("{:010}", pseudonymise(perm, n));
    // The VAT prefix `BE` stays as written; only the digits are respelled.
    let split = text.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
    let (prefix, body) = text.split_at(split);
    let body = if digits(body).len() == 9 { respell(body, &out[1..])? } else { respell(body, &out)? };
    Some(format!("{prefix}{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors verified with python-stdnum 2.2 (shared/reference/belgian-identifiers.md, 4.4).
    #[test]
    fn published_vectors() {
        for ok in [
            "0403019261",
            "BE0403019261",
            "BE 428759497",
            "0566.988.259",
            "0353.456.320",
            "1000000021",
            "2.147.812.701",
        ] {
            assert!(parse(ok).is_some(), "{ok}");
        }
        for bad in ["BE431150351", "0566988258"] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn vat_prefix_and_old_form_are_written_back() {
        let p = Permutation::new(&crate::crypto::Key::from_hex(&"51".repeat(32), "t").unwrap().subkey("kbo"));
        let vat = pseudonymise_text(&p, "BE 0403.019.261").unwrap();
        assert!(vat.starts_with("BE 0") && vat.len() == "BE 0403.019.261".len(), "{vat}");
        let old = pseudonymise_text(&p, "428.759.497").unwrap();
        assert_eq!(old.len(), "428.759.497".len());
        let full: u64 = digits(&old).parse().unwrap();
        assert_eq!(check(full / 100), full % 100);
    }
}
