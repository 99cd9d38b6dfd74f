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

use std::collections::{BTreeMap, VecDeque};
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

pub mod windows;

use super::{cell_error, data_files, DataFile};
use crate::crypto::Key;
use crate::detect::Kind;
use crate::engine::{RunError, Subset, MANIFEST_NAME};
use crate::ident::{email, exid, iban::Iban, inami::Inami, kbo, niss::Niss, phone::Phone, spelling};
use crate::io::reader::{Batch, TableReader};
use crate::io::Cells;
use crate::io::Format;
use crate::mapping::{ColumnRule, CsvOptions, Table};
use crate::report::{ColumnCase, Finding, Report, Severity};
use crate::rules::{IdentifierKind, PeopleSpec};
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
    pub batch_rows: usize,
}

/// The identifier kind a free-text detector kind corresponds to.
fn kind_of(kind: &IdentifierKind) -> Kind {
    match kind {
        IdentifierKind::Niss(_) => Kind::Niss,
        IdentifierKind::Exid { .. } => Kind::Exid,
        IdentifierKind::Iban { .. } => Kind::Iban,
        IdentifierKind::Inami => Kind::Inami,
        IdentifierKind::Kbo => Kind::Kbo,
        IdentifierKind::Phone => Kind::Phone,
        IdentifierKind::Email => Kind::Email,
        IdentifierKind::Ip => Kind::Ip,
    }
}

/// The normalised form of an identifier, so every spelling of one value agrees; `valid` says
/// whether it passed its kind's validation.
fn canonical(kind: Kind, value: &str) -> (String, bool) {
    let v = value.trim();
    let parsed = match kind {
        Kind::Niss => Niss::parse(v, true).map(|n| format!("{:011}", n.digits)),
        Kind::Iban => Iban::parse(v).map(|i| i.compact),
        Kind::Inami => Inami::parse(v).map(|_| spelling::digits(v)),
        Kind::Kbo => kbo::parse(v).map(|n| format!("{n:010}")),
        Kind::Phone => Phone::parse(v).map(|p| format!("+{}{}", p.country, p.national)),
        Kind::Email => email::is_email(v).then(|| v.to_lowercase()),
        Kind::Ip => v.parse::<std::net::IpAddr>().ok().map(|ip| ip.to_string()),
        _ => None,
    };
    match parsed {
        Some(c) => (c, true),
        None => (spelling::compact_upper(v), false),
    }
}

/// Whether a pseudonym passes its rule's validation (an e-mail must be in a reserved domain).
fn valid_pseudonym(kind: &IdentifierKind, value: &str) -> bool {
    let v = value.trim();
    match kind {
        IdentifierKind::Exid { check, .. } => exid::is_valid(v, *check),
        IdentifierKind::Email => {
            let domain = v.rsplit_once('@').map_or("", |(_, d)| d).to_ascii_lowercase();
            email::is_email(v)
                && (email::RESERVED_DOMAINS.contains(&domain.as_str())
                    || [".test", ".invalid", ".example", ".localhost"].iter().any(|t| domain.ends_with(t)))
        }
        other => canonical(kind_of(other), v).1,
    }
}

/// Keyed fingerprints of identifiers: a random key per process, never stored.
struct Fingerprints(std::collections::hash_map::RandomState);

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
        if self.input.format == self.output.format {
            self.table.csv.clone()
        } else {
            CsvOptions { header: true, ..CsvOptions::default() }
        }
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

