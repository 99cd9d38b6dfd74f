//! Arrow IPC streams (the "streaming format": a schema message, record batches, an end marker),
//! for `pipe --format arrow`: what Spark's `mapInArrow`, pyarrow and most columnar engines pass
//! between processes.
//!
//! Reading and writing use polars-arrow's IPC code, already a dependency for the Parquet schema,
//! so no Arrow crate is added. Compressed input (LZ4 or zstd buffers) is read; the output is
//! uncompressed, as pyarrow and Spark write by default (a pipe gains nothing from compression).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;
use polars_arrow::io::ipc::read::{read_stream_metadata, StreamReader, StreamState};
use polars_arrow::io::ipc::write::{StreamWriter, WriteOptions};
use polars_arrow::record_batch::RecordBatchT;

use super::{FrameSource, IoError};

/// Written after the last whole message when the stream fails: a message header that promises
/// 4 KiB of metadata, then far fewer bytes. Every Arrow reader (pyarrow, Spark, polars, arrow-rs)
/// stops with an error on it instead of taking the stream for one that ended early: a stream cut
/// at a message boundary without its end marker is read as complete by pyarrow.
pub const FAILURE_BYTES: &[u8] =
    b"\xff\xff\xff\xff\x00\x10\x00\x00pseudata failed: this stream is incomplete, see pseudata's standard error\n";

fn arrow_error(path: &Path, e: PolarsError) -> IoError {
    IoError::Arrow { path: path.into(), message: e.to_string() }
}

/// A reader that also answers polars-arrow's seeks, which only ever go forward (past padding)
/// or ask for the position: standard input cannot seek.
struct Forward<R> {
    inner: R,
    position: u64,
}

impl<R: Read> Read for Forward<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: Read> Seek for Forward<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.position.checked_add_signed(d),
            SeekFrom::End(_) => None,
        };
        match target {
            Some(t) if t >= self.position => {
                let skip = t - self.position;
                let skipped = std::io::copy(&mut (&mut *self).take(skip), &mut std::io::sink())?;
                if skipped < skip {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the stream ended inside a message",
                    ));
                }
                Ok(self.position)
            }
            _ => Err(std::io::Error::other("an Arrow stream cannot be read backwards")),
        }
    }
}

type Input = Forward<Box<dyn Read + Send>>;

/// What a column of `dtype` is when pseudata cannot read it (here or in a nested field), and
/// what to do about it; `None` when it can: the types polars reads and writes back as they were,
/// which the tests compare with `run`'s Parquet output.
fn unsupported(dtype: &ArrowDataType) -> Option<(&'static str, &'static str)> {
    use ArrowDataType as T;
    const COMMON: &str = "cast it to a common type (text, a 64-bit number) first";
    super::find_nested(dtype, &|t: &ArrowDataType| {
        match t {
        T::Null | T::Boolean | T::Int8 | T::Int16 | T::Int32 | T::Int64 => None,
        T::UInt8 | T::UInt16 | T::UInt32 | T::UInt64 | T::Float32 | T::Float64 => None,
        T::Timestamp(_, None) | T::Date32 | T::Date64 | T::Time32(_) | T::Time64(_) | T::Duration(_) => None,
        T::Utf8 | T::LargeUtf8 | T::Utf8View | T::Binary | T::LargeBinary | T::BinaryView => None,
        T::Decimal(precision, _) if *precision <= 38 => None,
        // Containers: their fields are checked.
        T::List(_) | T::LargeList(_) | T::Map(..) | T::Struct(_) => None,
        T::Timestamp(_, Some(_)) => Some((
            "a timestamp with a time zone",
            "cast it to a timestamp without zone (Spark: `timestamp_ntz`) or to text first",
        )),
        T::Dictionary(..) => Some(("dictionary-encoded", "decode it (cast to its value type) first")),
        T::Float16 => Some(("a 16-bit float", COMMON)),
        T::Decimal(..) | T::Decimal32(..) | T::Decimal64(..) | T::Decimal256(..) => {
            Some(("a decimal other than decimal128", "cast it to decimal128 (precision up to 38) first"))
        }
        T::Extension(_) => Some(("an extension type", COMMON)),
        _ => Some(("of an Arrow type pseudata does not read (128-bit integer, interval, union, fixed-size binary or list, list view or run-end encoded)", COMMON)),
    }
    })
}

