//! `verify`: after a run, proves that nothing identifying got through.
//!
//! Pass 1 reads every input file in step with its output file: each identifier cell is compared
//! with its own original (unchanged = leak), each pseudonym is validated, and every original
//! identifier and full name (and every NISS, IBAN and e-mail written in an input note) goes
//! into `windows::Index` as keyed fingerprints of its normalised
//! spellings (a per-process random key: memory holds no value and grows with distinct
//! originals, not with rows), the pseudonyms the run wrote likewise. Pass 2 normalises every
//! output cell of every column and looks up every window of the originals' lengths (`windows`):
//! it shares no code with the free-text detector, so the scrubber's blind spots are not its
//! own. An original that is also a pseudonym written by the run is not a leak (pseudonyms live
//! in the same domain as real identifiers); with the run's key the pseudonyms written inside
//! free text are recomputed as well, without it a free-text-only pseudonym that equals another
//! person's real number is reported (strict by default). Then it compares join rates between
//! tables whose columns share an identifier rule, and reports k-anonymity of quasi-identifiers.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashSet;

mod columns;
mod joins;
pub mod leaks;
mod seen;
pub mod windows;

use super::check::judge_kept;
use super::{cell_error, data_files, learn_exid, DataFile};
use crate::crypto::Key;
use crate::detect::Kind;
use crate::engine::{RunError, Subset, MANIFEST_NAME};
use crate::ident::exid;
use crate::io::reader::{Batch, TableReader};
use crate::io::Cells;
use crate::io::Format;
use crate::manifest::FileHashes;
use crate::mapping::{ColumnRule, CsvOptions, Table};
use crate::report::{ColumnCase, Finding, Report, Severity};
use crate::rules::IdentifierKind;
use columns::{
    canonical, is_identifier, kind_of, name_part, record_in_parallel, valid_pseudonym, NameColumns, Recorded,
};
use joins::join_rates;
use leaks::{pass_two, Groups, Kept};
use seen::{Memo, Seen};
use windows::Index;

/// Default smallest acceptable group of rows sharing one combination of quasi-identifiers.
pub const DEFAULT_K: u64 = 5;

/// Leaking cells reported one by one per column; the rest are counted.
const ROWS_LISTED: usize = 10;

/// What `verify` is asked to do.
pub struct VerifyOptions {
    pub mappings: PathBuf,
    pub input: PathBuf,
    pub output: PathBuf,
    /// The run's key: needed only when the run used `--subset` (to align rows).
    pub key: Option<Key>,
    pub k: u64,
    /// `--subset PCT` for an output without a manifest (`pipe`, Spark).
    pub subset: Option<f64>,
    /// Share of a kept column's values that must validate as identifiers for an error.
    pub threshold: f64,
    pub batch_rows: usize,
}

/// Keyed fingerprints of identifiers: a random key per process, never stored.
struct Fingerprints(foldhash::quality::RandomState);

impl Fingerprints {
    fn of(&self, kind: Kind, canonical: &str) -> u64 {
        self.0.hash_one((kind as u8, canonical))
    }
}

/// One identifier column of a table, and its distinct values on both sides.
struct IdColumn {
    table: String,
    column: String,
    kind: IdentifierKind,
    input: FxHashSet<u64>,
    output: FxHashSet<u64>,
}

/// A file of the run: input, output, table.
struct Pair<'m> {
    input: DataFile,
    output: DataFile,
    table: &'m Table,
}

impl Pair<'_> {
    /// How to read the output: as the input when the run kept the format, else detected
    /// (a converted table is written as plain CSV).
    fn output_csv(&self) -> CsvOptions {
        self.table.output_csv(self.input.format != self.output.format)
    }
}

/// What pass 1 measured per file and column, for the report.
#[derive(Default)]
struct ColumnTally {
    values: u64,
    unchanged: u64,
    unchanged_rows: Vec<u64>,
    invalid: u64,
    invalid_rows: Vec<u64>,
}

