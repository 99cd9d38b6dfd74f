//! Parquet: a streaming batch reader (polars' streaming engine) and a batched writer.

use std::fs::File;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use super::IoError;

fn parquet_error(path: &Path, e: PolarsError) -> IoError {
    IoError::Parquet { path: path.into(), message: e.to_string() }
}

/// Reads a Parquet file in batches of at most `batch_rows` rows, in file order.
pub struct ParquetSource {
    path: PathBuf,
    schema: SchemaRef,
    header: Vec<String>,
    batches: std::sync::mpsc::Receiver<PolarsResult<DataFrame>>,
    /// Rows the file's metadata promises, and rows delivered so far: a reader that stops early
    /// (a panic in the streaming engine closes the channel like an end of file) is caught here.
    expected_rows: u64,
    rows: u64,
}

impl ParquetSource {
    /// Opens `path`; nothing is read beyond the metadata until the first batch is asked for.
    pub fn open(path: &Path, batch_rows: usize) -> Result<ParquetSource, IoError> {
        let pl_path = PlRefPath::try_from_path(path).map_err(|e| parquet_error(path, e))?;
        let mut lazy =
            LazyFrame::scan_parquet(pl_path, ScanArgsParquet::default()).map_err(|e| parquet_error(path, e))?;
        let schema = lazy.collect_schema().map_err(|e| parquet_error(path, e))?;
        let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        // No header check: Parquet column names are schema, a Parquet file cannot lose its header.
        let file = File::open(path).map_err(|source| IoError::Open { path: path.into(), source })?;
        let expected_rows = ParquetReader::new(file).num_rows().map_err(|e| parquet_error(path, e))? as u64;
        let chunk = NonZeroUsize::new(batch_rows.max(1));
        // The streaming engine pushes batches into a callback; a bounded channel turns that into
        // a pull iterator, so at most two batches wait in memory. Dropping the receiver stops it.
        let (send, batches) = std::sync::mpsc::sync_channel::<PolarsResult<DataFrame>>(1);
        let on_batch = send.clone();
        let sink = lazy
            .sink_batches(PlanCallback::new(move |df| Ok(on_batch.send(Ok(df)).is_err())), true, chunk)
            .map_err(|e| parquet_error(path, e))?;
        std::thread::spawn(move || {
            if let Err(e) = sink.collect_with_engine(Engine::Streaming) {
                let _ = send.send(Err(e));
            }
        });
        Ok(ParquetSource { path: path.into(), schema, header, batches, expected_rows, rows: 0 })
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
        match self.batches.recv().ok() {
            None if self.rows != self.expected_rows => Err(IoError::Parquet {
                path: self.path.clone(),
                message: format!(
                    "read {} rows where the file's metadata promises {}: the file is damaged or the reader failed",
                    self.rows, self.expected_rows
                ),
            }),
            None => Ok(None),
            Some(Ok(mut df)) => {
                self.rows += df.height() as u64;
                df.rechunk_mut();
                Ok(Some(df))
            }
            Some(Err(e)) => Err(parquet_error(&self.path, e)),
        }
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
