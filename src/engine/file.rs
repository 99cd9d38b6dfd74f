//! Pseudonymising one data file as a three-stage pipeline: a reader thread parses batches, the
//! calling thread filters and transforms them (rayon, across columns and rows), a writer thread
//! encodes and writes them. At most a few batches are in flight, so memory stays bounded (but
//! for a table's k-anonymity count, one keyed hash per distinct quasi-identifier combination).

use std::borrow::Cow;
use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use polars::prelude::{
    ArrowDataType, ArrowField, ArrowSchema, Column, DataFrame, DataType, Field, NamedFrom, Schema, Series,
    StringChunked,
};

use super::transform::{transform_batch, CellError, ColumnStats, Memo, Values};
use super::{FileProgress, RunError, Subset};
use crate::inspect::verify::leaks::{GroupCounter, Groups};
use crate::inspect::verify::DEFAULT_K;
use crate::io::arrow::ArrowStreamSink;
use crate::io::csv::{CsvFormat, CsvSink, CsvSource};
use crate::io::parquet::{classic_arrow, text_column, ParquetSink, ParquetSource};
use crate::io::FrameSource;
use crate::io::{Cells, Records, Undecodable};
use crate::io::{Format, IoError};
use crate::mapping::{Action, BoundPlan, Writes};

/// What one file's processing measured.
pub struct FileOutcome {
    pub rows_in: u64,
    pub rows_out: u64,
    pub stats: Vec<ColumnStats>,
    pub csv: Option<CsvFormat>,
    /// Per output column, for a typed output: `i64 -> str` where the rule cannot write the
    /// input's type (a `hash` token in an integer column).
    pub types: Vec<Option<String>>,
    /// The k-anonymity of the output's quasi-identifiers, counted as it was written (a CSV or
    /// Parquet file with quasi-identifiers asked for and present; `None` otherwise).
    pub groups: Option<Groups>,
}

/// The things every file job needs.
pub struct FileJob<'a> {
    pub input: &'a Path,
    pub output: &'a Path,
    pub to: Format,
    pub batch_rows: usize,
    pub subset: Option<&'a Subset>,
    pub progress: &'a dyn FileProgress,
    pub cancel: Option<&'a std::sync::atomic::AtomicUsize>,
    /// The quasi-identifiers whose k-anonymity is counted as the output is written (empty: none).
    pub quasi: &'a [String],
}

impl FileJob<'_> {
    /// Fails with `Interrupted` once the cancel flag is set.
    fn check_cancel(&self) -> Result<(), RunError> {
        super::check_cancel(self.cancel)
    }
}

fn cell_error(job: &FileJob, plan: &BoundPlan, line: u64, column: usize, error: CellError) -> RunError {
    let column = plan.columns.get(column).map_or("", |c| c.name.as_str());
    let from_rule = matches!(error, CellError::Rule(_));
    let mut error = super::cell_error(job.input, line, column, error);
    if let (true, RunError::Cell { message, .. }) = (from_rule, &mut error) {
        // A rule refused the value: say which mapping to change.
        message.push_str(&format!(" (mapping {})", plan.mapping.display()));
    }
    error
}

/// `cell_error` for a typed source, where a place is a row (from 1, before any subset), not a line.
fn row_error(job: &FileJob, plan: &BoundPlan, row: u64, column: usize, error: CellError) -> RunError {
    match cell_error(job, plan, row, column, error) {
        RunError::Cell { path, line, column, message } => RunError::Row { path, row: line, column, message },
        other => other,
    }
}

fn parquet_err(path: &Path, e: polars::prelude::PolarsError) -> IoError {
    IoError::Parquet { path: path.into(), message: e.to_string() }
}

struct CsvCells<'a> {
    records: &'a Records,
    format: &'a CsvFormat,
}

