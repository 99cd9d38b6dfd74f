//! Applying a bound plan's rules to one batch, in parallel across columns and rows.

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::io::{Cells, Undecodable};
use crate::mapping::{Action, BoundPlan};
use crate::rules::{Pseudonym, Rule};

/// Counts for one output column, summed over a file (for the manifest).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ColumnStats {
    /// Non-empty values replaced by the rule.
    pub transformed: u64,
    /// Empty or null cells, left empty.
    pub empty: u64,
    /// Values that failed the rule's validation and were replaced by a keyed fake.
    pub invalid: u64,
}

/// Why one cell could not be read or transformed; the caller adds file and line.
#[derive(Debug)]
pub enum CellError {
    /// The bytes are not valid in the file's encoding.
    Encoding,
    /// The rule refused the value.
    Rule(crate::rules::RuleError),
}

impl From<Undecodable> for CellError {
    fn from(_: Undecodable) -> CellError {
        CellError::Encoding
    }
}

/// New values of one transformed column for one batch.
pub type Values = Vec<Option<String>>;

/// A failure located in the batch: row index, output column index, cause.
pub type BatchError = (usize, usize, CellError);

/// Applies every `Transform` column of `plan` to `cells`. Returns, per output column, the new
/// values (`None` for keep and null columns), and adds to `stats` (one entry per output column).
/// The result does not depend on the number of threads.
pub fn transform_batch(
    plan: &BoundPlan,
    cells: &dyn Cells,
    stats: &mut [ColumnStats],
) -> Result<Vec<Option<Values>>, BatchError> {
    let results: Vec<Result<Option<(Values, ColumnStats)>, BatchError>> = plan
        .columns
        .par_iter()
        .enumerate()
        .map(|(index, column)| match &column.action {
            Action::Transform { rule, inputs } => transform_column(rule.as_ref(), column.source, inputs, cells)
                .map(Some)
                .map_err(|(row, e)| (row, index, e)),
            Action::Keep | Action::Null => Ok(None),
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        match result? {
            Some((values, counted)) => {
                let s = &mut stats[index];
                s.transformed += counted.transformed;
                s.empty += counted.empty;
                s.invalid += counted.invalid;
                out.push(Some(values));
            }
            None => out.push(None),
        }
    }
    Ok(out)
}

fn transform_column(
    rule: &dyn Rule,
    source: usize,
    inputs: &[usize],
    cells: &dyn Cells,
) -> Result<(Values, ColumnStats), (usize, CellError)> {
    if inputs.is_empty() && !rule.fills_empty() {
        return transform_memoised(rule, source, cells);
    }
    let fills_empty = rule.fills_empty();
    let cells_out: Vec<(Option<String>, u8)> = (0..cells.rows())
        .into_par_iter()
        .with_min_len(1024)
        .map(|row| {
            let value = cells.cell(source, row).map_err(|e| (row, e.into()))?;
            let value = match value {
                Some(v) if !v.trim().is_empty() => v,
                _ if fills_empty => Cow::Borrowed(""),
                _ => return Ok((None, EMPTY)),
            };
            let mut row_inputs: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(inputs.len());
            for &i in inputs {
                row_inputs.push(cells.cell(i, row).map_err(|e| (row, e.into()))?);
            }
            let refs: Vec<Option<&str>> = row_inputs.iter().map(|v| v.as_deref()).collect();
            let Pseudonym { text, invalid } = rule.apply(&value, &refs).map_err(|e| (row, CellError::Rule(e)))?;
            Ok((text, if invalid { INVALID } else { TRANSFORMED }))
        })
        .collect::<Result<_, _>>()?;
    let mut stats = ColumnStats::default();
    let values = cells_out
        .into_iter()
        .map(|(text, kind)| {
            stats.count(kind);
            text
        })
        .collect();
    Ok((values, stats))
}

/// The memo of repeated values: a rule that reads only its own cell runs once per distinct value
/// of the batch (the same NISS appears in thousands of claims), in parallel over those values.
fn transform_memoised(
    rule: &dyn Rule,
    source: usize,
    cells: &dyn Cells,
) -> Result<(Values, ColumnStats), (usize, CellError)> {
    let rows = cells.rows();
    let mut distinct: FxHashMap<Cow<'_, str>, u32> = FxHashMap::with_capacity_and_hasher(rows, Default::default());
    let mut first_rows: Vec<usize> = Vec::new();
    let mut slots: Vec<u32> = Vec::with_capacity(rows);
    for row in 0..rows {
        let slot = match cells.cell(source, row).map_err(|e| (row, e.into()))? {
            Some(v) if !v.trim().is_empty() => {
                let next = first_rows.len() as u32;
                *distinct.entry(v).or_insert_with(|| {
                    first_rows.push(row);
                    next
                })
            }
            _ => NO_VALUE,
        };
        slots.push(slot);
    }
    let mut ordered: Vec<(&str, u32)> = distinct.iter().map(|(v, &i)| (v.as_ref(), i)).collect();
    ordered.sort_unstable_by_key(|&(_, i)| i);
    let results: Vec<Pseudonym> = ordered
        .par_iter()
        .with_min_len(256)
        .map(|&(value, i)| rule.apply(value, &[]).map_err(|e| (first_rows[i as usize], CellError::Rule(e))))
        .collect::<Result<_, _>>()?;
    let mut stats = ColumnStats::default();
    let values = slots
        .into_iter()
        .map(|slot| match results.get(slot as usize) {
            None => {
                stats.count(EMPTY);
                None
            }
            Some(Pseudonym { text, invalid }) => {
                stats.count(if *invalid { INVALID } else { TRANSFORMED });
                text.clone()
            }
        })
        .collect();
    Ok((values, stats))
}

impl ColumnStats {
    fn count(&mut self, kind: u8) {
        match kind {
            EMPTY => self.empty += 1,
            INVALID => self.invalid += 1,
            _ => self.transformed += 1,
        }
    }
}

const NO_VALUE: u32 = u32::MAX;
const EMPTY: u8 = 0;
const TRANSFORMED: u8 = 1;
const INVALID: u8 = 2;
