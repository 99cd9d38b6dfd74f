//! EXID, the mutuality's member number: no public format, so the pseudonym keeps the length and
//! the class of every character (digit, upper- or lower-case letter, other), an optional prefix,
//! and an optional mod-97 check pair at the end.

use crate::crypto::{tweak, Call, Domain, Permutation, MIN_DOMAIN};

/// How an EXID is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    /// The last two digits are `97 - (preceding digits mod 97)`.
    Mod97,
}

fn mod97_of(digits: &str) -> Option<u64> {
    let mut rem = 0u64;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        rem = (rem * 10 + (b - b'0') as u64) % 97;
    }
    Some(rem)
}

/// Whether `text` looks like an EXID of this rule (non-empty, no spaces inside, valid check).
pub fn is_valid(text: &str, check: Check) -> bool {
    let t = text.trim();
    if t.is_empty() || t.chars().any(char::is_whitespace) || !t.is_ascii() {
        return false;
    }
    match check {
        Check::None => t.chars().any(|c| c.is_ascii_alphanumeric()),
        Check::Mod97 => {
            t.len() > 2
                && t.bytes().all(|b| b.is_ascii_digit())
                && mod97_of(&t[..t.len() - 2]).is_some_and(|r| format!("{:02}", 97 - r) == t[t.len() - 2..])
        }
    }
}

/// The number of pseudonyms a valid `text` can have under `keep_prefix` and `check`: the size
/// of the set its free characters are permuted in (1 when the prefix covers them all).
/// `None` if `text` is not valid or the set would not fit 128 bits.
pub fn domain_size(keep_prefix: usize, check: Check, text: &str) -> Option<u128> {
    let t = text.trim();
    if !is_valid(t, check) {
        return None;
    }
    let chars: Vec<char> = t.chars().collect();
    let end = if check == Check::Mod97 { chars.len() - 2 } else { chars.len() };
    chars[keep_prefix.min(end)..end].iter().try_fold(1u128, |size, &c| {
        if c.is_ascii_digit() {
            size.checked_mul(10)
        } else if c.is_ascii_alphabetic() {
            size.checked_mul(26)
        } else {
            Some(size)
        }
    })
}

/// The keyed pseudonym of `text` (trimmed): the first `keep_prefix` characters kept, digits and
/// letters permuted as one mixed-radix number, punctuation kept, check pair recomputed.
/// `None` if `text` is not valid, too long to permute (over 38 digits' worth), or leaves fewer
/// than `MIN_DOMAIN` pseudonyms after the kept prefix (with one, the pseudonym is the value).
pub fn pseudonymise(perm: &Permutation, keep_prefix: usize, check: Check, text: &str) -> Option<String> {
    let (pending, call) = prepare(keep_prefix, check, text)?;
    pending.finish(perm.permute_call(call)?)
}

/// `pseudonymise` of many member numbers, their permutations side by side.
pub fn pseudonymise_many(perm: &Permutation, keep_prefix: usize, check: Check, texts: &[&str]) -> Vec<Option<String>> {
    let prepared = texts.iter().map(|t| prepare(keep_prefix, check, t)).collect();
    perm.permute_prepared(prepared).into_iter().map(|p| p.and_then(|(pending, y)| pending.finish(y?))).collect()
}

/// A member number read, waiting for the image of its permuted characters.
pub(crate) struct Pending {
    chars: Vec<char>,
    check: Check,
    /// The permuted characters: `chars[start..end]` (punctuation among them stays).
    start: usize,
    end: usize,
}

fn radix(c: char) -> u128 {
    if c.is_ascii_digit() {
        10
    } else if c.is_ascii_alphabetic() {
        26
    } else {
        1
    }
}

/// Reads `text` (trimmed) and names the permutation of its characters after the kept prefix;
/// `None` when `pseudonymise` gives none.
fn prepare(keep_prefix: usize, check: Check, text: &str) -> Option<(Pending, Option<Call>)> {
    let t = text.trim();
    if !is_valid(t, check) {
        return None;
    }
    let chars: Vec<char> = t.chars().collect();
    let end = if check == Check::Mod97 { chars.len() - 2 } else { chars.len() };
    let start = keep_prefix.min(end);
    let mut size: u128 = 1;
    let mut value: u128 = 0;
    for &c in &chars[start..end] {
        let r = radix(c);
        if r == 1 {
            continue;
        }
        size = size.checked_mul(r)?;
        let v = if c.is_ascii_digit() { c as u128 - '0' as u128 } else { c.to_ascii_uppercase() as u128 - 'A' as u128 };
        value = value * r + v;
    }
    if size < MIN_DOMAIN {
        return None;
    }
    let shape: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if i < start {
                c
            } else if c.is_ascii_digit() {
                '9'
            } else if c.is_ascii_uppercase() {
                'A'
            } else if c.is_ascii_lowercase() {
                'a'
            } else {
                c
            }
        })
        .collect();
    let call = (tweak(&[b"exid", shape.as_bytes(), &[check as u8]]), Domain::new(size), value);
    Some((Pending { chars, check, start, end }, Some(call)))
}

impl Pending {
    /// The member number written with the image `y` of its permuted characters.
    fn finish(self, mut y: u128) -> Option<String> {
        let Pending { chars, check, start, end } = self;
        let mut out: Vec<char> = chars.clone();
        for i in (start..end).rev() {
            let c = chars[i];
            let r = radix(c);
            if r == 1 {
                continue;
            }
            let v = (y % r) as u32;
            y /= r;
            out[i] = if r == 10 {
                char::from_digit(v, 10).unwrap_or('0')
            } else if c.is_ascii_lowercase() {
                (b'a' + v as u8) as char
            } else {
                (b'A' + v as u8) as char
            };
        }
        let mut text_out: String = out[..end].iter().collect();
        if check == Check::Mod97 {
            let r = mod97_of(&text_out)?;
            text_out.push_str(&format!("{:02}", 97 - r));
        }
        Some(text_out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Key;

    fn perm() -> Permutation {
        Permutation::new(&Key::from_hex(&"11".repeat(32), "t").unwrap().subkey("exid"))
    }

    #[test]
    fn keeps_length_classes_prefix_and_punctuation() {
        let p = perm();
        let out = pseudonymise(&p, 3, Check::None, "509-AB12cd").unwrap();
        assert_eq!(out.len(), 10);
        assert!(out.starts_with("509-"));
        let shape: String = out[4..]
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    '9'
                } else if c.is_ascii_uppercase() {
                    'A'
                } else {
                    'a'
                }
            })
            .collect();
        assert_eq!(shape, "AA99aa");
        assert_ne!(out, "509-AB12cd");
    }

    #[test]
    fn mod97_check_is_validated_and_recomputed() {
        let p = perm();
        // 1234567890 mod 97 = 2, so the check pair is 95.
        assert!(is_valid("123456789095", Check::Mod97));
        assert!(!is_valid("123456789094", Check::Mod97));
        let out = pseudonymise(&p, 0, Check::Mod97, "123456789095").unwrap();
        assert!(is_valid(&out, Check::Mod97));
        assert!(pseudonymise(&p, 0, Check::Mod97, "123456789094").is_none());
    }
}
