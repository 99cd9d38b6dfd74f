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
use crate::inspect::verify::leaks::Groups;
use crate::inspect::verify::DEFAULT_K;
use crate::manifest::Manifest;

/// Progress on a terminal: one overall bar (files done, bytes read of all files, eta) and one
/// bar per file being read. Bars tick on their own, so a file smaller than one batch still shows
/// it is being worked on; an interrupted or failed file's bar is left as it stood, never drawn
/// at 100 %.
struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    files: std::sync::atomic::AtomicUsize,
    files_done: std::sync::atomic::AtomicUsize,
}

impl Bars {
    fn new(multi: MultiProgress) -> Bars {
        // Added to the multi-bar once the run's size is known (`plan`): an empty bar draws full.
        let overall = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        overall.set_style(
            ProgressStyle::with_template(
                "{prefix:30} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        overall.set_prefix("all files");
        Bars { multi, overall, files: Default::default(), files_done: Default::default() }
    }
}

struct Bar<'b> {
    bar: ProgressBar,
    bars: &'b Bars,
    /// Bytes of this file already added to the overall bar, and the file's size.
    counted: std::sync::atomic::AtomicU64,
    bytes: u64,
    /// Whether `set` positions are bytes (CSV) rather than rows (Parquet).
    positions_are_bytes: bool,
    finished: std::sync::atomic::AtomicBool,
}

impl Bar<'_> {
    /// Brings the overall bar to `done` bytes of this file.
    fn count(&self, done: u64) {
        let done = done.min(self.bytes);
        let before = self.counted.fetch_max(done, std::sync::atomic::Ordering::Relaxed);
        if done > before {
            self.bars.overall.inc(done - before);
        }
    }
}

impl FileProgress for Bar<'_> {
    fn set(&self, position: u64) {
        self.bar.set_position(position);
        if self.positions_are_bytes {
            self.count(position);
        }
    }

    fn finish(&self) {
        self.count(self.bytes);
        let done = self.bars.files_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let files = self.bars.files.load(std::sync::atomic::Ordering::Relaxed);
        self.bars.overall.set_message(format!("{done} of {files} file(s) done"));
        self.finished.store(true, std::sync::atomic::Ordering::Relaxed);
        self.bar.finish();
    }
}

impl Drop for Bar<'_> {
    fn drop(&mut self) {
        if !self.finished.load(std::sync::atomic::Ordering::Relaxed) {
            self.bar.abandon_with_message(format!("{} (stopped)", self.bar.message()));
            self.bars.overall.abandon_with_message("stopped: nothing written");
        }
    }
}

impl Progress for Bars {
    fn plan(&self, files: usize, bytes: u64) {
        self.files.store(files, std::sync::atomic::Ordering::Relaxed);
        self.overall.set_length(bytes);
        self.multi.insert(0, self.overall.clone());
        self.overall.set_message(format!("0 of {files} file(s) done"));
        self.overall.enable_steady_tick(std::time::Duration::from_millis(200));
    }

