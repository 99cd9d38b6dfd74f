//! Stage 2 of a mapping: a validated table (file globs, CSV options, column rules) ready to bind.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use sha2::{Digest, Sha256};

use super::raw::RawMapping;
use super::MappingError;
use crate::rules::ColumnRule;

/// Text encoding of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8 (a BOM, if present, is kept on output).
    Utf8,
    /// Windows code page 1252 (Western European ANSI).
    #[serde(rename = "windows-1252")]
    Windows1252,
}

/// CSV options of a table; `None` means detect from the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvOptions {
    pub separator: Option<u8>,
    pub encoding: Option<Encoding>,
    pub header: bool,
}

/// What a column means on a trainer's case sheet, where its rule does not say (a kept amount, a
/// kept code) or says it differently. Declared in a mapping's `roles:` block, drafted by `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The member's sex (`M`/`F`, `1`/`2`, ...).
    Sex,
    /// The member's language (`NL`, `FR`, ...): the sheet's default language.
    Language,
    /// Date of birth: shown as an age band only.
    BirthDate,
    /// Date the membership began.
    MemberSince,
    /// Date of the event a row records (care date): the timeline's order.
    Date,
    /// Nomenclature (care) code.
    Code,
    /// Diagnosis code (ICD-10).
    Diagnosis,
    /// Care provider.
    Provider,
    /// Amount charged.
    Amount,
    /// Amount reimbursed: the chart's bars.
    Reimbursed,
    /// Free text shown as notes.
    Notes,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Sex,
        Role::Language,
        Role::BirthDate,
        Role::MemberSince,
        Role::Date,
        Role::Code,
        Role::Diagnosis,
        Role::Provider,
        Role::Amount,
        Role::Reimbursed,
        Role::Notes,
    ];

    /// The name written in a mapping.
    pub fn name(self) -> &'static str {
        match self {
            Role::Sex => "sex",
            Role::Language => "language",
            Role::BirthDate => "birth_date",
            Role::MemberSince => "member_since",
            Role::Date => "date",
            Role::Code => "code",
            Role::Diagnosis => "diagnosis",
            Role::Provider => "provider",
            Role::Amount => "amount",
            Role::Reimbursed => "reimbursed",
            Role::Notes => "notes",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// A validated mapping for one table.
#[derive(Debug, Clone)]
pub struct Table {
    /// The mapping file it came from.
    pub path: PathBuf,
    /// SHA-256 of the mapping file's bytes, for the manifest.
    pub sha256: String,
    pub name: String,
    /// The globs as written.
    pub patterns: Vec<String>,
    globs: GlobSet,
    pub csv: CsvOptions,
    pub subject: Option<String>,
    pub quasi_identifiers: Vec<String>,
    /// What columns mean on a case sheet, from the mapping's `roles:` block (role, column).
    pub roles: Vec<(Role, String)>,
    /// Every column in mapping order with its rule.
    pub columns: Vec<(String, ColumnRule)>,
}

impl Table {
    /// Whether `relative` (a path relative to `--input`, `/`-separated) is one of this table's files.
    pub fn matches(&self, relative: &str) -> bool {
        self.globs.is_match(relative)
    }

    /// Returns the rule of `column`, if the mapping names it.
    pub fn rule(&self, column: &str) -> Option<&ColumnRule> {
        self.columns.iter().find(|(name, _)| name == column).map(|(_, rule)| rule)
    }

    /// How to read what a run wrote for this table: in the table's dialect, or, when the run
    /// converted the format (`--to csv` from Parquet), as the plain CSV it wrote.
    pub fn output_csv(&self, converted: bool) -> CsvOptions {
        match converted {
            false => self.csv.clone(),
            true => CsvOptions { header: true, ..CsvOptions::default() },
        }
    }

    /// The names of the first `width` columns a run writes for a header-less input (named
    /// `column_1`, `column_2`, ... by position): those names without the dropped columns.
    pub fn written_names(&self, width: usize) -> Vec<String> {
        (1..)
            .map(|i| format!("column_{i}"))
            .filter(|name| !matches!(self.rule(name), Some(ColumnRule::Drop)))
            .take(width)
            .collect()
    }

    /// Parses and validates one mapping file.
    pub fn load(path: &Path) -> Result<Table, MappingError> {
        let bytes = std::fs::read(path).map_err(|source| MappingError::Read { path: path.to_path_buf(), source })?;
        let raw: RawMapping = serde_norway::from_slice(&bytes)
            .map_err(|e| MappingError::Parse { path: path.to_path_buf(), message: e.to_string() })?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        Table::validate(path, sha256, raw).map_err(|e| match e {
            MappingError::Column { path, table, column, message, .. } => {
                let line = column_line(&String::from_utf8_lossy(&bytes), &column);
                MappingError::Column { path, table, column, message, line }
            }
            other => other,
        })
    }

    fn validate(path: &Path, sha256: String, raw: RawMapping) -> Result<Table, MappingError> {
        let table_err =
            |message: String| MappingError::Table { path: path.to_path_buf(), table: raw.table.clone(), message };
        if raw.table.trim().is_empty() {
            return Err(table_err("`table` must not be empty".into()));
        }
        if raw.files.is_empty() {
            return Err(table_err("`files` must list at least one glob".into()));
        }
        let mut builder = GlobSetBuilder::new();
        for pattern in &raw.files {
            let glob = Glob::new(pattern).map_err(|e| table_err(format!("invalid glob `{pattern}`: {e}")))?;
            builder.add(glob);
        }
        let globs = builder.build().map_err(|e| table_err(format!("invalid globs: {e}")))?;
        let csv = parse_csv_options(raw.csv.as_ref()).map_err(table_err)?;

        let mut columns: Vec<(String, ColumnRule)> = Vec::with_capacity(raw.columns.len());
        for (name, spec) in &raw.columns {
            let name = match name {
                serde_norway::Value::String(s) => s.clone(),
                serde_norway::Value::Number(n) => n.to_string(),
                _ => return Err(table_err("a column name must be a string".into())),
            };
            let column_err = |message: String| MappingError::Column {
                line: None,
                path: path.to_path_buf(),
                table: raw.table.clone(),
                column: name.clone(),
                message,
            };
            if columns.iter().any(|(n, _)| *n == name) {
                return Err(column_err("named twice".into()));
            }
            let rule = ColumnRule::parse(spec).map_err(column_err)?;
            for input in rule.inputs() {
                if !raw.columns.contains_key(input.as_str()) {
                    return Err(column_err(format!(
                        "rule `{}` reads column `{input}`, which the mapping does not name",
                        rule.name()
                    )));
                }
            }
            columns.push((name, rule));
        }
        // `date: { from_niss: C }` must decode C's pseudonym exactly as C's own `niss` rule writes it.
        let niss_keeps: Vec<(String, crate::ident::niss::NissKeep)> = columns
            .iter()
            .filter_map(|(name, rule)| match rule {
                ColumnRule::Identifier(crate::rules::IdentifierSpec {
                    kind: crate::rules::IdentifierKind::Niss(keep),
                    ..
                }) => Some((name.clone(), *keep)),
                _ => None,
            })
            .collect();
        for (name, rule) in columns.iter_mut() {
            if let ColumnRule::Date(crate::rules::DateSpec::FromNiss { column, keep }) = rule {
                match niss_keeps.iter().find(|(n, _)| n == column) {
                    Some((_, k)) => *keep = *k,
                    None => {
                        return Err(MappingError::Column {
                            line: None,
                            path: path.to_path_buf(),
                            table: raw.table.clone(),
                            column: name.clone(),
                            message: format!("`from_niss: {column}` needs column `{column}` to use the `niss` rule"),
                        })
                    }
                }
            }
        }
        let column_error = |column: &String, message: String| MappingError::Column {
            line: None,
            path: path.to_path_buf(),
            table: raw.table.clone(),
            column: column.clone(),
            message,
        };
        // `names_from` (`email`, `free_text`) writes the row's fake names as those columns' rules do.
        let name_specs: Vec<(String, crate::rules::PeopleSpec)> = columns
            .iter()
            .filter_map(|(name, rule)| match rule {
                ColumnRule::People(
                    spec @ (crate::rules::PeopleSpec::FirstName { .. }
                    | crate::rules::PeopleSpec::LastName { .. }
                    | crate::rules::PeopleSpec::FullName { .. }),
                ) => Some((name.clone(), spec.clone())),
                _ => None,
            })
            .collect();
        for (name, rule) in columns.iter_mut() {
            if let ColumnRule::Identifier(spec) = rule {
                spec.name_rules = bind_names(&spec.names_from, &name_specs).map_err(|m| column_error(name, m))?;
            }
        }
        // `city: { postcode_from: P }` names the municipality of the postcode P's own rule writes.
        let postcode_modes: Vec<(String, crate::rules::PostcodeMode)> = columns
            .iter()
            .filter_map(|(name, rule)| match rule {
                ColumnRule::People(crate::rules::PeopleSpec::Postcode { mode }) => Some((name.clone(), *mode)),
                _ => None,
            })
            .collect();
        let kept: Vec<String> =
            columns.iter().filter(|(_, rule)| matches!(rule, ColumnRule::Keep)).map(|(n, _)| n.clone()).collect();
        for (name, rule) in columns.iter_mut() {
            if let ColumnRule::People(crate::rules::PeopleSpec::City {
                postcode_from: Some(p), postcode_mode, ..
            }) = rule
            {
                // Any other rule hides the postcode, and the municipality of the original would show it.
                *postcode_mode = match postcode_modes.iter().find(|(n, _)| n == p) {
                    Some((_, mode)) => *mode,
                    None if kept.contains(p) => crate::rules::PostcodeMode::Keep,
                    None => {
                        return Err(MappingError::Column {
                            line: None,
                            path: path.to_path_buf(),
                            table: raw.table.clone(),
                            column: name.clone(),
                            message: format!(
                                "`postcode_from: {p}` needs column `{p}` to use the `postcode` rule or `keep`: \
                                 the municipality of a postcode the output hides would give it away"
                            ),
                        })
                    }
                };
            }
        }
        // `free_text` replaces identifiers exactly as this table's columns do, and names as their rules do.
        let identifiers: Vec<crate::rules::IdentifierSpec> = columns
            .iter()
            .filter_map(|(_, rule)| match rule {
                ColumnRule::Identifier(spec) => Some(spec.clone()),
                _ => None,
            })
            .collect();
        let people: Vec<(String, crate::rules::PeopleSpec)> = columns
            .iter()
            .filter_map(|(name, rule)| match rule {
                ColumnRule::People(spec) => Some((name.clone(), spec.clone())),
                _ => None,
            })
            .collect();
        for (name, rule) in columns.iter_mut() {
            if let ColumnRule::FreeText(spec) = rule {
                spec.identifiers = identifiers.clone();
                spec.place_rules = people
                    .iter()
                    .filter(|(_, p)| {
                        matches!(p, crate::rules::PeopleSpec::Postcode { .. } | crate::rules::PeopleSpec::City { .. })
                    })
                    .map(|(_, p)| p.clone())
                    .collect();
                spec.name_rules = bind_names(&spec.names_from, &name_specs).map_err(|m| column_error(name, m))?;
            }
        }
        if columns.is_empty() {
            return Err(table_err("`columns` must name every column of the table".into()));
        }
        let named = |c: &String| columns.iter().any(|(n, _)| n == c);
        if let Some(subject) = &raw.subject {
            if !named(subject) {
                return Err(table_err(format!("subject column `{subject}` is not in `columns`")));
            }
        }
        if let Some(q) = raw.quasi_identifiers.iter().find(|q| !named(q)) {
            return Err(table_err(format!("quasi-identifier `{q}` is not in `columns`")));
        }
        let mut roles = Vec::with_capacity(raw.roles.len());
        for (role, column) in &raw.roles {
            let Some(known) = Role::parse(role) else {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
                let closest = names.iter().min_by_key(|n| strsim::damerau_levenshtein(role, n)).copied().unwrap_or("");
                return Err(table_err(format!(
                    "unknown role `{role}` in `roles` (did you mean `{closest}`?); roles: {}",
                    names.join(", ")
                )));
            };
            if !named(column) {
                return Err(table_err(format!("role `{role}` names column `{column}`, which is not in `columns`")));
            }
            if let Some((_, rule @ (ColumnRule::Drop | ColumnRule::Null))) = columns.iter().find(|(n, _)| n == column) {
                return Err(table_err(format!(
                    "role `{role}` names column `{column}`, which the rule `{}` leaves out of the output",
                    rule.name()
                )));
            }
            roles.push((known, column.clone()));
        }
        Ok(Table {
            path: path.to_path_buf(),
            sha256,
            name: raw.table,
            patterns: raw.files,
            globs,
            csv,
            subject: raw.subject,
            quasi_identifiers: raw.quasi_identifiers,
            roles,
            columns,
        })
    }
}

fn parse_csv_options(raw: Option<&super::RawCsv>) -> Result<CsvOptions, String> {
    let Some(raw) = raw else {
        return Ok(CsvOptions { header: true, ..CsvOptions::default() });
    };
    let separator = match raw.separator.as_deref() {
        None | Some("auto") => None,
        Some("\\t") | Some("tab") => Some(b'\t'),
        Some(s) if s.len() == 1 && s != "\"" && s != "\n" && s != "\r" => Some(s.as_bytes()[0]),
        Some(s) => return Err(format!("csv separator must be one ASCII character, `tab` or `auto`, not `{s}`")),
    };
    let encoding = match raw.encoding.as_deref().map(|e| e.to_ascii_lowercase()) {
        None => None,
        Some(e) if e == "auto" => None,
        Some(e) if ["utf-8", "utf8"].contains(&e.as_str()) => Some(Encoding::Utf8),
        Some(e) if ["windows-1252", "cp1252", "win1252", "ansi"].contains(&e.as_str()) => Some(Encoding::Windows1252),
        Some(e) => return Err(format!("csv encoding must be utf-8, windows-1252 or auto, not `{e}`")),
    };
    Ok(CsvOptions { separator, encoding, header: raw.header.unwrap_or(true) })
}

/// All mappings of a directory.
#[derive(Debug, Clone)]
pub struct Mappings {
    pub tables: Vec<Table>,
}

impl Mappings {
    /// Returns the tables whose globs match `relative` (more than one is an ambiguity the caller reports).
    pub fn matching(&self, relative: &str) -> Vec<&Table> {
        self.tables.iter().filter(|t| t.matches(relative)).collect()
    }
}

/// Loads every `*.yaml` / `*.yml` file of `dir` (not recursive), sorted by file name.
pub fn load_dir(dir: &Path) -> Result<Mappings, MappingError> {
    let read_err = |source| MappingError::ReadDir { path: dir.to_path_buf(), source };
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if is_yaml && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(MappingError::Empty(dir.to_path_buf()));
    }
    paths.sort();
    let mut tables: Vec<Table> = Vec::with_capacity(paths.len());
    for path in paths {
        let table = Table::load(&path)?;
        if let Some(first) = tables.iter().find(|t| t.name == table.name) {
            return Err(MappingError::DuplicateTable {
                first: first.name.clone(),
                first_path: first.path.clone(),
                second: table.name.clone(),
                second_path: table.path.clone(),
            });
        }
        tables.push(table);
    }
    Ok(Mappings { tables })
}

