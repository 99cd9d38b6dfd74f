//! `pseudata sample`: write the synthetic demo extract.

use super::ExitStatus;
use crate::cli::SampleArgs;
use crate::sample::{write, SampleOptions};

pub fn run(args: SampleArgs) -> anyhow::Result<ExitStatus> {
    if !args.force && args.output.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        anyhow::bail!(
            "{} is not empty: sample writes members and claims files there and would replace files of the same \
             name (a run's output with its signed manifest, say); choose an empty directory or add --force",
            args.output.display()
        );
    }
    let options = SampleOptions { members: args.members, seed: args.seed, format: args.to, windows: args.windows };
    let summary = write(&args.output, &options)?;
    eprintln!("wrote {} members and {} claims to {}", summary.members, summary.claims, args.output.display());
    Ok(ExitStatus::Success)
}