/// Runs the verification. Errors (exit 2): unreadable mappings or files, or a subset run without
/// its key. Also returns the hashing of the output files the manifest records (with the key),
/// started when the verification did and maybe still running, for `record_in_manifest`'s check.
pub fn verify(options: &VerifyOptions) -> Result<(Report, FileHashes), RunError> {
    let mappings = crate::mapping::load_dir(&options.mappings)?;
    let inputs = data_files(&options.input)?;
    if !options.output.is_dir() {
        return Err(RunError::NoOutput(options.output.clone()));
    }
    let manifest: Option<serde_json::Value> = std::fs::read_to_string(options.output.join(MANIFEST_NAME))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let recorded = manifest.as_ref().and_then(|m| m["options"]["subset_percent"].as_f64());
    let subset_percent = match (options.subset, recorded, &manifest) {
        (Some(given), Some(recorded), _) if given != recorded => {
            return Err(RunError::SubsetDisagrees { given, recorded })
        }
        // A manifest that records no subset (a full run, a case file): the output's rows are
        // not a subset's, whatever `--subset` says.
        (Some(given), None, Some(_)) => return Err(RunError::SubsetNotRecorded { given }),
        (given, recorded, _) => given.or(recorded),
    };
    let case_subjects: Option<Vec<[u8; 16]>> = manifest.as_ref().and_then(|m| {
        m["options"]["case_subjects"]
            .as_array()
            .map(|prints| prints.iter().filter_map(|p| hex::decode(p.as_str()?).ok()?.try_into().ok()).collect())
    });
    let subset = match (subset_percent, case_subjects, &options.key) {
        (_, Some(prints), Some(key)) => Some(Subset::subjects(key, prints)),
        (_, Some(_), None) => return Err(RunError::CaseNeedsKey),
        (None, None, _) => None,
        (Some(p), None, Some(key)) => Some(Subset::new(key, p)?),
        (Some(_), None, None) => return Err(RunError::SubsetNeedsKey),
    };
    let mut report = Report::new("verify");
    let exid = learn_exid(&mappings, &inputs, options.batch_rows)?;
    let input_files: Vec<(String, PathBuf)> = inputs.iter().map(|f| (f.relative.clone(), f.path.clone())).collect();
    let mut hashes = FileHashes::start(hashed_ahead(manifest.as_ref(), &input_files, options));
    let mut pairs = Vec::new();
    for input in inputs {
        let tables = mappings.matching(&input.relative);
        let finding = |code, message: &str| Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code,
            file: input.relative.clone(),
            table: None,
            column: None,
            row: None,
            message: message.to_string(),
        };
        let [table] = tables[..] else {
            let message = if tables.is_empty() {
                "no mapping matches this input file"
            } else {
                "more than one mapping matches this input file"
            };
            report.add(finding("unmapped_file", message));
            continue;
        };
        match output_of(&input, manifest.as_ref(), &options.output) {
            Some(output) => pairs.push(Pair { input, output, table }),
            None => report.add(Finding {
                table: Some(table.name.clone()),
                ..finding("missing_output", "no output file for this input file")
            }),
        }
    }
    report.files = pairs.len();
    let fingerprints = Fingerprints(foldhash::quality::RandomState::default());
    let mut id_columns: Vec<IdColumn> = Vec::new();
    for table in &mappings.tables {
        for (column, rule) in &table.columns {
            if let ColumnRule::Identifier(spec) = rule {
                id_columns.push(IdColumn {
                    table: table.name.clone(),
                    column: column.clone(),
                    kind: spec.kind.clone(),
                    input: FxHashSet::default(),
                    output: FxHashSet::default(),
                });
            }
        }
    }
    let mut index = Index::new();
    let mut rows = Vec::new();
    let mut rows_read: Vec<(String, u64)> = Vec::new();
    let mut faked = 0u64;
    for pair in &pairs {
        let (rows_in, rows_out) = pass_one(
            pair,
            options,
            subset.as_ref(),
            &fingerprints,
            &mut id_columns,
            &mut index,
            &mut report,
            &mut faked,
        )?;
        rows.push(serde_json::json!({"input": pair.input.relative, "output": pair.output.relative, "rows_in": rows_in, "rows_out": rows_out}));
        rows_read.push((pair.input.relative.clone(), rows_in));
    }
    // Pass 2 reads each output once more: leaks, kept columns, k-anonymity. Its findings are
    // reported after the kept columns' and the manifest's. The index is only read now, so files
    // are read side by side (each one's cells in parallel too): one file's reading and its last
    // batch no longer leave a core idle. The first error in file order is the one reported.
    let second = side_by_side(&pairs, |pair| {
        let mut leaks = Report::new("verify");
        let passed = pass_two(pair, options, &index, &exid, &mut leaks)?;
        Ok((passed, leaks))
    })
    .into_iter()
    .collect::<Result<Vec<_>, RunError>>()?;
    for (pair, ((_, kept), _)) in pairs.iter().zip(&second) {
        kept_columns(pair, options, kept, &mut report);
    }
    if let Some(manifest) = &manifest {
        for finding in
            manifest_findings(manifest, &mappings, &input_files, &rows_read, options.key.as_ref(), &mut hashes)
        {
            report.add(finding);
        }
    }
    if faked > 0 {
        report.notes.push(format!(
            "{faked} input identifier value(s) failed validation and were replaced by shape-preserving fakes (on_invalid: fake)"
        ));
    }
    let mut k_anonymity = Vec::new();
    for (pair, ((groups, _), leaks)) in pairs.iter().zip(second) {
        for finding in leaks.findings {
            report.add(finding);
        }
        if let Some(Groups { quasi, smallest, below, rows: total, sizes }) = groups {
            let detail = serde_json::json!({"file": pair.output.relative, "table": pair.table.name, "quasi_identifiers": quasi, "smallest_group": smallest, "rows_in_groups_below_k": below, "rows": total, "k": options.k, "group_sizes": sizes});
            if smallest < options.k && total > 0 {
                report.add(Finding {
                    severity: Severity::Warning,
                    count: 1,
                    originals: None,
                    code: "k_anonymity",
                    file: pair.output.relative.clone(),
                    table: Some(pair.table.name.clone()),
                    column: None,
                    row: None,
                    message: format!(
                        "quasi-identifiers ({}) single out small groups: smallest group {smallest} row(s), {below} of {total} rows in groups below k = {}",
                        quasi.join(", "),
                        options.k
                    ),
                });
            } else {
                report.notes.push(format!(
                    "{}: quasi-identifiers ({}) smallest group {smallest} row(s) (k = {})",
                    pair.output.relative,
                    quasi.join(", "),
                    options.k
                ));
            }
            k_anonymity.push(detail);
        }
    }
    sheet_leaks(&options.output, manifest.as_ref(), &index, &mut report)?;
    let joins = join_rates(&id_columns, &pairs, &mut report);
    if let Some(manifest) = &manifest {
        column_stats(manifest, &mut report);
    }
    report.details = serde_json::json!({
        "rows": rows,
        "joins": joins,
        "k_anonymity": k_anonymity,
        "pseudata_version": env!("CARGO_PKG_VERSION"),
        "key_fingerprint": options.key.as_ref().map(Key::fingerprint),
        "manifest": manifest_summary(manifest.as_ref(), options.key.as_ref()),
        "mappings": mappings.tables.iter().map(|t| serde_json::json!({
            "table": t.name,
            "file": t.path.file_name().map(|n| n.to_string_lossy().into_owned()),
            "sha256": t.sha256,
        })).collect::<Vec<_>>(),
    });
    Ok((report, hashes))
}

