//! Command-line arguments (clap derive); the `///` comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::io::Format;
use crate::report::ReportFormat;

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
    #[command(after_help = "Examples:
  pseudata run -m mappings -i extract/ -o test-data/ --key-file secret.key
  PSEUDATA_KEY=$(cat secret.key) pseudata run -m mappings -i extract/claims.csv -o out/ --to parquet
  pseudata run -m mappings -i extract/ -o training/ --subset 5 --report run.json")]
    Run(RunArgs),
    /// Detect identifiers and health fields per column; propose mapping drafts.
    #[command(after_help = "Examples:
  pseudata scan -i extract/
  pseudata scan -i extract/ -m mappings --write-drafts drafts/   # one draft per unmapped table")]
    Scan(ScanArgs),
    /// CI gate before a run: unmapped files and columns, identifiers in kept columns (exit 1 on findings).
    #[command(after_help = "Examples:
  pseudata check -m mappings -i extract/
  pseudata check -m mappings -i extract/ --full --format junit --report check.xml")]
    Check(CheckArgs),
    /// After a run: no original identifier survives, pseudonyms valid, row counts and joins kept (exit 1 on findings).
    #[command(after_help = "Examples:
  pseudata verify -m mappings -i extract/ -o test-data/ --key-file secret.key
  pseudata verify -m mappings -i extract/ -o test-data/ --format junit --report verify.xml
  pseudata verify --manifest test-data/pseudata-manifest.json --key-file secret.key")]
    Verify(VerifyArgs),
    /// Trainers' case files: every row of the chosen members across all tables, pseudonymised,
    /// and one readable case sheet per member (HTML and Markdown).
    #[command(after_help = "Examples:
  pseudata case -m mappings -i extract/ -o case-files/ --subjects-file members.txt --key-file secret.key
  pseudata case -m mappings -i extract/ -o case-files/ --sample-subjects 3 --key-file secret.key --lang nl")]
    Case(CaseArgs),
    /// Write a new random 256-bit key (64 hex characters).
    #[command(after_help = "Examples:
  pseudata keygen -o secret.key      # owner-only permissions, never overwrites")]
    Keygen(KeygenArgs),
    /// Write a synthetic, realistic extract (members and claims) for demos, tests and benchmarks.
    #[command(after_help = "Examples:
  pseudata sample -o demo-extract/ --members 10000
  pseudata sample -o demo-extract/ --windows          # `;`, Windows-1252, CRLF, as Excel writes it")]
    Sample(SampleArgs),
    /// List every mapping rule with its options and an example.
    #[command(after_help = "Examples:
  pseudata rules
  pseudata rules date")]
    Rules(RulesArgs),
    /// One table from standard input to standard output, pseudonymised as `run` would: CSV, the
    /// road from one database to another (`COPY ... TO STDOUT | pseudata pipe | COPY ... FROM
    /// STDIN`), or an Arrow IPC stream (`--format arrow`: Spark's `mapInArrow`, pyarrow).
    #[command(after_help = "Examples:
  psql prod -c '\\copy claims to stdout csv header' | pseudata pipe -m mappings --table claims --key-file secret.key | psql test -c '\\copy claims from stdin csv header'
  pseudata pipe -m mappings --table members --separator ';' --encoding windows-1252 --crlf < members.csv > out.csv
  pseudata pipe -m mappings --table claims --format arrow --key-file secret.key < claims.arrows > out.arrows

Without a `csv:` block in the mapping or flags, the dialect is PostgreSQL's `COPY ... CSV HEADER`:
UTF-8, `,`, LF, a header line. On an error, pseudata writes a last line with an unterminated
quote, so the consumer's COPY fails (and its transaction loads nothing), and exits 2 (128 + n
when stopped by signal n). An Arrow stream keeps the types `run` keeps in Parquet; on an error
it ends with bytes no Arrow reader accepts.")]
    Pipe(PipeArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) or the man page.
    #[command(after_help = "Examples:
  pseudata completions bash > ~/.local/share/bash-completion/completions/pseudata
  pseudata completions man > pseudata.1 && man ./pseudata.1")]
    Completions(CompletionsArgs),
}

