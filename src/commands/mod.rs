//! One file per subcommand; each returns the process exit status.

pub mod case;
pub mod check;
pub mod completions;
pub mod keygen;
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
pub fn dispatch(cli: crate::cli::Cli) -> anyhow::Result<ExitStatus> {
    use crate::cli::Command;
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Check(args) => check::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Case(args) => case::run(args),
        Command::Keygen(args) => keygen::run(args),
        Command::Sample(args) => sample::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Completions(args) => completions::run(args),
    }
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