/// Files read at once by pass 2: enough to keep two cores busy between one file's batches; each
/// file read holds its batches and its sets of remembered cells, so not one per core.
const LANES: usize = 2;

/// `work` on every item, `LANES` at a time (each item's own parallel work goes to the pool), the
/// results in the items' order.
fn side_by_side<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<R>>> = std::sync::Mutex::new(items.iter().map(|_| None).collect());
    let lanes = LANES.min(rayon::current_num_threads()).clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..lanes {
            scope.spawn(|| loop {
                let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(at) else { break };
                let result = work(item);
                results.lock().unwrap_or_else(std::sync::PoisonError::into_inner)[at] = Some(result);
            });
        }
    });
    // A lane that panicked ends the scope with its panic: every item has its result here.
    let results = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    results.into_iter().map(|result| result.expect("every item was worked on")).collect()
}

/// The files whose SHA-256 the manifest records, hashed while the passes read them: the inputs
/// (`manifest_findings`) and, with the key, the outputs and case sheets (`verify` records its
/// results in the manifest only after checking those).
fn hashed_ahead(
    manifest: Option<&serde_json::Value>,
    input_files: &[(String, PathBuf)],
    options: &VerifyOptions,
) -> Vec<PathBuf> {
    let Some(manifest) = manifest else { return Vec::new() };
    let files = manifest["files"].as_array().into_iter().flatten();
    let inputs = files.filter(|f| f["sha256_in"].as_str().is_some_and(|h| !h.is_empty())).filter_map(|f| {
        let input = f["input"].as_str()?;
        input_files.iter().find(|(relative, _)| relative == input).map(|(_, path)| path.clone())
    });
    let outputs = crate::manifest::written(manifest)
        .filter(|_| options.key.is_some())
        .filter_map(|(name, _)| name.as_str())
        .filter(|name| crate::manifest::inside(name))
        .map(|name| options.output.join(name));
    inputs.chain(outputs).collect()
}

/// The case sheets beside the output's tables: those the manifest records and every
/// `case-*.html` and `case-*.md` in the output directory (a sheet an earlier run left, or a
/// manifest that lost its list). Names that are not plain file names are refused.
fn sheet_names(output: &Path, manifest: Option<&serde_json::Value>, report: &mut Report) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let recorded = manifest.and_then(|m| m["sheets"].as_array()).into_iter().flatten();
    for name in recorded.filter_map(|s| s["file"].as_str()) {
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            report.add(Finding {
                severity: Severity::Error,
                count: 1,
                originals: None,
                code: "manifest_sheets",
                file: MANIFEST_NAME.into(),
                table: None,
                column: None,
                row: None,
                message: "the manifest records a case sheet outside the output directory: not read".into(),
            });
        } else if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    for entry in std::fs::read_dir(output).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let sheet = name.starts_with("case-") && (name.ends_with(".html") || name.ends_with(".md"));
        if sheet && entry.path().is_file() && !names.contains(&name) {
            names.push(name);
        }
    }
    names.sort();
    names
}

/// An HTML line as a reader sees it: tags removed, the entities the sheets write decoded (an
/// original written `D&#39;Hondt` is found as `D'Hondt`).
fn html_text(line: &str) -> String {
    let mut text = String::with_capacity(line.len());
    let mut in_tag = false;
    for c in line.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The case sheets (see `sheet_names`), read line by line through the same originals index as
/// the output's cells (an HTML line both as written and as its text): an original identifier or
/// full name of the input on a sheet is a `leak` naming the sheet and the line.
fn sheet_leaks(
    output: &Path,
    manifest: Option<&serde_json::Value>,
    index: &Index,
    report: &mut Report,
) -> Result<(), RunError> {
    let names = sheet_names(output, manifest, report);
    let mut read = 0usize;
    for name in names {
        let path = output.join(&name);
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.add(Finding {
                    severity: Severity::Error,
                    count: 1,
                    originals: None,
                    code: "missing_output",
                    file: name,
                    table: None,
                    column: None,
                    row: None,
                    message: "the case sheet the run recorded is missing".into(),
                });
                continue;
            }
            Err(source) => return Err(RunError::Io(crate::io::IoError::Open { path, source })),
        };
        read += 1;
        let html = name.ends_with(".html");
        for (line, content) in text.lines().enumerate() {
            let mut kinds = index.find(content);
            if html {
                let decoded = index.find(&html_text(content));
                if decoded.len() > kinds.len() {
                    kinds = decoded;
                }
            }
            if kinds.is_empty() {
                continue;
            }
            let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
            report.add(Finding {
                severity: Severity::Error,
                count: 1,
                originals: Some(kinds.len() as u64),
                code: "leak",
                file: name.clone(),
                table: None,
                column: None,
                row: Some(line as u64 + 1),
                message: format!("original(s) of the input on this line of the case sheet ({})", labels.join(", ")),
            });
        }
    }
    if read > 0 {
        report.notes.push(format!("{read} case sheet(s) read line by line for originals of the input"));
    }
    Ok(())
}

/// Each output column's cells transformed, empty and invalid, as the run's manifest records them.
fn column_stats(manifest: &serde_json::Value, report: &mut Report) {
    for case in &mut report.columns {
        let recorded = manifest["files"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["output"].as_str() == Some(case.file.as_str()))
            .flat_map(|f| f["columns"].as_array().into_iter().flatten())
            .find(|c| c["name"].as_str() == Some(case.column.as_str()));
        if let Some(c) = recorded {
            case.transformed = c["transformed"].as_u64();
            case.empty = c["empty"].as_u64();
            case.invalid = c["invalid"].as_u64();
        }
    }
}

