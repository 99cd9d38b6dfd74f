//! The audit report as one self-contained HTML page (inline CSS and SVG, no script, no external
//! asset): the page a data-protection officer files with a test-database refresh. The verdict
//! first, then the run's manifest and key, the findings (file, row, column, kind: never a
//! value), every column of every file with its rule and counts, join rates as bars, and the
//! k-anonymity distribution with the threshold marked.

use std::fmt::Write as _;

use super::{Report, Severity};

/// Escapes text for HTML content and attribute values (the XML escapes: HTML5 knows `&apos;`).
pub(crate) use super::xml_escape as esc;

const STYLE: &str = r#"
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; font-size: 9.5pt; color: #1d2733; margin: 0 auto; max-width: 200mm; padding: 6mm 0; line-height: 1.35; }
h1 { font-size: 17pt; margin: 0 0 1mm; color: #1f3f5b; }
h2 { font-size: 12pt; color: #1f3f5b; margin: 6mm 0 2mm; border-bottom: 1px solid #c9d6e2; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; }
.verdict { padding: 4mm 5mm; border-radius: 2mm; margin: 3mm 0; font-size: 13pt; font-weight: 700; }
.verdict small { display: block; font-size: 9pt; font-weight: 400; margin-top: 1mm; }
.clean { background: #e3f4e6; border-left: 6px solid #2e8b47; color: #1d5a2e; }
.failed { background: #fbe6e4; border-left: 6px solid #c0392b; color: #7d1f15; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 2mm; }
th { text-align: left; background: #e4edf5; padding: 1mm 1.5mm; border-bottom: 1px solid #9fb4c7; }
td { padding: .8mm 1.5mm; border-bottom: 1px solid #e1e7ed; vertical-align: top; overflow-wrap: anywhere; }
tr { break-inside: avoid; }
td.num, th.num, td.nowrap { text-align: right; white-space: nowrap; }
td.nowrap { text-align: left; }
.ok { color: #2e8b47; font-weight: 600; }
.warn { color: #b9770e; font-weight: 600; }
.fail { color: #c0392b; font-weight: 700; }
dl.facts { display: grid; grid-template-columns: 50mm 1fr; gap: .8mm 4mm; margin: 0; }
dl.facts dt { color: #5b6b7b; }
dl.facts dd { margin: 0; font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
.muted { color: #5b6b7b; }
ul { margin: 0; padding-left: 5mm; }
svg { display: block; margin: 1mm 0 3mm; }
footer { margin-top: 6mm; font-size: 8pt; color: #5b6b7b; border-top: 1px solid #c9d6e2; padding-top: 1mm; }
"#;

fn status_class(status: &str) -> &'static str {
    match status {
        "FAIL" => "fail",
        "warn" => "warn",
        _ => "ok",
    }
}

fn count(value: Option<u64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| v.to_string())
}

/// The whole page.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let title = format!("pseudata {}: audit report", report.command);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let errors = report.errors();
    let warnings = report.findings.len() - errors;
    let counts = report.counts_by_code();
    let by_code = counts.iter().map(|(code, n)| format!("{code} {n}")).collect::<Vec<_>>().join(", ");
    let (class, verdict) = if report.clean { ("clean", "CLEAN") } else { ("failed", "FINDINGS") };
    let _ = writeln!(
        out,
        "<div class=\"verdict {class}\" id=\"verdict\">{verdict}<small>{} file(s), {} column(s): {errors} error(s), {warnings} warning(s){}</small></div>",
        report.files,
        report.columns.len(),
        if by_code.is_empty() { String::new() } else { format!(" ({})", esc(&by_code)) }
    );
    facts(&mut out, report);
    findings(&mut out, report);
    files(&mut out, report);
    joins(&mut out, report);
    k_anonymity(&mut out, report);
    if !report.notes.is_empty() {
        out.push_str("<h2>Notes</h2>\n<ul>\n");
        for note in &report.notes {
            let _ = writeln!(out, "<li>{}</li>", esc(note));
        }
        out.push_str("</ul>\n");
    }
    let _ = write!(
        out,
        "<footer>Written by pseudata {}. The report names files, rows and columns; it holds no value of the data.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// The run's manifest, the key, versions and the mappings' hashes.
fn facts(out: &mut String, report: &Report) {
    let d = &report.details;
    let mut rows: Vec<(&str, String)> = Vec::new();
    let manifest = &d["manifest"];
    if manifest.is_object() {
        let signature = manifest["signature"].as_str().unwrap_or("absent").to_string();
        rows.push(("Run manifest signature", signature));
        if let Some(fp) = manifest["key_fingerprint"].as_str() {
            rows.push(("Run's key fingerprint", fp.to_string()));
        }
        if let Some(v) = manifest["run_version"].as_str() {
            rows.push(("Run by pseudata", v.to_string()));
        }
        if manifest["case_file"].as_bool() == Some(true) {
            rows.push(("Case file", format!("yes, {} case sheet(s)", manifest["sheets"].as_u64().unwrap_or(0))));
        }
    }
    if let Some(fp) = d["key_fingerprint"].as_str() {
        rows.push(("Key given, fingerprint", fp.to_string()));
    } else if manifest.is_object() {
        rows.push(("Key given", "none".to_string()));
    }
    rows.push(("Judged by pseudata", d["pseudata_version"].as_str().unwrap_or(env!("CARGO_PKG_VERSION")).to_string()));
    out.push_str("<h2>Run, key and mappings</h2>\n<dl class=\"facts\" id=\"facts\">\n");
    for (label, value) in rows {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(label), esc(&value));
    }
    out.push_str("</dl>\n");
    if let Some(mappings) = d["mappings"].as_array().filter(|m| !m.is_empty()) {
        out.push_str(
            "<h3>Mappings</h3>\n<table id=\"mappings\">\n<tr><th>table</th><th>file</th><th>SHA-256</th></tr>\n",
        );
        for m in mappings {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(m["table"].as_str().unwrap_or("")),
                esc(m["file"].as_str().unwrap_or("")),
                esc(m["sha256"].as_str().unwrap_or(""))
            );
        }
        out.push_str("</table>\n");
    }
}

fn findings(out: &mut String, report: &Report) {
    if report.findings.is_empty() {
        out.push_str("<h2>Findings</h2>\n<p class=\"ok\" id=\"findings\">None.</p>\n");
        return;
    }
    out.push_str("<h2>Findings</h2>\n<table id=\"findings\">\n<tr><th>severity</th><th>kind</th><th>file</th><th class=\"num\">row</th><th>column</th><th class=\"num\">cells</th><th>what</th></tr>\n");
    for f in &report.findings {
        let (class, severity) = match f.severity {
            Severity::Error => ("fail", "error"),
            Severity::Warning => ("warn", "warning"),
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"{class} nowrap\">{severity}</td><td class=\"nowrap\"><code>{}</code></td><td>{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            esc(f.code),
            esc(&f.file),
            f.row.map_or_else(String::new, |r| r.to_string()),
            esc(f.column.as_deref().unwrap_or("")),
            f.count,
            esc(&f.message)
        );
    }
    out.push_str("</table>\n");
}

/// Every column of every file, with its rule, counts and status.
fn files(out: &mut String, report: &Report) {
    let mut names: Vec<&str> = Vec::new();
    for c in &report.columns {
        if !names.contains(&c.file.as_str()) {
            names.push(&c.file);
        }
    }
    if names.is_empty() {
        return;
    }
    let rows = report.details["rows"].as_array();
    out.push_str("<h2>Files and columns</h2>\n");
    let stats = report.columns.iter().any(|c| c.transformed.is_some());
    let detection = report.columns.iter().any(|c| c.detected.is_some());
    for file in names {
        let columns: Vec<&super::ColumnCase> = report.columns.iter().filter(|c| c.file == file).collect();
        let table = columns.iter().find_map(|c| c.table.as_deref());
        let counted = rows
            .into_iter()
            .flatten()
            .find(|r| r["output"].as_str() == Some(file) || r["input"].as_str() == Some(file))
            .map(|r| format!(": {} rows in, {} rows out", r["rows_in"], r["rows_out"]))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<h3 data-file=\"{}\">{}{}{}</h3>\n<table class=\"columns\">\n<tr><th>column</th><th>rule</th>",
            esc(file),
            esc(file),
            table.map(|t| format!(" <span class=\"muted\">(table {})</span>", esc(t))).unwrap_or_default(),
            esc(&counted)
        );
        if detection {
            out.push_str("<th>detected</th>");
        }
        if stats {
            out.push_str(
                "<th class=\"num\">transformed</th><th class=\"num\">empty</th><th class=\"num\">invalid</th>",
            );
        } else {
            out.push_str("<th class=\"num\">values</th>");
        }
        out.push_str("<th>status</th></tr>\n");
        for c in columns {
            let status = c.status(report);
            let detected = match (c.detected, c.confidence) {
                (Some(kind), Some(share)) => format!("{} ({:.0}%)", kind.label(), share * 100.0),
                (Some(kind), None) => format!("{} (name)", kind.label()),
                _ => "–".to_string(),
            };
            let _ = write!(
                out,
                "<tr class=\"column\"><td>{}</td><td><code>{}</code></td>",
                esc(&c.column),
                esc(c.rule.as_deref().unwrap_or("–"))
            );
            if detection {
                let _ = write!(out, "<td>{}</td>", esc(&detected));
            }
            if stats {
                let _ = write!(
                    out,
                    "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                    count(c.transformed),
                    count(c.empty),
                    count(c.invalid)
                );
            } else {
                let _ = write!(out, "<td class=\"num\">{}</td>", c.values);
            }
            let _ = writeln!(out, "<td class=\"{}\">{status}</td></tr>", status_class(&status));
        }
        out.push_str("</table>\n");
    }
}

/// Join rates, input against output, as pairs of bars.
fn joins(out: &mut String, report: &Report) {
    let Some(joins) = report.details["joins"].as_array().filter(|j| !j.is_empty()) else { return };
    let (width, label_w, bar_w, line) = (700.0, 260.0, 340.0, 15.0);
    let height = joins.len() as f64 * line * 2.6 + 10.0;
    let _ = write!(
        out,
        "<h2>Join rates</h2>\n<p class=\"muted\">Share of distinct values of one identifier column found in the other, in the input (grey) and the output (blue): equal bars mean the pseudonyms kept every join.</p>\n<svg id=\"joins\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"join rates\">\n"
    );
    for (i, j) in joins.iter().enumerate() {
        let y = 5.0 + i as f64 * line * 2.6;
        let name = format!("{} → {}", j["from"].as_str().unwrap_or(""), j["to"].as_str().unwrap_or(""));
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{:.1}\" font-size=\"10\" fill=\"#1d2733\">{}</text>",
            y + line,
            esc(&name)
        );
        for (k, (key, colour, what)) in
            [("input_rate", "#a7b4c0", "input"), ("output_rate", "#2f7fb8", "output")].into_iter().enumerate()
        {
            let rate = j[key].as_f64().unwrap_or(0.0).clamp(0.0, 1.0);
            let by = y + k as f64 * line;
            let _ = writeln!(
                out,
                "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{bar_w}\" height=\"{:.1}\" fill=\"#eef2f6\"/><rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#1d2733\">{what} {:.2}%</text>",
                by + 2.0,
                line - 4.0,
                by + 2.0,
                rate * bar_w,
                line - 4.0,
                label_w + bar_w + 6.0,
                by + line - 4.0,
                rate * 100.0
            );
        }
    }
    out.push_str("</svg>\n");
}

/// Upper bounds of the histogram's bins: 1, 2, 3, 4, then 1-2-5 steps, with the threshold `k`
/// always starting a bin so the bars below it are exactly the groups below it.
fn bins(k: u64, largest: u64) -> Vec<(u64, u64)> {
    let mut starts: Vec<u64> = vec![1, 2, 3, 4, 5];
    let mut step = 10;
    while step <= largest.max(1) {
        starts.extend([step, step * 2, step * 5]);
        step *= 10;
    }
    starts.push(k.max(1));
    starts.retain(|&s| s <= largest.max(1));
    starts.sort_unstable();
    starts.dedup();
    starts.iter().enumerate().map(|(i, &s)| (s, starts.get(i + 1).map_or(u64::MAX, |next| next - 1))).collect()
}

/// The k-anonymity distribution of each table with quasi-identifiers: rows per group size, the
/// threshold marked.
fn k_anonymity(out: &mut String, report: &Report) {
    let Some(tables) = report.details["k_anonymity"].as_array().filter(|t| !t.is_empty()) else { return };
    out.push_str("<h2>k-anonymity of the quasi-identifiers</h2>\n<p class=\"muted\">Rows of the output by the size of the group of rows that share their quasi-identifiers; bars left of the line (red) are rows in groups smaller than k.</p>\n");
    for t in tables {
        let k = t["k"].as_u64().unwrap_or(5);
        let sizes: Vec<(u64, u64)> = t["group_sizes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| Some((s[0].as_u64()?, s[1].as_u64()?)))
            .collect();
        let quasi: Vec<&str> =
            t["quasi_identifiers"].as_array().into_iter().flatten().filter_map(|q| q.as_str()).collect();
        let _ = writeln!(
            out,
            "<h3>{} <span class=\"muted\">({}): smallest group {}, {} of {} rows in groups below k = {k}</span></h3>",
            esc(t["file"].as_str().unwrap_or("")),
            esc(&quasi.join(", ")),
            t["smallest_group"],
            t["rows_in_groups_below_k"],
            t["rows"]
        );
        // At least up to k, so the threshold is on the chart even when every group is smaller.
        let largest = sizes.iter().map(|(s, _)| *s).max().unwrap_or(1).max(k);
        let bins = bins(k, largest);
        let rows: Vec<u64> = bins
            .iter()
            .map(|&(lo, hi)| sizes.iter().filter(|(s, _)| (lo..=hi).contains(s)).map(|(s, g)| s * g).sum())
            .collect();
        let max = rows.iter().copied().max().unwrap_or(0).max(1) as f64;
        let (width, height, top, bottom, left) = (700.0, 170.0, 16.0, 30.0, 40.0);
        let slot = (width - left - 10.0) / bins.len() as f64;
        let bar = slot * 0.75;
        let base = height - bottom;
        let _ = write!(
            out,
            "<svg class=\"k-histogram\" data-file=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"rows by group size\">\n<line x1=\"{left}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#9fb4c7\"/>\n<text x=\"{left}\" y=\"10\" font-size=\"9\" fill=\"#5b6b7b\">rows</text>\n",
            esc(t["file"].as_str().unwrap_or("")),
            width - 10.0
        );
        for (i, (&(lo, hi), &n)) in bins.iter().zip(&rows).enumerate() {
            let h = n as f64 / max * (base - top);
            let x = left + slot * i as f64 + (slot - bar) / 2.0;
            let colour = if lo < k { "#c0392b" } else { "#2f7fb8" };
            let label = match (lo, hi) {
                (lo, u64::MAX) => format!("{lo}+"),
                (lo, hi) if lo == hi => lo.to_string(),
                (lo, hi) => format!("{lo}–{hi}"),
            };
            let _ = writeln!(
                out,
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\">{n}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#5b6b7b\">{label}</text>",
                base - h,
                x + bar / 2.0,
                base - h - 3.0,
                x + bar / 2.0,
                base + 12.0
            );
        }
        if let Some(at) = bins.iter().position(|&(lo, _)| lo == k) {
            let x = left + slot * at as f64;
            let _ = writeln!(
                out,
                "<line class=\"threshold\" x1=\"{x:.1}\" y1=\"{top}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#1d2733\" stroke-dasharray=\"4 3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#1d2733\">k = {k}</text>",
                base + 4.0,
                x + 3.0,
                top + 8.0
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" text-anchor=\"middle\" fill=\"#5b6b7b\">group size (rows sharing one combination)</text>\n</svg>",
            left + (width - left) / 2.0,
            height - 4.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_start_at_k_and_cover_every_size() {
        let b = bins(5, 120);
        assert_eq!(b.first(), Some(&(1, 1)));
        assert!(b.iter().any(|&(lo, _)| lo == 5));
        assert_eq!(b.last().map(|&(_, hi)| hi), Some(u64::MAX));
        for pair in b.windows(2) {
            assert_eq!(pair[0].1 + 1, pair[1].0, "{b:?}");
        }
        let b = bins(7, 6);
        assert!(b.iter().all(|&(lo, _)| lo <= 6), "{b:?}");
        assert!(bins(3, 1).len() == 1);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
    }
}