impl Cells for CsvCells<'_> {
    fn rows(&self) -> usize {
        self.records.len()
    }

    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, Undecodable> {
        self.records.cell(self.format, row, column)
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

    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, Undecodable> {
        Ok(self.columns[column].as_ref().and_then(|c| c.get(row)).map(Cow::Borrowed))
    }
}

/// Output side of a file: CSV or Parquet, or an Arrow stream.
enum Sink {
    Csv(CsvSink),
    Parquet(Box<ParquetSink>),
    Arrow(Box<ArrowStreamSink>),
}

/// One unit of work for the writer thread.
type WriteJob = Box<dyn FnOnce(&mut Sink) -> Result<(), IoError> + Send>;

/// Runs `produce` on the calling thread, handing it a channel to a writer thread that owns `sink`.
/// Finishes the sink only when everything succeeded.
fn with_writer<T>(
    sink: Sink,
    produce: impl FnOnce(&std::sync::mpsc::SyncSender<WriteJob>) -> Result<T, RunError>,
) -> Result<T, RunError> {
    std::thread::scope(|scope| {
        let (send, receive) = sync_channel::<WriteJob>(1);
        let writer = scope.spawn(move || -> Result<Sink, IoError> {
            let mut sink = sink;
            for job in receive {
                job(&mut sink)?;
            }
            Ok(sink)
        });
        let produced = produce(&send);
        drop(send);
        let written = writer.join().unwrap_or_else(|_| {
            Err(IoError::Write { path: Default::default(), source: std::io::Error::other("writer thread panicked") })
        });
        // A write error explains a failed send in `produce`, so it wins.
        let sink = written?;
        let value = produced?;
        match sink {
            Sink::Csv(sink) => sink.finish()?,
            Sink::Parquet(sink) => sink.finish()?,
            Sink::Arrow(sink) => sink.finish()?,
        }
        Ok(value)
    })
}

/// Sends `job` to the writer; `false` when the writer stopped (its error is reported by `with_writer`).
fn send(channel: &std::sync::mpsc::SyncSender<WriteJob>, job: WriteJob) -> bool {
    channel.send(job).is_ok()
}

/// Writes `rows` CSV records: kept cells through `kept(row, source_column)`, transformed from `values`.
fn write_csv_rows<'b>(
    sink: &mut CsvSink,
    plan_columns: &[(usize, bool)],
    values: &[Option<Values>],
    rows: usize,
    kept: impl Fn(usize, usize) -> &'b [u8],
    mut groups: Option<&mut GroupCounter>,
) -> Result<(), IoError> {
    let format = sink.format().clone();
    let mut fields: Vec<Cow<[u8]>> = Vec::with_capacity(plan_columns.len());
    for row in 0..rows {
        fields.clear();
        for (&(source, is_null), new) in plan_columns.iter().zip(values) {
            let field = match new {
                Some(values) => values.get(row).map_or(Cow::Borrowed(&b""[..]), |t| format.encode(t)),
                None if is_null => Cow::Borrowed(&b""[..]),
                None => Cow::Borrowed(kept(row, source)),
            };
            fields.push(field);
        }
        sink.write_fields(fields.iter().map(|f| f.as_ref()))?;
        if let Some(groups) = groups.as_deref_mut() {
            groups.add_record(&fields);
        }
    }
    Ok(())
}

/// (source index, is a `null` column) per output column: what the writer needs of the plan.
fn layout(plan: &BoundPlan) -> Vec<(usize, bool)> {
    plan.columns.iter().map(|c| (c.source, matches!(c.action, Action::Null))).collect()
}

/// Batches a CSV reader allocates at most when written batches come back to it: one being
/// read, one queued, one transformed, one queued for the writer, one being written, one spare.
const BATCH_POOL: usize = 6;

