//! INAMI / RIZIV care-provider numbers: `X-XXXXX-CC-QQQ`, check digits mod 97 or mod 89.

/// Check digits of the 6-digit stem under the legacy rule (97 - stem mod 97).
pub fn check97(stem: u64) -> u64 {
    97 - stem % 97
}

/// Check digits of the 6-digit stem under the 2012+ rule (89 - stem mod 89).
pub fn check89(stem: u64) -> u64 {
    89 - stem % 89
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
    }
}
