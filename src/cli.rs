//! Command-line arguments (clap derive); the `///` comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::io::Format;

/// Consistent, keyed pseudonymisation of Belgian health-mutuality extracts (CSV, Parquet).
#[derive(Debug, Parser)]
#[command(name = "pseudata", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Pseudonymise every input file that a mapping matches into the output directory.
    Run(RunArgs),
    /// Write a new random 256-bit key (64 hex characters).
    Keygen(KeygenArgs),
    /// Write a synthetic, realistic extract (members and claims) for demos, tests and benchmarks.
    Sample(SampleArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Directory of mapping files (one YAML file per table).
    #[arg(long)]
    pub mappings: PathBuf,
    /// Directory of input files (CSV, Parquet), read recursively and never modified.
    #[arg(long)]
    pub input: PathBuf,
    /// Output directory: must not be the input directory or inside it.
    #[arg(long)]
    pub output: PathBuf,
    /// File holding the key (64 hex characters); otherwise the PSEUDATA_KEY environment variable.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Output format (default: the input's own format).
    #[arg(long, value_enum)]
    pub to: Option<Format>,
    /// Worker threads (default: one per core); the output is the same whatever the number.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Keep only about PCT % of subjects (keyed choice, the same subjects in every table).
    #[arg(long, value_name = "PCT")]
    pub subset: Option<f64>,
    /// Write into a non-empty output directory (files of the same name are replaced).
    #[arg(long)]
    pub force: bool,
    /// No progress bars.
    #[arg(long)]
    pub quiet: bool,
    /// Rows per batch (memory grows with it, not with file size).
    #[arg(long, default_value_t = crate::engine::DEFAULT_BATCH_ROWS, hide = true)]
    pub batch_rows: usize,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the key to this file (created with owner-only permissions) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Directory to write `members` and `claims` into (created if missing).
    #[arg(long)]
    pub output: PathBuf,
    /// Number of members (each has 0 to 16 claims, 8 on average).
    #[arg(long, default_value_t = 1000)]
    pub members: u64,
    /// Seed: the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// File format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub to: Format,
    /// CSV as Excel writes it on a Belgian Windows PC: `;`, Windows-1252, CRLF, decimal comma.
    #[arg(long)]
    pub windows: bool,
}