/// What the audit report says of the run's manifest: whether it is there and signed under the
/// key given, what it records of the run (version, key fingerprint, time, sheets).
fn manifest_summary(manifest: Option<&serde_json::Value>, key: Option<&Key>) -> serde_json::Value {
    let Some(m) = manifest else {
        return serde_json::json!({"present": false, "signature": "absent"});
    };
    let signature = match key {
        Some(key) if crate::manifest::is_authentic(m, key) => "authentic",
        Some(_) => "not authentic",
        None => "not checked (no key given)",
    };
    serde_json::json!({
        "present": true,
        "signature": signature,
        "run_version": m["version"],
        "key_fingerprint": m["key_fingerprint"],
        "created_unix": m["created_unix"],
        "case_file": m["options"]["case_subjects"].is_array(),
        "sheets": m["sheets"].as_array().map_or(0, Vec::len),
    })
}

/// Columns the mapping keeps unchanged, read in full in the output (by pass 2): values that
/// validate as identifiers, identifiers inside text, or person names are findings, as `check`
/// judges a kept column before a run (the same threshold, here over every value). The originals
/// index of pass 2 only knows the identifiers of mapped identifier columns, so a column of real
/// phone numbers declared `keep` would otherwise pass.
fn kept_columns(pair: &Pair, options: &VerifyOptions, kept: &Kept, report: &mut Report) {
    let table = pair.table;
    for (name, profile) in kept.header.iter().zip(&kept.profiles) {
        // Only kept columns were profiled.
        let (Some(rule), Some(profile)) = (table.rule(name), profile) else { continue };
        let Some(kept) = judge_kept(name, rule, profile, options.threshold, "values", "in the output") else {
            continue;
        };
        let message =
            if kept.severity == Severity::Error { format!("{}, in the output", kept.message) } else { kept.message };
        report.add(Finding {
            severity: kept.severity,
            count: kept.count,
            originals: None,
            code: kept.code,
            file: pair.output.relative.clone(),
            table: Some(table.name.clone()),
            column: Some(name.clone()),
            row: None,
            message,
        });
    }
}

/// The run manifest against what this verification reads: the key (by fingerprint), the
/// mappings (by SHA-256, per table) and the input files (size and rows). Each difference is an
/// error naming what differs; the output was then made from something else than what is checked.
fn manifest_findings(
    manifest: &serde_json::Value,
    mappings: &crate::mapping::Mappings,
    input_files: &[(String, PathBuf)],
    rows_read: &[(String, u64)],
    key: Option<&Key>,
    hashes: &mut FileHashes,
) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut add = |code: &'static str, message: String| {
        found.push(Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code,
            file: MANIFEST_NAME.into(),
            table: None,
            column: None,
            row: None,
            message,
        })
    };
    if let (Some(key), Some(recorded)) = (key, manifest["key_fingerprint"].as_str()) {
        if recorded != key.fingerprint() {
            add(
                "manifest_key",
                format!(
                    "the run used the key with fingerprint {recorded}; the key given has fingerprint {}: \
                     another key, so pseudonyms and subsets cannot be checked against it",
                    key.fingerprint()
                ),
            );
        }
    }
    let recorded: Vec<(&str, &str, &str)> = manifest["mappings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((m["table"].as_str()?, m["file"].as_str()?, m["sha256"].as_str()?)))
        .collect();
    for (table, file, sha) in &recorded {
        match mappings.tables.iter().find(|t| t.name == *table) {
            None => add(
                "manifest_mappings",
                format!("the run used mapping `{file}` for table `{table}`; --mappings has no table `{table}`"),
            ),
            Some(t) if t.sha256 != *sha => add(
                "manifest_mappings",
                format!(
                    "mapping of table `{table}` ({}) differs from the `{file}` the run used (SHA-256 {} against {})",
                    t.path.display(),
                    &t.sha256[..12],
                    &sha[..sha.len().min(12)]
                ),
            ),
            Some(_) => {}
        }
    }
    for t in &mappings.tables {
        if !recorded.iter().any(|(table, _, _)| *table == t.name) {
            add(
                "manifest_mappings",
                format!("table `{}` ({}) was not among the run's mappings", t.name, t.path.display()),
            );
        }
    }
    let recorded_inputs: Vec<&str> =
        manifest["files"].as_array().into_iter().flatten().filter_map(|f| f["input"].as_str()).collect();
    for (relative, _) in input_files {
        if !mappings.matching(relative).is_empty() && !recorded_inputs.contains(&relative.as_str()) {
            add(
                "manifest_input",
                format!("input file `{relative}` is not among the files the run's manifest records: another run's output, or a file added since"),
            );
        }
    }
    for file in manifest["files"].as_array().into_iter().flatten() {
        let Some(input) = file["input"].as_str() else { continue };
        let Some((_, path)) = input_files.iter().find(|(relative, _)| relative == input) else {
            add("manifest_input", format!("the run read input file `{input}`, which --input does not hold"));
            continue;
        };
        if let Some(recorded) = file["bytes_in"].as_u64() {
            let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
            if recorded != bytes {
                add(
                    "manifest_input",
                    format!(
                        "input file `{input}` has {bytes} bytes; the run read {recorded}: another or a changed file"
                    ),
                );
                continue;
            }
        }
        // Same size: the same bytes? (A manifest written before 0.2 records no input hash.)
        if let Some(recorded) = file["sha256_in"].as_str().filter(|h| !h.is_empty()) {
            match hashes.sha256(path) {
                Ok(actual) if actual == recorded => {}
                Ok(_) => {
                    add(
                        "manifest_input",
                        format!("input file `{input}` differs from the one the run read (same size, another SHA-256)"),
                    );
                    continue;
                }
                Err(e) => {
                    add("manifest_input", format!("input file `{input}` cannot be read to compare it ({})", e.kind()));
                    continue;
                }
            }
        }
        let read = rows_read.iter().find(|(relative, _)| relative == input).map(|(_, rows)| *rows);
        if let (Some(recorded), Some(read)) = (file["rows_in"].as_u64(), read) {
            if recorded != read {
                add("manifest_input", format!("input file `{input}` has {read} rows; the run read {recorded}"));
            }
        }
    }
    found
}

