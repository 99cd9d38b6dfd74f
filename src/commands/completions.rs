//! `pseudata completions SHELL|man`: a completion script or the man page, from the same clap
//! definition as `--help`.

use clap::CommandFactory;

use super::ExitStatus;
use crate::cli::{Cli, CompletionsArgs};

pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitStatus> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    if args.shell == "man" {
        clap_mangen::Man::new(command).render(&mut out)?;
    } else {
        let shell: clap_complete::Shell = args.shell.parse().map_err(|_| {
            anyhow::anyhow!("unknown shell `{}`: bash, zsh, fish, elvish, powershell, or `man`", args.shell)
        })?;
        clap_complete::generate(shell, &mut command, "pseudata", &mut out);
    }
    super::emit(&String::from_utf8_lossy(&out), None)?;
    Ok(ExitStatus::Success)
}
