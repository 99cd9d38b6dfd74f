//! IBAN (ISO 13616, mod 97-10), the Belgian BBAN national check, and the keyed pseudonym.

use super::spelling::{compact_upper, only, respell};
use crate::crypto::{tweak, Call, Domain, Permutation};

/// Returns the Belgian national check (first 10 BBAN digits mod 97, 97 when that is 0).
pub fn be_national_check(first10: u64) -> u64 {
    match first10 % 97 {
        0 => 97,
        r => r,
    }
}

/// Whether the 12 digits `bban` are a Belgian account number (`bbb-nnnnnnn-cc`, national check).
pub fn is_belgian_bban(bban: &str) -> bool {
    bban.len() == 12
        && bban.bytes().all(|b| b.is_ascii_digit())
        && matches!((bban[..10].parse::<u64>(), bban[10..].parse::<u64>()), (Ok(first10), Ok(check)) if be_national_check(first10) == check)
}

/// The Belgian IBAN whose BBAN is the 12 digits `bban` (the old account number).
pub fn belgian_from_bban(bban: &str) -> String {
    format!("BE{:02}{bban}", check_digits("BE", bban))
}

/// Returns the IBAN check digits (2..=98) for `country` (two letters) and `bban` (alphanumeric).
pub fn check_digits(country: &str, bban: &str) -> u32 {
    98 - mod97(bban.chars().chain(country.chars()).chain("00".chars()))
}

/// Whether `iban` (compact, upper case) has valid ISO 13616 check digits.
pub fn is_valid(iban: &str) -> bool {
    iban.len() > 4 && iban.is_ascii() && mod97(iban[4..].chars().chain(iban[..4].chars())) == 1
}

fn mod97(chars: impl Iterator<Item = char>) -> u32 {
    let mut rem: u32 = 0;
    for c in chars {
        let v = match c.to_digit(36) {
            Some(v) => v,
            None => return u32::MAX,
        };
        rem = if v < 10 { (rem * 10 + v) % 97 } else { (rem * 100 + v) % 97 };
    }
    rem
}

/// Returns the Belgian IBAN `BEkkBBBAAAAAAACC` (compact) for bank code and account.
pub fn belgian(bank: u64, account: u64) -> String {
    let first10 = bank * 10_000_000 + account;
    let bban = format!("{first10:010}{:02}", be_national_check(first10));
    format!("BE{:02}{bban}", check_digits("BE", &bban))
}

/// Writes a compact IBAN in groups of four (`BE71 0961 2345 6769`).
pub fn grouped(compact: &str) -> String {
    compact.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// IBAN length per country (ISO 13616 registry) for the countries a Belgian mutuality meets.
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AT", 20),
    ("BE", 16),
    ("BG", 22),
    ("CH", 21),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("EE", 20),
    ("ES", 24),
    ("FI", 18),
    ("FR", 27),
    ("GB", 22),
    ("GR", 27),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IS", 26),
    ("IT", 27),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MA", 28),
    ("MC", 27),
    ("MT", 31),
    ("NL", 18),
    ("NO", 15),
    ("PL", 28),
    ("PT", 25),
    ("RO", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TR", 26),
    ("UA", 29),
];

/// Expected length of an IBAN of `country`, if the country is known.
pub fn length_of(country: &str) -> Option<usize> {
    LENGTHS.iter().find(|(c, _)| *c == country).map(|(_, l)| *l)
}

/// Bank codes drawn from when `keep_bank: false`: protocol numbers listed as assigned in the
/// National Bank of Belgium's 2026 list (python-stdnum 2.2 `be/banks.dat`) for the large banks.
pub const ASSIGNED_BANKS: &[u64] = &{
    let mut codes = [0u64; 116];
    let mut i = 0;
    while i < 100 {
        codes[i] = i as u64; // 000-049 BNP Paribas Fortis / bpost, 050-099 Belfius
        i += 1;
    }
    let rest = [103, 104, 105, 106, 107, 108, 310, 363, 390, 630, 419, 435, 735, 645, 750, 890];
    let mut j = 0;
    while j < rest.len() {
        codes[100 + j] = rest[j];
        j += 1;
    }
    codes
};

/// A parsed IBAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iban {
    /// Upper-case compact form.
    pub compact: String,
}

impl Iban {
    /// Parses an IBAN written compact or grouped (spaces, dashes), any case; `None` if invalid
    /// (check digits, the registry length, and for Belgium the national check).
    pub fn parse(text: &str) -> Option<Iban> {
        let trimmed = text.trim();
        if !only(trimmed, &[' ', '-']) {
            return None;
        }
        let compact = compact_upper(trimmed);
        if compact.len() < 15 || compact.len() > 34 || !compact[..2].bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        if length_of(&compact[..2]).is_some_and(|l| l != compact.len()) || !is_valid(&compact) {
            return None;
        }
        if &compact[..2] == "BE" {
            let first10: u64 = compact[4..14].parse().ok()?;
            let national: u64 = compact[14..16].parse().ok()?;
            if be_national_check(first10) != national {
                return None;
            }
        }
        Some(Iban { compact })
    }
}

/// The keyed pseudonym of an IBAN, compact: Belgian account permuted (bank kept, or drawn among
/// assigned codes), checks recomputed; foreign: BBAN digits permuted, letters and country kept.
pub fn pseudonymise(perm: &Permutation, keep_bank: bool, iban: &Iban) -> String {
    let (pending, call) = prepare(keep_bank, iban);
    pending.finish(perm.permute_call(call))
}

