//! Reports of `scan`, `check` and `verify`: one model, rendered as a readable table, JSON for
//! machines, or JUnit XML with one test case per table column so a CI server lists each.
//! Reports name files, rows and columns; they never hold a value from the data.

pub mod html;

use std::fmt::Write as _;

use serde::Serialize;

/// How serious a finding is: errors fail `check` and `verify` (exit 1), warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable identifier of the kind of finding (`unmapped_column`, `kept_identifier`, `leak`...).
    pub code: &'static str,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Data row (1 = first row after the header), when one row is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    pub message: String,
    /// Cells (or values) the finding stands for: 1 for a finding about one row or one column,
    /// N for "N more cells...". Text, JSON, JUnit and the manifest sum these per code.
    pub count: u64,
    /// Original identifiers found in those cells, when a cell can hold several (free text):
    /// `None` means one per cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originals: Option<u64>,
}

/// One column of one file, as the command saw it.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnCase {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    pub column: String,
    /// The mapping's rule, when the column is mapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What the detectors classified it as (`None` when its values were not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<crate::detect::Kind>,
    /// Share of its non-empty values that validate as `detected`; absent when only the
    /// column's name classified it (sex, street, amount... have no validator).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// The rule `scan` proposes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proposed: Option<String>,
    /// Non-empty values looked at.
    pub values: u64,
    /// `verify`: cells the run's rule changed, left empty, and found invalid, as the run's
    /// manifest records them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transformed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invalid: Option<u64>,
}

impl ColumnCase {
    /// `ok`, `warn` or `FAIL`: the worst finding about this column.
    pub fn status(&self, report: &Report) -> String {
        let mut worst = "ok";
        for f in report.findings_of(&self.file, Some(&self.column)) {
            worst = match (worst, f.severity) {
                (_, Severity::Error) => "FAIL",
                ("ok", Severity::Warning) => "warn",
                (w, _) => w,
            };
        }
        worst.to_string()
    }
}

/// The whole report of one command.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: &'static str,
    pub clean: bool,
    pub files: usize,
    pub columns: Vec<ColumnCase>,
    pub findings: Vec<Finding>,
    /// Facts worth reading that are not findings (join rates, group sizes, drafts written).
    pub notes: Vec<String>,
    /// Command-specific measurements (row counts, joins, k-anonymity), for machines.
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

impl Report {
    /// A report with no findings yet.
    pub fn new(command: &'static str) -> Report {
        Report {
            command,
            clean: true,
            files: 0,
            columns: Vec::new(),
            findings: Vec::new(),
            notes: Vec::new(),
            details: serde_json::Value::Null,
        }
    }

    /// Adds a finding; an error makes the report unclean.
    pub fn add(&mut self, finding: Finding) {
        if finding.severity == Severity::Error {
            self.clean = false;
        }
        self.findings.push(finding);
    }

    /// Cells (or values) per finding code, summed over the findings: what the text's last line,
    /// the JSON's `counts_by_code` and the manifest's `verify` section all say.
    pub fn counts_by_code(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.sum_by_code(|f| f.count)
    }

    /// Original identifiers per finding code (a cell of free text can hold several; other
    /// findings count one per cell).
    pub fn originals_by_code(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.sum_by_code(|f| f.originals.unwrap_or(f.count))
    }

    /// Findings per code.
    pub fn findings_by_code(&self) -> std::collections::BTreeMap<&'static str, u64> {
        self.sum_by_code(|_| 1)
    }

    fn sum_by_code(&self, amount: impl Fn(&Finding) -> u64) -> std::collections::BTreeMap<&'static str, u64> {
        let mut sums = std::collections::BTreeMap::new();
        for f in &self.findings {
            *sums.entry(f.code).or_default() += amount(f);
        }
        sums
    }

    /// Errors found.
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    fn findings_of<'a>(&'a self, file: &'a str, column: Option<&'a str>) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.file == file && f.column.as_deref() == column)
    }
}