    fn start(&self, name: &str, bytes: u64, total: u64) -> Box<dyn FileProgress + '_> {
        // Added to the multi-bar before anything is set, so it never draws on its own.
        let bar = if total > 0 {
            let bar = self.multi.add(ProgressBar::new(total));
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:30} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {spinner}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        } else {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{msg:30} {spinner} {pos} rows {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        };
        bar.set_message(name.to_string());
        // Ticks on its own: a file read in one batch still shows that it is being worked on.
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Box::new(Bar {
            bar,
            bars: self,
            counted: std::sync::atomic::AtomicU64::new(0),
            bytes,
            positions_are_bytes: total > 0,
            finished: std::sync::atomic::AtomicBool::new(false),
        })
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitStatus> {
    let quiet = args.job.quiet;
    let report = args.report.clone();
    let (options, key) = options(args.job, args.threads, args.subset, None, args.batch_rows)?;
    let output = options.output.clone();
    let done = execute(options, &key, quiet, !quiet || report.is_some(), "pseudonymised")?;
    if let Some(path) = report {
        let mut value = summary_json(&done.manifest, &output, done.mappings.as_ref());
        value["k_anonymity"] = serde_json::json!(done
            .groups
            .iter()
            .map(|(file, g)| serde_json::json!({
                "file": file, "quasi_identifiers": g.quasi, "smallest_group": g.smallest,
                "rows_in_groups_below_k": g.below, "rows": g.rows, "k": DEFAULT_K, "group_sizes": g.sizes,
            }))
            .collect::<Vec<_>>());
        super::emit(&(serde_json::to_string_pretty(&value)? + "\n"), Some(&path))?;
    }
    Ok(ExitStatus::Success)
}

/// What a column's rule did that a reader of the summary must know: values that failed
/// validation (replaced by keyed fakes or emptied, as the mapping's `on_invalid` says), and
/// columns emptied by the `null` rule. `None` when there is nothing to say.
fn column_note(column: &crate::manifest::ColumnEntry, rows: u64, emptied: bool) -> Option<String> {
    if column.rule == "null" {
        return Some(format!("{}: every cell emptied ({rows}, rule null)", column.name));
    }
    let invalid = column.stats.invalid;
    let what = if emptied { "emptied (on_invalid: null)" } else { "replaced by keyed fakes" };
    (invalid > 0)
        .then(|| format!("{}: {invalid} value(s) failed validation as {} and were {what}", column.name, column.rule))
}

/// Whether a column's invalid values are emptied rather than faked (`on_invalid: null`; other
/// rules, such as dates, empty what is not a value of theirs).
fn emptied_when_invalid(mappings: Option<&crate::mapping::Mappings>, table: &str, column: &str) -> bool {
    use crate::mapping::ColumnRule;
    use crate::rules::OnInvalid;
    match mappings.and_then(|m| m.tables.iter().find(|t| t.name == table)).and_then(|t| t.rule(column)) {
        Some(ColumnRule::Identifier(spec)) => spec.on_invalid == OnInvalid::Null,
        Some(_) => true,
        None => false,
    }
}

/// The run's summary as JSON (`run --report F`): what the text summary says, for machines.
fn summary_json(
    manifest: &Manifest,
    output: &std::path::Path,
    mappings: Option<&crate::mapping::Mappings>,
) -> serde_json::Value {
    let files: Vec<serde_json::Value> = manifest
        .files
        .iter()
        .map(|f| {
            serde_json::json!({
                "input": f.input,
                "output": output.join(&f.output),
                "table": f.table,
                "rows_in": f.rows_in,
                "rows_out": f.rows_out,
                "columns": f.columns.iter().map(|c| serde_json::json!({
                    "name": c.name,
                    "rule": c.rule,
                    "transformed": c.stats.transformed,
                    "empty": c.stats.empty,
                    "invalid": c.stats.invalid,
                    "note": column_note(c, f.rows_out, emptied_when_invalid(mappings, &f.table, &c.name)),
                })).collect::<Vec<_>>(),
                "dropped": f.dropped,
            })
        })
        .collect();
    serde_json::json!({
        "command": "run",
        "clean": true,
        "key_fingerprint": manifest.key_fingerprint,
        "seconds": manifest.seconds,
        "rows": manifest.files.iter().map(|f| f.rows_out).sum::<u64>(),
        "invalid": manifest.files.iter().flat_map(|f| &f.columns).map(|c| c.stats.invalid).sum::<u64>(),
        "files": files,
        "manifest": output.join(MANIFEST_NAME),
    })
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
        sheet_lang: None,
        force: job.force,
        batch_rows,
        cancel: None,
        count_groups: false,
    };
    Ok((options, key))
}

/// Runs the engine with progress bars on a terminal and Ctrl-C handling; prints a summary
/// (file names, row counts, key fingerprint: never a value) unless `quiet`.
/// What `execute` leaves for a report: the manifest, the k-anonymity of the outputs (when
/// measured), and the mappings as read after the run.
pub(crate) struct Executed {
    pub manifest: Manifest,
    pub groups: Vec<(String, Groups)>,
    pub mappings: Option<crate::mapping::Mappings>,
}

