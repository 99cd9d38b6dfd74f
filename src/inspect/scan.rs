//! `scan`: classifies every column of every file (name hints, validated values) and proposes a
//! rule for each; `--write-drafts` writes one mapping per unmapped table, never overwriting.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{data_files, learn_exid, profile_file, DataFile, DEFAULT_SAMPLE_ROWS};
use crate::detect::hints::words as name_words;
use crate::detect::{classify, Classification, ExidShape, Kind, Profile};
use crate::engine::RunError;
use crate::mapping::{CsvOptions, Encoding, Mappings, Role};
use crate::report::{ColumnCase, Report};

/// What `scan` is asked to do.
pub struct ScanOptions {
    pub input: PathBuf,
    pub mappings: Option<PathBuf>,
    pub write_drafts: Option<PathBuf>,
    pub sample: u64,
    pub batch_rows: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            input: PathBuf::new(),
            mappings: None,
            write_drafts: None,
            sample: DEFAULT_SAMPLE_ROWS,
            batch_rows: crate::engine::DEFAULT_BATCH_ROWS,
        }
    }
}

/// One file's columns, classified, with the rule proposed for each.
struct Scanned {
    file_index: usize,
    columns: Vec<(String, Classification, String, u64)>,
    separator: Option<u8>,
    encoding: Option<Encoding>,
}

/// Scans the input; writes drafts when asked. Errors (exit 2) are unreadable files or mappings.
pub fn scan(options: &ScanOptions) -> Result<Report, RunError> {
    let files = data_files(&options.input)?;
    let mappings = match &options.mappings {
        Some(dir) => crate::mapping::load_dir(dir)?,
        None => Mappings { tables: Vec::new() },
    };
    let exid = learn_exid(&mappings, &files, options.batch_rows)?;
    let mut report = Report::new("scan");
    report.files = files.len();
    let mut unmapped: Vec<Scanned> = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        let matching = mappings.matching(&file.relative);
        let table = matching.first().copied();
        let csv = table.map_or_else(|| CsvOptions { header: true, ..CsvOptions::default() }, |t| t.csv.clone());
        let scanned = scan_file(file_index, file, &csv, options, &exid)?;
        for (name, classification, proposed, values) in &scanned.columns {
            report.columns.push(ColumnCase {
                file: file.relative.clone(),
                table: table.map(|t| t.name.clone()),
                column: name.clone(),
                rule: table.and_then(|t| t.rule(name)).map(|r| r.name().to_string()),
                detected: Some(classification.kind),
                confidence: classification.confidence,
                proposed: Some(proposed.clone()),
                values: *values,
                transformed: None,
                empty: None,
                invalid: None,
            });
        }
        if matching.is_empty() {
            unmapped.push(scanned);
        }
    }
    if let Some(dir) = &options.write_drafts {
        write_drafts(dir, &files, &unmapped, &mut report)?;
    }
    Ok(report)
}

fn scan_file(
    file_index: usize,
    file: &DataFile,
    csv: &CsvOptions,
    options: &ScanOptions,
    exid: &ExidShape,
) -> Result<Scanned, RunError> {
    let profiled = profile_file(file, csv, Some(options.sample), options.batch_rows, exid, |h| vec![true; h.len()])?;
    let classes: Vec<Classification> = profiled
        .header
        .iter()
        .zip(&profiled.profiles)
        .map(|(name, p)| classify(name, p.as_ref().unwrap_or(&Profile::default())))
        .collect();
    let context = Context::new(&profiled.header, &classes);
    let columns = profiled
        .header
        .iter()
        .zip(classes)
        .zip(&profiled.profiles)
        .map(|((name, c), p)| {
            let monthly = p.as_ref().is_some_and(Profile::month_granular);
            let proposed = if name_only_identifier(&c) { "hash".into() } else { context.propose(c.kind, monthly) };
            (name.clone(), c, proposed, p.as_ref().map_or(0, |p| p.values))
        })
        .collect();
    let (separator, encoding) = match file.format {
        crate::io::Format::Csv => {
            let format = crate::io::csv::CsvFormat::detect(&file.path, csv)?;
            (Some(format.separator), Some(format.encoding))
        }
        crate::io::Format::Parquet => (None, None),
    };
    Ok(Scanned { file_index, columns, separator, encoding })
}

