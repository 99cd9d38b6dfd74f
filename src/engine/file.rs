//! Pseudonymising one data file: read in batches, filter the subset, transform, write.

use std::borrow::Cow;
use std::path::Path;

use csv::ByteRecord;
use polars::prelude::{Column, DataFrame, DataType, Field, NamedFrom, Schema, Series, StringChunked};

use super::transform::{transform_batch, CellError, Cells, ColumnStats, Values};
use super::{FileProgress, RunError, Subset};
use crate::io::csv::{CsvFormat, CsvSink, CsvSource};
use crate::io::parquet::{text_column, ParquetSink, ParquetSource};
use crate::io::{Format, IoError};
use crate::mapping::{Action, BoundPlan};

/// What one file's processing measured.
pub struct FileOutcome {
    pub rows_in: u64,
    pub rows_out: u64,
    pub stats: Vec<ColumnStats>,
    pub csv: Option<CsvFormat>,
}

/// The things every file job needs.
pub struct FileJob<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    pub to: Format,
    pub batch_rows: usize,
    pub subset: Option<&'a Subset>,
    pub progress: &'a dyn FileProgress,
}

/// Where a source's rows come from, for error messages.
enum Origin<'a> {
    Csv(&'a CsvSource, &'a [ByteRecord]),
    Rows(u64),
}

fn cell_error(job: &FileJob, plan: &BoundPlan, origin: Origin, row: usize, column: usize, error: CellError) -> RunError {
    let line = match origin {
        Origin::Csv(source, batch) => source.line_of(batch, row),
        Origin::Rows(first) => first + row as u64 + 1,
    };
    let column = plan.columns.get(column).map_or_else(String::new, |c| c.name.clone());
    match error {
        CellError::Encoding => RunError::Cell {
            path: job.input.to_path_buf(),
            line,
            column,
            message: "bytes that are not valid in the file's encoding".into(),
        },
        CellError::Rule(e) => RunError::Cell { path: job.input.to_path_buf(), line, column, message: e.0 },
    }
}

struct CsvCells<'a> {
    records: &'a [ByteRecord],
    format: &'a CsvFormat,
}

impl Cells for CsvCells<'_> {
    fn rows(&self) -> usize {
        self.records.len()
    }

    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, CellError> {
        match self.records[row].get(column) {
            None | Some(b"") => Ok(None),
            Some(bytes) => self.format.decode(bytes).map(Some).ok_or(CellError::Encoding),
        }
    }
}

struct FrameCells {
    rows: usize,
    columns: Vec<Option<StringChunked>>,
}

impl Cells for FrameCells {
    fn rows(&self) -> usize {
        self.rows
    }

    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, CellError> {
        Ok(self.columns[column].as_ref().and_then(|c| c.get(row)).map(Cow::Borrowed))
    }
}

/// Output side of a file: CSV or Parquet.
enum Sink {
    Csv(CsvSink),
    Parquet(ParquetSink, Schema),
}

/// Processes one CSV file into `job.output`.
pub fn process_csv(job: &FileJob, plan: &BoundPlan, mut source: CsvSource) -> Result<FileOutcome, RunError> {
    let format = source.format().clone();
    let mut sink = match job.to {
        Format::Csv => {
            let mut sink = CsvSink::create(job.output, format.clone())?;
            if format.header {
                let names: Vec<Cow<[u8]>> = plan.header().iter().map(|h| format.encode(h)).collect();
                sink.write_fields(names.iter().map(|n| n.as_ref()))?;
            }
            Sink::Csv(sink)
        }
        Format::Parquet => {
            let schema = Schema::from_iter(plan.columns.iter().map(|c| Field::new(c.name.as_str().into(), DataType::String)));
            Sink::Parquet(ParquetSink::create(job.output, &schema)?, schema)
        }
    };
    let mut stats = vec![ColumnStats::default(); plan.columns.len()];
    let (mut rows_in, mut rows_out) = (0u64, 0u64);
    let mut batch: Vec<ByteRecord> = Vec::new();
    loop {
        let n = source.next_batch(&mut batch, job.batch_rows)?;
        if n == 0 {
            break;
        }
        rows_in += n as u64;
        if let (Some(subset), Some(subject)) = (job.subset, plan.subject) {
            batch.retain(|r| subset.selects(r.get(subject).and_then(|b| format.decode(b)).as_deref()));
        }
        let cells = CsvCells { records: &batch, format: &format };
        let values = transform_batch(plan, &cells, &mut stats)
            .map_err(|(row, col, e)| cell_error(job, plan, Origin::Csv(&source, &batch), row, col, e))?;
        rows_out += batch.len() as u64;
        match &mut sink {
            Sink::Csv(sink) => write_csv_rows(sink, plan, &values, batch.len(), |row, source_col| {
                Cow::Borrowed(batch[row].get(source_col).unwrap_or(b""))
            })?,
            Sink::Parquet(sink, _) => {
                let mut columns = Vec::with_capacity(plan.columns.len());
                for (index, (column, new)) in plan.columns.iter().zip(values).enumerate() {
                    let data: Values = match (&column.action, new) {
                        (_, Some(values)) => values,
                        (Action::Null, None) => vec![None; batch.len()],
                        _ => {
                            let mut out = Vec::with_capacity(batch.len());
                            for row in 0..batch.len() {
                                let cell = cells
                                    .cell(column.source, row)
                                    .map_err(|e| cell_error(job, plan, Origin::Csv(&source, &batch), row, index, e))?;
                                out.push(cell.map(Cow::into_owned));
                            }
                            out
                        }
                    };
                    columns.push(Column::new(column.name.as_str().into(), data));
                }
                sink.write(DataFrame::new(batch.len(), columns).map_err(|e| parquet_err(job.output, e))?)?;
            }
        }
        job.progress.set(batch.last().and_then(|r| r.position()).map_or(0, |p| p.byte()));
    }
    finish(sink)?;
    Ok(FileOutcome { rows_in, rows_out, stats, csv: Some(format) })
}