/// Output formats of the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Junit,
    /// One self-contained page (inline CSS and SVG, no script) for people: the audit report.
    Html,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: ReportFormat) -> String {
    match format {
        ReportFormat::Text => text(report),
        ReportFormat::Json => {
            let mut value = serde_json::to_value(report).unwrap_or_default();
            value["counts_by_code"] = serde_json::json!(report.counts_by_code());
            value["originals_by_code"] = serde_json::json!(report.originals_by_code());
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        ReportFormat::Junit => junit(report),
        ReportFormat::Html => html::render(report),
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// A readable table per file, then the findings and notes.
pub fn text(report: &Report) -> String {
    let last = if report.command == "scan" { "PROPOSED" } else { "STATUS" };
    let heading: [String; 5] = ["COLUMN".into(), "RULE".into(), "DETECTED".into(), "CONF".into(), last.into()];
    // (file, table, rows), in order of appearance.
    type Row = [String; 5];
    let mut files: Vec<(&str, Option<&str>, Vec<Row>)> = Vec::new();
    for c in &report.columns {
        let status = if report.command == "scan" { c.proposed.clone().unwrap_or_default() } else { c.status(report) };
        let row = [
            c.column.clone(),
            c.rule.clone().unwrap_or_else(|| "-".into()),
            c.detected.map_or("-".into(), |k| k.label().to_string()),
            match (c.confidence, c.detected) {
                (Some(share), _) => percent(share),
                (None, Some(_)) => "name".into(),
                (None, None) => "-".into(),
            },
            status,
        ];
        match files.iter_mut().find(|(f, _, _)| *f == c.file) {
            Some((_, _, rows)) => rows.push(row),
            None => files.push((&c.file, c.table.as_deref(), vec![row])),
        }
    }
    let mut widths = [0usize; 5];
    for row in files.iter().flat_map(|(_, _, rows)| rows.iter()).chain([&heading]) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (file, table, rows) in &files {
        let _ = match table {
            Some(t) => writeln!(out, "{file} (table {t})"),
            None => writeln!(out, "{file} (no mapping)"),
        };
        for row in [&heading].into_iter().chain(rows.iter()) {
            let mut line = String::from("  ");
            for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                if i + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    let _ = write!(line, "{cell:<w$}  ");
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out.push('\n');
    }
    if !report.findings.is_empty() {
        out.push_str("Findings:\n");
        for f in &report.findings {
            let severity = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let _ = writeln!(out, "  {severity}: {}", place(f));
        }
        out.push('\n');
    }
    if !report.notes.is_empty() {
        out.push_str("Notes:\n");
        for n in &report.notes {
            let _ = writeln!(out, "  {n}");
        }
        out.push('\n');
    }
    let errors = report.errors();
    let warnings = report.findings.len() - errors;
    let counts = report.counts_by_code();
    let counted = if counts.is_empty() {
        String::new()
    } else {
        let originals = report.originals_by_code();
        let parts: Vec<String> = counts
            .iter()
            .map(|(code, n)| match originals.get(code) {
                Some(o) if o != n => format!("{code} {n} ({o} originals)"),
                _ => format!("{code} {n}"),
            })
            .collect();
        format!(" (counted per code: {})", parts.join(", "))
    };
    let _ = writeln!(
        out,
        "{}: {} file(s), {} column(s), {errors} error(s), {warnings} warning(s){counted}: {}",
        report.command,
        report.files,
        report.columns.len(),
        if report.clean { "clean" } else { "FAILED" }
    );
    out
}

fn place(f: &Finding) -> String {
    let mut s = f.file.clone();
    if let Some(row) = f.row {
        let _ = write!(s, ", row {row}");
    }
    if let Some(column) = &f.column {
        let _ = write!(s, ", column `{column}`");
    }
    let _ = write!(s, ": {} [{}]", f.message, f.code);
    s
}

pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite per file, one test case per column (plus one for the file itself
/// when a finding concerns the whole file), a failure per error, warnings in `system-out`.
pub fn junit(report: &Report) -> String {
    // Files in order of first appearance, in columns or in findings.
    let mut files: Vec<&str> = Vec::new();
    for f in report.columns.iter().map(|c| c.file.as_str()).chain(report.findings.iter().map(|f| f.file.as_str())) {
        if !files.contains(&f) {
            files.push(f);
        }
    }
    let mut suites = String::new();
    let (mut total, mut failed) = (0usize, 0usize);
    for file in files {
        let mut cases: Vec<(String, Option<&str>)> = report
            .columns
            .iter()
            .filter(|c| c.file == file)
            .map(|c| (c.column.clone(), Some(c.column.as_str())))
            .collect();
        for f in report.findings.iter().filter(|f| f.file == file) {
            let key = f.column.as_deref();
            if !cases.iter().any(|(_, c)| *c == key) {
                cases.push((key.map_or_else(|| "(file)".to_string(), str::to_string), key));
            }
        }
        let table = report
            .columns
            .iter()
            .find(|c| c.file == file)
            .and_then(|c| c.table.clone())
            .or_else(|| report.findings.iter().find(|f| f.file == file).and_then(|f| f.table.clone()));
        let classname = match &table {
            Some(t) => format!("{t}.{file}"),
            None => file.to_string(),
        };
        let mut body = String::new();
        let mut suite_failed = 0;
        for (name, column) in &cases {
            let findings: Vec<&Finding> = report.findings_of(file, *column).collect();
            let errors: Vec<&&Finding> = findings.iter().filter(|f| f.severity == Severity::Error).collect();
            let warnings: Vec<&&Finding> = findings.iter().filter(|f| f.severity == Severity::Warning).collect();
            let _ =
                write!(body, "    <testcase classname=\"{}\" name=\"{}\">", xml_escape(&classname), xml_escape(name));
            if !errors.is_empty() {
                suite_failed += 1;
                let cells: u64 = errors.iter().map(|f| f.count).sum();
                let message = format!(
                    "{cells} cell(s): {}",
                    errors.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join("; ")
                );
                let detail = errors.iter().map(|f| place(f)).collect::<Vec<_>>().join("\n");
                let _ = write!(
                    body,
                    "\n      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    xml_escape(&message),
                    errors[0].code,
                    xml_escape(&detail)
                );
            }
            if !warnings.is_empty() {
                let detail = warnings.iter().map(|f| format!("warning: {}", place(f))).collect::<Vec<_>>().join("\n");
                let _ = write!(body, "\n      <system-out>{}</system-out>", xml_escape(&detail));
            }
            if errors.is_empty() && warnings.is_empty() {
                body.push_str("</testcase>\n");
            } else {
                body.push_str("\n    </testcase>\n");
            }
        }
        total += cases.len();
        failed += suite_failed;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failed}\" errors=\"0\" skipped=\"0\">\n{body}  </testsuite>\n",
            xml_escape(&format!("pseudata {} {file}", report.command)),
            cases.len()
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pseudata {}\" tests=\"{total}\" failures=\"{failed}\">\n{suites}</testsuites>\n",
        report.command
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut r = Report::new("check");
        r.files = 1;
        for column in ["niss", "a&b"] {
            r.columns.push(ColumnCase {
                file: "m.csv".into(),
                table: Some("members".into()),
                column: column.into(),
                rule: Some("keep".into()),
                detected: None,
                confidence: None,
                proposed: None,
                values: 3,
                transformed: None,
                empty: None,
                invalid: None,
            });
        }
        r.add(Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code: "kept_identifier",
            file: "m.csv".into(),
            table: Some("members".into()),
            column: Some("niss".into()),
            row: None,
            message: "declared `keep` but holds <NISS> numbers".into(),
        });
        r
    }

    #[test]
    fn junit_has_one_case_per_column_and_escapes() {
        let xml = junit(&sample());
        assert_eq!(xml.matches("<testcase ").count(), 2);
        assert_eq!(xml.matches("<failure ").count(), 1);
        assert!(xml.contains("name=\"a&amp;b\""));
        assert!(xml.contains("&lt;NISS&gt;"));
        assert!(xml.contains("tests=\"2\" failures=\"1\""));
    }

    #[test]
    fn text_marks_the_failing_column() {
        let t = text(&sample());
        let line = t.lines().find(|l| l.contains("niss")).unwrap();
        assert!(line.ends_with("FAIL"), "{t}");
        assert!(t.contains("FAILED"));
    }
}
