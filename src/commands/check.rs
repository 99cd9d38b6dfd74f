//! `pseudata check`: the CI gate before a run; exit 1 when anything is found.

use super::ExitStatus;
use crate::cli::CheckArgs;
use crate::inspect::check::{check, CheckOptions};
use crate::report::render;

pub fn run(args: CheckArgs) -> anyhow::Result<ExitStatus> {
    let threshold = match args.threshold_share {
        Some(share) if share > 0.0 && share <= 1.0 => share,
        Some(share) => anyhow::bail!("--threshold-share must be a share in (0, 1], not {share}"),
        None if args.threshold > 0.0 && args.threshold <= 100.0 => {
            if args.threshold < 1.0 {
                eprintln!(
                    "note: --threshold is a percentage since pseudata 0.2: {} means {} %, not a share of {} % \
                     (the old unit: --threshold-share)",
                    args.threshold,
                    args.threshold,
                    args.threshold * 100.0
                );
            }
            args.threshold / 100.0
        }
        None => anyhow::bail!("--threshold must be a percentage in (0, 100], not {}", args.threshold),
    };
    let options = CheckOptions {
        mappings: args.mappings,
        input: args.input,
        full: args.full,
        sample: args.sample,
        threshold,
        ..CheckOptions::default()
    };
    let report = check(&options)?;
    super::emit(&render(&report, args.format), args.report.as_deref())?;
    Ok(if report.clean { ExitStatus::Success } else { ExitStatus::Failure })
}
