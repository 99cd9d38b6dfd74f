//! `pseudata pipe`: one table from standard input to standard output, pseudonymised as `run`
//! would write its file; for database refreshes (`COPY ... TO STDOUT | pseudata pipe | COPY ...
//! FROM STDIN`).

use std::io::Write;

use super::ExitStatus;
use crate::cli::{PipeArgs, StreamFormat};
use crate::engine::{PipeFormat, Subset};
use crate::io::csv::CsvFormat;
use crate::mapping::Encoding;

/// The lines written after the last whole record when the pipe fails: an empty line, then an
/// opening quote never closed. PostgreSQL's `COPY ... FROM STDIN (FORMAT csv, HEADER)` refuses
/// the stream: after records, the empty line lacks the table's columns, and the quote opens a
/// field that runs to the end ("unterminated CSV quoted field"); when nothing was written yet,
/// the empty line is taken for the header and the quote fails the load (a quote alone would
/// have been swallowed as the header, an empty table loaded). A load in one transaction then
/// loads nothing. Not `\.`, which ends a COPY successfully. Strict CSV readers refuse it too;
/// lenient ones (Python's `csv` by default) may not.
pub const FAILURE_LINES: &str = "\n\"pseudata failed: this stream is incomplete, see pseudata's standard error\n";

/// Writes the failure lines (CSV) or bytes (an Arrow stream, `arrow`) to standard output.
pub fn write_failure_lines(arrow: bool) {
    let mut out = std::io::stdout().lock();
    let bytes = if arrow { crate::io::arrow::FAILURE_BYTES } else { FAILURE_LINES.as_bytes() };
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

pub fn run(args: PipeArgs) -> anyhow::Result<ExitStatus> {
    let fail = || write_failure_lines(args.format == StreamFormat::Arrow);
    // A panic too ends the stream with the failure lines, then goes on to the internal-error exit.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| pipe(&args))) {
        Ok(Ok(status)) => Ok(status),
        Ok(Err(e)) => {
            fail();
            // A consumer that stops reading is a failed pipe (exit 2), not the quiet end of a
            // report piped into `head`.
            let closed = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if closed {
                anyhow::bail!("standard output was closed before the end of the stream: the consumer stopped reading");
            }
            Err(e)
        }
        Err(panic) => {
            fail();
            std::panic::resume_unwind(panic)
        }
    }
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
    if args.format == StreamFormat::Arrow {
        let csv_options = [
            ("--separator", args.separator.is_some()),
            ("--encoding", args.encoding.is_some()),
            ("--crlf", args.crlf),
            ("--no-header", args.no_header),
            ("--quoting", args.quoting.is_some()),
        ];
        if let Some((option, _)) = csv_options.iter().find(|(_, given)| *given) {
            anyhow::bail!("{option} is a CSV option: an Arrow stream carries its own schema and types");
        }
    }
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
        quoting: args.quoting.unwrap_or(crate::io::csv::Quoting::Necessary),
        final_newline: true,
        header: table.csv.header && !args.no_header,
    };
    let key = super::load_key(args.key_file.as_deref())?;
    let subset = args.subset.map(|p| Subset::new(&key, p)).transpose()?;
    // SIGINT, SIGTERM and SIGHUP stop the stream between batches with the failure lines (exit
    // 128 + n); a second signal ends the process at once.
    let cancel = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let signalled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        let _ = signal_hook::flag::register_conditional_default(signal, std::sync::Arc::clone(&signalled));
        let _ = signal_hook::flag::register(signal, std::sync::Arc::clone(&signalled));
        let _ = signal_hook::flag::register_usize(signal, std::sync::Arc::clone(&cancel), signal as usize);
    }
    let output = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
    let job = crate::engine::PipeJob {
        table,
        key: &key,
        subset: subset.as_ref(),
        format: match args.format {
            StreamFormat::Csv => PipeFormat::Csv(format),
            StreamFormat::Arrow => PipeFormat::Arrow,
        },
        batch_rows: args.batch_rows,
        cancel: Some(&cancel),
    };
    let (rows_in, rows_out) =
        crate::engine::pipe(job, Box::new(std::io::stdin()), Box::new(output)).map_err(|e| match e {
            crate::engine::RunError::Interrupted(signal) => crate::engine::RunError::StreamInterrupted(signal),
            other => other,
        })?;
    if !args.quiet {
        eprintln!(
            "pseudonymised table {}: {rows_out} of {rows_in} rows from standard input (key fingerprint {})",
            table.name,
            key.fingerprint()
        );
    }
    Ok(ExitStatus::Success)
}
