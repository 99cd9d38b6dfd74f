//! `pseudata run`: pseudonymise an extract, with progress bars on a terminal.

use std::io::IsTerminal;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use super::ExitStatus;
use crate::cli::{Job, RunArgs};
use crate::crypto::Key;
use crate::engine::{self, Case, FileProgress, NoProgress, Progress, RunOptions, MANIFEST_NAME};
use crate::manifest::Manifest;

struct Bars {
    multi: MultiProgress,
}

struct Bar(ProgressBar);

impl FileProgress for Bar {
    fn set(&self, position: u64) {
        self.0.set_position(position);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.0.finish();
    }
}

impl Progress for Bars {
    fn start(&self, name: &str, total: u64) -> Box<dyn FileProgress + '_> {
        // Added to the multi-bar before anything is set, so it never draws on its own.
        let bar = if total > 0 {
            let bar = self.multi.add(ProgressBar::new(total));
            bar.set_style(
                ProgressStyle::with_template("{msg:30} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        } else {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{msg:30} {spinner} {pos} rows")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        };
        bar.set_message(name.to_string());
        Box::new(Bar(bar))
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitStatus> {
    let quiet = args.job.quiet;
    let (options, key) = options(args.job, args.threads, args.subset, None, args.batch_rows)?;
    execute(options, &key, quiet, "pseudonymised")?;
    Ok(ExitStatus::Success)
}

/// The engine's options and the key for a `run` or `case` job.
pub(crate) fn options(
    job: Job,
    threads: Option<usize>,
    subset: Option<f64>,
    case: Option<Case>,
    batch_rows: usize,
) -> anyhow::Result<(RunOptions, Key)> {
    let key = super::load_key(job.key_file.as_deref())?;
    let options = RunOptions {
        mappings: job.mappings,
        input: job.input,
        output: job.output,
        to: job.to,
        threads,
        subset,
        case,
        force: job.force,
        batch_rows,
        cancel: None,
    };
    Ok((options, key))
}

/// Runs the engine with progress bars on a terminal and Ctrl-C handling; prints a summary
/// (file names, row counts, key fingerprint: never a value) unless `quiet`.
pub(crate) fn execute(mut options: RunOptions, key: &Key, quiet: bool, verb: &str) -> anyhow::Result<Manifest> {
    // SIGINT (Ctrl-C), SIGTERM (a CI cancel, `docker stop`) and SIGHUP (a closed terminal) stop
    // the run between batches; the staging directory is then removed, so an interrupted run
    // leaves nothing behind, and the exit code is 128 + the signal's number. A second signal
    // while the first is being handled ends the process at once (still with no final name
    // written: only the hidden staging directory may remain). A signal once the output is being
    // moved into place does not stop the run: the output is complete.
    let cancel = Arc::new(AtomicUsize::new(0));
    // One flag for the three: a second signal of any kind takes the default action.
    let signalled = Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM, SIGHUP] {
        let _ = signal_hook::flag::register_conditional_default(signal, Arc::clone(&signalled));
        let _ = signal_hook::flag::register(signal, Arc::clone(&signalled));
        let _ = signal_hook::flag::register_usize(signal, Arc::clone(&cancel), signal as usize);
    }
    options.cancel = Some(cancel);
    let show = !quiet && std::io::stderr().is_terminal();
    let manifest = if show {
        let bars = Bars { multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()) };
        engine::run(&options, key, &bars)?
    } else {
        engine::run(&options, key, &NoProgress)?
    };
    if !quiet {
        let rows: u64 = manifest.files.iter().map(|f| f.rows_out).sum();
        eprintln!(
            "{verb} {} file(s), {} rows, in {:.2} s (key fingerprint {})",
            manifest.files.len(),
            rows,
            manifest.seconds,
            manifest.key_fingerprint
        );
        for file in &manifest.files {
            eprintln!("  {} -> {} ({} rows)", file.input, options.output.join(&file.output).display(), file.rows_out);
        }
        eprintln!("manifest: {}", options.output.join(MANIFEST_NAME).display());
    }
    Ok(manifest)
}
