//! `check`: the CI gate before a run. Without writing data, it reports every file no mapping
//! matches, every column missing from its mapping or from the data, and every column declared
//! `keep` in which identifiers are detected above the threshold (inside free text too).

use std::path::PathBuf;

use super::{data_files, learn_exid, profile_file, DataFile, DEFAULT_SAMPLE_ROWS};
use crate::detect::hints::hint;
use crate::detect::{classify, ExidShape, Kind, Profile};
use crate::engine::RunError;
use crate::mapping::{ColumnRule, CsvOptions, Table};
use crate::report::{ColumnCase, Finding, Report, Severity};
use crate::rules::{DateSpec, Granularity, Icd10Level, PeopleSpec};

/// What `check` is asked to do.
pub struct CheckOptions {
    pub mappings: PathBuf,
    pub input: PathBuf,
    /// Read every row (otherwise the first `sample` rows of each file).
    pub full: bool,
    pub sample: u64,
    /// Share of a kept column's values that must validate as identifiers for a finding.
    pub threshold: f64,
    pub batch_rows: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            mappings: PathBuf::new(),
            input: PathBuf::new(),
            full: false,
            sample: DEFAULT_SAMPLE_ROWS,
            threshold: DEFAULT_THRESHOLD,
            batch_rows: crate::engine::DEFAULT_BATCH_ROWS,
        }
    }
}

/// Default share of identifiers that makes a kept column a finding.
pub const DEFAULT_THRESHOLD: f64 = 0.05;

/// Whether a rule writes the column's values unchanged.
pub(crate) fn kept(rule: &ColumnRule) -> bool {
    matches!(
        rule,
        ColumnRule::Keep
            | ColumnRule::Icd10(Icd10Level::Keep)
            | ColumnRule::People(PeopleSpec::Postcode { mode: crate::rules::PostcodeMode::Keep })
    )
}

/// Name hints that make a plain `keep` a finding by themselves: identifiers and names.
fn identifying(kind: Kind) -> bool {
    Kind::IDENTIFIERS.contains(&kind) || matches!(kind, Kind::FirstName | Kind::LastName | Kind::FullName)
}

