//! The run loop: find the input files, bind each to its mapping, pseudonymise them into
//! temporary files and move them into place only when every file succeeded.

mod file;
mod transform;

pub use transform::{transform_batch, CellError, ColumnStats, Memo, Values, MEMO_CAP};

use std::path::{Component, Path, PathBuf};
use std::time::Instant;

use hmac::Mac;

use crate::crypto::{Key, KeyError};
use crate::io::csv::{CsvFormat, CsvSource};
use crate::io::parquet::ParquetSource;
use crate::io::{Cells, Format, IoError};
use crate::manifest::{ColumnEntry, FileEntry, Manifest, MappingEntry};
use crate::mapping::{BoundPlan, ColumnRule, MappingError, Mappings};

/// Name of the manifest every run writes into its output directory.
pub const MANIFEST_NAME: &str = "pseudata-manifest.json";

/// Rows per batch unless told otherwise: bounded memory, enough work per batch for every thread.
pub const DEFAULT_BATCH_ROWS: usize = 65_536;

/// Rows per Parquet batch by default: half a CSV batch. Polars decodes each batch into its own
/// buffers, which our text columns copy, so a Parquet batch costs about twice a CSV one
/// (250,000 members, shipped mappings: peak 295-306 MB with 65,536 rows, 245-262 MB with 32,768,
/// at the same speed).
/// A `--batch-rows` given explicitly is taken as it is.
fn parquet_batch_rows(batch_rows: usize) -> usize {
    if batch_rows == DEFAULT_BATCH_ROWS {
        DEFAULT_BATCH_ROWS / 2
    } else {
        batch_rows
    }
}

/// Errors of a run. Each names a file, line and column where it can; none quotes a data value.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error(transparent)]
    Io(#[from] IoError),
    #[error("{path}, line {line}, column `{column}`: {message}")]
    Cell { path: PathBuf, line: u64, column: String, message: String },
    /// As `Cell`, in a typed source (Parquet, an Arrow stream): the row, counted from 1.
    #[error("{path}, row {row}, column `{column}`: {message}")]
    Row { path: PathBuf, row: u64, column: String, message: String },
    #[error("{0} is a symbolic link back to a directory that contains it: remove the link or point --input below it")]
    LinkLoop(PathBuf),
    #[error("input {0} does not exist or is neither a directory nor a file")]
    NoInput(PathBuf),
    #[error("output directory {0} does not exist or is not a directory")]
    NoOutput(PathBuf),
    #[error("output directory {output} is the input directory or inside it: choose a directory outside {input}")]
    OutputInsideInput { output: PathBuf, input: PathBuf },
    #[error("output directory {0} is not empty: pass --force to write into it anyway")]
    OutputNotEmpty(PathBuf),
    #[error("{} data file(s) match no mapping (every file must be classified): {}", .0.len(), .0.join(", "))]
    Unmapped(Vec<String>),
    #[error("{file} matches more than one mapping: {}", .tables.join(", "))]
    Ambiguous { file: String, tables: Vec<String> },
    #[error("no data file (*.csv, *.tsv, *.txt, *.parquet) in {0}")]
    NoFiles(PathBuf),
    #[error("--subset must be a percentage in (0, 100], not {0}")]
    BadSubset(f64),
    #[error("cannot prepare output: {path}")]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("input files {first} and {second} would both be written as {output}: rename one, or convert them in separate runs")]
    OutputCollision { first: String, second: String, output: String },
    #[error("interrupted by {}: no output file was written", signal_name(*.0))]
    Interrupted(i32),
    /// `pipe` stopped by a signal: what it wrote ends with what no load accepts.
    #[error("interrupted by {}: the output stream ends with the failure marker, so no load takes it for complete", signal_name(*.0))]
    StreamInterrupted(i32),
    #[error("this output was written with --subset: verify needs the run's key (--key-file or PSEUDATA_KEY) to align its rows with the input")]
    SubsetNeedsKey,
    #[error("--subset {given} disagrees with the output's manifest, which records --subset {recorded}")]
    SubsetDisagrees { given: f64, recorded: f64 },
    #[error("--subset {given} is for an output without a manifest (written by `pipe` or Spark); this output's manifest records a run without --subset")]
    SubsetNotRecorded { given: f64 },
    #[error(
        "none of the chosen subjects appears in a table with a `subject` column (the identifiers are not printed)"
    )]
    NoSubjects,
    #[error("this output is a case file: verify needs the run's key (--key-file or PSEUDATA_KEY) to find its subjects' rows in the input")]
    CaseNeedsKey,
    #[error("mapping {mapping}: the subject column `{column}` of table `{table}` is emptied or dropped in the output (rule {rule}), so a case file has no pseudonym to name and group each member's sheet by: give it an identifier rule")]
    CaseSubjectGone { mapping: PathBuf, table: String, column: String, rule: &'static str },
    #[error("cannot start {threads} worker threads")]
    Threads { threads: usize },
}

