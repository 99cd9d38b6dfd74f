//! `pseudata case`: trainers' case files, every row of the chosen members, pseudonymised.

use super::ExitStatus;
use crate::cli::CaseArgs;
use crate::crypto::Key;
use crate::engine::{Case, RunOptions, DEFAULT_BATCH_ROWS};

pub fn run(args: CaseArgs) -> anyhow::Result<ExitStatus> {
    let key = Key::load(args.key_file.as_deref())?;
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
    let options = RunOptions {
        mappings: args.mappings,
        input: args.input,
        output: args.output,
        to: args.to,
        threads: None,
        subset: None,
        case: Some(case),
        force: args.force,
        batch_rows: DEFAULT_BATCH_ROWS,
        cancel: None,
    };
    super::run::execute(options, &key, args.quiet, "case file:")?;
    Ok(ExitStatus::Success)
}