/// The output file of `input`: from the run manifest, else the same name (or the other format's).
fn output_of(input: &DataFile, manifest: Option<&serde_json::Value>, output: &Path) -> Option<DataFile> {
    let from_manifest = manifest.and_then(|m| {
        m["files"].as_array()?.iter().find(|f| f["input"].as_str() == Some(&input.relative))?["output"]
            .as_str()
            .map(str::to_string)
    });
    let stem = input.relative.rsplit_once('.').map_or(input.relative.as_str(), |(s, _)| s);
    let candidates =
        from_manifest.into_iter().chain([input.relative.clone(), format!("{stem}.parquet"), format!("{stem}.csv")]);
    for relative in candidates {
        let path = output.join(&relative);
        if let (true, Some(format)) = (path.is_file(), Format::of(&path)) {
            return Some(DataFile { relative, path, format });
        }
    }
    None
}

/// A fingerprinted identifier cell: (fingerprint, valid), `None` when empty.
type Print = Option<(u64, bool)>;

/// Per-batch fingerprints of one identifier column, one per kept row.
type Column = Vec<Print>;

/// Fingerprints the `rows` of identifier `columns` (index, rule) of a batch; validity is that of
/// an original on the input side, that of a pseudonym (reserved e-mail domains...) on the output
/// side. `memos` (one per column) hold what earlier cells of the same text gave.
#[allow(clippy::too_many_arguments)]
fn fingerprint_batch(
    batch: &Batch,
    columns: &[(usize, IdentifierKind)],
    rows: &[usize],
    output: bool,
    fingerprints: &Fingerprints,
    memos: &mut [Memo<(u64, bool)>],
    path: &Path,
    header: &[String],
) -> Result<Vec<Column>, RunError> {
    columns
        .par_iter()
        .zip(memos.par_iter_mut())
        .map(|((index, rule), memo)| {
            let kind = kind_of(rule);
            rows.iter()
                .map(|&row| {
                    let cell =
                        batch.cell(*index, row).map_err(|e| cell_error(path, batch.line(row), &header[*index], e))?;
                    Ok(cell.filter(|v| !v.trim().is_empty()).map(|v| {
                        memo.get_or(&v, || {
                            let (c, parsed) = canonical(kind, &v);
                            // A pseudonym's validity is its kind's, as an original's, but for
                            // e-mail (a reserved domain): `valid_pseudonym` without parsing twice.
                            let valid = match rule {
                                IdentifierKind::Exid { check, .. } => exid::is_valid(&v, *check),
                                IdentifierKind::Email if output => valid_pseudonym(rule, &v),
                                _ => parsed,
                            };
                            (fingerprints.of(kind, &c), valid)
                        })
                    }))
                })
                .collect()
        })
        .collect()
}

/// What pass 1 worked out of one batch of one side, for the index and the comparison.
struct Side {
    found: Vec<windows::Found>,
    columns: Vec<Column>,
    rows: u64,
    /// Rows of the batch a subset keeps (all on the output side).
    kept: u64,
}

/// What pass 1 has worked out already in one file, so that a repeated cell is worked out once.
#[derive(Default)]
struct Worked {
    /// Input texts whose originals were found.
    texts: Seen,
    /// Per free-text column (with the key): texts whose pseudonyms were recomputed.
    pseudonyms: Vec<Seen>,
    /// Per compared identifier column: values recorded in the index, input and output side.
    originals: Vec<Seen>,
    written: Vec<Seen>,
    /// Per compared identifier column: fingerprint and validity, input and output side.
    in_prints: Vec<Memo<(u64, bool)>>,
    out_prints: Vec<Memo<(u64, bool)>>,
}

