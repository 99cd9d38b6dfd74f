//! Join rates: for every pair of tables whose columns share an identifier rule, the share of
//! distinct values that join, input against output (a pseudonymisation must keep it).

use rustc_hash::FxHashSet;

use super::{IdColumn, Pair};
use crate::report::{Finding, Report, Severity};

/// Share of the distinct values of `a` found in `b`.
pub(super) fn rate(a: &FxHashSet<u64>, b: &FxHashSet<u64>) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().filter(|v| b.contains(*v)).count() as f64 / a.len() as f64
}

/// Join rates between tables whose columns share an identifier rule, input against output.
pub(super) fn join_rates(columns: &[IdColumn], pairs: &[Pair], report: &mut Report) -> Vec<serde_json::Value> {
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
                    count: 1,
                    originals: None,
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