/// Processes one CSV file into `job.output`.
pub fn process_csv(job: &FileJob, plan: &BoundPlan, source: CsvSource) -> Result<FileOutcome, RunError> {
    let format = source.format().clone();
    let sink = match job.to {
        Format::Csv => return process_csv_into(job, plan, source, CsvSink::create(job.output, format)?),
        Format::Parquet => {
            let schema =
                Schema::from_iter(plan.columns.iter().map(|c| Field::new(c.name.as_str().into(), DataType::String)));
            Sink::Parquet(Box::new(ParquetSink::create(job.output, &schema, &classic_arrow(&schema))?))
        }
    };
    run_csv(job, plan, source, sink)
}

/// Processes CSV records into an opened CSV `sink` (a file of the run, or standard output for
/// `pipe`), header first when its format has one.
pub fn process_csv_into(
    job: &FileJob,
    plan: &BoundPlan,
    source: CsvSource,
    mut sink: CsvSink,
) -> Result<FileOutcome, RunError> {
    let format = sink.format().clone();
    if format.header {
        let names: Vec<Cow<[u8]>> = plan.header().iter().map(|h| format.encode(h)).collect();
        sink.write_fields(names.iter().map(|n| n.as_ref()))?;
    }
    run_csv(job, plan, source, Sink::Csv(sink))
}

fn run_csv(job: &FileJob, plan: &BoundPlan, mut source: CsvSource, sink: Sink) -> Result<FileOutcome, RunError> {
    let format = source.format().clone();
    let layout = layout(plan);
    let batch_rows = job.batch_rows;
    let groups = WrittenGroups::new(job, plan, &sink);
    let outcome = std::thread::scope(|scope| {
        let (batch_send, batches) = sync_channel::<Result<Records, IoError>>(1);
        // Written batches come back to the reader, so record buffers are reused, not reallocated
        // (fresh ones cost the kernel's page zeroing, about a tenth of a run). For CSV output
        // the reader allocates at most `BATCH_POOL` batches, then waits for a written one; it
        // stops when every holder of `recycle` is gone (the run ended or failed).
        let (recycle, recycled) = sync_channel::<Records>(BATCH_POOL);
        let recycling = matches!(job.to, Format::Csv);
        scope.spawn(move || {
            // A panic here must not pass for the end of the input: it is sent as an error.
            let panicked = batch_send.clone();
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let mut allocated = 0;
                loop {
                    let mut batch = match recycled.try_recv() {
                        Ok(batch) => batch,
                        Err(_) if !recycling || allocated < BATCH_POOL => {
                            allocated += 1;
                            Records::default()
                        }
                        Err(_) => match recycled.recv() {
                            Ok(batch) => batch,
                            Err(_) => break,
                        },
                    };
                    match source.next_batch(&mut batch, batch_rows) {
                        Ok(0) => break,
                        Ok(_) => {
                            if batch_send.send(Ok(batch)).is_err() {
                                break;
                            }
                        }
                        Err(e) => {
                            let _ = batch_send.send(Err(e));
                            break;
                        }
                    }
                }
            }));
            if read.is_err() {
                let _ = panicked.send(Err(IoError::Read {
                    path: Default::default(),
                    source: std::io::Error::other("internal error: the reading thread panicked"),
                }));
            }
        });
        with_writer(sink, |writer| {
            // Owned by this closure: dropped when it returns, so a waiting reader stops.
            let recycle = recycle;
            let mut stats = vec![ColumnStats::default(); plan.columns.len()];
            let memos = Memo::for_columns(plan.columns.len());
            let (mut rows_in, mut rows_out) = (0u64, 0u64);
            for batch in batches {
                job.check_cancel()?;
                let mut batch = batch?;
                rows_in += batch.len() as u64;
                let position = batch.last_offset();
                match (job.subset, plan.subject) {
                    (Some(subset), Some(subject)) => batch.retain(|b, row| {
                        subset.selects(b.get(row, subject).and_then(|bytes| format.decode(bytes)).as_deref())
                    }),
                    (Some(subset), None) if !subset.keeps_unattributed() => batch.clear(),
                    _ => {}
                }
                let cells = CsvCells { records: &batch, format: &format };
                let values = transform_batch(plan, &cells, &mut stats, &memos)
                    .map_err(|(row, col, e)| cell_error(job, plan, batch.line(row), col, e))?;
                rows_out += batch.len() as u64;
                let write: WriteJob = match job.to {
                    Format::Csv => {
                        let layout = layout.clone();
                        let recycle = recycle.clone();
                        let groups = groups.share();
                        Box::new(move |sink| {
                            if let Sink::Csv(sink) = sink {
                                let mut counter = WrittenGroups::lock(&groups);
                                write_csv_rows(
                                    sink,
                                    &layout,
                                    &values,
                                    batch.len(),
                                    |row, col| batch.get(row, col).unwrap_or(b""),
                                    counter.as_deref_mut(),
                                )?;
                            }
                            let _ = recycle.try_send(batch);
                            Ok(())
                        })
                    }
                    Format::Parquet => {
                        let frame = csv_batch_frame(job, plan, &cells, values)?;
                        let groups = groups.share();
                        let output = job.output.to_path_buf();
                        Box::new(move |sink| match sink {
                            Sink::Parquet(sink) => {
                                WrittenGroups::count_frame(&groups, &frame, &output)?;
                                sink.write(frame)
                            }
                            Sink::Arrow(sink) => sink.write(frame),
                            Sink::Csv(_) => Ok(()),
                        })
                    }
                };
                if !send(writer, write) {
                    break;
                }
                job.progress.set(position);
            }
            // A signal that came while the last read waited: the output is not finished.
            job.check_cancel()?;
            Ok(FileOutcome { rows_in, rows_out, stats, csv: Some(format.clone()), types: Vec::new(), groups: None })
        })
    })?;
    Ok(FileOutcome { groups: groups.finish(), ..outcome })
}

