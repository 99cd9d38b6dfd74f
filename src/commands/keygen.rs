//! `pseudata keygen`: a fresh random key, to a file or standard output.

use std::io::Write;

use anyhow::Context;

use super::ExitStatus;
use crate::cli::KeygenArgs;
use crate::crypto::Key;

pub fn run(args: KeygenArgs) -> anyhow::Result<ExitStatus> {
    let key = Key::generate()?;
    match args.output {
        Some(path) => {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).with_context(|| {
                format!("cannot create key file {} (an existing file is never overwritten)", path.display())
            })?;
            writeln!(file, "{}", key.to_hex()).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote a new key to {} (fingerprint {})", path.display(), key.fingerprint());
        }
        None => println!("{}", key.to_hex()),
    }
    Ok(ExitStatus::Success)
}