/// Reads an Arrow IPC stream batch by batch (batches larger than `batch_rows` are split).
pub struct ArrowStreamSource {
    path: PathBuf,
    reader: StreamReader<Input>,
    schema: SchemaRef,
    arrow_schema: ArrowSchema,
    header: Vec<String>,
    batch_rows: usize,
    /// The rest of a batch larger than `batch_rows`.
    pending: Option<DataFrame>,
    /// Rows read so far, for messages.
    rows: u64,
}

impl ArrowStreamSource {
    /// Reads the stream's schema message from `input`; `path` names the stream in errors.
    pub fn open(path: &Path, input: Box<dyn Read + Send>, batch_rows: usize) -> Result<ArrowStreamSource, IoError> {
        let mut input = Forward { inner: input, position: 0 };
        let metadata = match read_stream_metadata(&mut input) {
            Ok(m) => m,
            Err(_) if input.position == 0 => {
                return Err(IoError::Arrow { path: path.into(), message: "empty: no schema message".into() })
            }
            Err(e) => return Err(arrow_error(path, e)),
        };
        let arrow_schema = metadata.schema.clone();
        let refuse = |message: String| Err(IoError::Arrow { path: path.into(), message });
        // The schema is a map by name: a repeated name shows as fields missing from it.
        if metadata.ipc_schema.fields.len() != arrow_schema.len() {
            return refuse(format!(
                "a column name appears twice ({} columns, {} distinct names): column names must be unique",
                metadata.ipc_schema.fields.len(),
                arrow_schema.len()
            ));
        }
        for (name, field) in arrow_schema.iter() {
            if let Some((what, advice)) = unsupported(&field.dtype) {
                return refuse(format!("column `{name}` is {what}, which pseudata cannot read: {advice}"));
            }
        }
        let schema: SchemaRef = Arc::new(Schema::from_arrow_schema(&arrow_schema));
        let header = arrow_schema.iter_names().map(|n| n.to_string()).collect();
        Ok(ArrowStreamSource {
            path: path.into(),
            reader: StreamReader::new(input, metadata, None),
            schema,
            arrow_schema,
            header,
            batch_rows: batch_rows.max(1),
            pending: None,
            rows: 0,
        })
    }

    /// Column names, in stream order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    fn frame(&self, batch: RecordBatchT<Box<dyn polars_arrow::array::Array>>) -> Result<DataFrame, IoError> {
        let height = batch.height();
        let mut columns = Vec::with_capacity(batch.arrays().len());
        for ((name, _), array) in self.arrow_schema.iter().zip(batch.into_arrays()) {
            let series = Series::from_arrow(name.clone(), array)
                .map_err(|e| IoError::Arrow { path: self.path.clone(), message: format!("column `{name}`: {e}") })?;
            columns.push(Column::from(series));
        }
        DataFrame::new(height, columns).map_err(|e| arrow_error(&self.path, e))
    }
}

impl FrameSource for ArrowStreamSource {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn arrow_schema(&self) -> &ArrowSchema {
        &self.arrow_schema
    }

