//! Key material: the master key, per-rule-kind subkeys and keyed primitives built on them.

mod key;

pub use key::{Key, KeyError, Subkey, KEY_ENV};
