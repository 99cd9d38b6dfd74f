//! The 256-bit master key, its fingerprint and the subkeys derived from it (HMAC-SHA256).

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 keyed with 32 bytes. The key is zero-padded to the 64-byte block, which is what
/// HMAC does with any shorter key (RFC 2104), so this equals keying with the 32 bytes themselves.
fn hmac_with(key: &[u8; 32]) -> HmacSha256 {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    HmacSha256::new(&block.into())
}

/// Environment variable that may hold the master key as 64 hex characters.
pub const KEY_ENV: &str = "PSEUDATA_KEY";

/// Errors about the master key. None of them ever quotes key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no key: pass --key-file FILE or set {KEY_ENV} (64 hex characters); `pseudata keygen` makes one")]
    Missing,
    #[error("cannot read key file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "malformed key from {origin}: expected 64 hexadecimal characters (256 bits), found {found} characters{detail}"
    )]
    Malformed { origin: String, found: usize, detail: &'static str },
    #[error("the operating system's random generator failed")]
    Random,
}

/// A warning when a key file can be read by users other than its owner (the run goes on: the
/// key may sit on a single-user machine, but the officer should know); `None` otherwise.
pub fn shared_key_file_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        let mode = meta.permissions().mode();
        (mode & 0o044 != 0).then(|| {
            format!(
                "key file {} is readable by other users (mode {:o}): `chmod 600` it; anyone who reads the key can reverse the pseudonyms",
                path.display(),
                mode & 0o777
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The run's 256-bit master key. Its `Debug` output never shows the bytes.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl Key {
    /// Parses 64 hex characters (surrounding whitespace ignored); `origin` names where they came from.
    pub fn from_hex(text: &str, origin: &str) -> Result<Key, KeyError> {
        let trimmed = text.trim();
        let malformed =
            |detail| KeyError::Malformed { origin: origin.to_string(), found: trimmed.chars().count(), detail };
        if trimmed.len() != 64 {
            return Err(malformed(""));
        }
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(trimmed, &mut bytes).map_err(|_| malformed(", some of which are not hexadecimal"))?;
        Ok(Key(bytes))
    }

    /// Reads the key from `key_file` if given, else from the `PSEUDATA_KEY` environment variable.
    pub fn load(key_file: Option<&Path>) -> Result<Key, KeyError> {
        match key_file {
            Some(path) => {
                use std::io::Read;
                let read_err = |source| KeyError::Read { path: path.to_path_buf(), source };
                let file = std::fs::File::open(path).map_err(read_err)?;
                // A key file holds 64 characters: read a little more than that, never a whole
                // wrong file (a device, a data file named by mistake).
                let mut bytes = Vec::with_capacity(256);
                file.take(4096).read_to_end(&mut bytes).map_err(read_err)?;
                let text = String::from_utf8_lossy(&bytes);
                Key::from_hex(&text, &format!("key file {}", path.display()))
            }
            None => match std::env::var(KEY_ENV) {
                Ok(text) if !text.trim().is_empty() => Key::from_hex(&text, &format!("environment variable {KEY_ENV}")),
                _ => Err(KeyError::Missing),
            },
        }
    }

    /// Draws a fresh key from the operating system's random generator.
    pub fn generate() -> Result<Key, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|_| KeyError::Random)?;
        Ok(Key(bytes))
    }

    /// Returns the key as 64 lowercase hex characters (only `keygen` writes this).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Returns a short public fingerprint (16 hex characters) that identifies the key without revealing it.
    pub fn fingerprint(&self) -> String {
        let tag = self.derive(b"pseudata/v1/fingerprint");
        hex::encode(&tag[..8])
    }

    /// Returns the subkey for one purpose (a rule kind, the manifest...); distinct purposes give independent keys.
    pub fn subkey(&self, purpose: &str) -> Subkey {
        let mut label = b"pseudata/v1/subkey/".to_vec();
        label.extend_from_slice(purpose.as_bytes());
        Subkey(self.derive(&label))
    }

    fn derive(&self, label: &[u8]) -> [u8; 32] {
        let mut mac = hmac_with(&self.0);
        mac.update(label);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(fingerprint {})", self.fingerprint())
    }
}

/// A 256-bit key derived from the master key for one purpose. Its `Debug` output never shows the bytes.
#[derive(Clone)]
pub struct Subkey([u8; 32]);

impl Subkey {
    /// Returns a pre-keyed HMAC-SHA256 state; clone it per value instead of re-keying.
    pub fn hmac(&self) -> HmacSha256 {
        hmac_with(&self.0)
    }

    /// Returns the raw bytes, for primitives that need them (block ciphers).
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Subkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Subkey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn parses_64_hex_characters_with_surrounding_whitespace() {
        let key = Key::from_hex(&format!("  {HEX}\n"), "test").unwrap();
        assert_eq!(key.to_hex(), HEX);
    }

    #[test]
    fn rejects_short_and_non_hex_keys_without_quoting_them() {
        let short = Key::from_hex("abcd", "test").unwrap_err().to_string();
        assert!(short.contains("found 4 characters"), "{short}");
        assert!(!short.contains("abcd"));
        let bad = "zz".repeat(32);
        let msg = Key::from_hex(&bad, "test").unwrap_err().to_string();
        assert!(msg.contains("not hexadecimal"), "{msg}");
        assert!(!msg.contains(&bad));
    }

    #[test]
    fn subkeys_differ_by_purpose_and_by_key() {
        let a = Key::from_hex(HEX, "a").unwrap();
        let b = Key::from_hex(&HEX.replace("1f", "1e"), "b").unwrap();
        assert_ne!(a.subkey("hash").bytes(), a.subkey("niss").bytes());
        assert_ne!(a.subkey("hash").bytes(), b.subkey("hash").bytes());
        assert_eq!(a.subkey("hash").bytes(), a.clone().subkey("hash").bytes());
    }

    #[test]
    fn fingerprint_is_short_stable_and_not_the_key() {
        let key = Key::from_hex(HEX, "a").unwrap();
        let fp = key.fingerprint();
        assert_eq!(fp.len(), 16);
        assert_eq!(fp, key.fingerprint());
        assert!(!HEX.contains(&fp));
        assert!(!format!("{key:?}").contains(HEX));
    }

    #[test]
    fn generated_keys_are_distinct() {
        assert_ne!(Key::generate().unwrap().to_hex(), Key::generate().unwrap().to_hex());
    }
}
