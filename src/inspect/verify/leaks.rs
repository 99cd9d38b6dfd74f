//! Pass 2 of `verify`: every output cell of the non-identifier columns looked up in the
//! `windows::Index` of originals, and the k-anonymity of the declared quasi-identifiers.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::columns::is_identifier;
use super::seen::Seen;
use super::windows::Index;
use super::{cell_error, chunks, Pair, VerifyOptions, ROWS_LISTED};
use crate::detect::Kind;
use crate::detect::{ExidShape, Profile};
use crate::engine::RunError;
use crate::inspect::check::kept;
use crate::inspect::Profiler;
use crate::io::reader::{Batch, TableReader};
use crate::io::Cells;
use crate::report::{Finding, Report, Severity};

/// Original identifiers found in one output cell: (data row, their kinds).
pub(super) type Hit = (u64, Vec<Kind>);

/// What pass 2 found in one column: cells with originals, originals, the first cells listed.
#[derive(Default)]
struct Leaks {
    cells: u64,
    originals: u64,
    listed: Vec<Hit>,
}

/// Shorter cells (a sex, a language, a postcode) are looked up every time: it costs about what
/// remembering them would.
const REMEMBERED: usize = 8;

/// What one unit of pass 2's work found in a column: the cells with originals, the prints of
/// the texts it found clean, how many cells it looked up in the column's `Seen` and found there.
#[derive(Default)]
struct Scanned {
    column: usize,
    hits: Vec<Hit>,
    clean: Vec<u128>,
    lookups: u64,
    known: u64,
}

/// Smallest groups of rows sharing one combination of quasi-identifiers.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    pub quasi: Vec<String>,
    pub smallest: u64,
    pub below: u64,
    pub rows: u64,
    /// Group size and number of groups of that size, smallest first: the distribution the
    /// audit report draws.
    pub sizes: Vec<[u64; 2]>,
}

/// Counts the rows of each combination of quasi-identifier values, as keyed hashes (a random key
/// per process: no value is held): memory grows with distinct combinations, not with rows.
pub struct GroupCounter {
    quasi_index: Vec<usize>,
    groups: FxHashMap<u64, u64>,
    hasher: foldhash::quality::RandomState,
    rows: u64,
}

impl GroupCounter {
    /// Counts the columns of `header` named in `quasi` (those present).
    pub fn new(header: &[String], quasi: &[String]) -> GroupCounter {
        GroupCounter {
            quasi_index: quasi.iter().filter_map(|q| header.iter().position(|h| h == q)).collect(),
            groups: FxHashMap::default(),
            hasher: foldhash::quality::RandomState::default(),
            rows: 0,
        }
    }

    /// Adds every row of `batch`.
    pub fn add(&mut self, batch: &Batch, path: &std::path::Path, header: &[String]) -> Result<(), RunError> {
        if self.quasi_index.is_empty() {
            return Ok(());
        }
        let mut values: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(self.quasi_index.len());
        for row in 0..batch.rows() {
            values.clear();
            for &q in &self.quasi_index {
                values.push(batch.cell(q, row).map_err(|e| cell_error(path, batch.line(row), &header[q], e))?);
            }
            let hash = self.hash_values(values.iter().map(|v| v.as_deref().map(str::as_bytes)));
            self.count(hash);
        }
        Ok(())
    }

    /// Adds one output record as written, its fields in header order: an empty field is an
    /// empty cell, as the file reads back (`run` counts its CSV output as it writes it).
    pub fn add_record(&mut self, fields: &[Cow<'_, [u8]>]) {
        if self.quasi_index.is_empty() {
            return;
        }
        let values = self.quasi_index.iter().map(|&q| fields.get(q).map(AsRef::as_ref).filter(|f| !f.is_empty()));
        let hash = self.hash_values(values);
        self.count(hash);
    }

    /// Adds every row of a frame about to be written to Parquet, each quasi-identifier column
    /// as text the way the file reads back (`text_column`; a null is an empty cell).
    pub fn add_frame(
        &mut self,
        frame: &polars::prelude::DataFrame,
        path: &std::path::Path,
    ) -> Result<(), crate::io::IoError> {
        if self.quasi_index.is_empty() {
            return Ok(());
        }
        let text: Vec<polars::prelude::StringChunked> = self
            .quasi_index
            .iter()
            .map(|&q| crate::io::parquet::text_column(path, &frame.columns()[q]))
            .collect::<Result<_, _>>()?;
        for row in 0..frame.height() {
            let hash = self.hash_values(text.iter().map(|c| c.get(row).map(str::as_bytes)));
            self.count(hash);
        }
        Ok(())
    }

    /// A keyed hash of one row's quasi-identifier values in order, `None` for an empty cell
    /// (each value length-prefixed, so values never run together).
    fn hash_values<'v>(&self, values: impl Iterator<Item = Option<&'v [u8]>>) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = self.hasher.build_hasher();
        for value in values {
            value.hash(&mut hasher);
        }
        hasher.finish()
    }

    fn count(&mut self, hash: u64) {
        *self.groups.entry(hash).or_default() += 1;
        self.rows += 1;
    }

    /// The group sizes against `k`; `None` when no quasi-identifier column is present.
    pub fn finish(self, header: &[String], k: u64) -> Option<Groups> {
        if self.quasi_index.is_empty() {
            return None;
        }
        Some(Groups {
            quasi: self.quasi_index.iter().map(|&i| header[i].clone()).collect(),
            smallest: self.groups.values().copied().min().unwrap_or(0),
            below: self.groups.values().filter(|&&n| n < k).sum(),
            rows: self.rows,
            sizes: {
                let mut sizes: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
                for &n in self.groups.values() {
                    *sizes.entry(n).or_default() += 1;
                }
                sizes.into_iter().map(|(size, groups)| [size, groups]).collect()
            },
        })
    }
}

