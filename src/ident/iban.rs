//! IBAN (ISO 13616, mod 97-10) and the Belgian BBAN national check.

/// Returns the Belgian national check (first 10 BBAN digits mod 97, 97 when that is 0).
pub fn be_national_check(first10: u64) -> u64 {
    match first10 % 97 {
        0 => 97,
        r => r,
    }
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

/// Returns the Belgian IBAN `BEkk BBBA AAAA AACC` in compact form for bank code and account.
pub fn belgian(bank: u64, account: u64) -> String {
    let first10 = bank * 10_000_000 + account;
    let bban = format!("{first10:010}{:02}", be_national_check(first10));
    format!("BE{:02}{bban}", check_digits("BE", &bban))
}

/// Writes a compact IBAN in groups of four (`BE71 0961 2345 6769`).
pub fn grouped(compact: &str) -> String {
    compact.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors verified with python-stdnum 2.2 (shared/reference/belgian-identifiers.md, 3.4).
    #[test]
    fn published_vectors() {
        for ok in [
            "BE71096123456769",
            "BE32123456789002",
            "BE48320070184927",
            "BE31435411161155",
            "BE54000000009797",
            "GB82WEST12345698765432",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
        assert!(!is_valid("BE68539007547035"));
        assert!(!is_valid("BE00539007547034"));
        assert_eq!(belgian(96, 1234567), "BE71096123456769");
        assert_eq!(belgian(0, 97), "BE54000000009797");
        assert_ne!(be_national_check(918_117_351), 41, "BE41091811735141 has a wrong national check");
    }

    #[test]
    fn grouping() {
        assert_eq!(grouped("BE71096123456769"), "BE71 0961 2345 6769");
    }
}
