//! Helpers shared by the integration tests: the binary, keys, fixtures and CSV reading.
#![allow(dead_code)]

pub mod corpus;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const KEY_A: &str = "3f1c9a0b7d2e4f60817a9b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80";
pub const KEY_B: &str = "0f1c9a0b7d2e4f60817a9b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f81";

/// The `pseudata` binary with a clean environment (no key unless given).
pub fn pseudata() -> Command {
    let mut cmd = Command::cargo_bin("pseudata").expect("binary built");
    cmd.env_remove("PSEUDATA_KEY");
    cmd
}

/// `pseudata run` on a fixture directory holding `input/` and `mappings/`, writing to `output`.
pub fn run_cmd(fixture: &Path, output: &Path, key: &str) -> Command {
    let mut cmd = run_without_key(fixture, output);
    cmd.env("PSEUDATA_KEY", key);
    cmd
}

/// `pseudata run --quiet` on a fixture with no key given (add `--key-file` or the environment).
pub fn run_without_key(fixture: &Path, output: &Path) -> Command {
    let mut cmd = job("run", fixture, output);
    cmd.arg("--quiet");
    cmd
}

/// `pseudata COMMAND` (`run` or `case`) on `dir/input` with `dir/mappings`, writing to `output`.
pub fn job(command: &str, dir: &Path, output: &Path) -> Command {
    let mut cmd = pseudata();
    cmd.arg(command)
        .arg("--mappings")
        .arg(dir.join("mappings"))
        .arg("--input")
        .arg(dir.join("input"))
        .arg("--output")
        .arg(output);
    cmd
}

/// `pseudata run --quiet` on a fixture with the key read from `key_file` (no environment key).
pub fn run_with_key_file(fixture: &Path, output: &Path, key_file: &Path) -> Command {
    let mut cmd = run_without_key(fixture, output);
    cmd.arg("--key-file").arg(key_file);
    cmd
}

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// Reads a CSV file's records as raw bytes (header included).
pub fn records(path: &Path, separator: u8) -> Vec<Vec<Vec<u8>>> {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).delimiter(separator).from_path(path).expect("readable CSV");
    reader.byte_records().map(|r| r.expect("well-formed record").iter().map(|f| f.to_vec()).collect()).collect()
}

/// The Python interpreter of the independent oracles: `$PSEUDATA_PYTHON`, else the `.venv` that
/// `.ci/test` makes; the test fails with a clear message when it cannot import `modules`.
pub fn python_with(modules: &str) -> PathBuf {
    let candidate = std::env::var_os("PSEUDATA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"));
    let ok = std::process::Command::new(&candidate)
        .args(["-c", &format!("import {modules}")])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "Python modules {modules} not found at {}: run the suite with `bash .ci/test`", candidate.display());
    candidate
}

/// Copies a fixture's `input/` and `mappings/` into a fresh temporary directory.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["input", "mappings"] {
        let from = data(name).join(sub);
        let to = dir.path().join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// Names of the files in `dir` (not recursive), sorted.
pub fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// A scratch copy of the bundled demo extract (`input/`) and the shipped mappings (`mappings/`).
pub fn demo_copy() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [("demo/input", "input"), ("mappings", "mappings")] {
        std::fs::create_dir_all(dir.path().join(to)).unwrap();
        for entry in std::fs::read_dir(root.join(from)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(to).join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// `pseudata COMMAND` (`run` or `case`) on `dir/input` with `dir/mappings`, writing to `output`,
/// under the committed demo key.
pub fn demo_job(command: &str, dir: &Path, output: &Path) -> Command {
    let mut cmd = job(command, dir, output);
    cmd.arg("--key-file").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key"));
    cmd
}
