//! Belgian identifiers: check digits, validation and spelling (one file per identifier).

pub mod iban;
pub mod inami;
pub mod niss;