/// `measure_groups`: the k-anonymity of the outputs' quasi-identifiers, counted as each output
/// is written (not for case files, nor for a quiet run without a report).
pub(crate) fn execute(
    mut options: RunOptions,
    key: &Key,
    quiet: bool,
    measure_groups: bool,
    verb: &str,
) -> anyhow::Result<Executed> {
    // SIGINT (Ctrl-C), SIGTERM (a CI cancel, `docker stop`) and SIGHUP (a closed terminal) stop
    // the run between batches; the staging directory is then removed, so an interrupted run
    // leaves nothing behind, and the exit code is 128 + the signal's number. A second signal
    // while the first is being handled ends the process at once (still with no final name
    // written: only the hidden staging directory may remain). A signal once the output is being
    // moved into place does not stop the run: the output is complete.
    options.count_groups = measure_groups;
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
        let bars = Bars::new(MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        let result = engine::run(&options, key, &bars);
        match &result {
            Ok(_) => bars.overall.finish(),
            // Left as it stood: an unfinished bar would be drawn at 100 % when dropped.
            Err(_) => bars.overall.abandon_with_message("stopped: nothing written"),
        }
        result?
    } else {
        engine::run(&options, key, &NoProgress)?
    };
    // The mappings as they read after the run, for the summary (none if they no longer load).
    let mappings = crate::mapping::load_dir(&options.mappings);
    // Counted by the writer as each output was written (when `measure_groups`): never read back.
    let groups: Vec<(String, Groups)> =
        manifest.files.iter().filter_map(|f| f.groups.clone().map(|g| (f.output.clone(), g))).collect();
    let mappings = mappings.ok();
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
            let emptied =
                |c: &crate::manifest::ColumnEntry| emptied_when_invalid(mappings.as_ref(), &file.table, &c.name);
            for note in file.columns.iter().filter_map(|c| column_note(c, file.rows_out, emptied(c))) {
                eprintln!("    {note}");
            }
            for (_, g) in groups.iter().filter(|(f, _)| *f == file.output) {
                let verdict = if g.smallest < DEFAULT_K && g.rows > 0 { "warning" } else { "ok" };
                eprintln!(
                    "    {verdict}: quasi-identifiers ({}): smallest group {} row(s), {} of {} rows in groups below k = {DEFAULT_K}",
                    g.quasi.join(", "),
                    g.smallest,
                    g.below,
                    g.rows
                );
            }
        }
        let invalid: u64 = manifest.files.iter().flat_map(|f| &f.columns).map(|c| c.stats.invalid).sum();
        if invalid > 0 {
            eprintln!("{invalid} value(s) in all failed validation (see above)");
        }
        for sheet in &manifest.sheets {
            eprintln!("  case sheet: {}", options.output.join(&sheet.file).display());
        }
        eprintln!("manifest: {}", options.output.join(MANIFEST_NAME).display());
    }
    Ok(Executed { manifest, groups, mappings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden() -> Bars {
        Bars::new(MultiProgress::with_draw_target(ProgressDrawTarget::hidden()))
    }

    #[test]
    fn the_overall_bar_counts_bytes_of_every_file_and_files_done() {
        let bars = hidden();
        bars.plan(2, 1000);
        assert_eq!(bars.overall.length(), Some(1000));
        {
            let csv = bars.start("members.csv", 600, 600);
            csv.set(250);
            assert_eq!(bars.overall.position(), 250);
            csv.set(250); // the same position twice counts once
            csv.set(500);
            assert_eq!(bars.overall.position(), 500);
            csv.finish();
            assert_eq!(bars.overall.position(), 600);
        }
        {
            // Parquet positions are rows, not bytes: the file's bytes count when it is done.
            let parquet = bars.start("claims.parquet", 400, 0);
            parquet.set(65_536);
            assert_eq!(bars.overall.position(), 600);
            parquet.finish();
        }
        assert_eq!(bars.overall.position(), 1000);
        assert_eq!(bars.overall.message(), "2 of 2 file(s) done");
        assert!(!bars.overall.is_finished());
    }

    #[test]
    fn an_unfinished_file_leaves_its_bar_as_it_stood() {
        let bars = hidden();
        bars.plan(1, 1000);
        let bar = bars.start("claims.csv", 1000, 1000);
        bar.set(300);
        drop(bar);
        // Abandoned: finished drawing, but not moved to 100 %.
        assert!(bars.overall.is_finished());
        assert_eq!(bars.overall.position(), 300);
        assert!(bars.overall.message().starts_with("stopped"));
    }
}