/// What `run` and `case` read and write.
#[derive(Debug, Args)]
pub struct Job {
    /// Directory of mapping files (one YAML file per table).
    #[arg(short, long)]
    pub mappings: PathBuf,
    /// Input: a directory of CSV and Parquet files (read recursively), or one such file; never modified.
    #[arg(short, long)]
    pub input: PathBuf,
    /// Output directory: must not be the input directory or inside it.
    #[arg(short, long)]
    pub output: PathBuf,
    /// File holding the key (64 hex characters); otherwise the PSEUDATA_KEY environment variable.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Output format (default: the input's own format).
    #[arg(long, value_enum)]
    pub to: Option<Format>,
    /// Write into a non-empty output directory (files of the same name are replaced).
    #[arg(long)]
    pub force: bool,
    /// No progress bars.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub job: Job,
    /// Worker threads (default: one per core); the output is the same whatever the number.
    #[arg(short = 'j', long, value_name = "N", value_parser = at_least_one)]
    pub threads: Option<usize>,
    /// Keep only about PCT % of subjects (keyed choice, the same subjects in every table).
    #[arg(long, value_name = "PCT")]
    pub subset: Option<f64>,
    /// Also write the run's summary (files, rows, and per column invalid values, emptied cells)
    /// as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Rows per batch (memory grows with it, not with file size).
    #[arg(long, default_value_t = crate::engine::DEFAULT_BATCH_ROWS, hide = true)]
    pub batch_rows: usize,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Input: a directory of CSV and Parquet files (read recursively), or one such file.
    #[arg(short, long)]
    pub input: PathBuf,
    /// Mappings to compare with; drafts are written only for tables no mapping matches.
    #[arg(short, long)]
    pub mappings: Option<PathBuf>,
    /// Write one draft mapping per unmapped table into this directory (existing files are never overwritten).
    #[arg(long, value_name = "DIR")]
    pub write_drafts: Option<PathBuf>,
    /// Rows read per file.
    #[arg(long, value_name = "N", default_value_t = crate::inspect::DEFAULT_SAMPLE_ROWS, value_parser = at_least_one_u64)]
    pub sample: u64,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
}

/// Formats of the `scan` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directory of mapping files (one YAML file per table).
    #[arg(short, long)]
    pub mappings: PathBuf,
    /// Input: a directory of CSV and Parquet files (read recursively), or one such file; never modified.
    #[arg(short, long)]
    pub input: PathBuf,
    /// Report format: a readable table, JSON, or JUnit XML (one test case per table column).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output (also when the command fails:
    /// the error is then the report).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Read every row (default: the first --sample rows of each file).
    #[arg(long)]
    pub full: bool,
    /// Rows read per file without --full.
    #[arg(long, value_name = "N", default_value_t = crate::inspect::DEFAULT_SAMPLE_ROWS, value_parser = at_least_one_u64)]
    pub sample: u64,
    /// Percentage (0-100] of a kept column's non-empty values that must be identifiers to fail.
    #[arg(long, value_name = "PCT", default_value_t = crate::inspect::check::DEFAULT_THRESHOLD * 100.0, conflicts_with = "threshold_share")]
    pub threshold: f64,
    /// The same as a share (0-1]: the unit of `--threshold` before version 0.2, kept for one release.
    #[arg(long, value_name = "SHARE", hide = true)]
    pub threshold_share: Option<f64>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Directory of mapping files used by the run.
    #[arg(short, long, required_unless_present = "manifest")]
    pub mappings: Option<PathBuf>,
    /// The run's input (directory or single file).
    #[arg(short, long, required_unless_present = "manifest")]
    pub input: Option<PathBuf>,
    /// The run's output directory.
    #[arg(short, long, required_unless_present = "manifest")]
    pub output: Option<PathBuf>,
    /// Only check the signature of this run manifest (needs the run's key).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["mappings", "input", "output"])]
    pub manifest: Option<PathBuf>,
    /// The run's key (otherwise the PSEUDATA_KEY environment variable): needed for --manifest and
    /// for output written with --subset; when given, the manifest's key fingerprint is compared
    /// and the results are recorded, signed, in the output's manifest.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Report format: a readable table, JSON, or JUnit XML (one test case per table column).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output (also when the command fails:
    /// the error is then the report).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Percentage (0-100] of a kept column's output values that must validate as identifiers for
    /// an error (fewer give a warning), as `check --threshold`.
    #[arg(long, value_name = "PCT", default_value_t = crate::inspect::check::DEFAULT_THRESHOLD * 100.0)]
    pub threshold: f64,
    /// Warn when a combination of quasi-identifiers is shared by fewer rows than this.
    #[arg(long = "min-k", alias = "k", value_name = "K", default_value_t = crate::inspect::verify::DEFAULT_K, value_parser = at_least_one_u64)]
    pub k: u64,
    /// The output keeps the subjects `--subset PCT` keeps, but has no manifest to say so (written
    /// by `pipe` or the Spark integration); needs the key.
    #[arg(long, value_name = "PCT", conflicts_with = "manifest")]
    pub subset: Option<f64>,
    /// Rows per batch (tests: what verify works out once must hold across many batches).
    #[arg(long, hide = true, default_value_t = crate::engine::DEFAULT_BATCH_ROWS, value_parser = at_least_one)]
    pub batch_rows: usize,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["subject", "subjects_file", "sample_subjects"])))]
