//! `pseudata sample`: write the synthetic demo extract.

use super::ExitStatus;
use crate::cli::SampleArgs;
use crate::sample::{write, SampleOptions};

pub fn run(args: SampleArgs) -> anyhow::Result<ExitStatus> {
    let options = SampleOptions { members: args.members, seed: args.seed, format: args.to, windows: args.windows };
    let summary = write(&args.output, &options)?;
    eprintln!("wrote {} members and {} claims to {}", summary.members, summary.claims, args.output.display());
    Ok(ExitStatus::Success)
}