/// The columns of a table that other rules refer to.
struct Context {
    niss: Option<String>,
    subject: Option<String>,
    sex: Option<String>,
    language: Option<String>,
    postcode: Option<String>,
    names: Vec<String>,
    /// The e-mail's `names_from`: a first-name and a surname column, or a full-name column.
    email_names: Vec<String>,
}

impl Context {
    /// Every name is kept as YAML writes it (quoted when it is not a plain word: `"# postcode"`,
    /// `"Naam: familie"`), since the rules are written in flow style.
    fn new(header: &[String], classes: &[Classification]) -> Context {
        let first = |kinds: &[Kind]| {
            header.iter().zip(classes).find(|(_, c)| kinds.contains(&c.kind)).map(|(n, _)| yaml_key(n))
        };
        let niss = first(&[Kind::Niss]);
        let subject = niss.clone().or_else(|| first(&[Kind::Exid]));
        let names = header
            .iter()
            .zip(classes)
            .filter(|(_, c)| matches!(c.kind, Kind::FirstName | Kind::LastName | Kind::FullName))
            .map(|(n, _)| yaml_key(n))
            .collect();
        let email_names = match (first(&[Kind::FirstName]), first(&[Kind::LastName]), first(&[Kind::FullName])) {
            (Some(f), Some(l), _) => vec![f, l],
            (_, _, Some(full)) => vec![full],
            _ => Vec::new(),
        };
        let postcode = first(&[Kind::Postcode]);
        Context {
            niss,
            subject,
            sex: first(&[Kind::Sex]),
            // Without a language column, the language of the municipality of the row's postcode.
            language: first(&[Kind::Language]).or_else(|| postcode.clone()),
            postcode,
            names,
            email_names,
        }
    }

    fn options(pairs: &[(&str, &Option<String>)]) -> String {
        pairs.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}"))).collect::<Vec<_>>().join(", ")
    }

    fn with_options(rule: &str, options: String) -> String {
        if options.is_empty() {
            rule.to_string()
        } else {
            format!("{{ {rule}: {{ {options} }} }}")
        }
    }

    /// The rule proposed for a column of `kind`, as written in a mapping (YAML flow style).
    /// `monthly`: the column's dates are all the first of a month (shifted by whole months).
    fn propose(&self, kind: Kind, monthly: bool) -> String {
        let shift = |subject: &String| {
            if monthly {
                format!("{{ date: {{ shift_by: {subject}, granularity: month, max_months: 6 }} }}")
            } else {
                format!("{{ date: {{ shift_by: {subject}, max_days: 30 }} }}")
            }
        };
        match kind {
            Kind::Niss => "niss".into(),
            Kind::Iban => "iban".into(),
            Kind::Inami => "inami".into(),
            Kind::Kbo => "kbo".into(),
            Kind::Exid => "exid".into(),
            Kind::Email if self.email_names.is_empty() => "email".into(),
            Kind::Email => format!("{{ email: {{ names_from: [{}] }} }}", self.email_names.join(", ")),
            Kind::Phone => "phone".into(),
            Kind::Ip => "ip".into(),
            Kind::Icd10 => "{ icd10: category }".into(),
            Kind::BirthDate => match (&self.niss, &self.subject) {
                (Some(niss), _) => format!("{{ date: {{ from_niss: {niss} }} }}"),
                (None, Some(subject)) => shift(subject),
                (None, None) => "drop".into(),
            },
            Kind::Date => self.subject.as_ref().map_or_else(|| "keep".into(), shift),
            Kind::FirstName => Self::with_options(
                "first_name",
                Self::options(&[("sex_from", &self.sex), ("language_from", &self.language)]),
            ),
            Kind::FullName => Self::with_options(
                "full_name",
                Self::options(&[("sex_from", &self.sex), ("language_from", &self.language)]),
            ),
            Kind::LastName => Self::with_options("last_name", Self::options(&[("language_from", &self.language)])),
            Kind::Street => match &self.language {
                Some(_) => Self::with_options("street", Self::options(&[("language_from", &self.language)])),
                None => Self::with_options("street", Self::options(&[("postcode_from", &self.postcode)])),
            },
            Kind::Postcode => "{ postcode: same_region }".into(),
            Kind::City => Self::with_options(
                "city",
                Self::options(&[("postcode_from", &self.postcode), ("language_from", &self.language)]),
            ),
            Kind::HouseNumber => "house_number".into(),
            Kind::FreeText if self.names.is_empty() => "free_text".into(),
            Kind::FreeText => format!("{{ free_text: {{ names_from: [{}] }} }}", self.names.join(", ")),
            Kind::Sex | Kind::Language | Kind::Amount | Kind::Count | Kind::Id | Kind::Code | Kind::Unknown => {
                "keep".into()
            }
        }
    }
}

