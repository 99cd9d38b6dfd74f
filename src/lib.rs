//! pseudata: consistent, keyed, format-preserving pseudonymisation of Belgian health-mutuality
//! extracts (CSV and Parquet) through per-table schema mappings.
//!
//! The engine (mappings, rules, identifiers, I/O, the run loop) never prints and never exits;
//! `commands` is the thin edge the `pseudata` binary calls.

pub mod cli;
pub mod commands;
pub mod crypto;
pub mod detect;
pub mod engine;
pub mod ident;
pub mod inspect;
pub mod io;
pub mod manifest;
pub mod mapping;
pub mod refdata;
pub mod report;
pub mod rules;
pub mod sample;
pub mod sheet;
