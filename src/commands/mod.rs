//! One file per subcommand; each returns the process exit status.

pub mod case;
pub mod check;
pub mod completions;
pub mod keygen;
pub mod pipe;
pub mod rules;
pub mod run;
pub mod sample;
pub mod scan;
pub mod verify;

/// Exit status of a command: 0 success, 1 findings (check/verify), 2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    Failure = 1,
    Error = 2,
}

/// Runs the parsed command line.
///
/// A command with `--report F` that fails (exit 2) still writes F: the error, in the format
/// asked for (`error_report`). F is checked first (`guard_report`), so not even an error report
/// replaces an input, an output data file or the manifest.
pub fn dispatch(cli: crate::cli::Cli) -> anyhow::Result<ExitStatus> {
    use crate::cli::Command;
    let target = report_target(&cli);
    if let Some((_, _, report)) = &target {
        match &cli.command {
            Command::Run(args) => guard_report(report, Some(&args.job.input), Some(&args.job.output))?,
            Command::Check(args) => guard_report(report, Some(&args.input), None)?,
            Command::Verify(args) => {
                guard_report(report, args.input.as_deref(), args.output.as_deref())?;
                guard_report(report, None, args.manifest.as_deref().and_then(std::path::Path::parent))?;
            }
            _ => {}
        }
    }
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Check(args) => check::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Case(args) => case::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Pipe(args) => pipe::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Completions(args) => completions::run(args),
    };
    if let (Err(e), Some((command, format, path))) = (&result, &target) {
        error_report(command, *format, e, path);
    }
    result
}

/// Loads the key (`--key-file` or the environment), warning on standard error when the key file
/// is readable by other users.
pub(crate) fn load_key(key_file: Option<&std::path::Path>) -> anyhow::Result<crate::crypto::Key> {
    if let Some(warning) = key_file.and_then(crate::crypto::shared_key_file_warning) {
        eprintln!("warning: {warning}");
    }
    Ok(crate::crypto::Key::load(key_file)?)
}

