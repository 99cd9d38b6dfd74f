//! Pass 2 of `verify`: every output cell of the non-identifier columns looked up in the
//! `windows::Index` of originals, and the k-anonymity of the declared quasi-identifiers.

use std::collections::BTreeMap;
use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::columns::is_identifier;
use super::windows::Index;
use super::{cell_error, chunks, Pair, VerifyOptions, ROWS_LISTED};
use crate::detect::Kind;
use crate::engine::RunError;
use crate::io::reader::TableReader;
use crate::io::Cells;
use crate::report::{Finding, Report, Severity};

/// An original identifier found in an output cell: (data row, kind).
pub(super) type Hit = (u64, Kind);

/// Smallest groups of rows sharing one combination of quasi-identifiers.
pub(super) struct Groups {
    pub(super) quasi: Vec<String>,
    pub(super) smallest: u64,
    pub(super) below: u64,
    pub(super) rows: u64,
}

/// Pass 2: original identifiers anywhere in the output's other columns; k-anonymity.
/// Returns the group sizes when the table declares quasi-identifiers.
pub(super) fn pass_two(
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
    let group_hasher = foldhash::quality::RandomState::default();
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
                    for kind in index.find(&text) {
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
            count: 1,
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
        let more = count - listed.len() as u64;
        if more > 0 {
            report.add(Finding {
                count: more,
                ..finding(None, format!("{more} more original identifiers appear in this column"))
            });
        }
    }
    if quasi_index.is_empty() {
        return Ok(None);
    }
    let smallest = groups.values().copied().min().unwrap_or(0);
    let below = groups.values().filter(|&&n| n < options.k).sum();
    Ok(Some(Groups { quasi: quasi_index.iter().map(|&i| header[i].clone()).collect(), smallest, below, rows: total }))
}