/// Runs the verification. Errors (exit 2): unreadable mappings or files, or a subset run without its key.
pub fn verify(options: &VerifyOptions) -> Result<Report, RunError> {
    let mappings = crate::mapping::load_dir(&options.mappings)?;
    let inputs = data_files(&options.input)?;
    if !options.output.is_dir() {
        return Err(RunError::NoInput(options.output.clone()));
    }
    let manifest: Option<serde_json::Value> = std::fs::read_to_string(options.output.join(MANIFEST_NAME))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok());
    let subset_percent = manifest.as_ref().and_then(|m| m["options"]["subset_percent"].as_f64());
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
    let mut pairs = Vec::new();
    for input in inputs {
        let tables = mappings.matching(&input.relative);
        let finding = |code, message: &str| Finding {
            severity: Severity::Error,
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
    let fingerprints = Fingerprints(std::collections::hash_map::RandomState::new());
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
    }
    if faked > 0 {
        report.notes.push(format!(
            "{faked} input identifier value(s) failed validation and were replaced by shape-preserving fakes (on_invalid: fake)"
        ));
    }
    let mut k_anonymity = Vec::new();
    for pair in &pairs {
        let groups = pass_two(pair, options, &index, &mut report)?;
        if let Some(Groups { quasi, smallest, below, rows: total }) = groups {
            let detail = serde_json::json!({"file": pair.output.relative, "table": pair.table.name, "quasi_identifiers": quasi, "smallest_group": smallest, "rows_in_groups_below_k": below, "rows": total, "k": options.k});
            if smallest < options.k && total > 0 {
                report.add(Finding {
                    severity: Severity::Warning,
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
    let joins = join_rates(&id_columns, &pairs, &mut report);
    report.details = serde_json::json!({"rows": rows, "joins": joins, "k_anonymity": k_anonymity});
    Ok(report)
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

/// An original identifier found in an output cell: (data row, kind).
type Hit = (u64, Kind);

/// Smallest groups of rows sharing one combination of quasi-identifiers.
struct Groups {
    quasi: Vec<String>,
    smallest: u64,
    below: u64,
    rows: u64,
}

/// Fingerprints the `rows` of identifier `columns` (index, rule) of a batch; validity is that of
/// an original on the input side, that of a pseudonym (reserved e-mail domains...) on the output side.
fn fingerprint_batch(
    batch: &Batch,
    columns: &[(usize, IdentifierKind)],
    rows: &[usize],
    output: bool,
    fingerprints: &Fingerprints,
    path: &Path,
    header: &[String],
) -> Result<Vec<Column>, RunError> {
    columns
        .par_iter()
        .map(|(index, rule)| {
            let kind = kind_of(rule);
            rows.iter()
                .map(|&row| {
                    let cell =
                        batch.cell(*index, row).map_err(|e| cell_error(path, batch.line(row), &header[*index], e))?;
                    Ok(cell.filter(|v| !v.trim().is_empty()).map(|v| {
                        let (c, parsed) = canonical(kind, &v);
                        let valid = match rule {
                            IdentifierKind::Exid { check, .. } => exid::is_valid(&v, *check),
                            _ if output => valid_pseudonym(rule, &v),
                            _ => parsed,
                        };
                        (fingerprints.of(kind, &c), valid)
                    }))
                })
                .collect()
        })
        .collect()
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
    let mut output =
        TableReader::open(&pair.output.path, pair.output.format, &output_csv, options.batch_rows, None, |h| {
            h.iter().map(|c| is_identifier(table, c) || name_part(table, c).is_some()).collect()
        })?;
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
    let (mut rows_in, mut rows_kept, mut rows_out) = (0u64, 0u64, 0u64);
    let (mut input_done, mut output_done) = (false, false);
    while !(input_done && output_done) {
        // Read from whichever side is behind, so both queues stay within about one batch.
        let read_input = !input_done && (output_done || rows_kept <= rows_out);
        if read_input {
            let Some(batch) = input.next_batch()? else {
                input_done = true;
                continue;
            };
            rows_in += batch.rows() as u64;
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
            rows_kept += kept_rows.len() as u64;
            // Identifiers written in the input's notes are originals too.
            for &index_of in &text_columns {
                for &row in &kept_rows {
                    let cell = batch
                        .cell(index_of, row)
                        .map_err(|e| cell_error(&pair.input.path, batch.line(row), &in_header[index_of], e))?;
                    if let Some(text) = cell {
                        index.add_text_originals(&text);
                    }
                }
            }
            if !free_text.is_empty() {
                let columns: Vec<usize> = (0..free_text.len()).collect();
                let written: Vec<Result<Vec<(Kind, String)>, RunError>> = chunks(&columns, kept_rows.len())
                    .into_par_iter()
                    .map(|(f, range)| {
                        let (index, rule) = &free_text[f];
                        let mut prints = Vec::new();
                        for &row in &kept_rows[range] {
                            let cell = batch
                                .cell(*index, row)
                                .map_err(|e| cell_error(&pair.input.path, batch.line(row), &in_header[*index], e))?;
                            let Some(text) = cell else { continue };
                            prints.extend(rule.pseudonyms_in(&text, &[]));
                        }
                        Ok(prints)
                    })
                    .collect();
                for prints in written {
                    for (kind, pseudonym) in prints? {
                        index.add_pseudonym(kind, &pseudonym);
                    }
                }
            }
            record(&batch, &in_cols, &in_names, &kept_rows, &pair.input.path, &in_header, |kind, value| match kind {
                Recorded::Identifier(kind) => index.add_original(kind, value),
                Recorded::Name(first, last) => index.add_name(first, last),
            })?;
            let columns =
                fingerprint_batch(&batch, &in_cols, &kept_rows, false, fingerprints, &pair.input.path, &in_header)?;
            for (queue, column) in in_queue.iter_mut().zip(columns) {
                queue.extend(column);
            }
        } else {
            let Some(batch) = output.next_batch()? else {
                output_done = true;
                continue;
            };
            let all: Vec<usize> = (0..batch.rows()).collect();
            record(&batch, &out_cols, &out_names, &all, &pair.output.path, &out_header, |kind, value| match kind {
                Recorded::Identifier(kind) => index.add_pseudonym(kind, value),
                Recorded::Name(first, last) => index.add_name_pseudonym(first, last),
            })?;
            let columns =
                fingerprint_batch(&batch, &out_cols, &all, true, fingerprints, &pair.output.path, &out_header)?;
            for (queue, column) in out_queue.iter_mut().zip(columns) {
                queue.extend(column.into_iter().enumerate().map(|(r, v)| (rows_out + r as u64 + 1, v)));
            }
            rows_out += batch.rows() as u64;
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
        }
    }
    // Remaining input values (more input rows than output rows) still count as originals.
    for (c, &(_, _, id)) in compared.iter().enumerate() {
        for (fp, _) in in_queue[c].drain(..).flatten() {
            id_columns[id].input.insert(fp);
        }
    }
    report_pass_one(pair, &compared, id_columns, &tallies, report, &out_header);
    if rows_kept != rows_out {
        report.add(Finding {
            severity: Severity::Error,
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
        if tally.unchanged > tally.unchanged_rows.len() as u64 {
            report.add(finding(
                "leak",
                None,
                format!(
                    "{} more cells keep their original {label}",
                    tally.unchanged - tally.unchanged_rows.len() as u64
                ),
            ));
        }
        for &row in &tally.invalid_rows {
            report.add(finding(
                "invalid_pseudonym",
                Some(row),
                format!("the pseudonym of a valid {label} fails validation"),
            ));
        }
        if tally.invalid > tally.invalid_rows.len() as u64 {
            report.add(finding(
                "invalid_pseudonym",
                None,
                format!("{} more pseudonyms fail validation", tally.invalid - tally.invalid_rows.len() as u64),
            ));
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
        });
    }
}

fn is_identifier(table: &Table, column: &str) -> bool {
    matches!(table.rule(column), Some(ColumnRule::Identifier(_)))
}

/// Which part of a person's name a column holds, if any.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NamePart {
    First,
    Last,
    Full,
}

fn name_part(table: &Table, column: &str) -> Option<NamePart> {
    match table.rule(column) {
        Some(ColumnRule::People(PeopleSpec::FirstName { .. })) => Some(NamePart::First),
        Some(ColumnRule::People(PeopleSpec::LastName { .. })) => Some(NamePart::Last),
        Some(ColumnRule::People(PeopleSpec::FullName { .. })) => Some(NamePart::Full),
        _ => None,
    }
}

/// The name columns of one side of a table: (first, last) pairs and full-name columns.
struct NameColumns {
    pairs: Vec<(usize, usize)>,
    full: Vec<usize>,
}

impl NameColumns {
    fn of(table: &Table, header: &[String]) -> NameColumns {
        let with = |part| (0..header.len()).filter(|&i| name_part(table, &header[i]) == Some(part)).collect::<Vec<_>>();
        let (first, last, full) = (with(NamePart::First), with(NamePart::Last), with(NamePart::Full));
        let pairs = first.iter().flat_map(|&f| last.iter().map(move |&l| (f, l))).collect();
        NameColumns { pairs, full }
    }
}

/// What `record` hands over: an identifier value, or a person's first and last name.
enum Recorded<'a> {
    Identifier(Kind),
    Name(&'a str, &'a str),
}

/// Hands every identifier value and every full name of the `rows` of a batch to `add`.
fn record(
    batch: &Batch,
    columns: &[(usize, IdentifierKind)],
    names: &NameColumns,
    rows: &[usize],
    path: &Path,
    header: &[String],
    mut add: impl FnMut(Recorded, &str),
) -> Result<(), RunError> {
    let cell = |index: usize, row: usize| {
        batch.cell(index, row).map_err(|e| cell_error(path, batch.line(row), &header[index], e))
    };
    // Rows of one subject follow each other (claims): a value equal to the one above is known.
    let mut previous: Vec<Option<String>> = vec![None; columns.len()];
    for &row in rows {
        for (c, (index, rule)) in columns.iter().enumerate() {
            if let Some(value) = cell(*index, row)?.filter(|v| !v.trim().is_empty()) {
                if previous[c].as_deref() == Some(&*value) {
                    continue;
                }
                add(Recorded::Identifier(kind_of(rule)), &value);
                previous[c] = Some(value.into_owned());
            }
        }
        for &(f, l) in &names.pairs {
            if let (Some(first), Some(last)) = (cell(f, row)?, cell(l, row)?) {
                add(Recorded::Name(&first, &last), "");
            }
        }
        for &f in &names.full {
            if let Some(full) = cell(f, row)? {
                let (first, last) = match full.split_once(',') {
                    Some((last, first)) => (first.to_string(), last.to_string()),
                    None => match full.trim().rsplit_once(' ') {
                        Some((first, last)) => (first.to_string(), last.to_string()),
                        None => continue,
                    },
                };
                add(Recorded::Name(&first, &last), "");
            }
        }
    }
    Ok(())
}

/// Pass 2: original identifiers anywhere in the output's other columns; k-anonymity.
/// Returns the group sizes when the table declares quasi-identifiers.
fn pass_two(
    pair: &Pair,
    options: &VerifyOptions,
    index: &Index,
    report: &mut Report,
) -> Result<Option<Groups>, RunError> {
    let table = pair.table;
    let output_csv = pair.output_csv();
    let quasi = &table.quasi_identifiers;
    let mut reader =
        TableReader::open(&pair.output.path, pair.output.format, &output_csv, options.batch_rows, None, |h| {
            h.iter().map(|c| !is_identifier(table, c) || quasi.contains(c)).collect()
        })?;
    let header = reader.header().to_vec();
    // Every column but the identifier columns: each of their cells was compared with its own
    // original in pass 1, and every value there is a pseudonym of the run, which excuses it.
    let scanned: Vec<usize> = (0..header.len()).filter(|&i| !is_identifier(table, &header[i])).collect();
    let quasi_index: Vec<usize> = quasi.iter().filter_map(|q| header.iter().position(|h| h == q)).collect();
    let mut groups: FxHashMap<u64, u64> = FxHashMap::default();
    let mut leaks: BTreeMap<usize, (u64, Vec<Hit>)> = BTreeMap::new();
    let group_hasher = std::collections::hash_map::RandomState::new();
    let mut total = 0u64;
    while let Some(batch) = reader.next_batch()? {
        let found: Vec<Result<(usize, Vec<Hit>), RunError>> = chunks(&scanned, batch.rows())
            .into_par_iter()
            .map(|(column, rows)| {
                let mut hits = Vec::new();
                for row in rows {
                    let cell = batch
                        .cell(column, row)
                        .map_err(|e| cell_error(&pair.output.path, batch.line(row), &header[column], e))?;
                    let Some(text) = cell else { continue };
                    for kind in index.find(&text, true) {
                        hits.push((batch.first_row + row as u64 + 1, kind));
                    }
                }
                Ok((column, hits))
            })
            .collect();
        for result in found {
            let (column, hits) = result?;
            if hits.is_empty() {
                continue;
            }
            let entry = leaks.entry(column).or_default();
            entry.0 += hits.len() as u64;
            let room = ROWS_LISTED.saturating_sub(entry.1.len());
            entry.1.extend(hits.into_iter().take(room));
        }
        if !quasi_index.is_empty() {
            for row in 0..batch.rows() {
                let mut values: Vec<Option<String>> = Vec::with_capacity(quasi_index.len());
                for &q in &quasi_index {
                    let cell = batch
                        .cell(q, row)
                        .map_err(|e| cell_error(&pair.output.path, batch.line(row), &header[q], e))?;
                    values.push(cell.map(|c| c.into_owned()));
                }
                *groups.entry(group_hasher.hash_one(&values)).or_default() += 1;
            }
        }
        total += batch.rows() as u64;
    }
    for (column, (count, listed)) in leaks {
        let finding = |row, message: String| Finding {
            severity: Severity::Error,
            code: "leak",
            file: pair.output.relative.clone(),
            table: Some(table.name.clone()),
            column: Some(header[column].clone()),
            row,
            message,
        };
        for &(row, kind) in &listed {
            report.add(finding(Some(row), format!("an original {} of the input appears in this cell", kind.label())));
        }
        if count > listed.len() as u64 {
            report.add(finding(
                None,
                format!("{} more original identifiers appear in this column", count - listed.len() as u64),
            ));
        }
    }
    if quasi_index.is_empty() {
        return Ok(None);
    }
    let smallest = groups.values().copied().min().unwrap_or(0);
    let below = groups.values().filter(|&&n| n < options.k).sum();
    Ok(Some(Groups { quasi: quasi_index.iter().map(|&i| header[i].clone()).collect(), smallest, below, rows: total }))
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

/// Share of the distinct values of `a` found in `b`.
fn rate(a: &FxHashSet<u64>, b: &FxHashSet<u64>) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().filter(|v| b.contains(*v)).count() as f64 / a.len() as f64
}

/// Join rates between tables whose columns share an identifier rule, input against output.
fn join_rates(columns: &[IdColumn], pairs: &[Pair], report: &mut Report) -> Vec<serde_json::Value> {
    let mut joins = Vec::new();
    for a in columns {
        for b in columns {
            if a.table == b.table || a.kind.name() != b.kind.name() || a.input.is_empty() || b.input.is_empty() {
                continue;
            }
            let (before, after) = (rate(&a.input, &b.input), rate(&a.output, &b.output));
            if before == 0.0 && after == 0.0 {
                continue;
            }
            joins.push(serde_json::json!({"from": format!("{}.{}", a.table, a.column), "to": format!("{}.{}", b.table, b.column), "input_rate": before, "output_rate": after}));
            let line = format!(
                "join {}.{} -> {}.{}: {:.2}% of distinct values match in the input, {:.2}% in the output",
                a.table,
                a.column,
                b.table,
                b.column,
                before * 100.0,
                after * 100.0
            );
            if (before - after).abs() > 1e-9 {
                let file = pairs
                    .iter()
                    .find(|p| p.table.name == a.table)
                    .map_or_else(String::new, |p| p.output.relative.clone());
                report.add(Finding {
                    severity: Severity::Error,
                    code: "join_rate",
                    file,
                    table: Some(a.table.clone()),
                    column: Some(a.column.clone()),
                    row: None,
                    message: line,
                });
            } else {
                report.notes.push(line);
            }
        }
    }
    joins
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_identifier_share_a_canonical_form() {
        assert_eq!(canonical(Kind::Niss, "85.07.30-033.28"), canonical(Kind::Niss, "85073003328"));
        assert_eq!(canonical(Kind::Iban, "be71 0961 2345 6769"), canonical(Kind::Iban, "BE71096123456769"));
        assert_eq!(canonical(Kind::Phone, "0475 12 34 56"), canonical(Kind::Phone, "+32475123456"));
        assert_eq!(canonical(Kind::Email, "Jan@Telenet.be"), canonical(Kind::Email, "jan@telenet.be"));
        assert!(!canonical(Kind::Niss, "85073003329").1);
    }

    #[test]
    fn pseudonyms_are_validated_by_kind() {
        assert!(valid_pseudonym(&IdentifierKind::Email, "a.b@example.com"));
        assert!(!valid_pseudonym(&IdentifierKind::Email, "a.b@telenet.be"));
        assert!(valid_pseudonym(&IdentifierKind::Kbo, "0403.170.701"));
        assert!(!valid_pseudonym(&IdentifierKind::Kbo, "0403.170.702"));
    }
}
