//! `pseudata check`: the CI gate before a run; exit 1 when anything is found.

use super::ExitStatus;
use crate::cli::CheckArgs;
use crate::inspect::check::{check, CheckOptions};
use crate::report::render;

pub fn run(args: CheckArgs) -> anyhow::Result<ExitStatus> {
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        anyhow::bail!("--threshold must be a share in (0, 1], not {}", args.threshold);
    }
    let options = CheckOptions {
        mappings: args.mappings,
        input: args.input,
        full: args.full,
        sample: args.sample.max(1),
        threshold: args.threshold,
        ..CheckOptions::default()
    };
    let report = check(&options)?;
    super::emit(&render(&report, args.format), args.report.as_deref())?;
    Ok(if report.clean { ExitStatus::Success } else { ExitStatus::Failure })
}