/// An identifier column recognised by its name only, whose sampled values all fail the
/// identifier's validation (an `exid` column of another numbering, say): its identifier rule
/// would replace every value by a fake of the invalid ones, so the draft proposes `hash`.
fn name_only_identifier(c: &Classification) -> bool {
    c.by_name
        && c.confidence.is_some_and(|share| share < 0.01)
        && Kind::IDENTIFIERS.contains(&c.kind)
        && c.kind != Kind::Exid
}

/// Parts of a file name that change from one extract to the next: dates and timestamps
/// (`2024`, `20240131`, `20240131T0930`, `2024q1`), month names and their abbreviations in
/// English, Dutch, French and German, quarters (`q1`-`q4`), delivery numbers (`run3`, `v2`).
fn variable_part(token: &str) -> bool {
    #[rustfmt::skip]
    const MONTHS: [&str; 53] = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
        "december", "januari", "februari", "maart", "mei", "juni", "juli", "augustus", "oktober", "janvier",
        "fevrier", "février", "mars", "avril", "mai", "juin", "juillet", "aout", "août", "septembre", "octobre",
        "novembre", "decembre", "décembre", "jan", "feb", "mar", "mrt", "apr", "jun", "jul", "aug", "sep", "oct",
        "okt", "nov", "januar", "februar", "märz", "maerz", "dezember", "mär",
    ];
    /// Words that number a delivery: `run3`, `v2`, `part1`, `deel2`, `batch12`.
    const RUNS: [&str; 7] = ["run", "v", "part", "deel", "partie", "batch", "lot"];
    let lower = token.to_lowercase();
    let quarter =
        matches!(lower.as_str(), "q1" | "q2" | "q3" | "q4" | "t1" | "t2" | "t3" | "t4" | "dec" | "déc" | "sept");
    let letters = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    let run_number = letters.len() < lower.len() && RUNS.contains(&letters);
    // `jan2024`, `mrt24`: a month and a year in one word.
    let month_year = lower.len() - letters.len() >= 2 && (MONTHS.contains(&letters) || letters == "dec");
    !token.is_empty()
        && (token.chars().all(|c| c.is_ascii_digit())
            || MONTHS.contains(&lower.as_str())
            || quarter
            || run_number
            || month_year
            || lower.chars().next().is_some_and(|c| c.is_ascii_digit())
                && lower.chars().filter(char::is_ascii_digit).count() >= 4)
}

/// Words of export file names that say nothing about the table.
const NOISE: [&str; 14] = [
    "export",
    "extract",
    "extraction",
    "dump",
    "data",
    "file",
    "full",
    "daily",
    "monthly",
    "weekly",
    "prod",
    "snapshot",
    "backup",
    "final",
];

