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

/// A CSV file's records as text (header included), decoded as Windows-1252 (the demo's
/// encoding; ASCII and Windows-1252 UTF-8-looking bytes alike).
pub fn text_records(path: &Path, separator: u8) -> Vec<Vec<String>> {
    records(path, separator)
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|f| match std::str::from_utf8(&f) {
                    Ok(text) => text.to_string(),
                    Err(_) => encoding_rs::WINDOWS_1252.decode(&f).0.into_owned(),
                })
                .collect()
        })
        .collect()
}

/// Every original value of a members-and-claims extract in the demo's layout that must never
/// appear on a page made from its pseudonymised output: each NISS (as written and as 11 digits),
/// IBAN (as written and without spaces), e-mail, phone (as written and digits only) and full
/// name (both orders) of `members.csv`, and each NISS of `claims.csv`. Values shorter than 6
/// characters are left out (they occur by chance).
pub fn demo_originals(input: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let members = text_records(&input.join("members.csv"), b';');
    let at = |name: &str| members[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (niss, iban, email, phone, first, last) =
        (at("niss"), at("iban"), at("email"), at("phone"), at("first_name"), at("last_name"));
    for row in &members[1..] {
        found.extend([row[niss].clone(), digits(&row[niss]), row[iban].clone(), row[iban].replace(' ', "")]);
        found.extend([row[email].clone(), row[phone].clone(), digits(&row[phone])]);
        found.push(format!("{} {}", row[first], row[last]));
        found.push(format!("{} {}", row[last], row[first]));
    }
    let claims = text_records(&input.join("claims.csv"), b';');
    let niss = claims[0].iter().position(|h| h == "niss").unwrap();
    for row in &claims[1..] {
        found.extend([row[niss].clone(), digits(&row[niss])]);
    }
    found.retain(|v| v.trim().len() >= 6);
    found.sort();
    found.dedup();
    found
}

/// The values a run wrote into the pseudonymised columns of `members.csv` and `claims.csv` under
/// `output`, spelled as `demo_originals` spells originals: a page may show these even when one
/// equals an original by chance (a fake name drawn from the same list as a member's real one).
pub fn demo_pseudonyms(output: &Path) -> std::collections::HashSet<String> {
    let mut written = std::collections::HashSet::new();
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    for file in ["members.csv", "claims.csv"] {
        let rows = text_records(&output.join(file), b';');
        let header = rows[0].clone();
        let at = |name: &str| header.iter().position(|h| h == name);
        for row in &rows[1..] {
            for column in ["niss", "iban", "email", "phone"] {
                if let Some(i) = at(column) {
                    written.extend([row[i].clone(), digits(&row[i]), row[i].replace(' ', "")]);
                }
            }
            if let (Some(f), Some(l)) = (at("first_name"), at("last_name")) {
                written.insert(format!("{} {}", row[f], row[l]));
                written.insert(format!("{} {}", row[l], row[f]));
            }
        }
    }
    written
}

/// The member of a demo-layout extract with the most claims (ties: the greatest NISS as
/// written), as `scripts/screenshots.sh` picks it.
pub fn busiest_member(input: &Path) -> String {
    let claims = text_records(&input.join("claims.csv"), b';');
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for row in &claims[1..] {
        *counts.entry(row[1].as_str()).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(niss, n)| (*n, niss.to_string())).unwrap().0.to_string()
}

/// `pseudata verify` of `output` against `dir/input` with `dir/mappings`, under the committed
/// demo key (add `--format`, `--report`).
pub fn demo_verify(dir: &Path, output: &Path) -> Command {
    let mut cmd = pseudata();
    cmd.arg("verify")
        .arg("-m")
        .arg(dir.join("mappings"))
        .arg("-i")
        .arg(dir.join("input"))
        .arg("-o")
        .arg(output)
        .arg("--key-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key"));
    cmd
}

/// `pseudata run -q` of `input` with `mappings` into `output` under the demo key (and
/// `--subset PCT`); asserts it succeeds.
pub fn run_demo_key(mappings: &Path, input: &Path, output: &Path, subset: Option<&str>) {
    let mut cmd = pseudata();
    cmd.args(["run", "-q", "-m"]).arg(mappings).arg("-i").arg(input).arg("-o").arg(output);
    cmd.arg("--key-file").arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key"));
    if let Some(pct) = subset {
        cmd.args(["--subset", pct]);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Runs a Python `script` (pyarrow available) with `args`; asserts it succeeds, returns stdout.
pub fn pyarrow_script(script: &str, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<u8> {
    let mut cmd = std::process::Command::new(python_with("pyarrow"));
    cmd.arg("-c").arg(script);
    for a in args {
        cmd.arg(a);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The demo extract of `dir/input` as typed Parquet (`tests/data/typed_demo.py`) in `dir/typed`.
pub fn typed_demo(dir: &Path) -> PathBuf {
    let typed = dir.join("typed");
    std::fs::create_dir_all(&typed).unwrap();
    pyarrow_script(include_str!("../data/typed_demo.py"), &[&dir.join("input"), &typed, &"decimal"]);
    typed
}

/// Writes `claims` (typed Parquet) to `out` with an invalid NISS in row 1501.
pub fn plant_invalid_niss(claims: &Path, out: &Path) {
    let script = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
niss = t["niss"].to_pylist()
niss[1500] = 12345678901
pq.write_table(t.set_column(t.column_names.index("niss"), "niss", pa.array(niss, pa.int64())), sys.argv[2])
"#;
    pyarrow_script(script, &[&claims, &out]);
}

/// Writes `from/claims.yaml` to `to/claims.yaml` with `column`'s `rule` made to refuse invalid
/// values (`on_invalid: error`).
pub fn refuse_invalid(from: &Path, to: &Path, column: &str, rule: &str) {
    let yaml = std::fs::read_to_string(from.join("claims.yaml")).unwrap();
    let strict =
        yaml.replace(&format!("  {column}: {rule}\n"), &format!("  {column}: {{ {rule}: {{ on_invalid: error }} }}\n"));
    assert_ne!(strict, yaml, "`{column}: {rule}` is in the mapping");
    std::fs::create_dir_all(to).unwrap();
    std::fs::write(to.join("claims.yaml"), strict).unwrap();
}