    fn next_batch(&mut self) -> Result<Option<DataFrame>, IoError> {
        let df = match self.pending.take() {
            Some(df) => df,
            None => loop {
                match self.reader.next() {
                    None => return Ok(None),
                    Some(Ok(StreamState::Some(batch))) if batch.height() == 0 => continue,
                    Some(Ok(StreamState::Some(batch))) => {
                        self.rows += batch.height() as u64;
                        break self.frame(batch)?;
                    }
                    // End of input without the end-of-stream marker: the writer did not finish.
                    Some(Ok(StreamState::Waiting)) => {
                        return Err(IoError::Arrow {
                            path: self.path.clone(),
                            message: "it ended without its end-of-stream marker: the program writing it did not finish"
                                .into(),
                        })
                    }
                    Some(Err(e)) => {
                        return Err(IoError::Arrow {
                            path: self.path.clone(),
                            message: format!("the record batch after row {}: {e}", self.rows),
                        })
                    }
                }
            },
        };
        if df.height() > self.batch_rows {
            self.pending = Some(df.slice(self.batch_rows as i64, df.height() - self.batch_rows));
            return Ok(Some(df.slice(0, self.batch_rows)));
        }
        Ok(Some(df))
    }
}

/// Writes an Arrow IPC stream with a fixed schema: the schema message at creation, a record
/// batch per frame, the end-of-stream marker on `finish` (never after a failure).
pub struct ArrowStreamSink {
    path: PathBuf,
    writer: StreamWriter<Box<dyn Write + Send>>,
    schema: ArrowSchema,
}

impl ArrowStreamSink {
    /// Starts the stream on `output` with the declared Arrow `schema`.
    pub fn start(path: &Path, output: Box<dyn Write + Send>, schema: ArrowSchema) -> Result<ArrowStreamSink, IoError> {
        let mut writer = StreamWriter::new(output, WriteOptions { compression: None });
        writer.start(&schema, None).map_err(|e| arrow_error(path, e))?;
        Ok(ArrowStreamSink { path: path.into(), writer, schema })
    }

    /// Appends `df` as one record batch, each column in its declared Arrow type (text in the
    /// width declared: `string`, `large_string` or `string_view`).
    pub fn write(&mut self, df: DataFrame) -> Result<(), IoError> {
        if df.height() == 0 {
            return Ok(());
        }
        let mut arrays = Vec::with_capacity(df.width());
        for (column, (_, field)) in df.columns().iter().zip(self.schema.iter()) {
            let series = column.as_materialized_series().rechunk();
            let array = series.to_arrow(0, CompatLevel::oldest());
            arrays.push(as_declared(array, &field.dtype));
        }
        let schema = Arc::new(self.schema.clone());
        let batch = RecordBatchT::try_new(df.height(), schema, arrays).map_err(|e| arrow_error(&self.path, e))?;
        self.writer.write(&batch, None).map_err(|e| arrow_error(&self.path, e))
    }

    /// Writes the end-of-stream marker and flushes.
    pub fn finish(mut self) -> Result<(), IoError> {
        self.writer.finish().map_err(|e| arrow_error(&self.path, e))?;
        let mut output = self.writer.into_inner();
        output.flush().map_err(|source| IoError::Write { path: self.path.clone(), source })
    }
}

