//! The read-only commands behind the CI gate: `scan` proposes mappings, `check` finds unmapped
//! columns and identifiers in kept columns, `verify` proves a run's output leaked nothing.
//! They read files in batches on a background thread and profile columns in parallel.

pub mod check;
pub mod scan;
pub mod verify;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::detect::{ExidShape, Profile};
pub(crate) use crate::engine::cell_error;
use crate::engine::{collect_files, RunError};
use crate::io::reader::{Batch, TableReader};
use crate::io::Cells;
use crate::io::Format;
use crate::mapping::{ColumnRule, CsvOptions, Mappings};
use crate::rules::IdentifierKind;

/// Rows read per file when sampling.
pub const DEFAULT_SAMPLE_ROWS: u64 = 10_000;

/// One data file of the input directory.
pub struct DataFile {
    /// Path relative to the input directory, `/`-separated (as mappings' globs see it).
    pub relative: String,
    pub path: PathBuf,
    pub format: Format,
}

/// The data files under `input`, sorted (or `input` itself, a single file).
pub fn data_files(input: &Path) -> Result<Vec<DataFile>, RunError> {
    if !input.is_dir() && !input.is_file() {
        return Err(RunError::NoInput(input.to_path_buf()));
    }
    let mut found = Vec::new();
    collect_files(input, input, &mut found)?;
    found.sort();
    let files: Vec<DataFile> = found
        .into_iter()
        .filter_map(|(relative, path)| Format::of(&path).map(|format| DataFile { relative, path, format }))
        .collect();
    if files.is_empty() {
        return Err(RunError::NoFiles(input.to_path_buf()));
    }
    Ok(files)
}

/// What profiling one file gave.
pub struct FileProfile {
    pub header: Vec<String>,
    /// One profile per column that was selected.
    pub profiles: Vec<Option<Profile>>,
    pub rows: u64,
}

/// Reads up to `limit` rows of `file` and profiles the columns `select` picks from the header.
pub fn profile_file(
    file: &DataFile,
    options: &CsvOptions,
    limit: Option<u64>,
    batch_rows: usize,
    exid: &ExidShape,
    select: impl FnOnce(&[String]) -> Vec<bool>,
) -> Result<FileProfile, RunError> {
    let mut selected = Vec::new();
    let mut reader = TableReader::open(&file.path, file.format, options, batch_rows, limit, |header| {
        selected = select(header);
        selected.clone()
    })?;
    let header = reader.header().to_vec();
    selected.resize(header.len(), false);
    let mut profiler = Profiler::new(selected);
    let mut rows = 0u64;
    while let Some(batch) = reader.next_batch()? {
        rows += batch.rows() as u64;
        profiler.add(&batch, &file.path, &header, exid)?;
    }
    Ok(FileProfile { header, profiles: profiler.finish(), rows })
}

/// The profiles of the selected columns of a file, batch after batch (for a reader that also
/// does other work with each batch).
pub struct Profiler {
    selected: Vec<bool>,
    profiles: Vec<Option<Profile>>,
}

impl Profiler {
    /// Profiles the columns `selected` marks (one flag per column of the header).
    pub fn new(selected: Vec<bool>) -> Profiler {
        let profiles = selected.iter().map(|&s| if s { Some(Profile::default()) } else { None }).collect();
        Profiler { selected, profiles }
    }

    /// Adds every row of `batch` (read from `path`, with `header`), columns in parallel.
    pub fn add(&mut self, batch: &Batch, path: &Path, header: &[String], exid: &ExidShape) -> Result<(), RunError> {
        let partial: Vec<Result<Option<Profile>, RunError>> = self
            .selected
            .par_iter()
            .enumerate()
            .map(|(column, &wanted)| {
                if !wanted {
                    return Ok(None);
                }
                let mut profile = Profile::default();
                for row in 0..batch.rows() {
                    let cell =
                        batch.cell(column, row).map_err(|e| cell_error(path, batch.line(row), &header[column], e))?;
                    if let Some(value) = cell {
                        profile.add(&value, exid);
                    }
                }
                Ok(Some(profile))
            })
            .collect();
        for (total, part) in self.profiles.iter_mut().zip(partial) {
            if let (Some(total), Some(part)) = (total.as_mut(), part?) {
                total.merge(part);
            }
        }
        Ok(())
    }

    /// One profile per selected column, `None` for the others.
    pub fn finish(self) -> Vec<Option<Profile>> {
        self.profiles
    }
}

/// The EXID check the mappings declare and the shapes of their EXID columns' values (first rows
/// of each file that has one), so member numbers are recognised in other columns.
pub fn learn_exid(mappings: &Mappings, files: &[DataFile], batch_rows: usize) -> Result<ExidShape, RunError> {
    let mut shape = ExidShape::default();
    for table in &mappings.tables {
        for (_, rule) in &table.columns {
            if let ColumnRule::Identifier(spec) = rule {
                if let IdentifierKind::Exid { check, .. } = spec.kind {
                    shape.check.get_or_insert(check);
                }
            }
        }
    }
    if shape.check.is_none() {
        return Ok(shape);
    }
    for file in files {
        let [table] = mappings.matching(&file.relative)[..] else { continue };
        let is_exid = |name: &str| matches!(table.rule(name), Some(ColumnRule::Identifier(s)) if matches!(s.kind, IdentifierKind::Exid { .. }));
        if !table.columns.iter().any(|(name, _)| is_exid(name)) {
            continue;
        }
        let mut columns = Vec::new();
        let mut reader = TableReader::open(&file.path, file.format, &table.csv, batch_rows, Some(1000), |header| {
            columns = header.iter().enumerate().filter(|(_, h)| is_exid(h)).map(|(i, _)| i).collect();
            header.iter().map(|h| is_exid(h)).collect()
        })?;
        let header = reader.header().to_vec();
        while let Some(batch) = reader.next_batch()? {
            for &column in &columns {
                for row in 0..batch.rows() {
                    let cell = batch
                        .cell(column, row)
                        .map_err(|e| cell_error(&file.path, batch.line(row), &header[column], e))?;
                    if let Some(value) = cell {
                        shape.learn(&value);
                    }
                }
            }
        }
    }
    Ok(shape)
}