/// A cell that could not be read or transformed, as a run error naming file, line and column
/// (never the value).
pub(crate) fn cell_error(path: &Path, line: u64, column: &str, error: impl Into<CellError>) -> RunError {
    let message = match error.into() {
        CellError::Encoding => "bytes that are not valid in the file's encoding".to_string(),
        CellError::Rule(e) => e.0,
    };
    RunError::Cell { path: path.to_path_buf(), line, column: column.to_string(), message }
}

/// Progress of one file, in bytes (CSV) or rows (Parquet). The library never draws it itself.
pub trait FileProgress: Sync {
    /// Work done so far.
    fn set(&self, position: u64);
    /// The file is written completely (a file that never gets here was interrupted or failed).
    fn finish(&self) {}
}

/// Creates a progress report per file.
pub trait Progress: Sync {
    /// The whole run: `files` input files of `bytes` bytes in all, before the first `start`.
    fn plan(&self, _files: usize, _bytes: u64) {}
    /// Starts reporting on `name` of `bytes` bytes, whose size is `total` (bytes for CSV, rows
    /// for Parquet, 0 if unknown).
    fn start(&self, name: &str, bytes: u64, total: u64) -> Box<dyn FileProgress + '_>;
}

/// A progress sink that shows nothing.
pub struct NoProgress;

struct NoFileProgress;

impl FileProgress for NoFileProgress {
    fn set(&self, _position: u64) {}
}

impl Progress for NoProgress {
    fn start(&self, _name: &str, _bytes: u64, _total: u64) -> Box<dyn FileProgress + '_> {
        Box::new(NoFileProgress)
    }
}

/// Which rows a run keeps, by the subject column: a keyed share of subjects (`--subset`) or the
/// chosen subjects of a case file (`case`), known only by keyed fingerprints.
pub struct Subset {
    state: hmac::Hmac<sha2::Sha256>,
    selection: Selection,
}

enum Selection {
    /// Subjects whose keyed hash falls under the threshold.
    Share(u64),
    /// Subjects whose keyed fingerprint is in the set.
    Subjects(rustc_hash::FxHashSet<[u8; 16]>),
}

