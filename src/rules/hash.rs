//! `hash`: a keyed opaque token, HMAC-SHA256 of the trimmed value, in lowercase hex.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::{Pseudonym, Rule, RuleError};
use crate::crypto::Key;

/// Options of the `hash` rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashOptions {
    /// Number of hex characters written (8 to 64).
    #[serde(default = "default_length")]
    pub length: usize,
}

fn default_length() -> usize {
    16
}

impl HashOptions {
    pub(super) fn parse(options: &serde_norway::Value) -> Result<HashOptions, String> {
        let parsed: HashOptions = if options.is_null() {
            HashOptions { length: default_length() }
        } else {
            serde_norway::from_value(options.clone()).map_err(|e| format!("rule `hash`: {e}"))?
        };
        if !(8..=64).contains(&parsed.length) {
            return Err(format!("rule `hash`: length must be 8 to 64 hex characters, not {}", parsed.length));
        }
        Ok(parsed)
    }
}

/// Keyed token: the same value gives the same token in every table, file and run under one key.
pub struct Hash {
    state: Hmac<Sha256>,
    length: usize,
}

impl Hash {
    /// Returns the rule under the `hash` subkey of `key`.
    pub fn new(key: &Key, options: &HashOptions) -> Hash {
        Hash { state: key.subkey("hash").hmac(), length: options.length }
    }
}

impl Rule for Hash {
    fn apply(&self, value: &str, _inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let mut mac = self.state.clone();
        mac.update(value.trim().as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut text = hex::encode(&digest[..self.length.div_ceil(2)]);
        text.truncate(self.length);
        Ok(Pseudonym::valid(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key::from_hex(&format!("{byte:02x}").repeat(32), "test").unwrap()
    }

    fn token(key_byte: u8, length: usize, value: &str) -> String {
        Hash::new(&key(key_byte), &HashOptions { length }).apply(value, &[]).unwrap().text.unwrap()
    }

    #[test]
    fn same_value_same_token_and_trimmed() {
        assert_eq!(token(1, 16, "85073003328"), token(1, 16, " 85073003328 "));
        assert_ne!(token(1, 16, "85073003328"), token(1, 16, "85073003329"));
    }

    #[test]
    fn token_has_the_requested_length_and_is_hex() {
        for length in [8, 16, 33, 64] {
            let t = token(1, length, "x");
            assert_eq!(t.len(), length);
            assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn another_key_gives_another_token() {
        let values: Vec<String> = (0..1000).map(|i| format!("value-{i}")).collect();
        let changed = values.iter().filter(|v| token(1, 16, v) != token(2, 16, v)).count();
        assert_eq!(changed, 1000);
    }

    #[test]
    fn matches_an_independent_hmac_sha256() {
        // HMAC-SHA256 computed directly with the subkey bytes, independent of the rule's code path.
        let k = key(7);
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(k.subkey("hash").bytes()).unwrap();
        mac.update(b"abc");
        let expected = hex::encode(mac.finalize().into_bytes());
        assert_eq!(token(7, 64, "abc"), expected);
    }

    #[test]
    fn length_out_of_range_is_refused() {
        let v: serde_norway::Value = serde_norway::from_str("{ length: 4 }").unwrap();
        assert!(HashOptions::parse(&v).unwrap_err().contains("8 to 64"));
        let v: serde_norway::Value = serde_norway::from_str("{ size: 10 }").unwrap();
        assert!(HashOptions::parse(&v).is_err());
    }
}
