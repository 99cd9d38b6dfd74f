//! Batch readers and writers for CSV and Parquet: the format-neutral seam the engine works through.

pub mod arrow;
mod cells;
pub mod csv;
pub mod header;
pub mod parquet;
mod quoting;
pub mod reader;
mod records;

pub use cells::{Cells, Undecodable};
pub use records::Records;

use std::path::PathBuf;

/// Writes `bytes` to `path` whole or not at all: into a temporary file beside it, synced to
/// disk, then renamed over `path` (a reader never sees half a report or manifest).
/// The file keeps the mode of the file it replaces (a new one gets `rw-r--r--`, as an ordinary
/// write under the usual umask); a symbolic link at `path` is written through, not replaced.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mut file = tempfile::Builder::new().prefix(".pseudata-write-").tempfile_in(&parent)?;
    file.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target).map_or(0o644, |m| m.permissions().mode() & 0o777);
        file.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    file.as_file().sync_all()?;
    file.persist(&target).map_err(|e| e.error)?;
    sync_dir(&parent)
}

/// Syncs a directory, so the names just renamed into it survive a crash (a no-op where the
/// platform cannot open directories).
pub fn sync_dir(dir: &std::path::Path) -> std::io::Result<()> {
    match std::fs::File::open(dir) {
        Ok(d) => d.sync_all().or(Ok(())),
        Err(_) => Ok(()),
    }
}

/// The first `Some` that `check` gives for `dtype` or a type nested in it (the fields of lists,
/// maps and structs), depth first.
pub fn find_nested<T>(
    dtype: &polars::prelude::ArrowDataType,
    check: &impl Fn(&polars::prelude::ArrowDataType) -> Option<T>,
) -> Option<T> {
    use polars::prelude::ArrowDataType as A;
    check(dtype).or_else(|| match dtype {
        A::List(f) | A::LargeList(f) | A::FixedSizeList(f, _) | A::Map(f, _) => find_nested(&f.dtype, check),
        A::Struct(fields) => fields.iter().find_map(|f| find_nested(&f.dtype, check)),
        _ => None,
    })
}

/// A source of typed batches: a Parquet file, an Arrow stream.
pub trait FrameSource {
    /// Column types, in source order.
    fn schema(&self) -> &polars::prelude::SchemaRef;
    /// The Arrow types other readers see, in source order.
    fn arrow_schema(&self) -> &polars::prelude::ArrowSchema;
    /// The next batch (single-chunk columns), `None` at the end.
    fn next_batch(&mut self) -> Result<Option<polars::prelude::DataFrame>, IoError>;
}

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
    #[error("{path}, line {line}: malformed CSV: {problem}")]
    Quoting { path: PathBuf, line: u64, problem: &'static str },
    #[error("{path}, line {line}, column `{column}`: bytes that are not valid {encoding}")]
    Encoding { path: PathBuf, line: u64, column: String, encoding: &'static str },
    #[error("{path}, line 1: field {field} of the header looks like a data value, not a column name (nothing of the line is shown): if the file has no header line, say `csv: {{ header: false }}` in its mapping; if it is a real column name, rename the column")]
    DataInHeader { path: PathBuf, field: usize },
    #[error("{path}: header is not valid {encoding}")]
    HeaderEncoding { path: PathBuf, encoding: &'static str },
    #[error("{path}: Parquet error: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error("{path}: Arrow stream: {message}")]
    Arrow { path: PathBuf, message: String },
}
