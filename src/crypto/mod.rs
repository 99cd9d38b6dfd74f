//! Key material: the master key, per-rule-kind subkeys and keyed primitives built on them.

mod key;
mod permutation;

pub use key::{shared_key_file_warning, Key, KeyError, Subkey, KEY_ENV};
pub use permutation::{tweak, Call, Domain, Permutation, Tweak, MIN_DOMAIN};