/// The k-anonymity of an output's quasi-identifiers, counted by the writer thread as it writes
/// each record or frame (the write jobs share the counter), so `run` does not read it back.
struct WrittenGroups {
    header: Vec<String>,
    counter: Option<Arc<Mutex<GroupCounter>>>,
}

impl WrittenGroups {
    /// Counts when `sink` is a file (CSV or Parquet) and the job names quasi-identifiers.
    fn new(job: &FileJob, plan: &BoundPlan, sink: &Sink) -> WrittenGroups {
        let header: Vec<String> = plan.header().iter().map(|h| h.to_string()).collect();
        let counter = match sink {
            Sink::Csv(_) | Sink::Parquet(_) if !job.quasi.is_empty() => {
                Some(Arc::new(Mutex::new(GroupCounter::new(&header, job.quasi))))
            }
            _ => None,
        };
        WrittenGroups { header, counter }
    }

    /// The counter, for a write job.
    fn share(&self) -> Option<Arc<Mutex<GroupCounter>>> {
        self.counter.clone()
    }

    /// A write job's hold on the counter (the writer thread is its only user).
    fn lock(shared: &Option<Arc<Mutex<GroupCounter>>>) -> Option<std::sync::MutexGuard<'_, GroupCounter>> {
        shared.as_ref().map(|g| g.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Counts the rows of a Parquet output's `frame`, its columns as text as the file reads
    /// back (`text_column`: the same cast).
    fn count_frame(shared: &Option<Arc<Mutex<GroupCounter>>>, frame: &DataFrame, path: &Path) -> Result<(), IoError> {
        match WrittenGroups::lock(shared) {
            Some(mut counter) => counter.add_frame(frame, path),
            None => Ok(()),
        }
    }

    /// Once every write job has run: `None` when nothing was counted or the output holds none
    /// of the quasi-identifiers.
    fn finish(self) -> Option<Groups> {
        let counter = Arc::into_inner(self.counter?)?;
        counter.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).finish(&self.header, DEFAULT_K)
    }
}

