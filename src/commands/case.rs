//! `pseudata case`: trainers' case files, every row of the chosen members, pseudonymised.

use super::ExitStatus;
use crate::cli::CaseArgs;
use crate::engine::{Case, DEFAULT_BATCH_ROWS};

pub fn run(args: CaseArgs) -> anyhow::Result<ExitStatus> {
    let case = match (args.sample_subjects, &args.subjects_file) {
        (Some(0), _) => anyhow::bail!("--sample-subjects must be at least 1"),
        (Some(n), _) => Case::Sample(n),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read subjects file {}: {e}", path.display()))?;
            let mut ids: Vec<String> =
                text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
            ids.extend(args.subject.iter().cloned());
            Case::Subjects(ids)
        }
        (None, None) => Case::Subjects(args.subject.clone()),
    };
    let quiet = args.job.quiet;
    let (mut options, key) = super::run::options(args.job, None, None, Some(case), DEFAULT_BATCH_ROWS)?;
    options.sheet_lang = args.lang;
    // No k-anonymity for case files: a handful of members always forms groups of one.
    super::run::execute(options, &key, quiet, false, "case file:")?;
    Ok(ExitStatus::Success)
}
