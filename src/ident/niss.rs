//! NISS / INSZ (national register and BIS numbers): check digits with the 2000 rule.

/// Returns the check number (1..=97) of the first nine digits `yymmddsss`; `born_2000` selects
/// the branch with a `2` prefixed (people born in or after 2000).
pub fn check_digits(first9: u64, born_2000: bool) -> u64 {
    let n = if born_2000 { 2_000_000_000 + first9 } else { first9 };
    97 - n % 97
}

/// Returns the 11-digit number for `yymmddsss`, with its check digits.
pub fn with_check(first9: u64, born_2000: bool) -> u64 {
    first9 * 100 + check_digits(first9, born_2000)
}

/// Whether the 11 digits `digits` carry valid check digits, and for which century:
/// `Some(false)` 1900s, `Some(true)` 2000s, `None` invalid. The two branches never agree.
pub fn century(digits: u64) -> Option<bool> {
    let (first9, check) = (digits / 100, digits % 100);
    if check_digits(first9, false) == check {
        Some(false)
    } else if check_digits(first9, true) == check {
        Some(true)
    } else {
        None
    }
}

/// Writes an 11-digit number in the eID spelling `YY.MM.DD-SSS.CC`.
pub fn format_eid(digits: u64) -> String {
    let s = format!("{digits:011}");
    format!("{}.{}.{}-{}.{}", &s[0..2], &s[2..4], &s[4..6], &s[6..9], &s[9..11])
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors verified with python-stdnum 2.2 (shared/reference/belgian-identifiers.md, 1.8).
    #[test]
    fn published_vectors_validate_in_their_century() {
        for (n, born_2000) in [
            (85073003328u64, false),
            (17073003384, true),
            (93051822361, false),
            (42012205181, false),
            (10100105, true),
            (10100173, false),
            (5010101497, true),
            (85073006197, false),
            (98472899765, false),
            (1490700185, true),
            (5431500280, true),
        ] {
            assert_eq!(century(n), Some(born_2000), "{n:011}");
        }
    }

    #[test]
    fn published_invalid_vectors_are_refused() {
        for n in [66041066600u64, 12345678901, 85073003329] {
            assert_eq!(century(n), None, "{n:011}");
        }
    }

    #[test]
    fn eid_spelling() {
        assert_eq!(format_eid(85073003328), "85.07.30-033.28");
        assert_eq!(format_eid(10100105), "00.01.01-001.05");
    }
}