/// The file name's stem split into words (runs of letters and digits).
fn words(stem: &str) -> Vec<&str> {
    stem.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

/// A short table name from a file name: `Claims_2024-01.csv` and `export_claims_january_2024.csv`
/// give `claims`.
fn table_name(relative: &str) -> String {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let all: Vec<String> = words(stem).into_iter().filter(|w| !variable_part(w)).map(|w| w.to_lowercase()).collect();
    let meaningful: Vec<&String> = all.iter().filter(|w| !NOISE.contains(&w.as_str())).collect();
    let chosen: Vec<&String> = if meaningful.is_empty() { all.iter().collect() } else { meaningful };
    if chosen.is_empty() {
        "table".into()
    } else {
        chosen.iter().map(|w| w.as_str()).collect::<Vec<_>>().join("_")
    }
}

/// A glob for a file's table that also matches next month's extract: any directory (`**/`),
/// the name's dates and months as `*`. `2024/jan/Claims_2024-01.csv` gives `**/Claims_*.csv`.
///
/// `strict`: digits stand for as many digits (`[0-9][0-9]`), so `claims_2024-01.csv` does not
/// catch `claims_detail_2024-01.csv`.
fn table_glob(relative: &str, strict: bool) -> String {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    let mut pattern = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, pattern: &mut String| {
        if strict && !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()) {
            pattern.push_str(&"[0-9]".repeat(word.len()));
        } else if variable_part(word) {
            if !pattern.ends_with('*') {
                pattern.push('*');
            }
        } else {
            pattern.push_str(&globset_escape(word));
        }
        word.clear();
    };
    for c in stem.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut pattern);
            // A separator between two variable parts melts into the wildcard.
            if strict || !pattern.ends_with('*') {
                pattern.push_str(&globset_escape(&c.to_string()));
            }
        }
    }
    flush(&mut word, &mut pattern);
    if !pattern.chars().any(char::is_alphanumeric) {
        // Nothing but dates (`2024-01.csv`): a wildcard would catch every table; the file's own path.
        return relative.to_string();
    }
    if !strict && !pattern.ends_with('*') {
        pattern.push('*');
    }
    format!("**/{pattern}.{extension}")
}

