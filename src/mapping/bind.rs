//! Binding a validated table to one file's real header: the plan the engine executes.

use std::path::Path;

use super::{MappingError, Table};
use crate::crypto::Key;
use crate::rules::{ColumnRule, Rule};

/// What happens to one output column.
pub enum Action {
    /// Copied from the source column unchanged.
    Keep,
    /// Written empty.
    Null,
    /// Replaced through a keyed rule; `inputs` are the source indices of the columns it reads.
    Transform { rule: Box<dyn Rule>, inputs: Vec<usize> },
}

/// One output column and where it comes from.
pub struct BoundColumn {
    pub name: String,
    /// Index of the column in the source file.
    pub source: usize,
    /// The mapping's rule name, for the manifest.
    pub rule: &'static str,
    pub action: Action,
    /// What the rule's output can be typed as in a typed (Parquet) output.
    pub writes: Writes,
}

/// What a rule writes, for a typed output: the output type of a column is decided from the input
/// type and this alone, before the first batch, never from the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writes {
    /// Dates in the input's own layout (`date` rules): a date or timestamp column keeps its type.
    Dates,
    /// Numbers (`number`): a numeric column keeps its type.
    Numbers,
    /// Digits of this fixed length, always (NISS and INAMI 11, KBO 10, postcode 4): a 64-bit
    /// integer column keeps its type, and its values are read with the leading zeros an integer
    /// lost (`61512380` is the NISS `00061512380`). Not member numbers: their pseudonyms may
    /// start with 0, and as integers two of different lengths could become one.
    Digits(usize),
    /// Text: any other rule, and `keep` and `null`, whose columns keep their type anyway.
    Text,
}

impl Writes {
    fn of(rule: &ColumnRule) -> Writes {
        use crate::rules::{IdentifierKind, PeopleSpec};
        match rule {
            ColumnRule::Date(_) => Writes::Dates,
            ColumnRule::Number(_) => Writes::Numbers,
            ColumnRule::Identifier(spec) => match spec.kind {
                IdentifierKind::Niss(_) | IdentifierKind::Inami => Writes::Digits(11),
                IdentifierKind::Kbo => Writes::Digits(10),
                _ => Writes::Text,
            },
            ColumnRule::People(PeopleSpec::Postcode { .. }) => Writes::Digits(4),
            _ => Writes::Text,
        }
    }
}

/// A table's mapping bound to one file: output columns in file order, dropped columns left out.
pub struct BoundPlan {
    pub columns: Vec<BoundColumn>,
    /// Number of columns in the source file.
    pub source_width: usize,
    /// Source index of the subject column, if the mapping declares one.
    pub subject: Option<usize>,
    /// The mapping file, for messages about its rules.
    pub mapping: std::path::PathBuf,
}

/// Returns every disagreement between `header` and the mapping (empty when they agree).
/// Column names are schema, not data, so messages may quote them; but a header that shares no
/// name with the mapping may be a data row (a file without its header line), so then none is
/// quoted, and a name that looks like a value is named by its position.
pub fn schema_problems(table: &Table, header: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    if !header.is_empty() && !header.iter().any(|h| table.rule(h).is_some()) {
        problems.push(format!(
            "none of the file's {} column names is in the mapping (they are not shown: the first line may be data): \
             is the file missing its header line (then say `csv: {{ header: false }}` and name the columns \
             `column_1`, `column_2`, ...), or is it another table's file?",
            header.len()
        ));
        return problems;
    }
    for (i, name) in header.iter().enumerate() {
        let shown = crate::io::header::shown(name, i);
        if header[..i].contains(name) {
            problems.push(format!("{shown} appears twice in the header"));
        } else if table.rule(name).is_none() {
            problems.push(format!("{shown} is not in the mapping: every column must be classified"));
        }
    }
    for (name, _) in &table.columns {
        if !header.contains(name) {
            problems.push(format!("mapped column `{name}` is missing from the data"));
        }
    }
    problems
}

impl BoundPlan {
    /// Binds `table` to a file whose header is `header`, keying every rule with `key`.
    pub fn bind(table: &Table, file: &Path, header: &[String], key: &Key) -> Result<BoundPlan, MappingError> {
        let problems = schema_problems(table, header);
        if !problems.is_empty() {
            return Err(MappingError::Schema {
                file: file.to_path_buf(),
                path: table.path.clone(),
                table: table.name.clone(),
                message: problems.join("; "),
            });
        }
        let index = |name: &str| header.iter().position(|h| h == name);
        let mut columns = Vec::with_capacity(header.len());
        for (source, name) in header.iter().enumerate() {
            let rule = table.rule(name).unwrap_or(&ColumnRule::Keep);
            let action = match rule {
                ColumnRule::Drop => continue,
                ColumnRule::Keep => Action::Keep,
                ColumnRule::Null => Action::Null,
                other => match other.build(key) {
                    Some(built) => Action::Transform {
                        rule: built,
                        inputs: other.inputs().iter().filter_map(|c| index(c)).collect(),
                    },
                    None => Action::Keep,
                },
            };
            columns.push(BoundColumn {
                name: name.clone(),
                source,
                rule: rule.name(),
                action,
                writes: Writes::of(rule),
            });
        }
        Ok(BoundPlan {
            columns,
            source_width: header.len(),
            subject: table.subject.as_deref().and_then(index),
            mapping: table.path.clone(),
        })
    }

    /// The output header.
    pub fn header(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}