impl Worked {
    fn new(free_text: usize, compared: usize) -> Worked {
        let sets = |n| (0..n).map(|_| Seen::default()).collect::<Vec<_>>();
        let memos = || (0..compared).map(|_| Memo::default()).collect::<Vec<_>>();
        Worked {
            texts: Seen::default(),
            pseudonyms: sets(free_text),
            originals: sets(compared),
            written: sets(compared),
            in_prints: memos(),
            out_prints: memos(),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn pass_one(
    pair: &Pair,
    options: &VerifyOptions,
    subset: Option<&Subset>,
    fingerprints: &Fingerprints,
    id_columns: &mut [IdColumn],
    index: &mut Index,
    report: &mut Report,
    faked: &mut u64,
) -> Result<(u64, u64), RunError> {
    let table = pair.table;
    // Parquet columns are converted to text only when read: identifiers, names, the subject, and
    // the free-text columns (identifiers written there are originals; with the key, the
    // pseudonyms the run wrote there are recomputed).
    let needed = |c: &String| {
        is_identifier(table, c)
            || name_part(table, c).is_some()
            || table.subject.as_deref() == Some(c.as_str())
            || matches!(table.rule(c), Some(ColumnRule::FreeText(_)))
    };
    let mut input =
        TableReader::open(&pair.input.path, pair.input.format, &table.csv, options.batch_rows, None, |h| {
            h.iter().map(needed).collect()
        })?;
    let output_csv = pair.output_csv();
    let mut output = TableReader::open_written(
        &pair.output.path,
        pair.output.format,
        &output_csv,
        table,
        options.batch_rows,
        |h| h.iter().map(|c| is_identifier(table, c) || name_part(table, c).is_some()).collect(),
    )?;
    let in_header = input.header().to_vec();
    let out_header = output.header().to_vec();
    // Identifier columns present on both sides: (input index, output index, column).
    let mut compared: Vec<(usize, usize, usize)> = Vec::new();
    for (i, name) in in_header.iter().enumerate() {
        if !is_identifier(table, name) {
            continue;
        }
        let Some(o) = out_header.iter().position(|h| h == name) else { continue };
        let Some(c) = id_columns.iter().position(|c| c.table == table.name && &c.column == name) else { continue };
        compared.push((i, o, c));
    }
    let subject = table.subject.as_deref().and_then(|s| in_header.iter().position(|h| h == s));
    let in_names = NameColumns::of(table, &in_header);
    let out_names = NameColumns::of(table, &out_header);
    let in_cols: Vec<(usize, IdentifierKind)> =
        compared.iter().map(|&(i, _, c)| (i, id_columns[c].kind.clone())).collect();
    let out_cols: Vec<(usize, IdentifierKind)> =
        compared.iter().map(|&(_, o, c)| (o, id_columns[c].kind.clone())).collect();
    let mut in_queue: Vec<VecDeque<Print>> = vec![VecDeque::new(); compared.len()];
    let mut out_queue: Vec<VecDeque<(u64, Print)>> = vec![VecDeque::new(); compared.len()];
    let mut tallies: Vec<ColumnTally> = (0..compared.len()).map(|_| ColumnTally::default()).collect();
    // With the key, the pseudonyms the run wrote inside free text are known too, so an original
    // that equals one of them by chance is not taken for a leak.
    let text_columns: Vec<usize> =
        (0..in_header.len()).filter(|&i| matches!(table.rule(&in_header[i]), Some(ColumnRule::FreeText(_)))).collect();
    let free_text: Vec<(usize, crate::rules::FreeText)> = match &options.key {
        Some(key) => in_header
            .iter()
            .enumerate()
            .filter_map(|(i, name)| match table.rule(name) {
                Some(ColumnRule::FreeText(spec)) => Some((i, crate::rules::FreeText::new(key, spec))),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    };
    let mut seen = Worked::new(free_text.len(), compared.len());
    let (mut rows_in, mut rows_kept, mut rows_out) = (0u64, 0u64, 0u64);
    let (mut input_done, mut output_done) = (false, false);
    let batch_rows = options.batch_rows.max(1) as u64;
    // Cells are searched with a copy of the index's printer while the index takes what the
    // step before found (`pending`, in the order found).
    let printer = index.printer();
    let mut pending: Vec<windows::Found> = Vec::new();
    while !(input_done && output_done) {
        // Read both sides at once, each while it is less than a batch ahead of the other (a
        // subset keeps fewer input rows than it reads), so the queues stay within about two
        // batches. The two batches are worked on side by side: both only read the index, and
        // what they found is added after, the input's first (originals in row order).
        let read_input = !input_done && (output_done || rows_kept.saturating_sub(rows_out) < batch_rows);
        let read_output = !output_done && (input_done || rows_out.saturating_sub(rows_kept) < batch_rows);
        let in_batch = if read_input { input.next_batch()? } else { None };
        let out_batch = if read_output { output.next_batch()? } else { None };
        input_done |= read_input && in_batch.is_none();
        output_done |= read_output && out_batch.is_none();
        let worked_in = || -> Result<Option<Side>, RunError> {
            let Some(batch) = &in_batch else { return Ok(None) };
            let mut kept_rows = Vec::with_capacity(batch.rows());
            for row in 0..batch.rows() {
                let keep = match (subset, subject) {
                    (Some(subset), None) => subset.keeps_unattributed(),
                    (Some(subset), Some(s)) => {
                        let cell = batch
                            .cell(s, row)
                            .map_err(|e| cell_error(&pair.input.path, batch.line(row), &in_header[s], e))?;
                        subset.selects(cell.as_deref())
                    }
                    _ => true,
                };
                if keep {
                    kept_rows.push(row);
                }
            }
            let mut found = Vec::new();
            // Every row's originals, also those of rows a subset or a case file left out: a
            // kept member's note or case sheet can still name a member who was left out.
            let all_rows: Vec<usize> = (0..batch.rows()).collect();
            // Identifiers written in the input's notes are originals too. Found in parallel over
            // the rows of texts not seen before (a text found once adds nothing more).
            let (path, header) = (&pair.input.path, &in_header);
            for &index_of in &text_columns {
                let fresh = seen.texts.fresh_rows(batch, index_of, &all_rows, path, header)?;
                let originals: Vec<Result<windows::Found, RunError>> = fresh
                    .par_chunks(TEXT_CHUNK)
                    .map(|rows| {
                        let mut found = windows::Found::default();
                        for &row in rows {
                            let cell = batch
                                .cell(index_of, row)
                                .map_err(|e| cell_error(path, batch.line(row), &header[index_of], e))?;
                            if let Some(text) = cell {
                                printer.find_text_originals(&text, &mut found);
                            }
                        }
                        Ok(found)
                    })
                    .collect();
                for originals in originals {
                    found.push(originals?);
                }
            }
            // The pseudonyms the run wrote in those texts: once per distinct text of a column.
            for ((column, rule), seen) in free_text.iter().zip(&mut seen.pseudonyms) {
                let fresh = seen.fresh_rows(batch, *column, &kept_rows, path, header)?;
                let written: Vec<Result<windows::Found, RunError>> = fresh
                    .par_chunks(TEXT_CHUNK)
                    .map(|rows| {
                        let mut found = windows::Found::default();
                        for &row in rows {
                            let cell = batch
                                .cell(*column, row)
                                .map_err(|e| cell_error(path, batch.line(row), &header[*column], e))?;
                            let Some(text) = cell else { continue };
                            for (kind, pseudonym) in rule.pseudonyms_in(&text, &[]) {
                                printer.find_pseudonym(kind, &pseudonym, &mut found);
                            }
                        }
                        Ok(found)
                    })
                    .collect();
                for written in written {
                    found.push(written?);
                }
            }
            // The originals of structured cells: found in parallel over rows.
            found.extend(record_in_parallel(
                batch,
                &in_cols,
                &mut seen.originals,
                &in_names,
                &all_rows,
                path,
                header,
                |r, found| match r {
                    Recorded::Identifier(kind, value) => printer.find_original(kind, value, found),
                    Recorded::Name(first, last) => printer.find_name(first, last, found),
                },
            )?);
            let columns =
                fingerprint_batch(batch, &in_cols, &kept_rows, false, fingerprints, &mut seen.in_prints, path, header)?;
            Ok(Some(Side { found, columns, rows: batch.rows() as u64, kept: kept_rows.len() as u64 }))
        };
        let worked_out = || -> Result<Option<Side>, RunError> {
            let Some(batch) = &out_batch else { return Ok(None) };
            let all: Vec<usize> = (0..batch.rows()).collect();
            let (path, header) = (&pair.output.path, &out_header);
            let found =
                record_in_parallel(batch, &out_cols, &mut seen.written, &out_names, &all, path, header, |r, found| {
                    match r {
                        Recorded::Identifier(kind, value) => printer.find_pseudonym(kind, value, found),
                        Recorded::Name(first, last) => printer.find_name_pseudonym(first, last, found),
                    }
                })?;
            let columns =
                fingerprint_batch(batch, &out_cols, &all, true, fingerprints, &mut seen.out_prints, path, header)?;
            Ok(Some(Side { found, columns, rows: batch.rows() as u64, kept: batch.rows() as u64 }))
        };
        let adding = || {
            for found in pending.drain(..) {
                index.add_found(found);
            }
        };
        let ((worked_in, worked_out), ()) = rayon::join(|| rayon::join(worked_in, worked_out), adding);
        // The input's error first: the order does not depend on which side finished first.
        let (worked_in, worked_out) = (worked_in?, worked_out?);
        if let Some(side) = worked_in {
            pending.extend(side.found);
            for (queue, column) in in_queue.iter_mut().zip(side.columns) {
                queue.extend(column);
            }
            rows_in += side.rows;
            rows_kept += side.kept;
        }
        if let Some(side) = worked_out {
            pending.extend(side.found);
            for (queue, column) in out_queue.iter_mut().zip(side.columns) {
                queue.extend(column.into_iter().enumerate().map(|(r, v)| (rows_out + r as u64 + 1, v)));
            }
            rows_out += side.rows;
        }
        // Compare the rows both sides have read.
        for (c, &(_, _, id)) in compared.iter().enumerate() {
            let tally = &mut tallies[c];
            let column = &mut id_columns[id];
            while !in_queue[c].is_empty() && !out_queue[c].is_empty() {
                let (Some(original), Some((row, new))) = (in_queue[c].pop_front(), out_queue[c].pop_front()) else {
                    break;
                };
                if let Some((fp, _)) = original {
                    column.input.insert(fp);
                }
                let Some((out_fp, out_valid)) = new else { continue };
                tally.values += 1;
                column.output.insert(out_fp);
                let original_valid = original.is_some_and(|(_, v)| v);
                if original.is_some_and(|(fp, _)| fp == out_fp) {
                    tally.unchanged += 1;
                    if tally.unchanged_rows.len() < ROWS_LISTED {
                        tally.unchanged_rows.push(row);
                    }
                }
                if !out_valid && !original_valid {
                    *faked += 1;
                } else if !out_valid {
                    tally.invalid += 1;
                    if tally.invalid_rows.len() < ROWS_LISTED {
                        tally.invalid_rows.push(row);
                    }
                }
            }
            // Rows one side has beyond the other's last (a `row_count` finding) are never
            // compared: not held until the end. Input values still count as originals.
            if output_done {
                for (fp, _) in in_queue[c].drain(..).flatten() {
                    column.input.insert(fp);
                }
            }
            if input_done {
                out_queue[c].clear();
            }
        }
    }
    for found in pending {
        index.add_found(found);
    }
    report_pass_one(pair, &compared, id_columns, &tallies, report, &out_header);
    if rows_kept != rows_out {
        report.add(Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code: "row_count",
            file: pair.output.relative.clone(),
            table: Some(table.name.clone()),
            column: None,
            row: None,
            message: format!(
                "{rows_out} rows in the output, {rows_kept} expected from {} ({rows_in} rows{})",
                pair.input.relative,
                if subset.is_some() { ", before selecting subjects" } else { "" }
            ),
        });
    }
    Ok((rows_in, rows_out))
}

fn report_pass_one(
    pair: &Pair,
    compared: &[(usize, usize, usize)],
    id_columns: &[IdColumn],
    tallies: &[ColumnTally],
    report: &mut Report,
    out_header: &[String],
) {
    let table = pair.table;
    for (c, &(_, _, id)) in compared.iter().enumerate() {
        let column = &id_columns[id];
        let tally = &tallies[c];
        let label = kind_of(&column.kind).label();
        let finding = |code, row, message: String| Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code,
            file: pair.output.relative.clone(),
            table: Some(table.name.clone()),
            column: Some(column.column.clone()),
            row,
            message,
        };
        for &row in &tally.unchanged_rows {
            report.add(finding("leak", Some(row), format!("the original {label} is unchanged in the output")));
        }
        let more = tally.unchanged - tally.unchanged_rows.len() as u64;
        if more > 0 {
            report.add(Finding {
                count: more,
                ..finding("leak", None, format!("{more} more cells keep their original {label}"))
            });
        }
        for &row in &tally.invalid_rows {
            report.add(finding(
                "invalid_pseudonym",
                Some(row),
                format!("the pseudonym of a valid {label} fails validation"),
            ));
        }
        let more = tally.invalid - tally.invalid_rows.len() as u64;
        if more > 0 {
            report.add(Finding {
                count: more,
                ..finding("invalid_pseudonym", None, format!("{more} more pseudonyms fail validation"))
            });
        }
    }
    // One line per output column, so the JUnit report lists each.
    for name in out_header {
        let rule = table.rule(name);
        let values = compared
            .iter()
            .enumerate()
            .find(|(_, &(_, _, id))| &id_columns[id].column == name)
            .map_or(0, |(c, _)| tallies[c].values);
        report.columns.push(ColumnCase {
            file: pair.output.relative.clone(),
            table: Some(table.name.clone()),
            column: name.clone(),
            rule: rule.map(|r| r.name().to_string()),
            detected: None,
            confidence: None,
            proposed: None,
            values,
            transformed: None,
            empty: None,
            invalid: None,
        });
    }
    // Columns the mapping drops are in no output file: listed too, so the report shows every
    // column of the table.
    for (name, rule) in &table.columns {
        if matches!(rule, ColumnRule::Drop) && !out_header.contains(name) {
            report.columns.push(ColumnCase {
                file: pair.output.relative.clone(),
                table: Some(table.name.clone()),
                column: name.clone(),
                rule: Some(rule.name().to_string()),
                detected: None,
                confidence: None,
                proposed: None,
                values: 0,
                transformed: None,
                empty: None,
                invalid: None,
            });
        }
    }
}

/// Work units for one batch: (column, rows) pairs of at most `CHUNK_ROWS` rows, so a single
/// long text column keeps every core busy.
fn chunks(columns: &[usize], rows: usize) -> Vec<(usize, std::ops::Range<usize>)> {
    let mut units = Vec::new();
    for &column in columns {
        let mut start = 0;
        while start < rows {
            let end = (start + CHUNK_ROWS).min(rows);
            units.push((column, start..end));
            start = end;
        }
    }
    units
}

/// Rows per unit of parallel work when scanning text.
const CHUNK_ROWS: usize = 4096;

/// Input texts per unit of parallel work in pass 1 (finding originals and recomputing
/// pseudonyms costs microseconds per text).
const TEXT_CHUNK: usize = 1024;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item is worked on once and the results come back in the items' order, however
    /// long each one takes (the first the longest).
    #[test]
    fn side_by_side_keeps_the_items_order() {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let items: Vec<u64> = (0..7).collect();
        let results = side_by_side(&items, |&i| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            std::thread::sleep(std::time::Duration::from_millis(5 * (7 - i)));
            i * i
        });
        assert_eq!(results, [0, 1, 4, 9, 16, 25, 36]);
        assert_eq!(calls.into_inner(), 7);
        assert!(side_by_side(&[] as &[u64], |&i| i).is_empty());
    }

    /// The paths hashed ahead are those `manifest_findings` (the input files found) and
    /// `check_outputs` (the output directory joined with each name) ask for; outputs only with
    /// the key, names that leave the directory never, inputs without a recorded hash not.
    #[test]
    fn files_hashed_ahead_are_the_ones_asked_for() {
        let manifest = serde_json::json!({
            "files": [
                {"input": "claims.csv", "output": "claims.parquet", "sha256_in": "ab", "sha256_out": "cd"},
                {"input": "members.csv", "output": "../members.csv", "sha256_in": "", "sha256_out": "ef"},
                {"input": "gone.csv", "output": "gone.csv", "sha256_in": "12"}
            ],
            "sheets": [{"file": "case-1.html", "sha256": "34"}]
        });
        let input_files = vec![
            ("claims.csv".to_string(), PathBuf::from("/in/claims.csv")),
            ("members.csv".to_string(), PathBuf::from("/in/members.csv")),
        ];
        let mut options = VerifyOptions {
            threshold: 0.05,
            mappings: PathBuf::from("/m"),
            input: PathBuf::from("/in"),
            output: PathBuf::from("/out"),
            key: None,
            k: DEFAULT_K,
            subset: None,
            batch_rows: 1000,
        };
        assert_eq!(hashed_ahead(Some(&manifest), &input_files, &options), [PathBuf::from("/in/claims.csv")]);
        options.key = Some(Key::from_hex(&"12".repeat(32), "t").unwrap());
        let expected: Vec<PathBuf> =
            ["/in/claims.csv", "/out/claims.parquet", "/out/gone.csv", "/out/case-1.html"].map(PathBuf::from).into();
        assert_eq!(hashed_ahead(Some(&manifest), &input_files, &options), expected);
        assert!(hashed_ahead(None, &input_files, &options).is_empty());
        let manifest_path = options.output.join(MANIFEST_NAME);
        let dir = manifest_path.parent().unwrap();
        assert_eq!(dir.join("claims.parquet"), expected[1], "check_outputs joins names to the manifest's directory");
    }
}
