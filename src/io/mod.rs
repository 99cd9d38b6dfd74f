//! Batch readers and writers for CSV and Parquet: the format-neutral seam the engine works through.

mod cells;
pub mod csv;
pub mod parquet;
pub mod reader;

pub use cells::{Cells, Undecodable};

use std::path::PathBuf;

/// Input formats pseudata reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Parquet,
}

impl Format {
    /// Returns the format of a data file from its extension, `None` for files that hold no table.
    pub fn of(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
        }
    }
}

/// Errors reading or writing data files. They name file, line and column, never a value.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("{path}: cannot open")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: read failed")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: write failed")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the file is empty (no header line)")]
    Empty { path: PathBuf },
    #[error("{path}, line {line} (record {record}): malformed CSV: {problem}")]
    Malformed { path: PathBuf, line: u64, record: u64, problem: String },
    #[error("{path}, line {line}, column `{column}`: bytes that are not valid {encoding}")]
    Encoding { path: PathBuf, line: u64, column: String, encoding: &'static str },
    #[error("{path}: header is not valid {encoding}")]
    HeaderEncoding { path: PathBuf, encoding: &'static str },
    #[error("{path}: Parquet error: {message}")]
    Parquet { path: PathBuf, message: String },
}
