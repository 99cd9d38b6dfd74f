//! Any data file as a stream of batches of text cells, read on a background thread, for the
//! commands that only read (`scan`, `check`, `verify`). At most two batches wait in memory.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

use polars::prelude::StringChunked;

use super::csv::{CsvFormat, CsvSource};
use super::parquet::{text_column, ParquetSource};
use super::{Cells, Records, Undecodable};
use super::{Format, IoError};
use crate::mapping::CsvOptions;

/// One batch of rows.
pub struct Batch {
    /// Number of rows read before this batch (so row `i` here is data row `first_row + i + 1`).
    pub first_row: u64,
    data: BatchData,
}

impl Batch {
    /// Where row `row` of this batch is, for messages: the CSV line, or the data row for Parquet.
    pub fn line(&self, row: usize) -> u64 {
        match &self.data {
            BatchData::Csv { records, .. } => records.line(row),
            BatchData::Frame { .. } => self.first_row + row as u64 + 1,
        }
    }
}

enum BatchData {
    Csv { records: Records, format: Arc<CsvFormat> },
    Frame { rows: usize, columns: Vec<Option<StringChunked>> },
}

impl Cells for Batch {
    fn rows(&self) -> usize {
        match &self.data {
            BatchData::Csv { records, .. } => records.len(),
            BatchData::Frame { rows, .. } => *rows,
        }
    }

    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, Undecodable> {
        match &self.data {
            BatchData::Csv { records, format } => records.cell(format, row, column),
            BatchData::Frame { columns, .. } => {
                Ok(columns.get(column).and_then(|c| c.as_ref()).and_then(|c| c.get(row)).map(Cow::Borrowed))
            }
        }
    }
}

/// A data file opened for reading in batches.
pub struct TableReader {
    pub path: PathBuf,
    header: Vec<String>,
    csv: Option<CsvFormat>,
    batches: Receiver<Result<Batch, IoError>>,
    /// The reading thread: when its channel closes, whether it ended or panicked.
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TableReader {
    /// Opens `path`. `wanted` receives the header and says which columns are needed (Parquet
    /// columns not needed are not converted to text; CSV records always hold every field).
    /// Reading stops after `limit` rows when given.
    pub fn open(
        path: &Path,
        format: Format,
        options: &CsvOptions,
        batch_rows: usize,
        limit: Option<u64>,
        wanted: impl FnOnce(&[String]) -> Vec<bool>,
    ) -> Result<TableReader, IoError> {
        let batch_rows = batch_rows.max(1);
        let limit = limit.unwrap_or(u64::MAX);
        let (send, batches) = sync_channel::<Result<Batch, IoError>>(1);
        match format {
            Format::Csv => {
                let csv_format = CsvFormat::detect(path, options)?;
                let mut source = CsvSource::open(path, csv_format.clone())?;
                let header = source.header().to_vec();
                let _ = wanted(&header);
                let shared = Arc::new(csv_format.clone());
                let thread = std::thread::spawn(move || {
                    let mut read = 0u64;
                    while read < limit {
                        let mut records = Records::default();
                        let max = batch_rows.min((limit - read).try_into().unwrap_or(usize::MAX));
                        match source.next_batch(&mut records, max) {
                            Ok(0) => break,
                            Ok(n) => {
                                let batch =
                                    Batch { first_row: read, data: BatchData::Csv { records, format: shared.clone() } };
                                read += n as u64;
                                if send.send(Ok(batch)).is_err() {
                                    break;
                                }
                            }
                            Err(e) => {
                                let _ = send.send(Err(e));
                                break;
                            }
                        }
                    }
                });
                Ok(TableReader { path: path.into(), header, csv: Some(csv_format), batches, thread: Some(thread) })
            }
            Format::Parquet => {
                let mut source = ParquetSource::open(path, batch_rows)?;
                let header = source.header().to_vec();
                let needed = wanted(&header);
                let file = path.to_path_buf();
                let thread = std::thread::spawn(move || {
                    let mut read = 0u64;
                    while read < limit {
                        let df = match source.next_batch() {
                            Ok(Some(df)) => df,
                            Ok(None) => break,
                            Err(e) => {
                                let _ = send.send(Err(e));
                                break;
                            }
                        };
                        let keep = df.height().min((limit - read).try_into().unwrap_or(usize::MAX));
                        let df = df.slice(0, keep);
                        let mut columns = Vec::with_capacity(df.width());
                        for (i, column) in df.columns().iter().enumerate() {
                            if needed.get(i).copied().unwrap_or(true) {
                                match text_column(&file, column) {
                                    Ok(text) => columns.push(Some(text)),
                                    Err(e) => {
                                        let _ = send.send(Err(e));
                                        return;
                                    }
                                }
                            } else {
                                columns.push(None);
                            }
                        }
                        let batch = Batch { first_row: read, data: BatchData::Frame { rows: keep, columns } };
                        read += keep as u64;
                        if send.send(Ok(batch)).is_err() {
                            break;
                        }
                    }
                });
                Ok(TableReader { path: path.into(), header, csv: None, batches, thread: Some(thread) })
            }
        }
    }

    /// Opens a file the run wrote for `table`, as `open` does; the columns of a header-less CSV
    /// are named as the run named them (the input's `column_N` less the dropped columns, in
    /// order), not by their position in the output, where a dropped column shifts the rest.
    pub fn open_written(
        path: &Path,
        format: Format,
        options: &CsvOptions,
        table: &crate::mapping::Table,
        batch_rows: usize,
        wanted: impl FnOnce(&[String]) -> Vec<bool>,
    ) -> Result<TableReader, IoError> {
        let header_less = format == Format::Csv && !options.header;
        let named = |header: &[String]| match header_less {
            true => table.written_names(header.len()),
            false => header.to_vec(),
        };
        let written =
            table.columns.iter().filter(|(_, rule)| !matches!(rule, crate::mapping::ColumnRule::Drop)).count();
        // No header and no rows (a subset that kept none of the file's): an empty table of the
        // columns the mapping writes.
        if header_less && std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            let header = table.written_names(written);
            let _ = wanted(&header);
            let (_, batches) = sync_channel(1);
            return Ok(TableReader { path: path.into(), header, csv: None, batches, thread: None });
        }
        let mut reader = TableReader::open(path, format, options, batch_rows, None, |h| wanted(&named(h)))?;
        // Names by position only fit the output the mapping writes: one of another width (a
        // dropped column still there) is refused, lest a column be read under another's name.
        if header_less && reader.header.len() != written {
            return Err(IoError::Malformed {
                path: path.into(),
                line: 1,
                record: 1,
                problem: format!(
                    "{} fields where the mapping writes {written} (a header-less output names its columns by position)",
                    reader.header.len()
                ),
            });
        }
        reader.header = named(&reader.header);
        Ok(reader)
    }

    /// Column names, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The detected CSV conventions (`None` for Parquet).
    pub fn csv_format(&self) -> Option<&CsvFormat> {
        self.csv.as_ref()
    }

    /// The next batch, `None` at the end (or after the row limit).
    pub fn next_batch(&mut self) -> Result<Option<Batch>, IoError> {
        match self.batches.recv() {
            Ok(Ok(batch)) => Ok(Some(batch)),
            Ok(Err(e)) => Err(e),
            Err(_) => match self.thread.take().map(std::thread::JoinHandle::join) {
                Some(Err(_)) => Err(IoError::Read {
                    path: self.path.clone(),
                    source: std::io::Error::other("the reading thread failed (an internal error)"),
                }),
                _ => Ok(None),
            },
        }
    }
}