/// `phone number` gives `phone numbers`, `e-mail address` gives `e-mail addresses`.
pub(crate) fn plural(label: &str) -> String {
    if label.ends_with('s') {
        format!("{label}es")
    } else {
        format!("{label}s")
    }
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Runs the check. Errors (exit 2) are unreadable mappings or data; everything else is a finding.
pub fn check(options: &CheckOptions) -> Result<Report, RunError> {
    let mappings = crate::mapping::load_dir(&options.mappings)?;
    let files = data_files(&options.input)?;
    let exid = learn_exid(&mappings, &files, options.batch_rows)?;
    let limit = if options.full { None } else { Some(options.sample) };
    let mut report = Report::new("check");
    report.files = files.len();
    for file in &files {
        let tables = mappings.matching(&file.relative);
        match tables.as_slice() {
            [] => unmapped_file(&mut report, file, &exid, options)?,
            [table] => mapped_file(&mut report, file, table, &exid, limit, options)?,
            many => report.add(Finding {
                severity: Severity::Error,
                count: 1,
                originals: None,
                code: "ambiguous_file",
                file: file.relative.clone(),
                table: None,
                column: None,
                row: None,
                message: format!(
                    "matches more than one mapping (tables {}): narrow their `files` globs",
                    many.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }
    report.notes.push(format!(
        "{}; a kept column fails when {} of its values validate as identifiers",
        if options.full {
            "every row read".to_string()
        } else {
            format!("first {} rows of each file read", options.sample)
        },
        pct(options.threshold)
    ));
    Ok(report)
}

fn unmapped_file(
    report: &mut Report,
    file: &DataFile,
    exid: &ExidShape,
    options: &CheckOptions,
) -> Result<(), RunError> {
    let profiled = profile_file(
        file,
        &CsvOptions { header: true, ..CsvOptions::default() },
        Some(options.sample),
        options.batch_rows,
        exid,
        |h| vec![true; h.len()],
    )?;
    for (name, profile) in profiled.header.iter().zip(&profiled.profiles) {
        report.columns.push(case(file, None, name, None, profile.as_ref()));
    }
    report.add(Finding {
        severity: Severity::Error,
        count: 1,
        originals: None,
        code: "unmapped_file",
        file: file.relative.clone(),
        table: None,
        column: None,
        row: None,
        message:
            "no mapping matches this file: every file must be classified (`pseudata scan --write-drafts` proposes one)"
                .into(),
    });
    Ok(())
}

fn case(
    file: &DataFile,
    table: Option<&Table>,
    name: &str,
    rule: Option<&ColumnRule>,
    profile: Option<&Profile>,
) -> ColumnCase {
    let classification = profile.map(|p| classify(name, p));
    ColumnCase {
        file: file.relative.clone(),
        table: table.map(|t| t.name.clone()),
        column: name.to_string(),
        rule: rule.map(|r| r.name().to_string()),
        detected: classification.as_ref().map(|c| c.kind),
        confidence: classification.as_ref().and_then(|c| c.confidence),
        proposed: None,
        values: profile.map_or(0, |p| p.values),
        transformed: None,
        empty: None,
        invalid: None,
    }
}

fn mapped_file(
    report: &mut Report,
    file: &DataFile,
    table: &Table,
    exid: &ExidShape,
    limit: Option<u64>,
    options: &CheckOptions,
) -> Result<(), RunError> {
    let full = options.full;
    let profiled = profile_file(file, &table.csv, limit, options.batch_rows, exid, |header| {
        // Sampling looks at every column; a full read only at what leaves unchanged.
        header.iter().map(|h| !full || table.rule(h).is_none_or(kept)).collect()
    })?;
    let finding = |code: &'static str, column: &str, message: String| Finding {
        severity: Severity::Error,
        count: 1,
        originals: None,
        code,
        file: file.relative.clone(),
        table: Some(table.name.clone()),
        column: Some(column.to_string()),
        row: None,
        message,
    };
    if !profiled.header.is_empty() && !profiled.header.iter().any(|h| table.rule(h).is_some()) {
        // Perhaps a data row read as the header: report it once, quoting none of its cells.
        report.add(Finding {
            column: None,
            ..finding(
                "unknown_header",
                "",
                format!(
                    "none of the file's {} column names is in mapping `{}` of table `{}` (they are not shown: the \
                     first line may be data): is the header line missing (`csv: {{ header: false }}`), or is this \
                     another table's file?",
                    profiled.header.len(),
                    file_name(table),
                    table.name
                ),
            )
        });
        return Ok(());
    }
    for (i, name) in profiled.header.iter().enumerate() {
        let rule = table.rule(name);
        let profile = profiled.profiles[i].as_ref();
        report.columns.push(case(file, Some(table), name, rule, profile));
        if profiled.header[..i].contains(name) {
            report.add(finding("duplicate_column", name, "the header names this column twice".into()));
            continue;
        }
        let Some(rule) = rule else {
            report.add(finding(
                "unmapped_column",
                name,
                format!(
                    "not in mapping `{}` of table `{}`: every column must be classified",
                    file_name(table),
                    table.name
                ),
            ));
            continue;
        };
        if let (ColumnRule::Date(DateSpec::ShiftBy { granularity: Granularity::Day, .. }), Some(p)) = (rule, profile) {
            if p.month_granular() {
                report.add(finding(
                    "day_shift_on_month_dates",
                    name,
                    format!(
                        "{} of {} sampled dates are the first of a month: a day shift shows in those rows' day \
                         of the month and gives each member's shift away; use `granularity: month`",
                        p.first_of_month,
                        p.kinds[Kind::Date as usize]
                    ),
                ));
            }
        }
        if !kept(rule) {
            continue;
        }
        let name_hint = hint(name);
        if matches!(rule, ColumnRule::Keep) {
            if let Some(kind) = name_hint.filter(|k| identifying(*k)) {
                report.add(finding(
                    "kept_named_identifier",
                    name,
                    format!("declared `keep`, but its name says it holds a {}", kind.label()),
                ));
            }
        }
        let Some(profile) = profile else { continue };
        let sampled = if options.full { "values" } else { "sampled values" };
        let place = if options.full { "read" } else { "sampled" };
        if let Some(kept) = judge_kept(name, rule, profile, options.threshold, sampled, place) {
            report.add(Finding {
                count: kept.count,
                severity: kept.severity,
                ..finding(kept.code, name, kept.message)
            });
        }
    }
    for (name, _) in &table.columns {
        if !profiled.header.contains(name) {
            report.columns.push(case(file, Some(table), name, table.rule(name), None));
            report.add(finding(
                "missing_column",
                name,
                format!("mapped in `{}` (table `{}`) but missing from the data", file_name(table), table.name),
            ));
        }
    }
    Ok(())
}

/// A finding on a kept column's values, as `check` and `verify` both judge them.
pub(crate) struct KeptFinding {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Values it stands for.
    pub count: u64,
}

/// Judges a kept column's values: an error when they give something away
/// (`kept_values_finding`), else a warning for identifiers under the threshold
/// (`kept_few_finding`). `sampled` names the values in the error (`sampled values`), `place`
/// says where they were read in the warning (`sampled`, `in the output`).
pub(crate) fn judge_kept(
    name: &str,
    rule: &ColumnRule,
    profile: &Profile,
    threshold: f64,
    sampled: &str,
    place: &str,
) -> Option<KeptFinding> {
    if let Some((code, message, count)) = kept_values_finding(name, rule, profile, threshold, sampled) {
        return Some(KeptFinding { severity: Severity::Error, code, message, count });
    }
    let (message, count) = kept_few_finding(name, profile, threshold, place)?;
    Some(KeptFinding { severity: Severity::Warning, code: "kept_identifier_few", message, count })
}

/// What a kept column's values give away: identifiers (a share at least `threshold` validate),
/// identifiers inside text, or person names. Returns the finding's code, its message and how
/// many values it stands for.
fn kept_values_finding(
    name: &str,
    rule: &ColumnRule,
    profile: &Profile,
    threshold: f64,
    sampled: &str,
) -> Option<(&'static str, String, u64)> {
    if profile.values == 0 {
        return None;
    }
    let name_hint = hint(name);
    if let Some((kinds, share)) = profile.identifier_share(name_hint) {
        if share >= threshold {
            let count = (share * profile.values as f64).round() as u64;
            let labels: Vec<String> = kinds.iter().map(|k| plural(k.label())).collect();
            return Some((
                "kept_identifier",
                format!(
                    "declared `keep`, but {} of {} non-empty {sampled} are valid {}",
                    pct(share),
                    profile.values,
                    labels.join(", ")
                ),
                count,
            ));
        }
    }
    let inside = profile.kinds_inside();
    let share_inside = profile.with_identifiers as f64 / profile.values as f64;
    if !inside.is_empty() && share_inside >= threshold {
        return Some((
            "kept_free_text",
            format!(
                "declared `keep`, but {} of {} non-empty {sampled} hold identifiers ({}): use `free_text`",
                pct(share_inside),
                profile.values,
                inside.iter().map(|k| k.label()).collect::<Vec<_>>().join(", ")
            ),
            profile.with_identifiers,
        ));
    }
    if matches!(rule, ColumnRule::Keep) && profile.name_share() >= 0.5 && !name_hint.is_some_and(Kind::is_numeric) {
        let count = (profile.name_share() * profile.values as f64).round() as u64;
        return Some((
            "kept_names",
            format!(
                "declared `keep`, but {} of {} non-empty {sampled} are person names",
                pct(profile.name_share()),
                profile.values
            ),
            count,
        ));
    }
    None
}

/// Identifiers in a kept column below the threshold (random numbers pass a mod-97 check 1 time
/// in 97): a warning with their count, for `check` and `verify` alike. `None` when there are none.
fn kept_few_finding(name: &str, profile: &Profile, threshold: f64, place: &str) -> Option<(String, u64)> {
    let (kinds, share) = profile.identifier_share(hint(name))?;
    let count = (share * profile.values as f64).round() as u64;
    (count > 0).then(|| {
        let percent = format!("{:.2}", threshold * 100.0);
        (
            format!(
                "declared `keep`: {count} of {} values {place} validate as {} (under the {} % that fails): chance, or a \
                 few real ones",
                profile.values,
                kinds.iter().map(|k| plural(k.label())).collect::<Vec<_>>().join(", "),
                percent.trim_end_matches('0').trim_end_matches('.')
            ),
            count,
        )
    })
}

fn file_name(table: &Table) -> String {
    table.path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}