/// `array` (as polars exports it: `large_string` for text) in the declared text width.
fn as_declared(
    array: Box<dyn polars_arrow::array::Array>,
    declared: &ArrowDataType,
) -> Box<dyn polars_arrow::array::Array> {
    use polars_arrow::array::Utf8Array;
    if array.dtype() == declared {
        return array;
    }
    let Some(large) = array.as_any().downcast_ref::<Utf8Array<i64>>() else { return array };
    match declared {
        ArrowDataType::Utf8 => Box::new(Utf8Array::<i32>::from_iter(large.iter())),
        ArrowDataType::Utf8View => {
            Box::new(polars_arrow::array::MutableBinaryViewArray::<str>::from_iter(large.iter()).freeze())
        }
        _ => array,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(schema: &ArrowSchema, batches: &[Vec<Box<dyn polars_arrow::array::Array>>], finish: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = StreamWriter::new(&mut out, WriteOptions { compression: None });
        writer.start(schema, None).unwrap();
        for arrays in batches {
            let batch = RecordBatchT::try_new(arrays[0].len(), Arc::new(schema.clone()), arrays.clone()).unwrap();
            writer.write(&batch, None).unwrap();
        }
        if finish {
            writer.finish().unwrap();
        }
        out
    }

    fn text_schema() -> ArrowSchema {
        let mut schema = ArrowSchema::default();
        schema.insert("a".into(), ArrowField::new("a".into(), ArrowDataType::Utf8, true));
        schema
    }

    fn utf8(values: &[Option<&str>]) -> Box<dyn polars_arrow::array::Array> {
        Box::new(polars_arrow::array::Utf8Array::<i32>::from(values))
    }

    fn read_all(bytes: Vec<u8>, batch_rows: usize) -> Result<Vec<usize>, IoError> {
        let mut source =
            ArrowStreamSource::open(Path::new("<stdin>"), Box::new(std::io::Cursor::new(bytes)), batch_rows)?;
        let mut heights = Vec::new();
        while let Some(df) = source.next_batch()? {
            heights.push(df.height());
        }
        Ok(heights)
    }

    #[test]
    fn splits_large_batches_and_skips_empty_ones() {
        let schema = text_schema();
        let big = utf8(&[Some("x"), None, Some("z"), Some("w"), Some("v")]);
        let bytes = stream(&schema, &[vec![big], vec![utf8(&[])], vec![utf8(&[Some("q")])]], true);
        assert_eq!(read_all(bytes, 2).unwrap(), vec![2, 2, 1, 1]);
    }

    #[test]
    fn refuses_a_stream_without_its_end_marker_or_cut_inside_a_message() {
        let schema = text_schema();
        let bytes = stream(&schema, &[vec![utf8(&[Some("x")])]], false);
        let error = read_all(bytes.clone(), 10).unwrap_err().to_string();
        assert!(error.contains("end-of-stream marker"), "{error}");
        let cut = bytes[..bytes.len() - 3].to_vec();
        assert!(read_all(cut, 10).is_err());
        let mut failed = bytes;
        failed.extend_from_slice(FAILURE_BYTES);
        assert!(read_all(failed, 10).is_err(), "the failure bytes must fail a reader");
        let error = read_all(Vec::new(), 10).unwrap_err().to_string();
        assert!(error.contains("no schema message"), "{error}");
    }

    #[test]
    fn writes_text_in_the_declared_width() {
        for declared in [ArrowDataType::Utf8, ArrowDataType::LargeUtf8, ArrowDataType::Utf8View] {
            let mut schema = ArrowSchema::default();
            schema.insert("a".into(), ArrowField::new("a".into(), declared.clone(), true));
            let (send, receive) = std::sync::mpsc::channel::<Vec<u8>>();
            struct Collect(Vec<u8>, std::sync::mpsc::Sender<Vec<u8>>);
            impl Write for Collect {
                fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                    self.0.extend_from_slice(b);
                    Ok(b.len())
                }
                fn flush(&mut self) -> std::io::Result<()> {
                    self.1.send(self.0.clone()).ok();
                    Ok(())
                }
            }
            let mut sink =
                ArrowStreamSink::start(Path::new("<stdout>"), Box::new(Collect(Vec::new(), send)), schema).unwrap();
            let df = DataFrame::new(2, vec![Column::new("a".into(), [Some("é"), None])]).unwrap();
            sink.write(df).unwrap();
            sink.finish().unwrap();
            let out = receive.recv().unwrap();
            let mut source =
                ArrowStreamSource::open(Path::new("<stdin>"), Box::new(std::io::Cursor::new(out)), 10).unwrap();
            assert_eq!(source.arrow_schema().get("a").unwrap().dtype, declared);
            let df = source.next_batch().unwrap().unwrap();
            let values: Vec<Option<&str>> = df.column("a").unwrap().str().unwrap().iter().collect();
            assert_eq!(values, vec![Some("é"), None]);
            assert!(source.next_batch().unwrap().is_none());
        }
    }
}