/// The first 16 bytes of the keyed HMAC of a normalised subject.
fn digest(state: &hmac::Hmac<sha2::Sha256>, normalised: &str) -> [u8; 16] {
    let mut mac = state.clone();
    mac.update(normalised.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Fails with `Interrupted` once a signal number is stored in `cancel`.
pub(crate) fn check_cancel(cancel: Option<&std::sync::atomic::AtomicUsize>) -> Result<(), RunError> {
    match cancel.map(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
        Some(signal) if signal != 0 => Err(RunError::Interrupted(signal as i32)),
        _ => Ok(()),
    }
}

/// The usual name of a signal number, for messages.
pub fn signal_name(signal: i32) -> String {
    match signal {
        1 => "SIGHUP".into(),
        2 => "SIGINT".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

impl Subset {
    /// Keeps about `percent` % of subjects.
    pub fn new(key: &Key, percent: f64) -> Result<Subset, RunError> {
        if !(percent > 0.0 && percent <= 100.0) {
            return Err(RunError::BadSubset(percent));
        }
        let threshold = if percent >= 100.0 { u64::MAX } else { (percent / 100.0 * u64::MAX as f64) as u64 };
        Ok(Subset { state: key.subkey("subset").hmac(), selection: Selection::Share(threshold) })
    }

    /// Keeps the subjects whose fingerprints (`Subset::fingerprint`) are given.
    pub fn subjects(key: &Key, fingerprints: impl IntoIterator<Item = [u8; 16]>) -> Subset {
        Subset { state: key.subkey("case").hmac(), selection: Selection::Subjects(fingerprints.into_iter().collect()) }
    }

    /// The keyed fingerprint of a subject identifier under `key` (`None` for an empty one):
    /// what a case file's manifest records instead of the identifier.
    pub fn fingerprint(key: &Key, subject: &str) -> Option<[u8; 16]> {
        Self::print(&key.subkey("case").hmac(), subject)
    }

    fn print(state: &hmac::Hmac<sha2::Sha256>, subject: &str) -> Option<[u8; 16]> {
        let normalised = crate::ident::subject::normalise(subject);
        (!normalised.is_empty()).then(|| digest(state, &normalised))
    }

    /// Whether rows without a subject (or in tables without a subject column) are kept: yes
    /// for a share, no for a case file (they belong to nobody's dossier).
    pub fn keeps_unattributed(&self) -> bool {
        matches!(self.selection, Selection::Share(_))
    }

    /// Whether the row of `subject` is kept. Spellings of one identifier (dots, dashes, spaces,
    /// case) select alike.
    pub fn selects(&self, subject: Option<&str>) -> bool {
        match &self.selection {
            // Rows without a subject are kept.
            Selection::Share(threshold) => match subject.and_then(|s| Self::print(&self.state, s)) {
                None => true,
                Some(first) => {
                    u64::from_be_bytes([first[0], first[1], first[2], first[3], first[4], first[5], first[6], first[7]])
                        <= *threshold
                }
            },
            Selection::Subjects(prints) => {
                subject.and_then(|s| Self::print(&self.state, s)).is_some_and(|p| prints.contains(&p))
            }
        }
    }
}

/// The subjects of a case file.
#[derive(Debug, Clone)]
pub enum Case {
    /// These subject identifiers.
    Subjects(Vec<String>),
    /// This many subjects, a keyed choice among those in the input.
    Sample(usize),
}

/// What `run` is asked to do.
pub struct RunOptions {
    pub mappings: PathBuf,
    pub input: PathBuf,
    pub output: PathBuf,
    pub to: Option<Format>,
    pub threads: Option<usize>,
    pub subset: Option<f64>,
    /// Case file: keep only these subjects' rows (instead of `subset`).
    pub case: Option<Case>,
    /// Case file: the language of the case sheets (`None`: each member's own).
    pub sheet_lang: Option<crate::sheet::SheetLang>,
    pub force: bool,
    pub batch_rows: usize,
    /// Set from outside (a signal handler) to the number of the signal that should stop the run
    /// between batches; 0 while running. Nothing is kept.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
    /// Count the k-anonymity of each output's quasi-identifiers as it is written (`run`, unless
    /// quiet without a report; never for a case file).
    pub count_groups: bool,
}

/// One input file and the table it belongs to.
struct Planned<'m> {
    relative: String,
    path: PathBuf,
    format: Format,
    table: &'m crate::mapping::Table,
}

/// Pseudonymises every input file a mapping matches and writes the signed manifest; returns it.
/// On error no output file with a final name is left behind.
pub fn run(options: &RunOptions, key: &Key, progress: &dyn Progress) -> Result<Manifest, RunError> {
    let started = Instant::now();
    let input = std::fs::canonicalize(&options.input)
        .ok()
        .filter(|p| p.is_dir() || p.is_file())
        .ok_or_else(|| RunError::NoInput(options.input.clone()))?;
    let output =
        resolve(&options.output).map_err(|source| RunError::Output { path: options.output.clone(), source })?;
    // A single input file: its directory is the input's place, so the output may not be there
    // either (the output file would replace the input of the same name).
    let input_place = if input.is_file() { input.parent().unwrap_or(&input).to_path_buf() } else { input.clone() };
    // A file given through a symbolic link: the link's own directory too (the output there
    // would replace the link).
    let link_place = match options.input.parent() {
        Some(parent) if input.is_file() => {
            resolve(if parent.as_os_str().is_empty() { Path::new(".") } else { parent }).ok()
        }
        _ => None,
    };
    for place in std::iter::once(&input_place).chain(link_place.as_ref()) {
        if output.starts_with(place) {
            return Err(RunError::OutputInsideInput { output: options.output.clone(), input: place.clone() });
        }
    }
    let mappings = crate::mapping::load_dir(&options.mappings)?;
    // A single file is named as given (not as a symbolic link's target), as `check` and `verify` name it.
    let planned = plan_files(if input.is_file() { &options.input } else { &input }, &mappings)?;
    if planned.is_empty() {
        return Err(RunError::NoFiles(options.input.clone()));
    }
    check_output_names(&planned, options.to)?;
    // A case file's sheets are keyed on the pseudonymised subject: it must reach the output.
    if options.case.is_some() {
        for item in &planned {
            let table = item.table;
            let Some(column) = &table.subject else { continue };
            if let Some(rule @ (ColumnRule::Drop | ColumnRule::Null | ColumnRule::Constant(_))) = table.rule(column) {
                return Err(RunError::CaseSubjectGone {
                    mapping: table.path.clone(),
                    table: table.name.clone(),
                    column: column.clone(),
                    rule: rule.name(),
                });
            }
        }
    }
    let mut case_prints: Option<Vec<[u8; 16]>> = None;
    let subset = match &options.case {
        Some(case) => {
            let prints = match case {
                Case::Subjects(ids) => ids.iter().filter_map(|id| Subset::fingerprint(key, id)).collect(),
                Case::Sample(n) => sample_subjects(&planned, *n, key, options.batch_rows)?,
            };
            if prints.is_empty() {
                return Err(RunError::NoSubjects);
            }
            let mut sorted: Vec<[u8; 16]> =
                prints.iter().copied().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            sorted.sort();
            case_prints = Some(sorted);
            Some(Subset::subjects(key, prints))
        }
        None => options.subset.map(|p| Subset::new(key, p)).transpose()?,
    };
    let output_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| RunError::Output { path, source }
    };
    if output.exists() {
        let mut entries = std::fs::read_dir(&output).map_err(output_err(&output))?;
        if entries.next().is_some() && !options.force {
            return Err(RunError::OutputNotEmpty(options.output.clone()));
        }
    }
    std::fs::create_dir_all(&output).map_err(output_err(&output))?;
    let staging = tempfile::Builder::new().prefix(".pseudata-tmp-").tempdir_in(&output).map_err(output_err(&output))?;

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .map_err(|_| RunError::Threads { threads: options.threads.unwrap_or(0) })?;

    progress.plan(planned.len(), planned.iter().map(|p| std::fs::metadata(&p.path).map_or(0, |m| m.len())).sum());
    // The manifest's SHA-256 of each input and output is computed on threads of its own, the
    // input's while the file is processed and the output's while the next one is: a serial
    // rereading of every file after its run cost up to a tenth of the run. A failed run stops them.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let (files, mut moves) = std::thread::scope(|scope| -> Result<(Vec<FileEntry>, Vec<Move>), RunError> {
        let hash = |path: PathBuf| {
            let stop = &stop;
            let thread_err = |path: &Path, source| RunError::Io(crate::io::IoError::Read { path: path.into(), source });
            let handle = std::thread::Builder::new()
                .name("pseudata-hash".into())
                .spawn_scoped(scope, {
                    let path = path.clone();
                    move || crate::manifest::file_sha256_until(&path, stop)
                })
                .map_err(|e| thread_err(&path, e))?;
            Ok::<_, RunError>(move || match handle.join() {
                Ok(hashed) => hashed.map_err(|source| thread_err(&path, source)),
                Err(_) => Err(thread_err(&path, std::io::Error::other("internal error: a hashing thread panicked"))),
            })
        };
        let all = || -> Result<(Vec<FileEntry>, Vec<Move>), RunError> {
            let mut pending = Vec::with_capacity(planned.len());
            let mut moves = Vec::with_capacity(planned.len());
            for (index, item) in planned.iter().enumerate() {
                let to = options.to.unwrap_or(item.format);
                let relative_out = with_format(&item.relative, item.format, to);
                // Staged under its own name, so a write error (disk full) names the file being written.
                let staged = staging.path().join(format!("{index}")).join(&relative_out);
                if let Some(parent) = staged.parent() {
                    std::fs::create_dir_all(parent).map_err(output_err(parent))?;
                }
                let file_started = Instant::now();
                let hash_in = hash(item.path.clone())?;
                let entry = pool.install(|| process(item, &staged, to, options, key, subset.as_ref(), progress))?;
                // The file's own time, without its hashes.
                let seconds = file_started.elapsed().as_secs_f64();
                let bytes_out = std::fs::metadata(&staged).map(|m| m.len()).unwrap_or(0);
                let hash_out = hash(staged.clone())?;
                pending.push((
                    FileEntry { output: relative_out.clone(), bytes_out, seconds, ..entry },
                    hash_in,
                    hash_out,
                ));
                moves.push((staged, output.join(&relative_out)));
            }
            let mut files = Vec::with_capacity(pending.len());
            for (entry, hash_in, hash_out) in pending {
                let (sha256_in, sha256_out) = (hash_in()?, hash_out()?);
                files.push(FileEntry { sha256_in, sha256_out, ..entry });
            }
            Ok((files, moves))
        };
        let result = all();
        if result.is_err() {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        result
    })?;
    if case_prints.is_some() && files.iter().all(|f| f.rows_out == 0) {
        return Err(RunError::NoSubjects);
    }
    // Case sheets, from the staged tables only; staged and moved into place with them.
    let mut sheets = Vec::new();
    if case_prints.is_some() {
        let written: Vec<crate::sheet::Written> = planned
            .iter()
            .zip(&moves)
            .map(|(item, (staged, _))| crate::sheet::Written {
                path: staged.clone(),
                format: options.to.unwrap_or(item.format),
                table: item.table,
                csv: item.table.output_csv(options.to.is_some_and(|to| to != item.format)),
            })
            .collect();
        let dir = staging.path().join("sheets");
        std::fs::create_dir_all(&dir).map_err(output_err(&dir))?;
        for name in crate::sheet::write_sheets(&written, options.sheet_lang, &dir, options.batch_rows)? {
            let staged = dir.join(&name);
            let sha256 = crate::manifest::file_sha256(&staged).map_err(output_err(&staged))?;
            sheets.push(crate::manifest::SheetEntry { file: name.clone(), sha256 });
            moves.push((staged, output.join(name)));
        }
    }
    // The manifest is written and synced in staging before any rename: a full disk or a failed
    // sync then stops the run while nothing has a final name.
    let mut manifest = Manifest::new(
        key,
        mappings
            .tables
            .iter()
            .map(|t| MappingEntry {
                file: t.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                table: t.name.clone(),
                sha256: t.sha256.clone(),
            })
            .collect(),
        files,
        small_domains(&mappings),
        options,
        case_prints.as_deref(),
        started.elapsed().as_secs_f64(),
    );
    manifest.sheets = sheets;
    let staged_manifest = staging.path().join(MANIFEST_NAME);
    manifest.write(&staged_manifest, key).map_err(output_err(&staged_manifest))?;
    // The last moment a signal can still stop the run with nothing written; a signal after it
    // does not stop a run whose output is complete.
    check_cancel(options.cancel.as_deref())?;
    // A manifest of an earlier run (`--force`) goes first: it must never sign files it did not make.
    let final_manifest = output.join(MANIFEST_NAME);
    match std::fs::remove_file(&final_manifest) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(output_err(&final_manifest)(e)),
        _ => {}
    }
    for (staged, target) in &moves {
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(output_err(parent))?;
        }
        std::fs::rename(staged, target).map_err(output_err(target))?;
    }
    let mut renamed_into: Vec<&Path> = moves.iter().filter_map(|(_, target)| target.parent()).collect();
    renamed_into.dedup();
    for dir in renamed_into {
        crate::io::sync_dir(dir).map_err(output_err(dir))?;
    }
    std::fs::rename(&staged_manifest, &final_manifest).map_err(output_err(&final_manifest))?;
    crate::io::sync_dir(&output).map_err(output_err(&output))?;
    Ok(manifest)
}

