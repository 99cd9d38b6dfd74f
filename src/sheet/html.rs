//! A case sheet as one self-contained HTML page: inline CSS and SVG, no script, no external
//! asset, laid out for A4.

use std::fmt::Write as _;

use super::{Sheet, Timeline};
use crate::report::html::esc;

/// The page's style: print-friendly, A4, no web font.
pub(crate) const STYLE: &str = r#"
@page { size: A4; margin: 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 10pt; color: #1d2733; margin: 0 auto; max-width: 190mm; padding: 8mm 0; line-height: 1.35; }
header { border-bottom: 3px solid #1f5f8b; margin-bottom: 5mm; padding-bottom: 2mm; }
h1 { font-size: 18pt; margin: 0; color: #1f5f8b; }
h2 { font-size: 12.5pt; color: #1f5f8b; margin: 6mm 0 2mm; border-bottom: 1px solid #c9d6e2; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.5mm; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 8pt; color: #5b6b7b; }
.disclaimer { font-size: 8.5pt; color: #5b6b7b; margin-top: 1mm; }
dl.card { display: grid; grid-template-columns: 48mm 1fr; gap: 1mm 4mm; margin: 0; padding: 3mm 4mm; background: #f2f6fa; border-radius: 2mm; }
dl.card dt { color: #5b6b7b; }
dl.card dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th { text-align: left; background: #e4edf5; padding: 1mm 1.5mm; border-bottom: 1px solid #9fb4c7; }
td { padding: 1mm 1.5mm; border-bottom: 1px solid #e1e7ed; vertical-align: top; overflow-wrap: anywhere; }
tr { break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.rows td:first-child { white-space: nowrap; }
table.totals { width: auto; min-width: 50%; }
.note { display: block; font-size: 7.5pt; color: #5b6b7b; }
.notes p { white-space: pre-wrap; margin: 0 0 2mm; padding: 2mm 3mm; border-left: 3px solid #9fb4c7; background: #fafbfc; }
svg { display: block; margin: 2mm 0; }
footer { margin-top: 8mm; font-size: 8pt; color: #5b6b7b; border-top: 1px solid #c9d6e2; padding-top: 1mm; }
"#;

/// The whole page.
pub fn render(sheet: &Sheet) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} – {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        sheet.lang.code(),
        esc(sheet.label("case_file")),
        esc(&sheet.title)
    );
    let _ = write!(
        out,
        "<header>\n<div class=\"kicker\">{}</div>\n<h1>{}</h1>\n<div class=\"disclaimer\">{}</div>\n</header>\n",
        esc(sheet.label("case_file")),
        esc(&sheet.title),
        esc(sheet.label("training_only"))
    );
    let _ = write!(out, "<section id=\"member\">\n<h2>{}</h2>\n<dl class=\"card\">\n", esc(sheet.label("member")));
    for (label, value) in &sheet.card {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(label), esc(value));
    }
    out.push_str("</dl>\n</section>\n");
    if !sheet.notes.is_empty() {
        let _ = write!(out, "<section class=\"notes\" id=\"notes\">\n<h2>{}</h2>\n", esc(sheet.label("notes")));
        for (column, text) in &sheet.notes {
            let _ = writeln!(out, "<h3>{}</h3>\n<p>{}</p>", esc(column), esc(text));
        }
        out.push_str("</section>\n");
    }
    for timeline in &sheet.timelines {
        render_timeline(&mut out, sheet, timeline);
    }
    let _ = write!(
        out,
        "<footer>{} {}, {}.</footer>\n</body>\n</html>\n",
        esc(sheet.label("made_by")),
        env!("CARGO_PKG_VERSION"),
        esc(sheet.label("from_tables"))
    );
    out
}

fn render_timeline(out: &mut String, sheet: &Sheet, t: &Timeline) {
    let _ = write!(
        out,
        "<section class=\"timeline\" data-table=\"{}\">\n<h2>{} · {} <span class=\"note\">{} {}</span></h2>\n",
        esc(&t.table),
        esc(sheet.label("timeline")),
        esc(&t.table),
        t.rows.len(),
        esc(sheet.label(if t.rows.len() == 1 { "row_count" } else { "rows_count" }))
    );
    if let Some(svg) = chart(sheet, t) {
        out.push_str(&svg);
    }
    if !t.years.is_empty() {
        let _ = write!(
            out,
            "<h3>{}</h3>\n<table class=\"totals\">\n<tr><th>{}</th><th class=\"num\">{}</th>",
            esc(sheet.label("totals")),
            esc(sheet.label("year")),
            esc(sheet.label("rows"))
        );
        if t.has_amount {
            let _ = write!(out, "<th class=\"num\">{}</th>", esc(sheet.label("amount")));
        }
        if t.has_reimbursed {
            let _ = write!(out, "<th class=\"num\">{}</th>", esc(sheet.label("reimbursed")));
        }
        out.push_str("</tr>\n");
        for y in &t.years {
            let year = y.year.map_or_else(|| sheet.label("undated").to_string(), |y| y.to_string());
            let _ = write!(out, "<tr><td>{}</td><td class=\"num\">{}</td>", esc(&year), y.rows);
            let marker = if y.unsummed > 0 { " *" } else { "" };
            for (shown, sum) in [(t.has_amount, y.amount), (t.has_reimbursed, y.reimbursed)] {
                if shown {
                    let money = sum.map(|c| sheet.money(c)).unwrap_or_default();
                    let _ = write!(out, "<td class=\"num\">{}{marker}</td>", esc(&money));
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
        if t.years.iter().any(|y| y.unsummed > 0) {
            let _ = writeln!(out, "<p class=\"note\">* {}</p>", esc(sheet.label("unsummed")));
        }
    }
    let _ = write!(out, "<h3>{}</h3>\n<table class=\"rows\">\n<tr>", esc(&t.table));
    for column in &t.columns {
        let _ = write!(out, "<th>{}</th>", esc(column));
    }
    out.push_str("</tr>\n");
    for row in &t.rows {
        out.push_str("<tr class=\"row\">");
        for cell in row {
            let class = if cell.number { " class=\"num\"" } else { "" };
            let note =
                cell.note.as_ref().map(|n| format!("<span class=\"note\">{}</span>", esc(n))).unwrap_or_default();
            let _ = write!(out, "<td{class}>{}{note}</td>", esc(&cell.text));
        }
        out.push_str("</tr>\n");
    }
    if t.rows.is_empty() {
        let _ =
            writeln!(out, "<tr><td colspan=\"{}\">{}</td></tr>", t.columns.len().max(1), esc(sheet.label("no_rows")));
    }
    out.push_str("</table>\n</section>\n");
}

/// Bars of the yearly sums (reimbursed when the table has it, else amounts), or `None` when
/// there is nothing dated to draw.
fn chart(sheet: &Sheet, t: &Timeline) -> Option<String> {
    let (key, pick): (&'static str, fn(&super::YearTotal) -> Option<i64>) = if t.has_reimbursed {
        ("chart_reimbursed", |y| y.reimbursed)
    } else if t.has_amount {
        ("chart_amount", |y| y.amount)
    } else {
        return None;
    };
    let bars: Vec<(i64, i64)> = t.years.iter().filter_map(|y| Some((y.year?, pick(y).unwrap_or(0)))).collect();
    if bars.is_empty() {
        return None;
    }
    let max = bars.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1) as f64;
    let (width, height, top, bottom, left) = (680.0, 190.0, 22.0, 24.0, 10.0);
    let slot = (width - 2.0 * left) / bars.len() as f64;
    let bar = (slot * 0.7).min(60.0);
    let mut svg = format!(
        "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">\n<title>{}</title>\n",
        esc(sheet.label(key)),
        esc(sheet.label(key))
    );
    let base = height - bottom;
    let _ =
        writeln!(svg, "<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#9fb4c7\"/>", width - left);
    for (i, (year, cents)) in bars.iter().enumerate() {
        let h = ((*cents).max(0) as f64 / max) * (base - top);
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let cx = x + bar / 2.0;
        let _ = writeln!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"#2f7fb8\"/>",
            base - h
        );
        let _ = writeln!(
            svg,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>",
            base - h - 4.0,
            esc(&sheet.money(*cents))
        );
        let _ = writeln!(
            svg,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#5b6b7b\">{year}</text>",
            base + 14.0
        );
    }
    let _ = write!(svg, "</svg>\n<figcaption class=\"note\">{}</figcaption>\n</figure>\n", esc(sheet.label(key)));
    Some(svg)
}