/// The people rule of each `names_from` column, with the columns that rule reads; an error
/// message when a column does not use a name rule.
fn bind_names(
    names_from: &[String],
    name_specs: &[(String, crate::rules::PeopleSpec)],
) -> Result<Vec<(crate::rules::PeopleSpec, Vec<String>)>, String> {
    names_from
        .iter()
        .map(|source| match name_specs.iter().find(|(n, _)| n == source) {
            Some((_, p)) => Ok((p.clone(), p.inputs())),
            None => {
                Err(format!("`names_from` column `{source}` must use a name rule (first_name, last_name, full_name)"))
            }
        })
        .collect()
}

/// The line (1-based) of `column`'s entry under `columns:` in a mapping's text, for messages:
/// the entries are the lines at the indentation of the first one (nested options are deeper);
/// blank and comment lines are skipped.
fn column_line(text: &str, column: &str) -> Option<usize> {
    let mut in_columns = false;
    let mut indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = line.len() - trimmed.len();
        if depth == 0 {
            in_columns = trimmed.starts_with("columns:");
            indent = None;
            continue;
        }
        if !in_columns {
            continue;
        }
        let entry = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        if *indent.get_or_insert(depth) != depth {
            continue;
        }
        let name = entry.split(':').next().unwrap_or("").trim().trim_matches(['"', '\'']);
        if name == column {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn column_lines_skip_blank_lines_comments_and_nested_options() {
        let text = "table: claims\nfiles: [\"c*.csv\"]\ncolumns:\n  niss: niss\n\n  # dates\n  care_date:\n    date:\n      shift_by: niss\n  \"date\": phnoe\n  amount: keep\nquasi_identifiers: [date]\n";
        assert_eq!(super::column_line(text, "niss"), Some(4));
        assert_eq!(super::column_line(text, "care_date"), Some(7));
        assert_eq!(super::column_line(text, "date"), Some(10), "the entry, not the nested `date:` option");
        assert_eq!(super::column_line(text, "amount"), Some(11));
        assert_eq!(super::column_line(text, "shift_by"), None);
        assert_eq!(super::column_line(text, "quasi_identifiers"), None);
    }

    use super::*;
    use crate::rules::{PeopleSpec, PostcodeMode};

    fn table(yaml: &str) -> Result<Table, MappingError> {
        let raw: RawMapping = serde_norway::from_str(yaml)
            .map_err(|e| MappingError::Parse { path: "m.yaml".into(), message: e.to_string() })?;
        Table::validate(Path::new("m.yaml"), String::new(), raw)
    }

    #[test]
    fn validates_a_complete_mapping_in_column_order() {
        let t = table(
            "table: claims\nfiles: ['claims*.csv']\ncsv: { separator: ';', encoding: windows-1252 }\nsubject: niss\ncolumns:\n  niss: hash\n  amount: keep\n  note: null\n  old: drop\n",
        )
        .unwrap();
        assert_eq!(t.csv.separator, Some(b';'));
        assert_eq!(t.csv.encoding, Some(Encoding::Windows1252));
        assert!(t.csv.header);
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["niss", "amount", "note", "old"]);
        assert_eq!(t.rule("note"), Some(&ColumnRule::Null));
        assert!(t.matches("claims_2024.csv"));
        assert!(!t.matches("members.csv"));
    }

    #[test]
    fn a_city_follows_only_a_postcode_the_output_shows() {
        let city = "city: { city: { postcode_from: pc } }";
        for ok in ["pc: keep", "pc: { postcode: same_region }", "pc: { postcode: region }", "pc: postcode"] {
            let t = table(&format!("table: t\nfiles: [a]\ncolumns:\n  {ok}\n  {city}\n")).unwrap();
            let Some(ColumnRule::People(PeopleSpec::City { postcode_mode, .. })) = t.rule("city") else {
                panic!("{ok}")
            };
            let expected = if ok.contains("same_region") {
                PostcodeMode::SameRegion
            } else if ok.contains("region") {
                PostcodeMode::Region
            } else {
                PostcodeMode::Keep
            };
            assert_eq!(*postcode_mode, expected, "{ok}");
        }
        for hidden in ["pc: drop", "pc: hash", "pc: null", "pc: { constant: x }"] {
            let err =
                table(&format!("table: t\nfiles: [a]\ncolumns:\n  {hidden}\n  {city}\n")).unwrap_err().to_string();
            assert!(err.contains("column `city`") && err.contains("`postcode` rule or `keep`"), "{hidden}: {err}");
        }
        let err = table("table: t\nfiles: [a]\ncolumns:\n  e: { email: { names_from: [x] } }\n  x: keep\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("must use a name rule"), "{err}");
    }

    #[test]
    fn unknown_field_is_refused() {
        let err = table("table: t\nfiles: [a]\ncolumns: { a: keep }\ncolour: red\n").unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn errors_name_table_and_column() {
        let err = table("table: t\nfiles: [a]\ncolumns: { a: keep, b: scramble }\n").unwrap_err().to_string();
        assert!(err.contains("table `t`") && err.contains("column `b`") && err.contains("scramble"), "{err}");
    }

    #[test]
    fn subject_must_be_a_column() {
        let err = table("table: t\nfiles: [a]\nsubject: niss\ncolumns: { a: keep }\n").unwrap_err().to_string();
        assert!(err.contains("subject column `niss`"), "{err}");
    }

    #[test]
    fn bad_csv_options_are_refused() {
        assert!(table("table: t\nfiles: [a]\ncsv: { separator: ';;' }\ncolumns: { a: keep }\n").is_err());
        assert!(table("table: t\nfiles: [a]\ncsv: { encoding: latin-9 }\ncolumns: { a: keep }\n").is_err());
        let t = table("table: t\nfiles: [a]\ncsv: { separator: tab, header: false }\ncolumns: { a: keep }\n").unwrap();
        assert_eq!(t.csv.separator, Some(b'\t'));
        assert!(!t.csv.header);
    }
}