/// A staged output and the path it is renamed to once the run succeeded.
type Move = (PathBuf, PathBuf);

fn process(
    item: &Planned,
    staged: &Path,
    to: Format,
    options: &RunOptions,
    key: &Key,
    subset: Option<&Subset>,
    progress: &dyn Progress,
) -> Result<FileEntry, RunError> {
    let bytes_in = std::fs::metadata(&item.path).map(|m| m.len()).unwrap_or(0);
    let (header, outcome, plan) = match item.format {
        Format::Csv => {
            let format = CsvFormat::detect(&item.path, &item.table.csv)?;
            let source = CsvSource::open(&item.path, format)?;
            let header = source.header().to_vec();
            let plan = BoundPlan::bind(item.table, &item.path, &header, key)?;
            let bar = progress.start(&item.relative, bytes_in, bytes_in);
            let job = job(item, staged, to, options, subset, bar.as_ref());
            let outcome = file::process_csv(&job, &plan, source)?;
            bar.finish();
            (header, outcome, plan)
        }
        Format::Parquet => {
            let source = ParquetSource::open(&item.path, parquet_batch_rows(options.batch_rows))?;
            let header = source.header().to_vec();
            let plan = BoundPlan::bind(item.table, &item.path, &header, key)?;
            let bar = progress.start(&item.relative, bytes_in, 0);
            let job = job(item, staged, to, options, subset, bar.as_ref());
            let outcome = file::process_parquet(&job, &plan, source)?;
            bar.finish();
            (header, outcome, plan)
        }
    };
    let columns = plan
        .columns
        .iter()
        .zip(outcome.stats)
        .enumerate()
        .map(|(i, (c, stats))| ColumnEntry {
            name: c.name.clone(),
            rule: c.rule.to_string(),
            type_change: outcome.types.get(i).cloned().flatten(),
            stats,
        })
        .collect();
    let dropped = header.iter().filter(|h| !plan.columns.iter().any(|c| &c.name == *h)).cloned().collect();
    Ok(FileEntry {
        input: item.relative.clone(),
        output: String::new(),
        table: item.table.name.clone(),
        format_in: item.format,
        format_out: to,
        csv: outcome.csv,
        bytes_in,
        sha256_in: String::new(),
        bytes_out: 0,
        sha256_out: String::new(),
        rows_in: outcome.rows_in,
        rows_out: outcome.rows_out,
        seconds: 0.0,
        columns,
        dropped,
        groups: outcome.groups,
    })
}

