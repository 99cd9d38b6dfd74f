//! INAMI / RIZIV care-provider numbers `X-XXXXX-CC-QQQ`: check digits mod 97 or mod 89 over the
//! 6-digit stem, and the keyed pseudonym (profession and qualification kept, scheme kept).

use std::sync::OnceLock;

use super::spelling::{digits, respell};
use crate::crypto::{tweak, Domain, Permutation};

/// Check digits of the 6-digit stem under the legacy rule (97 - stem mod 97).
pub fn check97(stem: u64) -> u64 {
    97 - stem % 97
}

/// Check digits of the 6-digit stem under the 2012+ rule (89 - stem mod 89).
pub fn check89(stem: u64) -> u64 {
    89 - stem % 89
}

/// Check-digit scheme of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Mod97,
    Mod89,
}

/// Stems whose two checks coincide (sorted): their numbers are valid under both schemes.
fn ambiguous_stems() -> &'static [u32] {
    static STEMS: OnceLock<Vec<u32>> = OnceLock::new();
    STEMS.get_or_init(|| (0..1_000_000u32).filter(|&s| check97(s as u64) == check89(s as u64)).collect())
}

fn ambiguous_below(stem: u32) -> usize {
    ambiguous_stems().partition_point(|&s| s < stem)
}

fn is_ambiguous(stem: u32) -> bool {
    ambiguous_stems().binary_search(&stem).is_ok()
}

/// A valid INAMI number: stem, scheme and the rest of its digits (qualification, if written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inami {
    pub stem: u32,
    pub scheme: Scheme,
    pub qualification: String,
}

impl Inami {
    /// Parses 8 digits (stem + check) or 11 (plus qualification), with `-`, `.`, `/` or spaces.
    pub fn parse(text: &str) -> Option<Inami> {
        let trimmed = text.trim();
        if trimmed.is_empty() || !trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '/' | ' ')) {
            return None;
        }
        let d = digits(trimmed);
        if d.len() != 8 && d.len() != 11 {
            return None;
        }
        let stem: u32 = d[..6].parse().ok()?;
        let check: u64 = d[6..8].parse().ok()?;
        let scheme = if check97(stem as u64) == check {
            Scheme::Mod97
        } else if check89(stem as u64) == check {
            Scheme::Mod89
        } else {
            return None;
        };
        Some(Inami { stem, scheme, qualification: d[8..].to_string() })
    }
}

/// The keyed pseudonym's digits: profession digit, qualification and scheme kept, the five
/// sequence digits permuted, check digits recomputed. A bijection on valid numbers.
pub fn pseudonymise(perm: &Permutation, n: &Inami) -> String {
    let profession = n.stem / 100_000;
    let base = profession * 100_000;
    let t = tweak(&[b"inami", &profession.to_le_bytes(), &[n.scheme as u8]]);
    let new_stem = match n.scheme {
        Scheme::Mod97 => base + perm.permute(t, &Domain::new(100_000), (n.stem - base) as u128) as u32,
        Scheme::Mod89 => {
            // Numbers valid under both checks read as mod 97; mod-89 numbers live on the other stems.
            let rank = |s: u32| (s - base) as usize - (ambiguous_below(s) - ambiguous_below(base));
            let size = 100_000 - (ambiguous_below(base + 100_000) - ambiguous_below(base));
            let y = perm.permute(t, &Domain::new(size as u128), rank(n.stem) as u128) as usize;
            // Unrank: the smallest stem whose rank is y and which is not ambiguous.
            let (mut lo, mut hi) = (base, base + 100_000 - 1);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if rank(mid) + usize::from(!is_ambiguous(mid)) > y {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            lo
        }
    };
    let check = match n.scheme {
        Scheme::Mod97 => check97(new_stem as u64),
        Scheme::Mod89 => check89(new_stem as u64),
    };
    format!("{new_stem:06}{check:02}{}", n.qualification)
}

/// Pseudonymises the INAMI number written as `text`, in the same spelling.
pub fn pseudonymise_text(perm: &Permutation, text: &str) -> Option<String> {
    let n = Inami::parse(text)?;
    respell(text, &pseudonymise(perm, &n))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Synthetic vectors of shared/reference/belgian-identifiers.md, 4.1.
    #[test]
    fn published_vectors() {
        assert_eq!(check97(123456), 25);
        assert_eq!(check89(123456), 76);
        assert_eq!(check97(400001), 27);
        assert_eq!(check89(400001), 54);
        assert!(Inami::parse("12345600003").is_none());
        assert_eq!(Inami::parse("1-23456-76-580").unwrap().scheme, Scheme::Mod89);
    }

    #[test]
    fn ambiguous_stem_count_matches_the_reference() {
        // The reference counts 9,256 of the 900,000 stems 100000-999999.
        assert_eq!(ambiguous_stems().iter().filter(|&&s| s >= 100_000).count(), 9_256);
    }
}