fn parquet_err(path: &Path, e: polars::prelude::PolarsError) -> IoError {
    IoError::Parquet { path: path.into(), message: e.to_string() }
}

/// Writes `rows` CSV records: kept cells through `kept(row, source_column)`, transformed from `values`.
fn write_csv_rows<'b>(
    sink: &mut CsvSink,
    plan: &BoundPlan,
    values: &[Option<Values>],
    rows: usize,
    kept: impl Fn(usize, usize) -> Cow<'b, [u8]>,
) -> Result<(), IoError> {
    let format = sink.format().clone();
    let mut fields: Vec<Cow<[u8]>> = Vec::with_capacity(plan.columns.len());
    for row in 0..rows {
        fields.clear();
        for (column, new) in plan.columns.iter().zip(values) {
            let field = match (&column.action, new) {
                (_, Some(values)) => match &values[row] {
                    Some(text) => format.encode(text),
                    None => Cow::Borrowed(&b""[..]),
                },
                (Action::Null, None) => Cow::Borrowed(&b""[..]),
                _ => kept(row, column.source),
            };
            fields.push(field);
        }
        sink.write_fields(fields.iter().map(|f| f.as_ref()))?;
    }
    Ok(())
}

/// Processes one Parquet file into `job.output`.
pub fn process_parquet(job: &FileJob, plan: &BoundPlan, mut source: ParquetSource) -> Result<FileOutcome, RunError> {
    let in_schema = source.schema().clone();
    let mut sink = match job.to {
        Format::Csv => {
            let format = CsvFormat::plain();
            let mut sink = CsvSink::create(job.output, format)?;
            sink.write_fields(plan.header().iter().map(|h| h.as_bytes()))?;
            Sink::Csv(sink)
        }
        Format::Parquet => {
            let schema = Schema::from_iter(plan.columns.iter().map(|c| {
                let dtype = match c.action {
                    Action::Transform { .. } => DataType::String,
                    _ => in_schema.get_at_index(c.source).map_or(DataType::String, |(_, d)| d.clone()),
                };
                Field::new(c.name.as_str().into(), dtype)
            }));
            Sink::Parquet(ParquetSink::create(job.output, &schema)?, schema)
        }
    };
    // Source columns read as text: those rules read, and everything when writing CSV.
    let mut needed = vec![false; plan.source_width];
    for column in &plan.columns {
        match &column.action {
            Action::Transform { inputs, .. } => {
                needed[column.source] = true;
                inputs.iter().for_each(|&i| needed[i] = true);
            }
            Action::Keep => needed[column.source] |= job.to == Format::Csv,
            Action::Null => {}
        }
    }
    let mut stats = vec![ColumnStats::default(); plan.columns.len()];
    let (mut rows_in, mut rows_out) = (0u64, 0u64);
    while let Some(mut df) = source.next_batch()? {
        rows_in += df.height() as u64;
        if let (Some(subset), Some(subject)) = (job.subset, plan.subject) {
            let text = text_column(job.input, &df.columns()[subject])?;
            let mask: polars::prelude::BooleanChunked = text.iter().map(|v| Some(subset.selects(v))).collect();
            df = df.filter(&mask).map_err(|e| parquet_err(job.input, e))?;
        }
        let height = df.height();
        let mut text = Vec::with_capacity(plan.source_width);
        for (i, column) in df.columns().iter().enumerate() {
            text.push(if needed[i] { Some(text_column(job.input, column)?) } else { None });
        }
        let cells = FrameCells { rows: height, columns: text };
        let values = transform_batch(plan, &cells, &mut stats)
            .map_err(|(row, col, e)| cell_error(job, plan, Origin::Rows(rows_out), row, col, e))?;
        match &mut sink {
            Sink::Csv(sink) => write_csv_rows(sink, plan, &values, height, |row, source_col| {
                Cow::Borrowed(cells.columns[source_col].as_ref().and_then(|c| c.get(row)).unwrap_or("").as_bytes())
            })?,
            Sink::Parquet(sink, schema) => {
                let mut columns = Vec::with_capacity(plan.columns.len());
                for ((column, new), (_, dtype)) in plan.columns.iter().zip(values).zip(schema.iter()) {
                    let name = column.name.as_str().into();
                    columns.push(match (&column.action, new) {
                        (_, Some(values)) => Column::from(Series::new(name, values)),
                        (Action::Null, None) => Column::full_null(name, height, dtype),
                        _ => df.columns()[column.source].clone(),
                    });
                }
                sink.write(DataFrame::new(height, columns).map_err(|e| parquet_err(job.output, e))?)?;
            }
        }
        rows_out += height as u64;
        job.progress.set(rows_in);
    }
    finish(sink)?;
    Ok(FileOutcome { rows_in, rows_out, stats, csv: None })
}

fn finish(sink: Sink) -> Result<(), IoError> {
    match sink {
        Sink::Csv(sink) => sink.finish(),
        Sink::Parquet(sink, _) => sink.finish(),
    }
}
