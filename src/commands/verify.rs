//! `pseudata verify`: after a run, prove nothing identifying survived; or, with `--manifest`,
//! check a run manifest's signature.

use std::path::Path;

use super::ExitStatus;
use crate::cli::VerifyArgs;
use crate::crypto::{Key, KEY_ENV};
use crate::engine::MANIFEST_NAME;
use crate::inspect::verify::{verify, VerifyOptions};
use crate::manifest::{is_authentic, sign};
use crate::report::{render, Finding, Report, Severity};

pub fn run(args: VerifyArgs) -> anyhow::Result<ExitStatus> {
    if let Some(path) = &args.manifest {
        return check_manifest(path, &Key::load(args.key_file.as_deref())?);
    }
    let (Some(mappings), Some(input), Some(output)) = (args.mappings, args.input, args.output) else {
        anyhow::bail!("verify needs --mappings, --input and --output (or --manifest FILE)");
    };
    let key = if args.key_file.is_some() || std::env::var_os(KEY_ENV).is_some() {
        Some(Key::load(args.key_file.as_deref())?)
    } else {
        None
    };
    let options = VerifyOptions {
        mappings,
        input,
        output: output.clone(),
        key,
        k: args.k.max(1),
        batch_rows: crate::engine::DEFAULT_BATCH_ROWS,
    };
    let mut report = verify(&options)?;
    record_in_manifest(&output.join(MANIFEST_NAME), options.key.as_ref(), &mut report)?;
    super::emit(&render(&report, args.format), args.report.as_deref())?;
    Ok(if report.clean { ExitStatus::Success } else { ExitStatus::Failure })
}

fn read_manifest(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read manifest {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("manifest {} is not valid JSON: {e}", path.display()))
}

fn check_manifest(path: &Path, key: &Key) -> anyhow::Result<ExitStatus> {
    let manifest = read_manifest(path)?;
    if is_authentic(&manifest, key) {
        println!("{}: authentic (signed under the key with fingerprint {})", path.display(), key.fingerprint());
        Ok(ExitStatus::Success)
    } else {
        println!("{}: NOT authentic: edited since the run, or signed under another key", path.display());
        Ok(ExitStatus::Failure)
    }
}

/// With the run's key, checks the output's manifest and records the results in it, signed again.
fn record_in_manifest(path: &Path, key: Option<&Key>, report: &mut Report) -> anyhow::Result<()> {
    if !path.is_file() {
        report.notes.push(format!("no {MANIFEST_NAME} in the output: results not recorded"));
        return Ok(());
    }
    let Some(key) = key else {
        report.notes.push(format!("no key given: {MANIFEST_NAME} not checked and results not recorded"));
        return Ok(());
    };
    let mut manifest = read_manifest(path)?;
    if !is_authentic(&manifest, key) {
        report.add(Finding {
            severity: Severity::Error,
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
    let mut codes = std::collections::BTreeMap::<&str, u64>::new();
    for f in &report.findings {
        *codes.entry(f.code).or_default() += 1;
    }
    let errors = report.errors();
    manifest["verify"] = serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "verified_unix": std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        "clean": report.clean,
        "errors": errors,
        "warnings": report.findings.len() - errors,
        "findings_by_code": codes,
        "details": report.details,
    });
    let signed = sign(manifest, key);
    let staged = path.with_extension("json.tmp");
    std::fs::write(&staged, serde_json::to_string_pretty(&signed)? + "\n")
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", staged.display()))?;
    std::fs::rename(&staged, path).map_err(|e| anyhow::anyhow!("cannot replace {}: {e}", path.display()))?;
    report.notes.push(format!("results recorded in {} (signed again)", path.display()));
    Ok(())
}
