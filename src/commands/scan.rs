//! `pseudata scan`: classify every column and propose mapping drafts.

use super::ExitStatus;
use crate::cli::{ScanArgs, ScanFormat};
use crate::inspect::scan::{scan, ScanOptions};
use crate::report::{render, ReportFormat};

pub fn run(args: ScanArgs) -> anyhow::Result<ExitStatus> {
    let options = ScanOptions {
        input: args.input,
        mappings: args.mappings,
        write_drafts: args.write_drafts,
        sample: args.sample,
        ..ScanOptions::default()
    };
    let report = scan(&options)?;
    let format = match args.format {
        ScanFormat::Text => ReportFormat::Text,
        ScanFormat::Json => ReportFormat::Json,
    };
    super::emit(&render(&report, format), None)?;
    Ok(ExitStatus::Success)
}
