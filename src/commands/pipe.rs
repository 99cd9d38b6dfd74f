//! `pseudata pipe`: one table from standard input to standard output, pseudonymised as `run`
//! would write its file; for database refreshes (`COPY ... TO STDOUT | pseudata pipe | COPY ...
//! FROM STDIN`).

use std::io::Write;

use super::ExitStatus;
use crate::cli::PipeArgs;
use crate::engine::Subset;
use crate::io::csv::CsvFormat;
use crate::mapping::Encoding;

/// The line written after the last whole record when the pipe fails: an opening quote never
/// closed. A CSV consumer reads it as the start of a quoted field that runs to the end of the
/// stream, which PostgreSQL's `COPY ... FROM STDIN (FORMAT csv)` refuses ("unterminated CSV quoted
/// field"), as do other CSV readers: a load in one transaction then loads nothing. A plain
/// malformed line would not do: `\.` ends a COPY successfully, and an empty line is a row of
/// nulls in a one-column table.
pub const FAILURE_LINE: &str = "\"pseudata failed: this stream is incomplete, see pseudata's standard error\n";

pub fn run(args: PipeArgs) -> anyhow::Result<ExitStatus> {
    let result = pipe(&args);
    if result.is_err() {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(FAILURE_LINE.as_bytes());
        let _ = out.flush();
    }
    result
}

fn pipe(args: &PipeArgs) -> anyhow::Result<ExitStatus> {
    let mappings = crate::mapping::load_dir(&args.mappings)?;
    let Some(table) = mappings.tables.iter().find(|t| t.name == args.table) else {
        let names: Vec<&str> = mappings.tables.iter().map(|t| t.name.as_str()).collect();
        anyhow::bail!(
            "no mapping in {} has `table: {}`; tables: {}",
            args.mappings.display(),
            args.table,
            names.join(", ")
        );
    };
    let separator = match args.separator.as_deref() {
        None => table.csv.separator.unwrap_or(b','),
        Some("tab" | "\\t") => b'\t',
        Some(s) if s.len() == 1 && !matches!(s, "\"" | "\n" | "\r") => s.as_bytes()[0],
        Some(s) => anyhow::bail!("--separator must be one ASCII character or `tab`, not `{s}`"),
    };
    let encoding = match args.encoding.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => table.csv.encoding.unwrap_or(Encoding::Utf8),
        Some("utf-8" | "utf8") => Encoding::Utf8,
        Some("windows-1252" | "cp1252") => Encoding::Windows1252,
        Some(e) => anyhow::bail!("--encoding must be utf-8 or windows-1252, not `{e}`"),
    };
    let format = CsvFormat {
        separator,
        encoding,
        bom: false,
        crlf: args.crlf,
        quoting: args.quoting,
        final_newline: true,
        header: table.csv.header && !args.no_header,
    };
    let key = super::load_key(args.key_file.as_deref())?;
    let subset = args.subset.map(|p| Subset::new(&key, p)).transpose()?;
    let output = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    let (rows_in, rows_out) = crate::engine::pipe(
        table,
        &key,
        subset.as_ref(),
        format,
        Box::new(std::io::stdin()),
        Box::new(output),
        args.batch_rows,
    )?;
    if !args.quiet {
        eprintln!(
            "pseudonymised table {}: {rows_out} of {rows_in} rows from standard input (key fingerprint {})",
            table.name,
            key.fingerprint()
        );
    }
    Ok(ExitStatus::Success)
}
