//! The `pseudata` binary: parse arguments, run one command, render the error, set the exit code.

use std::process::ExitCode;

use clap::Parser;
use pseudata::cli::Cli;
use pseudata::commands::{dispatch, ExitStatus};
use pseudata::engine::RunError;

fn main() -> ExitCode {
    // A panic's message may quote a value from the data (a sliced string, a failed parse): say
    // where it happened, never what it held (DESIGN guarantee 6).
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!("error: internal error in pseudata{at} (a bug: please report it; the data is not shown)");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { ExitStatus::Error } else { ExitStatus::Success };
            if e.use_stderr() {
                // A refused command line still leaves the report a CI job publishes.
                pseudata::commands::report_refused_arguments(
                    std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect(),
                    &e.kind().to_string(),
                );
            }
            let _ = e.print();
            return ExitCode::from(code as u8);
        }
    };
    // A panic unwinds to here (dropping the run's staging directory on the way) and exits 2 like
    // any other error; readers report their threads' panics as errors, never as an end of file.
    let report = pseudata::commands::report_target(&cli);
    let Ok(result) = std::panic::catch_unwind(|| dispatch(cli)) else {
        if let Some((command, format, path)) = report {
            let error = anyhow::anyhow!("internal error in pseudata (a bug: please report it; the data is not shown)");
            pseudata::commands::error_report(command, format, &error, &path);
        }
        return ExitCode::from(ExitStatus::Error as u8);
    };
    match result {
        Ok(status) => ExitCode::from(status as u8),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            if let Some(RunError::Interrupted(signal) | RunError::StreamInterrupted(signal)) =
                e.downcast_ref::<RunError>()
            {
                // The shell's convention for a process ended by a signal: 128 + its number.
                eprintln!("error: {e}");
                return ExitCode::from((128 + signal.clamp(&0, &127)) as u8);
            }
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(ExitStatus::Error as u8)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

// mimalloc: batches are allocated on worker threads and freed on the writer thread, a pattern
// where the system allocator spends more time in locks than the rules spend hashing. Built
// with `no_thp`: transparent huge pages made every fresh 2 MiB of a batch a page fault that
// zeroes the whole page (8-17 % of a run in `clear_page`); without them a run is 5 % faster.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
