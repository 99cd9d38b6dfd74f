//! One file per subcommand; each returns the process exit status.

pub mod keygen;
pub mod run;
pub mod sample;

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
        Command::Keygen(args) => keygen::run(args),
        Command::Sample(args) => sample::run(args),
    }
}
