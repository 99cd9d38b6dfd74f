//! Stage 1 of a mapping: the YAML file as written, parsed by serde with unknown fields refused.

use serde::Deserialize;

/// One mapping file exactly as written (DESIGN section 2).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMapping {
    /// Table name, used in reports and by rules that join tables.
    pub table: String,
    /// Globs, relative to `--input`, of the files that hold this table.
    pub files: Vec<String>,
    /// CSV reading options; each one is detected when absent.
    #[serde(default)]
    pub csv: Option<RawCsv>,
    /// Column that identifies the person a row belongs to.
    #[serde(default)]
    pub subject: Option<String>,
    /// Columns whose combination `verify` reports k-anonymity for.
    #[serde(default)]
    pub quasi_identifiers: Vec<String>,
    /// What kept columns mean on a case sheet: role name to column (`amount: amount_eur`).
    #[serde(default)]
    pub roles: std::collections::BTreeMap<String, String>,
    /// Every column of the table, in order, with its rule (a name, `null`, or a one-key map).
    pub columns: serde_norway::Mapping,
}

/// The optional `csv:` block of a mapping.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCsv {
    /// One-character field separator; detected among `;` `,` tab `|` when absent.
    #[serde(default)]
    pub separator: Option<String>,
    /// `utf-8`, `windows-1252` or `auto` (BOM, then strict UTF-8, then Windows-1252).
    #[serde(default)]
    pub encoding: Option<String>,
    /// Whether the first line names the columns (default true).
    #[serde(default)]
    pub header: Option<bool>,
}