pub struct CaseArgs {
    #[command(flatten)]
    pub job: Job,
    /// Subject identifiers (any spelling) whose rows to keep. They are visible in the process
    /// list and the shell history: prefer --subjects-file for real identifiers.
    #[arg(long, value_name = "ID", num_args = 1..)]
    pub subject: Vec<String>,
    /// File with one subject identifier per line.
    #[arg(long, value_name = "FILE")]
    pub subjects_file: Option<PathBuf>,
    /// Choose N subjects among those in the input (a keyed choice: the same for the same key and data).
    #[arg(long, value_name = "N", value_parser = at_least_one)]
    pub sample_subjects: Option<usize>,
    /// Language of the case sheets' labels (default: each member's language column, else English).
    #[arg(long, value_enum, value_name = "LANG")]
    pub lang: Option<crate::sheet::SheetLang>,
}

#[derive(Debug, Args)]
pub struct PipeArgs {
    /// Directory of mapping files (one YAML file per table).
    #[arg(short, long)]
    pub mappings: PathBuf,
    /// The table whose rows come on standard input (its mapping's `table:` name).
    #[arg(long, value_name = "NAME")]
    pub table: String,
    /// `csv`, or `arrow`: an Arrow IPC stream of record batches in and out (Spark's
    /// `mapInArrow`, pyarrow), with the types `run` keeps in Parquet.
    #[arg(long, value_enum, default_value_t = StreamFormat::Csv)]
    pub format: StreamFormat,
    /// File holding the key (64 hex characters); otherwise the PSEUDATA_KEY environment variable.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Keep about PCT % of subjects, the same ones `run --subset PCT` keeps under the same key.
    #[arg(long, value_name = "PCT")]
    pub subset: Option<f64>,
    /// Field separator, one character or `tab` (default: the mapping's, else `,`).
    #[arg(long, value_name = "CHAR")]
    pub separator: Option<String>,
    /// `utf-8` or `windows-1252` (default: the mapping's, else UTF-8).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,
    /// Lines end with CR LF (default: LF).
    #[arg(long)]
    pub crlf: bool,
    /// The first line is data, not column names (default: the mapping's `header`, else a header).
    #[arg(long)]
    pub no_header: bool,
    /// Which fields are quoted on output (default: only where needed).
    #[arg(long, value_enum)]
    pub quoting: Option<crate::io::csv::Quoting>,
    /// No summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
    /// Rows per batch (tests: a failure half-way through a stream).
    #[arg(long, hide = true, default_value_t = crate::engine::DEFAULT_BATCH_ROWS, value_parser = at_least_one)]
    pub batch_rows: usize,
}

/// What `pipe` reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StreamFormat {
    Csv,
    Arrow,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the key to this file (created with owner-only permissions, never overwritten)
    /// instead of standard output.
    #[arg(short, long, alias = "out", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Directory to write `members` and `claims` into (created if missing; must be empty unless --force).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Number of members (each has 0 to 16 claims, 8 on average).
    #[arg(long, default_value_t = 1000, value_parser = at_least_one_u64)]
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
    /// Write into a non-empty directory (files of the same name are replaced).
    #[arg(long)]
    pub force: bool,
}

/// A count of at least 1, as `u64` (`--sample 0` is refused, not taken as 1).
fn at_least_one_u64(text: &str) -> Result<u64, String> {
    at_least_one(text).map(|n| n as u64)
}

/// A count of at least 1 (`--threads 0` is refused, not taken as "default").
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Show only this rule.
    pub rule: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// A shell (bash, zsh, fish, elvish, powershell), or `man` for the man page (roff).
    pub shell: String,
}
