//! Parquet: a batch reader (one bounded eager read per batch) and a batched writer.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;

use super::{FrameSource, IoError};

fn parquet_error(path: &Path, e: PolarsError) -> IoError {
    IoError::Parquet { path: path.into(), message: e.to_string() }
}

impl FrameSource for ParquetSource {
    fn schema(&self) -> &SchemaRef {
        ParquetSource::schema(self)
    }

    fn arrow_schema(&self) -> &ArrowSchema {
        ParquetSource::arrow_schema(self)
    }

    fn next_batch(&mut self) -> Result<Option<DataFrame>, IoError> {
        ParquetSource::next_batch(self)
    }
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
    /// The file's Arrow schema: string, large string or string view as written.
    arrow_schema: ArrowSchema,
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
        let arrow_schema = declared_arrow_schema(&metadata, &arrow_schema);
        // polars 0.55 reads a `time32[s]` column (stored as milliseconds, declared in seconds by
        // the file's Arrow schema) as nulls: refused rather than emptied without a word.
        let time32_s = |t: &ArrowDataType| (t == &ArrowDataType::Time32(ArrowTimeUnit::Second)).then_some(());
        if let Some((name, _)) = arrow_schema.iter().find(|(_, f)| super::find_nested(&f.dtype, &time32_s).is_some()) {
            return Err(IoError::Parquet {
                path: path.into(),
                message: format!(
                    "column `{name}` is or holds time32[s], which this version reads as empty: cast it to time32[ms] or text first"
                ),
            });
        }
        let header: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        // No header check: Parquet column names are schema, a Parquet file cannot lose its header.
        let expected_rows = metadata.num_rows as u64;
        Ok(ParquetSource {
            path: path.into(),
            file,
            metadata,
            schema,
            arrow_schema,
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

    /// The file's Arrow types, in file order (what other readers see).
    pub fn arrow_schema(&self) -> &ArrowSchema {
        &self.arrow_schema
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

/// The Arrow types other readers see in a Parquet file: its `ARROW:schema` as written (polars
/// turns every string into a string view when it reads it); without one, `string` for text (what
/// Arrow readers make of a Parquet string) and polars' reading for the rest.
fn declared_arrow_schema(metadata: &FileMetadataRef, read: &ArrowSchema) -> ArrowSchema {
    use base64::Engine as _;
    let declared = metadata
        .key_value_metadata
        .as_ref()
        .and_then(|kv| kv.iter().find(|kv| kv.key == "ARROW:schema"))
        .and_then(|kv| kv.value.as_deref())
        .and_then(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded).ok())
        .and_then(|bytes| {
            // An IPC message may start with a continuation marker and a length.
            let slice = if bytes.len() > 8 && bytes[..4] == [255u8; 4] { &bytes[8..] } else { &bytes[..] };
            polars_arrow::io::ipc::read::deserialize_schema(slice).ok().map(|(schema, _, _)| schema)
        });
    let mut schema = ArrowSchema::default();
    for (name, field) in read.iter() {
        let kept = declared.as_ref().and_then(|d| d.get(name)).filter(|d| {
            // The declared type of the same kind as polars read it (a string is a string).
            let text = |t: &ArrowDataType| {
                matches!(t, ArrowDataType::Utf8 | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View)
            };
            text(&d.dtype) == text(&field.dtype)
        });
        let field = match (kept, &field.dtype) {
            (Some(declared), _) => declared.clone(),
            (None, ArrowDataType::Utf8View) => ArrowField { dtype: ArrowDataType::Utf8, ..field.clone() },
            (None, _) => field.clone(),
        };
        schema.insert(name.clone(), field);
    }
    schema
}

/// Returns a column's values as text (numbers, dates... in polars' standard spelling).
pub fn text_column(path: &Path, column: &Column) -> Result<StringChunked, IoError> {
    let cast = column.cast(&DataType::String).map_err(|e| parquet_error(path, e))?;
    let ca = cast.str().map_err(|e| parquet_error(path, e))?;
    Ok(ca.rechunk().into_owned())
}

/// The Arrow schema other readers know for `schema`: `large_string` for text (not polars' newest
/// `string_view`), and the classic types for the rest.
pub fn classic_arrow(schema: &Schema) -> ArrowSchema {
    schema.to_arrow(CompatLevel::oldest())
}

/// Writes a Parquet file batch by batch with a fixed schema.
pub struct ParquetSink {
    path: PathBuf,
    writer: polars::io::parquet::write::BatchedWriter<File>,
}

impl ParquetSink {
    /// Creates `path` (a temporary file of the run) for frames of `schema`, declaring `arrow` as
    /// the file's Arrow schema: polars 0.55 declares its newest types (string view), which
    /// older readers do not know and which would turn a `string` column into another type; the
    /// pages are the same either way (a Parquet string is a byte array).
    pub fn create(path: &Path, schema: &Schema, arrow: &ArrowSchema) -> Result<ParquetSink, IoError> {
        let file = File::create(path).map_err(|source| IoError::Write { path: path.into(), source })?;
        let declared = polars_parquet::arrow::write::schema_to_metadata_key(arrow);
        let writer = ParquetWriter::new(file)
            .with_compression(ParquetCompression::Zstd(None))
            .with_key_value_metadata(Some(polars::io::parquet::write::KeyValueMetadata::Static(vec![declared])))
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
