//! A case sheet in Markdown, for pasting into course material: the same content as the HTML
//! page, with the chart's sums as the totals table.

use std::fmt::Write as _;

use super::{Sheet, Timeline};

/// Text as Markdown shows it literally: no HTML (`<`, `>` and `&` as entities, which every
/// renderer prints as the characters), no line break.
fn inline(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace(['\r', '\n'], " ")
}

/// A table cell: inline text with no unescaped pipe.
fn cell(text: &str) -> String {
    inline(&text.replace('\\', "\\\\")).replace('|', "\\|")
}

/// One line of a note, quoted: a leading character that would start a heading, list or quote
/// is escaped.
fn quoted(line: &str) -> String {
    let text = inline(line);
    match text.chars().next() {
        Some(c) if "#>*+-_`=~".contains(c) => format!("> \\{text}"),
        _ => format!("> {text}"),
    }
}

/// The whole sheet.
pub fn render(sheet: &Sheet) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: {}\n", sheet.label("case_file"), inline(&sheet.title));
    let _ = writeln!(out, "_{}_\n", sheet.label("training_only"));
    let _ = writeln!(out, "## {}\n", sheet.label("member"));
    let _ = writeln!(out, "| | |\n|---|---|");
    for (label, value) in &sheet.card {
        let _ = writeln!(out, "| {} | {} |", cell(label), cell(value));
    }
    out.push('\n');
    if !sheet.notes.is_empty() {
        let _ = writeln!(out, "## {}\n", sheet.label("notes"));
        for (column, text) in &sheet.notes {
            let _ = writeln!(out, "**{}**\n", cell(column));
            for line in text.split(['\r', '\n']).filter(|l| !l.is_empty()) {
                let _ = writeln!(out, "{}", quoted(line));
            }
            out.push('\n');
        }
    }
    for timeline in &sheet.timelines {
        render_timeline(&mut out, sheet, timeline);
    }
    let _ =
        writeln!(out, "---\n{} {}, {}.", sheet.label("made_by"), env!("CARGO_PKG_VERSION"), sheet.label("from_tables"));
    out
}

fn render_timeline(out: &mut String, sheet: &Sheet, t: &Timeline) {
    let _ = writeln!(
        out,
        "## {}: {} ({} {})\n",
        sheet.label("timeline"),
        inline(&t.table),
        t.rows.len(),
        sheet.label(if t.rows.len() == 1 { "row_count" } else { "rows_count" })
    );
    if !t.years.is_empty() {
        let _ = writeln!(out, "### {}\n", sheet.label("totals"));
        let mut head = vec![sheet.label("year"), sheet.label("rows")];
        if t.has_amount {
            head.push(sheet.label("amount"));
        }
        if t.has_reimbursed {
            head.push(sheet.label("reimbursed"));
        }
        let _ = writeln!(out, "| {} |", head.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(head.len() - 1));
        for y in &t.years {
            let mut row =
                vec![y.year.map_or_else(|| sheet.label("undated").to_string(), |y| y.to_string()), y.rows.to_string()];
            let marker = if y.unsummed > 0 { " \\*" } else { "" };
            for (shown, sum) in [(t.has_amount, y.amount), (t.has_reimbursed, y.reimbursed)] {
                if shown {
                    row.push(format!("{}{marker}", sum.map(|c| sheet.money(c)).unwrap_or_default()));
                }
            }
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        if t.years.iter().any(|y| y.unsummed > 0) {
            let _ = writeln!(out, "\n\\* {}", sheet.label("unsummed"));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "| {} |", t.columns.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        t.rows.first().map_or_else(
            || "---|".repeat(t.columns.len()),
            |r| r.iter().map(|c| if c.number { "---:|" } else { "---|" }).collect::<String>()
        )
    );
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match &c.note {
                Some(note) => format!("{} ({})", cell(&c.text), cell(note)),
                None => cell(&c.text),
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}
