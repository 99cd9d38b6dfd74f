//! `pseudata verify`: after a run, prove nothing identifying survived; or, with `--manifest`,
//! check a run manifest's signature.

use std::path::Path;

use super::ExitStatus;
use crate::cli::VerifyArgs;
use crate::crypto::{Key, KEY_ENV};
use crate::engine::MANIFEST_NAME;
use crate::inspect::verify::{verify, VerifyOptions};
use crate::manifest::{is_authentic, sign, FileHashes};
use crate::report::{render, Finding, Report, Severity};

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitStatus> {
    if let Some(path) = &args.manifest {
        let (status, text, report) = check_manifest(path, &super::load_key(args.key_file.as_deref())?)?;
        // Text as before; JSON and JUnit as every other report, for a CI job to publish.
        let rendered = match args.format {
            crate::report::ReportFormat::Text => text,
            format => render(&report, format),
        };
        super::emit(&rendered, args.report.as_deref())?;
        return Ok(status);
    }
    let (Some(mappings), Some(input), Some(output)) = (args.mappings, args.input, args.output) else {
        anyhow::bail!("verify needs --mappings, --input and --output (or --manifest FILE)");
    };
    let key = if args.key_file.is_some() || std::env::var_os(KEY_ENV).is_some() {
        Some(super::load_key(args.key_file.as_deref())?)
    } else {
        None
    };
    if !(args.threshold > 0.0 && args.threshold <= 100.0) {
        anyhow::bail!("--threshold must be a percentage in (0, 100], not {}", args.threshold);
    }
    let options = VerifyOptions {
        threshold: args.threshold / 100.0,
        mappings,
        input,
        output: output.clone(),
        key,
        k: args.k,
        subset: args.subset,
        batch_rows: args.batch_rows,
    };
    let (mut report, mut hashes) = verify(&options)?;
    let judged = serde_json::json!({"threshold_percent": args.threshold, "min_k": args.k});
    if let Err(e) =
        record_in_manifest(&output.join(MANIFEST_NAME), options.key.as_ref(), judged, &mut report, &mut hashes)
    {
        // The verification's findings still reach the report; the manifest problem is one more.
        report.add(Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code: "manifest_unreadable",
            file: MANIFEST_NAME.into(),
            table: None,
            column: None,
            row: None,
            message: format!("results not recorded: {e}"),
        });
    }
    super::emit(&render(&report, args.format), args.report.as_deref())?;
    Ok(if report.clean { ExitStatus::Success } else { ExitStatus::Failure })
}

fn read_manifest(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read manifest {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("manifest {} is not valid JSON: {e}", path.display()))
}

/// `verify --manifest`: the signature, then every output file's SHA-256. Returns the exit
/// status, the text to print (or write to `--report`) and the same as a report.
fn check_manifest(path: &Path, key: &Key) -> anyhow::Result<(ExitStatus, String, Report)> {
    use std::fmt::Write as _;
    let manifest = read_manifest(path)?;
    let mut text = String::new();
    let mut report = Report::new("verify");
    let finding = |code, message: String| Finding {
        severity: Severity::Error,
        count: 1,
        originals: None,
        code,
        file: path.file_name().map_or_else(|| MANIFEST_NAME.into(), |n| n.to_string_lossy().into_owned()),
        table: None,
        column: None,
        row: None,
        message,
    };
    if !is_authentic(&manifest, key) {
        let said = "NOT authentic: edited since the run, or signed under another key";
        writeln!(text, "{}: {said}", path.display())?;
        report.add(finding("manifest_signature", said.into()));
        return Ok((ExitStatus::Failure, text, report));
    }
    let said = format!("authentic (signed under the key with fingerprint {})", key.fingerprint());
    writeln!(text, "{}: {said}", path.display())?;
    report.notes.push(said);
    let outputs = check_outputs(path, &manifest, &mut FileHashes::none());
    report.files = outputs.checked + outputs.problems.len();
    let status = match (outputs.unrecorded, outputs.problems.is_empty()) {
        (true, _) => {
            let said = "output files not checked: this manifest records no file hashes (written before pseudata 0.1 recorded them)";
            writeln!(text, "  {said}")?;
            report.notes.push(said.into());
            ExitStatus::Success
        }
        (false, true) => {
            let said = format!("every output file beside it is as the run wrote it ({} file(s))", outputs.checked);
            writeln!(text, "  {said}")?;
            report.notes.push(said);
            ExitStatus::Success
        }
        (false, false) => {
            writeln!(text, "  but the output files beside it are not as the run wrote them:")?;
            for problem in outputs.problems {
                writeln!(text, "    {problem}")?;
                report.add(finding("output_changed", problem));
            }
            ExitStatus::Failure
        }
    };
    Ok((status, text, report))
}

