//! Belgian identifiers: parsing of the usual spellings, validation, and the keyed
//! format-preserving pseudonym of each (one file per identifier); and the value formats the
//! detectors and rules share (dates, ICD-10 codes).

pub mod date;
pub mod email;
pub mod exid;
pub mod iban;
pub mod icd10;
pub mod inami;
pub mod ip;
pub mod kbo;
pub mod niss;
pub mod phone;
pub mod spelling;
pub mod subject;