/// `name` with glob metacharacters escaped.
fn globset_escape(name: &str) -> String {
    name.chars()
        .map(|c| if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') { format!("[{c}]") } else { c.to_string() })
        .collect()
}

/// YAML needs quotes around names that are not plain words.
fn yaml_key(name: &str) -> String {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !name.starts_with('-')
        && !["null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"]
            .contains(&name.to_ascii_lowercase().as_str())
        && name.parse::<f64>().is_err();
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn write_drafts(
    dir: &std::path::Path,
    files: &[DataFile],
    unmapped: &[Scanned],
    report: &mut Report,
) -> Result<(), RunError> {
    let out_err = |path: &std::path::Path| {
        let path = path.to_path_buf();
        move |source| RunError::Output { path, source }
    };
    std::fs::create_dir_all(dir).map_err(out_err(dir))?;
    // Files that give the same table name and have the same columns share one draft; other
    // columns under the same name make another table (`claims_2`).
    let mut tables: BTreeMap<String, Vec<&Scanned>> = BTreeMap::new();
    let mut headers: BTreeMap<String, Vec<Vec<&str>>> = BTreeMap::new();
    let mut draft_of: BTreeMap<usize, String> = BTreeMap::new();
    for s in unmapped {
        let base = table_name(&files[s.file_index].relative);
        let header: Vec<&str> = s.columns.iter().map(|(n, _, _, _)| n.as_str()).collect();
        let known = headers.entry(base.clone()).or_default();
        let variant = known.iter().position(|h| *h == header).unwrap_or_else(|| {
            known.push(header);
            known.len() - 1
        });
        let table = if variant == 0 { base } else { format!("{base}_{}", variant + 1) };
        draft_of.insert(s.file_index, table.clone());
        tables.entry(table).or_default().push(s);
    }
    // The draft a file belongs to: its own if unmapped, else the table name it would get.
    let draft = |index: usize| draft_of.get(&index).cloned().unwrap_or_else(|| table_name(&files[index].relative));
    for (table, group) in tables {
        let path = dir.join(format!("{table}.yaml"));
        if path.exists() {
            report.notes.push(format!("draft {} exists: not overwritten", path.display()));
            continue;
        }
        let first = group[0];
        let mut patterns: Vec<String> = Vec::new();
        for s in &group {
            let relative = &files[s.file_index].relative;
            // The widest glob that catches no file of another table: any date, then dates of
            // the same digits, then the file's own path.
            let fits = |glob: &String| {
                globset::Glob::new(glob).map(|g| g.compile_matcher()).is_ok_and(|m| {
                    m.is_match(relative)
                        && (0..files.len()).all(|i| !m.is_match(&files[i].relative) || draft(i) == table)
                })
            };
            let pattern = [table_glob(relative, false), table_glob(relative, true)]
                .into_iter()
                .find(fits)
                .unwrap_or_else(|| relative.clone());
            if !patterns.contains(&pattern) {
                patterns.push(pattern);
            }
        }
        let subject = first
            .columns
            .iter()
            .find(|(_, c, _, _)| c.kind == Kind::Niss)
            .or_else(|| first.columns.iter().find(|(_, c, _, _)| c.kind == Kind::Exid))
            .map(|(n, _, _, _)| n.clone());
        let mut yaml = String::new();
        let _ = writeln!(yaml, "# Draft written by `pseudata scan` from {}.", files[first.file_index].relative);
        let _ = writeln!(yaml, "# Review every rule before use: detection samples values, it does not read minds.");
        let _ = writeln!(yaml, "table: {}", yaml_key(&table));
        let _ = writeln!(
            yaml,
            "files: [{}]",
            patterns.iter().map(|p| format!("\"{}\"", p.replace('"', "\\\""))).collect::<Vec<_>>().join(", ")
        );
        if let (Some(separator), Some(encoding)) = (first.separator, first.encoding) {
            let separator = if separator == b'\t' { "tab".to_string() } else { (separator as char).to_string() };
            let encoding = match encoding {
                Encoding::Utf8 => "utf-8",
                Encoding::Windows1252 => "windows-1252",
            };
            let _ = writeln!(yaml, "csv: {{ separator: \"{separator}\", encoding: {encoding} }}");
        }
        if let Some(subject) = &subject {
            let _ = writeln!(yaml, "subject: {}", yaml_key(subject));
        }
        // Columns that single people out in combination, for `verify`'s k-anonymity report.
        let quasi: Vec<String> = first
            .columns
            .iter()
            .filter(|(_, c, _, _)| matches!(c.kind, Kind::BirthDate | Kind::Sex | Kind::Postcode | Kind::Icd10))
            .map(|(n, _, _, _)| yaml_key(n))
            .collect();
        if !quasi.is_empty() {
            let _ = writeln!(
                yaml,
                "quasi_identifiers: [{}]   # together they can single a member out: verify reports the smallest groups",
                quasi.join(", ")
            );
        }
        let roles = draft_roles(first.columns.iter().map(|(n, c, _, _)| (n.as_str(), c.kind)));
        if !roles.is_empty() {
            let _ = writeln!(
                yaml,
                "roles: {{ {} }}   # what kept columns mean on a case sheet (`pseudata rules` lists the roles)",
                roles.iter().map(|(r, c)| format!("{}: {}", r.name(), yaml_key(c))).collect::<Vec<_>>().join(", ")
            );
        }
        yaml.push_str("columns:\n");
        // `  name: rule` is 4 characters more than name and rule; one more space before each comment.
        let width = first.columns.iter().map(|(n, _, p, _)| yaml_key(n).len() + p.len()).max().unwrap_or(0) + 5;
        for (name, classification, proposed, values) in &first.columns {
            let entry = format!("  {}: {proposed}", yaml_key(name));
            let by_name = if classification.by_name { " (by name)" } else { "" };
            let why = match (classification.kind, classification.confidence) {
                (kind, Some(_)) if name_only_identifier(classification) => format!(
                    "{} by name only: fewer than 1 % of {values} values validate as one, so `hash` rather than a {} \
                     pseudonym (check the column)",
                    kind.label(),
                    kind.label()
                ),
                (Kind::Exid, Some(share)) if classification.by_name && share == 0.0 => format!(
                    "member number (EXID) by name only: member numbers have no public format, and no mapping gave this \
                     scan yours, so {values} values were not tested; `exid` keeps each value's shape"
                ),
                (Kind::Unknown, _) => format!("nothing detected in {values} values"),
                (kind, Some(share)) => format!("{}{by_name}, {:.0}% of {values} values", kind.label(), share * 100.0),
                (kind, None) => format!("{}{by_name}", kind.label()),
            };
            let _ = writeln!(yaml, "{entry:<width$}# {why}");
        }
        std::fs::write(&path, yaml).map_err(out_err(&path))?;
        report.notes.push(format!("draft written: {}", path.display()));
    }
    Ok(())
}

/// The `roles:` a draft proposes, from each column's detected kind and the words of its name:
/// what a case sheet cannot learn from the rules (sex, language, amounts, the care code, which
/// date is which). A word matches a hint it starts with (`terugbetaling` for `terugbet`).
fn draft_roles<'a>(columns: impl Iterator<Item = (&'a str, Kind)> + Clone) -> Vec<(Role, String)> {
    let hinted = |name: &str, hints: &[&str]| name_words(name).iter().any(|w| hints.iter().any(|h| w.starts_with(h)));
    let reimbursed_hints = ["rembours", "reimburs", "terugbet", "tussenkomst", "intervention", "erstatt", "refund"];
    // Care codes first by their own words, then any column whose name has the word `code`.
    let care_code_hints = ["nomencl", "pseudocode", "prestation", "verstrekking", "nihdi", "riziv", "inami"];
    let since_hints =
        ["affil", "aansluit", "since", "sinds", "depuis", "inscri", "member", "lid", "start", "begin", "debut"];
    let card =
        columns.clone().any(|(_, k)| matches!(k, Kind::FirstName | Kind::LastName | Kind::FullName | Kind::BirthDate));
    let mut roles: Vec<(Role, String)> = Vec::new();
    let mut add = |role: Role, column: &str| {
        if !roles.iter().any(|(r, c)| *r == role || c == column) {
            roles.push((role, column.to_string()));
        }
    };
    for (name, kind) in columns.clone() {
        if kind == Kind::Code && hinted(name, &care_code_hints) {
            add(Role::Code, name);
        }
    }
    for (name, kind) in columns {
        let exact_word = |word: &str| name_words(name).iter().any(|w| w == word);
        match kind {
            Kind::Sex => add(Role::Sex, name),
            Kind::Language => add(Role::Language, name),
            Kind::Amount if hinted(name, &reimbursed_hints) => add(Role::Reimbursed, name),
            Kind::Amount => add(Role::Amount, name),
            Kind::Code if exact_word("code") => add(Role::Code, name),
            Kind::Date if card && hinted(name, &since_hints) => add(Role::MemberSince, name),
            Kind::Date if !card => add(Role::Date, name),
            _ => {}
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names_from_file_names() {
        assert_eq!(table_name("Claims_2024-01.csv"), "claims");
        assert_eq!(table_name("sub/members.parquet"), "members");
        assert_eq!(table_name("2024.csv"), "table");
        assert_eq!(table_name("adres-lijst.csv"), "adres_lijst");
        assert_eq!(table_name("2024/january_extract/EXPORT_claims_january_2024.csv"), "claims");
        assert_eq!(table_name("prestations_20240131.csv"), "prestations");
        assert_eq!(table_name("prestations_février_2024.csv"), "prestations");
        assert_eq!(table_name("claims_2024_q2.csv"), "claims");
        assert_eq!(table_name("claims_jan2024.csv"), "claims");
        assert_eq!(table_name("Adhésions été 2024.csv"), "adhésions_été");
    }

    #[test]
    fn a_name_of_dates_only_gets_its_own_path_not_a_wildcard() {
        assert_eq!(table_glob("2024/2024-01.csv", false), "2024/2024-01.csv");
        // Strict: the same digits, so another table's longer name is not caught.
        let strict = globset::Glob::new(&table_glob("jan/claims_2024-01.csv", true)).unwrap().compile_matcher();
        assert!(strict.is_match("feb/claims_2024-02.csv"));
        assert!(!strict.is_match("jan/claims_detail_2024-01.csv"));
    }

    #[test]
    fn table_globs_match_next_months_extract_and_not_another_table() {
        for (this, next, other) in [
            (
                "2024/january_2024/claims_2024-01.csv",
                "2024/february_2024/claims_2024-02.csv",
                "2024/january_2024/members_2024-01.csv",
            ),
            ("claims.csv", "out/claims.csv", "members.csv"),
            ("export_claims_january_2024.csv", "export_claims_february_2024.csv", "export_members_january_2024.csv"),
            ("Leden 20240131.csv", "nieuw/Leden 20240229.csv", "Prestaties 20240131.csv"),
            ("claims_2024_q2.csv", "claims_2024_q3.csv", "members_2024_q2.csv"),
            ("claims_mar.csv", "2025/claims_nov.csv", "members_mar.csv"),
            ("prestations_février_2024.csv", "prestations_août_2024.csv", "membres_février_2024.csv"),
            ("claims_20240131T0930.csv", "claims_20240229T2215.csv", "members_20240131T0930.csv"),
            ("Leistungen_März_2024.csv", "Leistungen_Dezember_2024.csv", "Mitglieder_März_2024.csv"),
            ("claims_2024-01_run3.csv", "claims_2024-02_run1.csv", "members_2024-01_run3.csv"),
            ("Prestations T1 2024.csv", "Prestations T2 2024.csv", "Membres T1 2024.csv"),
            ("claims_jan2024.csv", "claims_feb2024.csv", "members_jan2024.csv"),
        ] {
            let glob = table_glob(this, false);
            let m = globset::Glob::new(&glob).unwrap().compile_matcher();
            assert!(m.is_match(this) && m.is_match(next), "{glob}: {this}, {next}");
            assert!(!m.is_match(other), "{glob} matches {other}");
        }
    }

    #[test]
    fn odd_column_names_are_quoted() {
        assert_eq!(yaml_key("niss"), "niss");
        assert_eq!(yaml_key("Naam lid"), "\"Naam lid\"");
        assert_eq!(yaml_key("null"), "\"null\"");
        assert_eq!(yaml_key("2024"), "\"2024\"");
    }
}

#[cfg(test)]
mod role_tests {
    use super::*;

    #[test]
    fn drafts_roles_from_kinds_and_names() {
        let claims = [
            ("status_code", Kind::Code),
            ("dossier_nr", Kind::Id),
            ("datum_verstrekking", Kind::Date),
            ("nomenclatuurcode", Kind::Code),
            ("status", Kind::Code),
            ("bedrag", Kind::Amount),
            ("terugbetaling", Kind::Amount),
            ("supplement_eur", Kind::Amount),
        ];
        assert_eq!(name_words("datumAansluiting_2024"), ["datum", "aansluiting", "2024"]);
        let roles = draft_roles(claims.iter().map(|(n, k)| (*n, *k)));
        let named = |role: Role| roles.iter().find(|(r, _)| *r == role).map(|(_, c)| c.as_str());
        assert_eq!(named(Role::Date), Some("datum_verstrekking"));
        assert_eq!(named(Role::Code), Some("nomenclatuurcode"), "a `status` code is not the care code");
        assert_eq!(named(Role::Amount), Some("bedrag"));
        assert_eq!(named(Role::Reimbursed), Some("terugbetaling"));
        assert_eq!(roles.len(), 4, "one column per role: {roles:?}");

        let members = [
            ("naam", Kind::LastName),
            ("geslacht", Kind::Sex),
            ("taal", Kind::Language),
            ("geboortedatum", Kind::BirthDate),
            ("valid_from", Kind::Date),
            ("datum_aansluiting", Kind::Date),
            ("laatste_wijziging", Kind::Date),
        ];
        let roles = draft_roles(members.iter().map(|(n, k)| (*n, *k)));
        assert_eq!(
            roles,
            vec![
                (Role::Sex, "geslacht".to_string()),
                (Role::Language, "taal".to_string()),
                (Role::MemberSince, "datum_aansluiting".to_string())
            ]
        );
    }
}