/// The k-anonymity of an output file of table `table`: reads only its quasi-identifier
/// columns. `None` when the table declares none, or none is in the file.
pub fn output_groups(
    table: &crate::mapping::Table,
    path: &std::path::Path,
    format: crate::io::Format,
    csv: &crate::mapping::CsvOptions,
    k: u64,
    batch_rows: usize,
) -> Result<Option<Groups>, RunError> {
    let quasi = &table.quasi_identifiers;
    if quasi.is_empty() {
        return Ok(None);
    }
    let mut reader = TableReader::open_written(path, format, csv, table, batch_rows, |h| {
        h.iter().map(|c| quasi.contains(c)).collect()
    })?;
    let header = reader.header().to_vec();
    let mut counter = GroupCounter::new(&header, quasi);
    while let Some(batch) = reader.next_batch()? {
        counter.add(&batch, path, &header)?;
    }
    Ok(counter.finish(&header, k))
}

/// The kept columns of an output file, profiled by pass 2 for `kept_columns`.
pub(super) struct Kept {
    pub header: Vec<String>,
    pub profiles: Vec<Option<Profile>>,
}

/// Pass 2: original identifiers anywhere in the output's other columns; the profiles of the
/// kept columns; k-anonymity. Returns the group sizes when the table declares quasi-identifiers.
pub(super) fn pass_two(
    pair: &Pair,
    options: &VerifyOptions,
    index: &Index,
    exid: &ExidShape,
    report: &mut Report,
) -> Result<(Option<Groups>, Kept), RunError> {
    let table = pair.table;
    let output_csv = pair.output_csv();
    let quasi = &table.quasi_identifiers;
    let mut reader = TableReader::open_written(
        &pair.output.path,
        pair.output.format,
        &output_csv,
        table,
        options.batch_rows,
        |h| h.iter().map(|c| !is_identifier(table, c) || quasi.contains(c)).collect(),
    )?;
    let header = reader.header().to_vec();
    // Every column but the identifier columns: each of their cells was compared with its own
    // original in pass 1, and every value there is a pseudonym of the run, which excuses it.
    let scanned: Vec<usize> = (0..header.len()).filter(|&i| !is_identifier(table, &header[i])).collect();
    let mut groups = GroupCounter::new(&header, quasi);
    let mut profiler = Profiler::new(header.iter().map(|c| table.rule(c).is_some_and(kept)).collect());
    let mut leaks: BTreeMap<usize, Leaks> = BTreeMap::new();
    // Per column, the texts found clean: a repeated text (a date, a template comment) is looked
    // up once.
    let mut clean: Vec<Seen> = header.iter().map(|_| Seen::default()).collect();
    while let Some(batch) = reader.next_batch()? {
        let found: Vec<Result<Scanned, RunError>> = chunks(&scanned, batch.rows())
            .into_par_iter()
            .map(|(column, rows)| {
                let seen = &clean[column];
                let mut scanned = Scanned { column, ..Scanned::default() };
                for row in rows {
                    let cell = batch
                        .cell(column, row)
                        .map_err(|e| cell_error(&pair.output.path, batch.line(row), &header[column], e))?;
                    let Some(text) = cell else { continue };
                    let print = (seen.on() && text.len() >= REMEMBERED).then(|| seen.print(&text));
                    if let Some(print) = print {
                        scanned.lookups += 1;
                        if seen.contains(print) {
                            scanned.known += 1;
                            continue;
                        }
                    }
                    let kinds: Vec<Kind> = index.find(&text).into_iter().collect();
                    if !kinds.is_empty() {
                        scanned.hits.push((batch.first_row + row as u64 + 1, kinds));
                    } else if let Some(print) = print {
                        scanned.clean.push(print);
                    }
                }
                Ok(scanned)
            })
            .collect();
        for result in found {
            let Scanned { column, hits, clean: prints, lookups, known } = result?;
            clean[column].tally(lookups, known);
            for print in prints {
                clean[column].insert(print);
            }
            if hits.is_empty() {
                continue;
            }
            let entry = leaks.entry(column).or_default();
            entry.cells += hits.len() as u64;
            entry.originals += hits.iter().map(|(_, kinds)| kinds.len() as u64).sum::<u64>();
            let room = ROWS_LISTED.saturating_sub(entry.listed.len());
            entry.listed.extend(hits.into_iter().take(room));
        }
        groups.add(&batch, &pair.output.path, &header)?;
        profiler.add(&batch, &pair.output.path, &header, exid)?;
    }
    for (column, Leaks { cells, originals, listed }) in leaks {
        let finding = |row, message: String| Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code: "leak",
            file: pair.output.relative.clone(),
            table: Some(table.name.clone()),
            column: Some(header[column].clone()),
            row,
            message,
        };
        for (row, kinds) in &listed {
            let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
            let message = match labels.as_slice() {
                [one] => format!("an original {one} of the input appears in this cell"),
                many => format!("{} originals of the input appear in this cell ({})", many.len(), many.join(", ")),
            };
            report.add(Finding { originals: Some(kinds.len() as u64), ..finding(Some(*row), message) });
        }
        let more_cells = cells - listed.len() as u64;
        let more_originals = originals - listed.iter().map(|(_, kinds)| kinds.len() as u64).sum::<u64>();
        if more_cells > 0 {
            report.add(Finding {
                count: more_cells,
                originals: Some(more_originals),
                ..finding(
                    None,
                    format!(
                        "{more_originals} more original identifiers appear in {more_cells} more cells of this column"
                    ),
                )
            });
        }
    }
    let groups = groups.finish(&header, options.k);
    Ok((groups, Kept { header, profiles: profiler.finish() }))
}