fn job<'a>(
    item: &'a Planned,
    staged: &'a Path,
    to: Format,
    options: &'a RunOptions,
    subset: Option<&'a Subset>,
    progress: &'a dyn FileProgress,
) -> file::FileJob<'a> {
    file::FileJob {
        input: &item.path,
        output: staged,
        to,
        batch_rows: options.batch_rows.max(1),
        subset,
        progress,
        cancel: options.cancel.as_deref(),
        // A case file's k-anonymity is not measured: a handful of members forms groups of one.
        quasi: if options.count_groups && options.case.is_none() { &item.table.quasi_identifiers } else { &[] },
    }
}

/// The permuted cells under 10^6 values of every mapped column, for the manifest.
fn small_domains(mappings: &Mappings) -> Vec<crate::manifest::SmallDomain> {
    let mut out = Vec::new();
    for table in &mappings.tables {
        for (column, rule) in &table.columns {
            let cells = match rule {
                crate::rules::ColumnRule::Identifier(spec) => spec.kind.small_domains(),
                crate::rules::ColumnRule::FreeText(spec) => {
                    crate::rules::IdentifierKind::in_free_text_small_domains(&spec.identifiers)
                }
                _ => Vec::new(),
            };
            out.extend(cells.into_iter().map(|(cell, values)| crate::manifest::SmallDomain {
                table: table.name.clone(),
                column: column.clone(),
                rule: rule.name().to_string(),
                cell,
                values,
            }));
        }
    }
    out
}

/// Refuses a run where two input files would be written under one output name (`members.csv`
/// and `members.parquet` with `--to parquet`): one would silently replace the other.
fn check_output_names(planned: &[Planned], to: Option<Format>) -> Result<(), RunError> {
    let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
    for item in planned {
        let name = with_format(&item.relative, item.format, to.unwrap_or(item.format));
        if let Some(first) = seen.insert(name.clone(), &item.relative) {
            return Err(RunError::OutputCollision {
                first: first.to_string(),
                second: item.relative.clone(),
                output: name,
            });
        }
    }
    Ok(())
}