/// What the permutation of an IBAN stands for.
enum Pending<'a> {
    /// A Belgian account drawn with its bank among the assigned codes.
    Pool,
    /// A Belgian account of a kept bank.
    Bank(u64),
    /// A foreign IBAN's BBAN, its digits permuted (when it has 1 to 38).
    Foreign { country: &'a str, bban: &'a str, digit_count: u32 },
}

/// Names the one permutation `pseudonymise` makes of `iban`.
fn prepare(keep_bank: bool, iban: &Iban) -> (Pending<'_>, Option<Call>) {
    let c = &iban.compact;
    if &c[..2] == "BE" {
        let bank: u64 = c[4..7].parse().unwrap_or(0);
        let account: u64 = c[7..14].parse().unwrap_or(0);
        let pool = ASSIGNED_BANKS.iter().position(|&b| b == bank);
        return match pool {
            Some(index) if !keep_bank => {
                let n = ASSIGNED_BANKS.len() as u128 * 10_000_000;
                let call = (tweak(&[b"iban/be/pool"]), Domain::new(n), index as u128 * 10_000_000 + account as u128);
                (Pending::Pool, Some(call))
            }
            _ => {
                let call = (tweak(&[b"iban/be/bank", &bank.to_le_bytes()]), Domain::new(10_000_000), account as u128);
                (Pending::Bank(bank), Some(call))
            }
        };
    }
    let country = &c[..2];
    let bban = &c[4..];
    let digit_count = bban.bytes().filter(u8::is_ascii_digit).count() as u32;
    let call = (digit_count > 0 && digit_count <= 38).then(|| {
        let value: u128 = bban.bytes().filter(u8::is_ascii_digit).fold(0u128, |acc, b| acc * 10 + (b - b'0') as u128);
        let letters: String = bban.chars().map(|ch| if ch.is_ascii_digit() { '9' } else { ch }).collect();
        (tweak(&[b"iban/foreign", country.as_bytes(), letters.as_bytes()]), Domain::new(10u128.pow(digit_count)), value)
    });
    (Pending::Foreign { country, bban, digit_count }, call)
}

impl Pending<'_> {
    /// The compact pseudonym, given the image `y` of the permutation (`None`: there was none).
    fn finish(self, y: Option<u128>) -> String {
        match (self, y) {
            (Pending::Pool, Some(y)) => belgian(ASSIGNED_BANKS[(y / 10_000_000) as usize], (y % 10_000_000) as u64),
            (Pending::Bank(bank), Some(y)) => belgian(bank, y as u64),
            (Pending::Foreign { country, bban, digit_count }, y) => {
                let new_bban = match y {
                    Some(y) => {
                        let mut digits = format!("{y:0width$}", width = digit_count as usize).into_bytes().into_iter();
                        bban.chars()
                            .map(|ch| if ch.is_ascii_digit() { digits.next().map_or(ch, char::from) } else { ch })
                            .collect()
                    }
                    None => bban.to_string(),
                };
                format!("{country}{:02}{new_bban}", check_digits(country, &new_bban))
            }
            // A Belgian account always has its permutation.
            (Pending::Pool | Pending::Bank(_), None) => String::new(),
        }
    }
}

/// Pseudonymises the IBAN written as `text`, in the same spelling; `None` if not a valid IBAN.
/// A foreign IBAN whose account part has fewer digits than this is not pseudonymised (its
/// letters carry the account, and fewer than 1,000 pseudonyms could hide it): it is invalid for
/// the rule, which then fakes, empties or refuses it as `on_invalid` says.
const MIN_FOREIGN_DIGITS: usize = 3;

pub fn pseudonymise_text(perm: &Permutation, keep_bank: bool, text: &str) -> Option<String> {
    let iban = readable(text)?;
    respell(text, &pseudonymise(perm, keep_bank, &iban))
}

/// `pseudonymise_text` of many IBANs, their permutations side by side.
pub fn pseudonymise_texts(perm: &Permutation, keep_bank: bool, texts: &[&str]) -> Vec<Option<String>> {
    let ibans: Vec<Option<Iban>> = texts.iter().map(|t| readable(t)).collect();
    let prepared = ibans.iter().map(|iban| iban.as_ref().map(|iban| prepare(keep_bank, iban))).collect();
    perm.permute_prepared(prepared)
        .into_iter()
        .zip(texts)
        .map(|(p, text)| p.and_then(|(pending, y)| respell(text, &pending.finish(y))))
        .collect()
}

/// The IBAN written as `text`, if it is one the rule pseudonymises.
fn readable(text: &str) -> Option<Iban> {
    let iban = Iban::parse(text)?;
    let compact = &iban.compact;
    if !compact.starts_with("BE") && compact[4..].bytes().filter(u8::is_ascii_digit).count() < MIN_FOREIGN_DIGITS {
        return None;
    }
    Some(iban)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors verified with python-stdnum 2.2 (shared/reference/belgian-identifiers.md, 3.4).
    #[test]
    fn published_vectors() {
        for ok in [
            "BE71096123456769",
            "BE32 1234 5678 9002",
            "BE48320070184927",
            "BE31435411161155",
            "BE54000000009797",
            "GB82WEST12345698765432",
        ] {
            assert!(Iban::parse(ok).is_some(), "{ok}");
        }
        for bad in ["BE41091811735141", "BE68539007547035", "BE00539007547034"] {
            assert!(Iban::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(belgian(96, 1234567), "BE71096123456769");
        assert_eq!(belgian(0, 97), "BE54000000009797");
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped("BE71096123456769"), "BE71 0961 2345 6769");
    }

    #[test]
    fn assigned_bank_list_has_no_duplicates() {
        let mut codes = ASSIGNED_BANKS.to_vec();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ASSIGNED_BANKS.len());
    }
}