/// Writes a report to `path`, or to standard output.
pub(crate) fn emit(text: &str, path: Option<&std::path::Path>) -> anyhow::Result<()> {
    use std::io::Write;
    match path {
        Some(path) => crate::io::write_atomic(path, text.as_bytes())
            .map_err(|e| anyhow::anyhow!("cannot write report {}: {e}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// When a command with `--report F` fails (exit 2), F still gets a report: the error, in the
/// requested format (JSON: an `error` object; JUnit: one test case with an `error` element;
/// text: the message), so a CI job always has something to publish. The message names places,
/// never data values, like every error of pseudata.
pub fn error_report(command: &str, format: crate::report::ReportFormat, error: &anyhow::Error, path: &std::path::Path) {
    use crate::report::ReportFormat;
    let message = error.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": caused by: ");
    // The process's own exit code: 128 + n for a run stopped by signal n, else 2.
    let exit_code = match error.downcast_ref::<crate::engine::RunError>() {
        Some(crate::engine::RunError::Interrupted(signal) | crate::engine::RunError::StreamInterrupted(signal)) => {
            128 + (*signal).clamp(0, 127) as u8
        }
        _ => ExitStatus::Error as u8,
    };
    let text = match format {
        ReportFormat::Json => {
            let value = serde_json::json!({
                "command": command,
                "clean": false,
                "error": { "message": message, "exit_code": exit_code },
            });
            serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
        }
        ReportFormat::Junit => {
            let escaped = crate::report::xml_escape(&message);
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pseudata {command}\" tests=\"1\" failures=\"0\" errors=\"1\">\n  <testsuite name=\"pseudata {command}\" tests=\"1\" failures=\"0\" errors=\"1\">\n    <testcase classname=\"pseudata\" name=\"{command}\">\n      <error message=\"{escaped}\" type=\"error\">{escaped}</error>\n    </testcase>\n  </testsuite>\n</testsuites>\n"
            )
        }
        ReportFormat::Text => format!("{command}: error: {message}\n"),
        ReportFormat::Html => {
            let escaped = crate::report::html::esc(&message);
            format!(
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>pseudata {command}: error</title>\n</head>\n<body>\n<h1>pseudata {command}: error (exit code {exit_code})</h1>\n<p id=\"verdict\">{escaped}</p>\n</body>\n</html>\n"
            )
        }
    };
    if let Err(e) = crate::io::write_atomic(path, text.as_bytes()) {
        eprintln!("warning: cannot write report {}: {e}", path.display());
    }
}

/// When clap refuses the command line of a command with `--report F` (`--sample 0`, an unknown
/// option), writes the refusal to `F` in the `--format` asked for, read from the raw arguments.
pub fn report_refused_arguments(args: Vec<String>, kind: &str) {
    use crate::report::ReportFormat;
    // A value that starts with `-` is the next option, not a value (`--report --format junit`).
    let value_of = |name: &str| {
        let with_equals = format!("{name}=");
        args.iter().enumerate().find_map(|(i, a)| {
            if a == name {
                args.get(i + 1).filter(|v| !v.starts_with('-')).cloned()
            } else {
                a.strip_prefix(&with_equals).map(str::to_string)
            }
        })
    };
    // A refused `pipe` still ends its (empty) stream so that the consumer's load fails.
    if args.iter().skip(1).find(|a| !a.starts_with('-')).map(String::as_str) == Some("pipe") {
        let arrow = value_of("--format").is_some_and(|f| f.eq_ignore_ascii_case("arrow"));
        pipe::write_failure_lines(arrow);
    }
    let Some(path) = value_of("--report").filter(|p| !p.is_empty()) else { return };
    let Some(command) = args.iter().skip(1).find(|a| matches!(a.as_str(), "run" | "check" | "verify")) else {
        return;
    };
    let format = match value_of("--format").map(|f| f.to_ascii_lowercase()).as_deref() {
        Some("json") => ReportFormat::Json,
        Some("junit") => ReportFormat::Junit,
        Some("html") => ReportFormat::Html,
        _ if command == "run" => ReportFormat::Json,
        _ => ReportFormat::Text,
    };
    let error = anyhow::anyhow!("the command line was refused ({kind}): see `pseudata {command} --help`");
    error_report(command, format, &error, std::path::Path::new(&path));
}

/// Where a command with `--report F` writes its report, and in which format: (command, format, F).
pub fn report_target(cli: &crate::cli::Cli) -> Option<(&'static str, crate::report::ReportFormat, std::path::PathBuf)> {
    use crate::cli::Command;
    match &cli.command {
        Command::Run(args) => Some(("run", crate::report::ReportFormat::Json, args.report.clone()?)),
        Command::Check(args) => Some(("check", args.format, args.report.clone()?)),
        Command::Verify(args) => Some(("verify", args.format, args.report.clone()?)),
        _ => None,
    }
}

/// Refuses a `--report` path that would replace what the command reads or vouches for: a file
/// under the input (or the input file itself), a data file of the output, or its manifest.
/// Checked before anything runs, so not even an error report is written there.
fn guard_report(
    report: &std::path::Path,
    input: Option<&std::path::Path>,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    // The report's real place: its directory resolved (it may not exist yet), then its name.
    let absolute = std::path::absolute(report)?;
    let place = match (absolute.parent().and_then(|p| std::fs::canonicalize(p).ok()), absolute.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => absolute.clone(),
    };
    let real = |path: &std::path::Path| std::fs::canonicalize(path).ok();
    if let Some(input) = input.and_then(real) {
        if place.starts_with(&input) {
            anyhow::bail!(
                "--report {} is {} the input: inputs are never modified; write the report elsewhere",
                report.display(),
                if place == input { "the file of" } else { "inside" }
            );
        }
    }
    if let Some(output) = output.and_then(real) {
        let vouched = place == output.join(crate::engine::MANIFEST_NAME)
            || (place.starts_with(&output) && crate::io::Format::of(&place).is_some());
        if vouched {
            anyhow::bail!(
                "--report {} would replace the output's manifest or one of its data files: write the report elsewhere",
                report.display()
            );
        }
    }
    Ok(())
}
