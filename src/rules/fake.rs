//! `fake: KIND`: a free fake value (company, job...) from the `fake` crate, deterministic per
//! input: the generator is seeded by a keyed hash of the value, so the same company gets the same
//! fake company everywhere. Fakes may collide; identifiers use their own rules.

use fake::faker::company::raw::{Buzzword, CatchPhrase, CompanyName, Industry, Profession};
use fake::faker::job::raw::Title;
use fake::faker::lorem::raw::Word;
use fake::locales::{EN, FR_FR};
use fake::Fake;
use hmac::{Hmac, Mac};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::Sha256;

use super::{Pseudonym, Rule, RuleError};
use crate::crypto::Key;

/// Kinds of free fakes, as written after `fake:`.
pub const FAKE_KINDS: &[&str] = &["company", "job", "profession", "industry", "buzzword", "catch_phrase", "word"];

/// Checks a `fake:` kind.
pub fn parse_kind(options: &serde_norway::Value) -> Result<String, String> {
    match options.as_str() {
        Some(kind) if FAKE_KINDS.contains(&kind) => Ok(kind.to_string()),
        _ => Err(format!("rule `fake` takes a kind: {}", FAKE_KINDS.join(", "))),
    }
}

/// The keyed fake rule.
pub struct FakeValue {
    kind: String,
    state: Hmac<Sha256>,
}

impl FakeValue {
    pub fn new(key: &Key, kind: &str) -> FakeValue {
        FakeValue { kind: kind.to_string(), state: key.subkey(&format!("fake/{kind}")).hmac() }
    }
}

impl Rule for FakeValue {
    fn apply(&self, value: &str, _inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        let mut mac = self.state.clone();
        mac.update(value.trim().to_lowercase().as_bytes());
        let seed: [u8; 32] = mac.finalize().into_bytes().into();
        let mut rng = ChaCha8Rng::from_seed(seed);
        let text: String = match self.kind.as_str() {
            "company" => CompanyName(FR_FR).fake_with_rng(&mut rng),
            "job" => Title(EN).fake_with_rng(&mut rng),
            "profession" => Profession(EN).fake_with_rng(&mut rng),
            "industry" => Industry(EN).fake_with_rng(&mut rng),
            "buzzword" => Buzzword(EN).fake_with_rng(&mut rng),
            "catch_phrase" => CatchPhrase(EN).fake_with_rng(&mut rng),
            _ => Word(FR_FR).fake_with_rng(&mut rng),
        };
        Ok(Pseudonym::valid(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_value_and_varied() {
        let key = Key::from_hex(&"81".repeat(32), "t").unwrap();
        for kind in FAKE_KINDS {
            let rule = FakeValue::new(&key, kind);
            let a = rule.apply("Acme NV", &[]).unwrap().text.unwrap();
            assert!(!a.is_empty());
            assert_eq!(a, rule.apply(" acme nv", &[]).unwrap().text.unwrap(), "{kind}");
            let distinct: std::collections::HashSet<String> =
                (0..50).map(|i| rule.apply(&format!("c{i}"), &[]).unwrap().text.unwrap()).collect();
            assert!(distinct.len() > 5, "{kind}: {distinct:?}");
        }
        assert!(parse_kind(&serde_norway::Value::String("spaceship".into())).is_err());
    }
}