/// A CSV batch as a frame of text columns, for `--to parquet`.
fn csv_batch_frame(
    job: &FileJob,
    plan: &BoundPlan,
    cells: &CsvCells,
    values: Vec<Option<Values>>,
) -> Result<DataFrame, RunError> {
    let rows = cells.rows();
    let mut columns = Vec::with_capacity(plan.columns.len());
    for (index, (column, new)) in plan.columns.iter().zip(values).enumerate() {
        let data: Vec<Option<String>> = match (&column.action, new) {
            (_, Some(values)) => values.iter().map(|v| v.map(str::to_string)).collect(),
            (Action::Null, None) => vec![None; rows],
            _ => {
                let mut out = Vec::with_capacity(rows);
                for row in 0..rows {
                    let cell = cells
                        .cell(column.source, row)
                        .map_err(|e| cell_error(job, plan, cells.records.line(row), index, e.into()))?;
                    out.push(cell.map(Cow::into_owned));
                }
                out
            }
        };
        columns.push(Column::new(column.name.as_str().into(), data));
    }
    Ok(DataFrame::new(rows, columns).map_err(|e| parquet_err(job.output, e))?)
}

/// The output type of a column whose rule writes `writes` and whose input type is `input`: the
/// input's type where the rule always writes values of it (shifted dates stay dates, numbers
/// numbers, digit-only pseudonyms integers), else text. Decided from the mapping and the input
/// schema alone, before the first batch.
pub fn output_type(action: &Action, writes: Writes, input: &DataType) -> DataType {
    let keeps = match action {
        Action::Keep | Action::Null => true,
        Action::Transform { .. } => match writes {
            // A timestamp with a zone: shifting it by days keeps its local time only with the
            // zone's rules, which are not at hand; it is written as text, the rule's own output
            // (local date and time kept as read).
            Writes::Dates => matches!(input, DataType::Date | DataType::Datetime(_, None)),
            // Not 8- or 16-bit integers: a rounded or noised value may not fit.
            Writes::Numbers => {
                input.is_float()
                    || input.is_decimal()
                    || matches!(input, DataType::Int32 | DataType::Int64 | DataType::UInt32 | DataType::UInt64)
            }
            Writes::Digits(_) => matches!(input, DataType::Int64 | DataType::UInt64),
            Writes::Text => input == &DataType::String,
        },
    };
    if keeps {
        input.clone()
    } else {
        DataType::String
    }
}

/// The output's polars schema and the Arrow schema it declares: text keeps the Arrow width the
/// input declared (`string`, `large_string`, `string_view`); any other column declares the Arrow
/// type of what polars writes for it (the input's where polars read it as such: `date32`, a
/// timestamp's unit, a decimal's precision); a column that became text is `large_string`.
/// Every column is declared nullable. Also returns, per column, the Arrow type change
/// (`int64 -> large_string`, or a type polars reads as another: `date64 -> timestamp[ms]`).
fn parquet_output_schema(
    plan: &BoundPlan,
    input: &Schema,
    arrow_in: &ArrowSchema,
) -> (Schema, ArrowSchema, Vec<Option<String>>) {
    let text =
        |t: &ArrowDataType| matches!(t, ArrowDataType::Utf8 | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8View);
    let mut schema = Schema::default();
    let mut arrow = ArrowSchema::default();
    let mut changes = Vec::with_capacity(plan.columns.len());
    for c in &plan.columns {
        let in_type = input.get_at_index(c.source).map_or(DataType::String, |(_, d)| d.clone());
        let out_type = output_type(&c.action, c.writes, &in_type);
        let name: polars::prelude::PlSmallStr = c.name.as_str().into();
        let declared_in = arrow_in.get_at_index(c.source).map(|(_, f)| f.dtype.clone());
        let written = out_type.to_arrow(polars::prelude::CompatLevel::oldest());
        let dtype = match &declared_in {
            Some(d) if out_type == in_type && (d == &written || (text(d) && text(&written))) => d.clone(),
            _ => written,
        };
        changes
            .push(declared_in.filter(|d| d != &dtype).map(|d| format!("{} -> {}", arrow_name(&d), arrow_name(&dtype))));
        arrow.insert(name.clone(), ArrowField::new(name.clone(), dtype, true));
        schema.insert(name, out_type);
    }
    (schema, arrow, changes)
}

