//! Writing a pseudonym back in the input's own spelling (separators, grouping, letter case).

/// Replaces the ASCII alphanumerics of `original`, in order, by the characters of `compact`
/// (which must have as many), keeping every other character and the case of each letter slot.
/// Returns `None` when the counts differ.
pub fn respell(original: &str, compact: &str) -> Option<String> {
    let mut replacement = compact.chars();
    let mut out = String::with_capacity(original.len());
    for ch in original.chars() {
        if ch.is_ascii_alphanumeric() {
            let new = replacement.next()?;
            out.push(if ch.is_ascii_lowercase() { new.to_ascii_lowercase() } else { new.to_ascii_uppercase() });
        } else {
            out.push(ch);
        }
    }
    if replacement.next().is_some() {
        return None;
    }
    Some(out)
}

/// The ASCII digits of `text`, in order.
pub fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The ASCII alphanumerics of `text`, upper-cased, in order.
pub fn compact_upper(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// Whether every character is an ASCII alphanumeric or one of the separators `allowed`.
pub fn only(text: &str, allowed: &[char]) -> bool {
    text.chars().all(|c| c.is_ascii_alphanumeric() || allowed.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_separators_and_case() {
        assert_eq!(respell("85.07.30-033.28", "12345678901").as_deref(), Some("12.34.56-789.01"));
        assert_eq!(respell("be71 0961 2345 6769", "BE11222233334444").as_deref(), Some("be11 2222 3333 4444"));
        assert_eq!(respell("ab", "abc"), None);
        assert_eq!(respell("abc", "ab"), None);
    }
}
