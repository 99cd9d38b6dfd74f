//! Schema mappings: the YAML model (stage 1), the validated table (stage 2) and its binding to a file's header.

mod bind;
mod raw;
mod table;

pub use crate::rules::ColumnRule;
pub use bind::{schema_problems, Action, BoundColumn, BoundPlan, Writes};
pub use raw::{RawCsv, RawMapping};
pub use table::{load_dir, CsvOptions, Encoding, Mappings, Role, Table};

use std::path::PathBuf;

/// Errors in mapping files and in their binding to data; each names the mapping file, table and column.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    #[error("cannot read mappings directory {path}")]
    ReadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no mapping file (*.yaml, *.yml) in {0}")]
    Empty(PathBuf),
    #[error("mapping {path}: cannot read the file")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("mapping {path}: invalid YAML or unknown field: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("mapping {path}, table `{table}`: {message}")]
    Table { path: PathBuf, table: String, message: String },
    #[error("mapping {}{}, table `{table}`, column `{column}`: {message}", path.display(), line.map_or_else(String::new, |l| format!(", line {l}")))]
    Column { path: PathBuf, table: String, column: String, message: String, line: Option<usize> },
    #[error("{file}: {message} (mapping {path}, table `{table}`)")]
    Schema { file: PathBuf, path: PathBuf, table: String, message: String },
    #[error("tables `{first}` ({first_path}) and `{second}` ({second_path}) have the same name")]
    DuplicateTable { first: String, first_path: PathBuf, second: String, second_path: PathBuf },
}