/// An Arrow type as pyarrow names it (`int64`, `large_string`, `timestamp[ms]`), for the manifest.
fn arrow_name(dtype: &ArrowDataType) -> String {
    use polars::prelude::ArrowTimeUnit as U;
    let unit = |u: &U| match u {
        U::Second => "s",
        U::Millisecond => "ms",
        U::Microsecond => "us",
        U::Nanosecond => "ns",
    };
    match dtype {
        ArrowDataType::Utf8 => "string".into(),
        ArrowDataType::LargeUtf8 => "large_string".into(),
        ArrowDataType::Utf8View => "string_view".into(),
        ArrowDataType::Int8 => "int8".into(),
        ArrowDataType::Int16 => "int16".into(),
        ArrowDataType::Int32 => "int32".into(),
        ArrowDataType::Int64 => "int64".into(),
        ArrowDataType::UInt8 => "uint8".into(),
        ArrowDataType::UInt16 => "uint16".into(),
        ArrowDataType::UInt32 => "uint32".into(),
        ArrowDataType::UInt64 => "uint64".into(),
        ArrowDataType::Float32 => "float".into(),
        ArrowDataType::Float64 => "double".into(),
        ArrowDataType::Date32 => "date32[day]".into(),
        ArrowDataType::Date64 => "date64[ms]".into(),
        ArrowDataType::Timestamp(u, None) => format!("timestamp[{}]", unit(u)),
        ArrowDataType::Timestamp(u, Some(tz)) => format!("timestamp[{}, tz={tz}]", unit(u)),
        ArrowDataType::Decimal(p, s) => format!("decimal128({p}, {s})"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// A date or timestamp column after a `date` rule: each value moved by the days between the
/// date the rule read (`before`, the column as text) and the date it wrote (`after`), so a
/// timestamp keeps its time of day, unit and zone (a shift is whole days of 24 hours).
fn shifted_dates(
    original: &Column,
    before: Option<&StringChunked>,
    after: &Values,
    dtype: &DataType,
) -> polars::prelude::PolarsResult<Column> {
    let days = |text: &str| {
        crate::ident::date::parse(text).map(|d| crate::ident::date::days_from_civil(d.year, d.month, d.day))
    };
    let per_day: i64 = match dtype {
        DataType::Datetime(unit, _) => match unit {
            polars::prelude::TimeUnit::Nanoseconds => 86_400_000_000_000,
            polars::prelude::TimeUnit::Microseconds => 86_400_000_000,
            polars::prelude::TimeUnit::Milliseconds => 86_400_000,
        },
        _ => 1,
    };
    let physical = original.to_physical_repr().cast(&DataType::Int64)?;
    let physical = physical.i64()?;
    let mut out: Vec<Option<i64>> = Vec::with_capacity(after.len());
    for row in 0..after.len() {
        let shifted = after.get(row).and_then(|text| {
            let to = days(text)?;
            let from = before.and_then(|b| b.get(row)).and_then(days)?;
            physical.get(row)?.checked_add((to - from).checked_mul(per_day)?)
        });
        if after.get(row).is_some() && shifted.is_none() {
            polars::prelude::polars_bail!(ComputeError: "not a date");
        }
        out.push(shifted);
    }
    let series = Series::new(original.name().clone(), out);
    let series = match dtype {
        DataType::Date => series.cast(&DataType::Int32)?.cast(dtype)?,
        _ => series.cast(dtype)?,
    };
    Ok(Column::from(series))
}

/// Where the rows of a typed source go.
pub enum FrameTarget {
    /// The run's file `job.output`, in `job.to`.
    File,
    /// An Arrow IPC stream (`pipe --format arrow`), typed as a Parquet output would be.
    ArrowStream(Box<dyn std::io::Write + Send>),
}

/// Processes one Parquet file into `job.output`.
pub fn process_parquet(job: &FileJob, plan: &BoundPlan, mut source: ParquetSource) -> Result<FileOutcome, RunError> {
    process_frames(job, plan, &mut source, FrameTarget::File)
}

/// Processes the batches of a typed source (a Parquet file, an Arrow stream) into `target`.
pub fn process_frames(
    job: &FileJob,
    plan: &BoundPlan,
    source: &mut dyn FrameSource,
    target: FrameTarget,
) -> Result<FileOutcome, RunError> {
    let in_schema = source.schema().clone();
    let mut type_changes: Vec<Option<String>> = Vec::new();
    let typed = !matches!((&target, job.to), (FrameTarget::File, Format::Csv));
    let (sink, out_schema) = match target {
        FrameTarget::File if !typed => {
            let mut sink = CsvSink::create(job.output, CsvFormat::plain())?;
            sink.write_fields(plan.header().iter().map(|h| h.as_bytes()))?;
            (Sink::Csv(sink), Schema::default())
        }
        FrameTarget::File => {
            let (schema, arrow, changes) = parquet_output_schema(plan, &in_schema, source.arrow_schema());
            type_changes = changes;
            (Sink::Parquet(Box::new(ParquetSink::create(job.output, &schema, &arrow)?)), schema)
        }
        FrameTarget::ArrowStream(output) => {
            let (schema, arrow, changes) = parquet_output_schema(plan, &in_schema, source.arrow_schema());
            type_changes = changes;
            (Sink::Arrow(Box::new(ArrowStreamSink::start(job.output, output, arrow)?)), schema)
        }
    };
    let groups = WrittenGroups::new(job, plan, &sink);
    // Source columns read as text: those rules read, and every kept one when writing CSV.
    let mut needed = vec![false; plan.source_width];
    for column in &plan.columns {
        match &column.action {
            Action::Transform { inputs, .. } => {
                needed[column.source] = true;
                inputs.iter().for_each(|&i| needed[i] = true);
            }
            Action::Keep => needed[column.source] |= !typed,
            Action::Null => {}
        }
    }
    let layout = layout(plan);
    let types = type_changes;
    let outcome = with_writer(sink, |writer| {
        let mut stats = vec![ColumnStats::default(); plan.columns.len()];
        let memos = Memo::for_columns(plan.columns.len());
        let (mut rows_in, mut rows_out) = (0u64, 0u64);
        while let Some(mut df) = source.next_batch()? {
            job.check_cancel()?;
            let first_row = rows_in + 1;
            rows_in += df.height() as u64;
            // The input row (from 1) of each kept row, for messages.
            let mut kept: Option<Vec<u64>> = None;
            if let (Some(subset), Some(subject)) = (job.subset, plan.subject) {
                let text = text_column(job.input, &df.columns()[subject])?;
                let selected: Vec<bool> = text.iter().map(|v| subset.selects(v)).collect();
                kept =
                    Some((0..selected.len() as u64).filter(|&r| selected[r as usize]).map(|r| first_row + r).collect());
                let mask: polars::prelude::BooleanChunked = selected.into_iter().map(Some).collect();
                df = df.filter(&mask).map_err(|e| parquet_err(job.input, e))?;
            }
            if job.subset.is_some_and(|s| !s.keeps_unattributed()) && plan.subject.is_none() {
                df = df.slice(0, 0);
            }
            let input_row = |row: usize| kept.as_ref().map_or(first_row + row as u64, |k| k[row]);
            let height = df.height();
            let mut text = Vec::with_capacity(plan.source_width);
            for (i, column) in df.columns().iter().enumerate() {
                text.push(if needed[i] { Some(text_column(job.input, column)?) } else { None });
            }
            // Fixed-length identifiers in integer columns: the leading zeros the integer lost.
            for c in &plan.columns {
                let (Writes::Digits(width), Some(Some(values))) = (c.writes, text.get(c.source)) else { continue };
                if !df.columns()[c.source].dtype().is_integer() {
                    continue;
                }
                let padded: StringChunked = values
                    .iter()
                    .map(|v| v.map(|v| if v.starts_with('-') { v.to_string() } else { format!("{v:0>width$}") }))
                    .collect();
                text[c.source] = Some(padded.with_name(values.name().clone()));
            }
            let cells = FrameCells { rows: height, columns: text };
            let values = transform_batch(plan, &cells, &mut stats, &memos)
                .map_err(|(row, col, e)| row_error(job, plan, input_row(row), col, e))?;
            let write: WriteJob = if !typed {
                let layout = layout.clone();
                let groups = groups.share();
                Box::new(move |sink| match sink {
                    Sink::Csv(sink) => write_csv_rows(
                        sink,
                        &layout,
                        &values,
                        height,
                        |row, col| cells.columns[col].as_ref().and_then(|c| c.get(row)).unwrap_or("").as_bytes(),
                        WrittenGroups::lock(&groups).as_deref_mut(),
                    ),
                    Sink::Parquet(_) | Sink::Arrow(_) => Ok(()),
                })
            } else {
                let mut columns = Vec::with_capacity(plan.columns.len());
                for ((column, new), (_, dtype)) in plan.columns.iter().zip(values).zip(out_schema.iter()) {
                    let name = column.name.as_str().into();
                    columns.push(match (&column.action, new) {
                        (_, Some(values)) => {
                            let text = Series::new(name, values.iter().collect::<Vec<_>>());
                            // The first row whose value the type cannot hold, for the message.
                            let failing = |typed: Option<&Series>| {
                                (0..values.len())
                                    .find(|&r| {
                                        values.get(r).is_some()
                                            && typed.is_none_or(|t| t.get(r).is_ok_and(|v| v.is_null()))
                                    })
                                    .unwrap_or(0)
                            };
                            let not_typed = |row: usize| {
                                let message =
                                    format!("a value the rule wrote is not a {dtype}, the column's type in the input");
                                let error = CellError::Rule(crate::rules::RuleError(message));
                                row_error(job, plan, input_row(row), columns.len(), error)
                            };
                            match dtype {
                                DataType::String => Column::from(text),
                                DataType::Date | DataType::Datetime(..) => {
                                    let original = &df.columns()[column.source];
                                    let before = cells.columns[column.source].as_ref();
                                    shifted_dates(original, before, &values, dtype)
                                        .map_err(|_| not_typed(failing(None)))?
                                }
                                // Strict: a value the type cannot hold is an error, never a null.
                                _ => Column::from(
                                    text.strict_cast(dtype)
                                        .map_err(|_| not_typed(failing(text.cast(dtype).ok().as_ref())))?,
                                ),
                            }
                        }
                        (Action::Null, None) => Column::full_null(name, height, dtype),
                        _ => df.columns()[column.source].clone(),
                    });
                }
                let frame = DataFrame::new(height, columns).map_err(|e| parquet_err(job.output, e))?;
                let groups = groups.share();
                let output = job.output.to_path_buf();
                Box::new(move |sink| match sink {
                    Sink::Parquet(sink) => {
                        WrittenGroups::count_frame(&groups, &frame, &output)?;
                        sink.write(frame)
                    }
                    Sink::Arrow(sink) => sink.write(frame),
                    Sink::Csv(_) => Ok(()),
                })
            };
            rows_out += height as u64;
            if !send(writer, write) {
                break;
            }
            job.progress.set(rows_in);
        }
        job.check_cancel()?;
        Ok(FileOutcome { rows_in, rows_out, stats, csv: None, types, groups: None })
    })?;
    Ok(FileOutcome { groups: groups.finish(), ..outcome })
}