/// The output files of a signed manifest checked against the SHA-256 the run recorded.
struct Outputs {
    /// Files whose hash matched.
    checked: usize,
    /// Files edited, replaced or missing, each with what is wrong.
    problems: Vec<String>,
    /// The manifest records no hashes (an older version wrote it).
    unrecorded: bool,
}

/// Checks the output files and case sheets of `manifest`, found beside it (`path`'s directory,
/// where the run wrote them).
fn check_outputs(path: &Path, manifest: &serde_json::Value, hashes: &mut FileHashes) -> Outputs {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut outputs = Outputs { checked: 0, problems: Vec::new(), unrecorded: false };
    for (name, recorded) in crate::manifest::written(manifest) {
        let Some(name) = name.as_str() else { continue };
        let Some(recorded) = recorded.as_str() else {
            outputs.unrecorded = true;
            continue;
        };
        if !crate::manifest::inside(name) {
            outputs.problems.push(format!("{name}: not a path inside the output directory"));
            continue;
        }
        match hashes.sha256(&dir.join(name)) {
            Ok(actual) if actual == recorded => outputs.checked += 1,
            Ok(_) => outputs.problems.push(format!("{name}: changed since the run (its SHA-256 differs)")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                outputs.problems.push(format!("{name}: missing (was the manifest moved away from its output?)"))
            }
            Err(e) => outputs.problems.push(format!("{name}: cannot be read ({})", e.kind())),
        }
    }
    outputs
}

/// With the run's key, checks the output's manifest and records the results in it, signed again.
/// `judged` records the thresholds the verdict was reached with (`--threshold`, `--min-k`), so a
/// lenient verification cannot pass for a default one.
fn record_in_manifest(
    path: &Path,
    key: Option<&Key>,
    judged: serde_json::Value,
    report: &mut Report,
    hashes: &mut FileHashes,
) -> anyhow::Result<()> {
    if !path.is_file() {
        report.notes.push(format!("no {MANIFEST_NAME} in the output: results not recorded"));
        return Ok(());
    }
    let Some(key) = key else {
        report.notes.push(format!("no key given: {MANIFEST_NAME} not checked and results not recorded"));
        return Ok(());
    };
    if report.findings.iter().any(|f| matches!(f.code, "manifest_key" | "manifest_mappings" | "manifest_input")) {
        report.notes.push(format!(
            "results not recorded in {MANIFEST_NAME}: it describes another key, mappings or input than the ones checked \
             here, and a manifest is signed again only for what was verified"
        ));
        return Ok(());
    }
    let mut manifest = read_manifest(path)?;
    if !is_authentic(&manifest, key) {
        report.add(Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code: "manifest_signature",
            file: MANIFEST_NAME.into(),
            table: None,
            column: None,
            row: None,
            message: "the manifest's signature does not verify under this key: edited since the run, or another key"
                .into(),
        });
        return Ok(());
    }
    for problem in check_outputs(path, &manifest, hashes).problems {
        report.add(Finding {
            severity: Severity::Error,
            count: 1,
            originals: None,
            code: "output_changed",
            file: MANIFEST_NAME.into(),
            table: None,
            column: None,
            row: None,
            message: problem,
        });
    }
    let errors = report.errors();
    manifest["verify"] = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "verified_unix": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        "clean": report.clean,
        "judged_with": judged,
        "errors": errors,
        "warnings": report.findings.len() - errors,
        "findings_by_code": report.findings_by_code(),
        "counts_by_code": report.counts_by_code(),
        "originals_by_code": report.originals_by_code(),
        "details": report.details,
    });
    let signed = sign(manifest, key);
    crate::io::write_atomic(path, (serde_json::to_string_pretty(&signed)? + "\n").as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot replace {}: {e}", path.display()))?;
    report.notes.push(format!("results recorded in {} (signed again)", path.display()));
    Ok(())
}