/// A keyed choice of `n` subjects among those of every table with a subject column: the `n`
/// smallest keyed fingerprints, so the same key and input give the same subjects.
fn sample_subjects(planned: &[Planned], n: usize, key: &Key, batch_rows: usize) -> Result<Vec<[u8; 16]>, RunError> {
    use std::collections::BTreeSet;
    let mut chosen: BTreeSet<[u8; 16]> = BTreeSet::new();
    for item in planned {
        let Some(subject) = item.table.subject.as_deref() else { continue };
        let mut index = None;
        let mut reader = crate::io::reader::TableReader::open(
            &item.path,
            item.format,
            &item.table.csv,
            batch_rows,
            None,
            |header| {
                index = header.iter().position(|h| h == subject);
                header.iter().map(|h| h == subject).collect()
            },
        )?;
        let Some(index) = index else { continue };
        let header = reader.header().to_vec();
        while let Some(batch) = reader.next_batch()? {
            for row in 0..Cells::rows(&batch) {
                let cell =
                    batch.cell(index, row).map_err(|e| cell_error(&item.path, batch.line(row), &header[index], e))?;
                let Some(print) = cell.and_then(|c| Subset::fingerprint(key, &c)) else { continue };
                if chosen.len() < n {
                    chosen.insert(print);
                } else if chosen.last().is_some_and(|last| print < *last) && chosen.insert(print) {
                    chosen.pop_last();
                }
            }
        }
    }
    Ok(chosen.into_iter().collect())
}

/// Lists the data files under `input` (recursively, sorted) with the table each belongs to.
fn plan_files<'m>(input: &Path, mappings: &'m Mappings) -> Result<Vec<Planned<'m>>, RunError> {
    let mut found = Vec::new();
    collect_files(input, input, &mut found)?;
    found.sort();
    let mut planned = Vec::new();
    let mut unmapped = Vec::new();
    for (relative, path) in found {
        let Some(format) = Format::of(&path) else { continue };
        let tables = mappings.matching(&relative);
        match tables.as_slice() {
            [] => unmapped.push(relative),
            [table] => planned.push(Planned { relative, path, format, table }),
            many => {
                return Err(RunError::Ambiguous {
                    file: relative,
                    tables: many.iter().map(|t| format!("table `{}` ({})", t.name, t.path.display())).collect(),
                })
            }
        }
    }
    if !unmapped.is_empty() {
        return Err(RunError::Unmapped(unmapped));
    }
    Ok(planned)
}

/// Data files of `input` as (path relative to `root` with `/` separators, full path). Symbolic
/// links are followed, but a link back to a directory being listed is refused (it would recurse
/// without end).
///
/// `dir` may also be a single file (`--input claims.csv`): it is then the only file, named by its
/// file name as mappings' globs see it.
pub fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<(), RunError> {
    if dir.is_file() {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push((name, dir.to_path_buf()));
        return Ok(());
    }
    let mut within = Vec::new();
    collect_under(root, dir, &mut within, out)
}

fn collect_under(
    root: &Path,
    dir: &Path,
    within: &mut Vec<PathBuf>,
    out: &mut Vec<(String, PathBuf)>,
) -> Result<(), RunError> {
    let read_err = |source| RunError::Output { path: dir.to_path_buf(), source };
    let real = std::fs::canonicalize(dir).map_err(read_err)?;
    if within.contains(&real) {
        return Err(RunError::LinkLoop(dir.to_path_buf()));
    }
    within.push(real);
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_under(root, &path, within, out)?;
        } else if path.is_file() {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((relative, path));
        }
    }
    within.pop();
    Ok(())
}

/// The output name of `relative` when converting `from` one format `to` another.
fn with_format(relative: &str, from: Format, to: Format) -> String {
    if from == to {
        return relative.to_string();
    }
    match relative.rsplit_once('.') {
        Some((stem, _)) => format!("{stem}.{}", to.extension()),
        None => format!("{relative}.{}", to.extension()),
    }
}

/// Absolute, symlink-free form of `path`, which need not exist yet (its longest existing ancestor is canonicalised).
fn resolve(path: &Path) -> std::io::Result<PathBuf> {
    // Lexically drop `.` and `..` first, then canonicalise the longest existing ancestor.
    let mut absolute = PathBuf::new();
    for component in std::path::absolute(path)?.components() {
        match component {
            Component::ParentDir => {
                absolute.pop();
            }
            Component::CurDir => {}
            other => absolute.push(other),
        }
    }
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = std::fs::canonicalize(existing)?;
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

/// What `pipe` streams: one table's rows in `format`, under `key`, with `subset` kept.
pub struct PipeJob<'a> {
    pub table: &'a crate::mapping::Table,
    pub key: &'a Key,
    pub subset: Option<&'a Subset>,
    pub format: PipeFormat,
    pub batch_rows: usize,
    /// Set by a signal handler to the signal's number: the stream stops between batches.
    pub cancel: Option<&'a std::sync::atomic::AtomicUsize>,
}

