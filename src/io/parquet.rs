//! Parquet: a batch reader (one bounded eager read per batch) and a batched writer.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;

use super::IoError;

fn parquet_error(path: &Path, e: PolarsError) -> IoError {
    IoError::Parquet { path: path.into(), message: e.to_string() }
}

/// Reads a Parquet file in batches of at most `batch_rows` rows, in file order.
///
/// Each batch is its own eager read of one row range (polars decodes only the row groups, and
/// within them the rows, that the range covers), so memory holds one batch at a time however large
/// the file. With polars' streaming engine, used before, the peak grew with the file (the shipped
/// mappings on `pseudata sample --to parquet`: 355 MB for 250,000 members, 473 MB for 500,000;
/// with this reader 262 and 239 MB).
pub struct ParquetSource {
    path: PathBuf,
    file: File,
    metadata: FileMetadataRef,
    schema: SchemaRef,
    header: Vec<String>,
    batch_rows: usize,
    /// Rows the file's metadata promises, and rows delivered so far.
    expected_rows: u64,
    rows: u64,
}

impl ParquetSource {
    /// Opens `path`; nothing is read beyond the metadata until the first batch is asked for.
    pub fn open(path: &Path, batch_rows: usize) -> Result<ParquetSource, IoError> {
        let file = File::open(path).map_err(|source| IoError::Open { path: path.into(), source })?;
        let mut reader =
            ParquetReader::new(file.try_clone().map_err(|source| IoError::Open { path: path.into(), source })?);
        let metadata = reader.get_metadata().map_err(|e| parquet_error(path, e))?.clone();
        let arrow_schema = reader.schema().map_err(|e| parquet_error(path, e))?;
        let schema: SchemaRef = Arc::new(Schema::from_arrow_schema(&arrow_schema));
        let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        // No header check: Parquet column names are schema, a Parquet file cannot lose its header.
        let expected_rows = metadata.num_rows as u64;
        Ok(ParquetSource {
            path: path.into(),
            file,
            metadata,
            schema,
            header,
            batch_rows: batch_rows.max(1),
            expected_rows,
            rows: 0,
        })
    }

    /// Column names, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Column types, in file order.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Returns the next batch (single-chunk columns), `None` at the end of the file.
    pub fn next_batch(&mut self) -> Result<Option<DataFrame>, IoError> {
        if self.rows >= self.expected_rows {
            return Ok(None);
        }
        let want = (self.expected_rows - self.rows).min(self.batch_rows as u64) as usize;
        let file = self.file.try_clone().map_err(|source| IoError::Open { path: self.path.clone(), source })?;
        let mut reader = ParquetReader::new(file).with_slice(Some((self.rows as usize, want))).set_rechunk(true);
        reader.set_metadata(self.metadata.clone());
        let df = reader.finish().map_err(|e| parquet_error(&self.path, e))?;
        if df.height() != want {
            return Err(IoError::Parquet {
                path: self.path.clone(),
                message: format!(
                    "read {} rows where the file's metadata promises {}: the file is damaged",
                    self.rows + df.height() as u64,
                    self.expected_rows
                ),
            });
        }
        self.rows += want as u64;
        Ok(Some(df))
    }
}

/// Returns a column's values as text (numbers, dates... in polars' standard spelling).
pub fn text_column(path: &Path, column: &Column) -> Result<StringChunked, IoError> {
    let cast = column.cast(&DataType::String).map_err(|e| parquet_error(path, e))?;
    let ca = cast.str().map_err(|e| parquet_error(path, e))?;
    Ok(ca.rechunk().into_owned())
}

/// Writes a Parquet file batch by batch with a fixed schema.
pub struct ParquetSink {
    path: PathBuf,
    writer: polars::io::parquet::write::BatchedWriter<File>,
}

impl ParquetSink {
    /// Creates `path` (a temporary file of the run) for frames of `schema`.
    pub fn create(path: &Path, schema: &Schema) -> Result<ParquetSink, IoError> {
        let file = File::create(path).map_err(|source| IoError::Write { path: path.into(), source })?;
        let writer = ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .batched(schema)
            .map_err(|e| parquet_error(path, e))?;
        Ok(ParquetSink { path: path.into(), writer })
    }

    /// Appends one batch; its columns must follow the schema given at creation.
    pub fn write(&mut self, mut df: DataFrame) -> Result<(), IoError> {
        df.rechunk_mut();
        self.writer.write_batch(&df).map_err(|e| parquet_error(&self.path, e))
    }

    /// Writes the footer and syncs the file to disk.
    pub fn finish(self) -> Result<(), IoError> {
        self.writer.finish().map_err(|e| parquet_error(&self.path, e))?;
        // The writer owns its handle; any handle of the file syncs the same data.
        let write_err = |source| IoError::Write { path: self.path.clone(), source };
        File::open(&self.path).and_then(|f| f.sync_all()).map_err(write_err)
    }
}