/// What `pipe` reads and writes.
pub enum PipeFormat {
    /// CSV in this dialect.
    Csv(CsvFormat),
    /// An Arrow IPC stream, typed as a Parquet output of `run` would be.
    Arrow,
}

/// `pipe`: pseudonymises one table's rows from `input` (standard input) to `output`
/// (standard output) in `format`, exactly as `run` writes a file of that table and format: the
/// same plan, rules, memo and subset; for CSV the same bytes, for an Arrow stream the values and
/// types `run` writes to Parquet for a Parquet file of the same schema. A UTF-8 BOM at the start is kept; whether
/// the output ends with a line ending follows the input, learnt when the input ends. Returns
/// (rows read, rows written). Streams with bounded memory, like `run`.
pub fn pipe(
    job: PipeJob,
    mut input: Box<dyn std::io::Read + Send>,
    output: Box<dyn std::io::Write + Send>,
) -> Result<(u64, u64), RunError> {
    let PipeJob { table, key, subset, format, batch_rows, cancel } = job;
    let (name_in, name_out) = (Path::new("<stdin>"), Path::new("<stdout>"));
    let progress = NoFileProgress;
    let mut format = match format {
        PipeFormat::Csv(format) => format,
        PipeFormat::Arrow => {
            let mut source = crate::io::arrow::ArrowStreamSource::open(name_in, input, batch_rows)?;
            let plan = BoundPlan::bind(table, name_in, source.header(), key)?;
            let job = file::FileJob {
                input: name_in,
                output: name_out,
                to: Format::Parquet,
                batch_rows: batch_rows.max(1),
                subset,
                progress: &progress,
                cancel,
                quasi: &[],
            };
            let outcome = file::process_frames(&job, &plan, &mut source, file::FrameTarget::ArrowStream(output))?;
            return Ok((outcome.rows_in, outcome.rows_out));
        }
    };
    let read_err = |source| RunError::Io(IoError::Read { path: name_in.to_path_buf(), source });
    // A byte-order mark: kept, as `run` keeps a file's.
    use std::io::Read;
    let mut start = Vec::with_capacity(3);
    (&mut input).take(3).read_to_end(&mut start).map_err(read_err)?;
    if start == crate::io::csv::UTF8_BOM {
        format.bom = true;
        start.clear();
    }
    let newline = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = crate::io::csv::LastByte::new(std::io::Cursor::new(start).chain(input), newline.clone());
    let source = CsvSource::from_reader(name_in, Box::new(reader), format.clone())?;
    let plan = BoundPlan::bind(table, name_in, source.header(), key)?;
    let sink = crate::io::csv::CsvSink::stream(name_out, output, format, newline)?;
    let job = file::FileJob {
        input: name_in,
        output: name_out,
        to: Format::Csv,
        batch_rows: batch_rows.max(1),
        subset,
        progress: &progress,
        cancel,
        quasi: &[],
    };
    let outcome = file::process_csv_into(&job, &plan, source, sink)?;
    Ok((outcome.rows_in, outcome.rows_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_extensions_only_when_the_format_changes() {
        assert_eq!(with_format("a/claims.csv", Format::Csv, Format::Csv), "a/claims.csv");
        assert_eq!(with_format("a/claims.csv", Format::Csv, Format::Parquet), "a/claims.parquet");
        assert_eq!(with_format("m.parquet", Format::Parquet, Format::Csv), "m.csv");
    }

    #[test]
    fn resolves_paths_that_do_not_exist_yet() {
        let dir = tempfile::tempdir().unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(resolve(&dir.path().join("x/y")).unwrap(), base.join("x/y"));
        assert_eq!(resolve(&dir.path().join("x/../z")).unwrap(), base.join("z"));
    }

    #[test]
    fn subset_is_keyed_spelling_blind_and_near_its_share() {
        let key = Key::from_hex(&"ab".repeat(32), "t").unwrap();
        let subset = Subset::new(&key, 10.0).unwrap();
        assert_eq!(subset.selects(Some("85.07.30-033.28")), subset.selects(Some("85073003328")));
        assert_eq!(subset.selects(Some("05073003328")), subset.selects(Some("5073003328")), "lost leading zero");
        let kept = (0..100_000).filter(|i| subset.selects(Some(&format!("{i:011}")))).count();
        assert!((9_000..11_000).contains(&kept), "{kept}");
        assert!(subset.selects(None));
        assert!(Subset::new(&key, 0.0).is_err());
        assert!(Subset::new(&key, 101.0).is_err());
    }

    #[test]
    fn k_anonymity_of_a_csv_output_is_counted_while_writing_as_it_reads_back() {
        use crate::inspect::verify::{leaks::output_groups, DEFAULT_K};
        use crate::mapping::CsvOptions;
        let dir = tempfile::tempdir().unwrap();
        let cities: [&[u8]; 6] = [b"Li\xe8ge", b"\x80", b"\"a;b\"", b"\"x\r\ny\"", b"", b" "];
        let mut rows = Vec::new();
        for i in 0..500usize {
            rows.extend_from_slice(format!("{i};{};{};", i % 7, ["M", "F", ""][i % 3]).as_bytes());
            rows.extend_from_slice(cities[(i % 11).min(5)]);
            rows.extend_from_slice(b";r\r\n");
        }
        // One table with a header, one without (columns named by position, one dropped), in one run.
        let put = |path: &str, text: &[u8]| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        put("input/people.csv", &[&b"id;skip;sex;city;remark\r\n"[..], &rows].concat());
        put("input/raw.csv", &rows);
        let dialect = "csv: { separator: ';', encoding: windows-1252";
        put(
            "mappings/people.yaml",
            format!(
                "table: people\nfiles: ['people*']\n{dialect} }}\nsubject: id\nquasi_identifiers: [sex, city, remark]\n\
                 columns:\n  id: keep\n  skip: drop\n  sex: keep\n  city: keep\n  remark: null\n"
            )
            .as_bytes(),
        );
        put(
            "mappings/raw.yaml",
            format!(
                "table: raw\nfiles: ['raw*']\n{dialect}, header: false }}\nquasi_identifiers: [column_3, column_4]\n\
                 columns:\n  column_1: keep\n  column_2: drop\n  column_3: keep\n  column_4: keep\n  column_5: null\n"
            )
            .as_bytes(),
        );
        // The Parquet written from them has no dropped column to map.
        let people = std::fs::read_to_string(dir.path().join("mappings/people.yaml")).unwrap();
        put("mappings-pq/people.yaml", people.replace("  skip: drop\n", "").as_bytes());
        let raw = std::fs::read_to_string(dir.path().join("mappings/raw.yaml")).unwrap();
        put("mappings-pq/raw.yaml", raw.replace("  column_2: drop\n", "").as_bytes());
        let mappings = crate::mapping::load_dir(&dir.path().join("mappings")).unwrap();
        let key = Key::from_hex(&"ab".repeat(32), "t").unwrap();
        let options = |input: &str, output: &str, to: Option<Format>, threads, batch_rows, subset| RunOptions {
            mappings: dir.path().join("mappings"),
            input: dir.path().join(input),
            output: dir.path().join(output),
            to,
            threads: Some(threads),
            subset,
            case: None,
            sheet_lang: None,
            force: false,
            batch_rows,
            cancel: None,
            count_groups: true,
        };
        // The same figures as reading the file back, in the dialect the run wrote it.
        let check = |manifest: &crate::manifest::Manifest, output: &str, csv: &dyn Fn(&CsvOptions) -> CsvOptions| {
            assert_eq!(manifest.files.len(), 2);
            for file in &manifest.files {
                let table = mappings.tables.iter().find(|t| t.name == file.table).unwrap();
                let counted = file.groups.clone().expect("counted while writing");
                let path = dir.path().join(output).join(&file.output);
                let read_back = output_groups(table, &path, file.format_out, &csv(&table.csv), DEFAULT_K, 100).unwrap();
                assert_eq!(Some(&counted), read_back.as_ref(), "{output}: {}", file.output);
                assert!(counted.sizes.len() > 2 && counted.rows > 100, "{:?}", counted.sizes);
            }
        };
        let as_written = |c: &CsvOptions| c.clone();
        for (threads, batch_rows, subset) in [(1, 65_536, None), (2, 7, None), (2, 64, Some(50.0))] {
            let output = format!("out-{threads}-{batch_rows}");
            let manifest =
                run(&options("input", &output, None, threads, batch_rows, subset), &key, &NoProgress).unwrap();
            check(&manifest, &output, &as_written);
        }
        // CSV in, Parquet out: counted from the frames written.
        let manifest = run(&options("input", "pq", Some(Format::Parquet), 2, 64, None), &key, &NoProgress).unwrap();
        check(&manifest, "pq", &as_written);
        let from_parquet = RunOptions {
            mappings: dir.path().join("mappings-pq"),
            ..options("pq", "back", Some(Format::Csv), 2, 64, None)
        };
        // Parquet in, CSV out (UTF-8, comma, a header).
        let manifest = run(&from_parquet, &key, &NoProgress).unwrap();
        check(&manifest, "back", &|_| CsvOptions { header: true, ..Default::default() });
        // Parquet in and out.
        let again = RunOptions { mappings: dir.path().join("mappings-pq"), ..options("pq", "pq2", None, 1, 100, None) };
        check(&run(&again, &key, &NoProgress).unwrap(), "pq2", &as_written);
        // Not asked (a quiet run without a report): nothing counted.
        let quiet = RunOptions { count_groups: false, ..options("input", "quiet", None, 2, 64, None) };
        assert!(run(&quiet, &key, &NoProgress).unwrap().files.iter().all(|f| f.groups.is_none()));
    }
}
