//! `pseudata pipe`: one table from standard input to standard output, the same bytes `run`
//! writes for that table's file when the dialect is given explicitly; a failure ends the stream
//! with a line no CSV consumer accepts.

mod common;

use std::path::Path;

use common::pseudata;

const FAILURE_LINES: &str = "\n\"pseudata failed: this stream is incomplete, see pseudata's standard error\n";

fn key() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key")
}

/// `pipe` of `input` for `table` with `flags`; (exit code, stdout, stderr).
fn pipe(mappings: &Path, table: &str, input: Vec<u8>, flags: &[&str]) -> (i32, Vec<u8>, String) {
    let out = pseudata()
        .args(["pipe", "--quiet", "--table", table, "-m"])
        .arg(mappings)
        .arg("--key-file")
        .arg(key())
        .args(flags)
        .write_stdin(input)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn pipe_writes_the_bytes_run_writes_for_every_demo_table_and_dialect() {
    let dir = common::demo_copy();
    // The demo as Excel writes it, and the same members as `sample` writes them by default
    // (UTF-8, `,`, LF: PostgreSQL's COPY CSV dialect, pipe's default).
    let utf8 = dir.path().join("utf8");
    pseudata().args(["sample", "--members", "400", "-o"]).arg(utf8.join("input")).assert().code(0);
    for (input, flags) in [
        (dir.path().join("input"), vec!["--separator", ";", "--encoding", "windows-1252", "--crlf"]),
        (utf8.join("input"), vec![]),
    ] {
        for subset in [None, Some("30")] {
            let output = dir.path().join(format!("out-{}", flags.len() + subset.map_or(0, |_| 1)));
            let mut run = pseudata();
            run.args(["run", "--quiet", "--force", "-m"])
                .arg(dir.path().join("mappings"))
                .arg("-i")
                .arg(&input)
                .arg("-o")
                .arg(&output)
                .arg("--key-file")
                .arg(key());
            let mut flags = flags.clone();
            if let Some(pct) = subset {
                run.args(["--subset", pct]);
                flags.extend(["--subset", pct]);
            }
            run.assert().code(0);
            for table in ["members", "claims"] {
                let bytes = std::fs::read(input.join(format!("{table}.csv"))).unwrap();
                let (code, stdout, stderr) = pipe(&dir.path().join("mappings"), table, bytes, &flags);
                assert_eq!(code, 0, "{stderr}");
                let expected = std::fs::read(output.join(format!("{table}.csv"))).unwrap();
                assert!(stdout == expected, "{table} with {flags:?}: pipe and run differ");
            }
        }
    }
}

#[test]
fn a_bom_and_a_missing_final_newline_are_kept_as_run_keeps_them() {
    let dir = common::demo_copy();
    pseudata().args(["sample", "--members", "50", "-o"]).arg(dir.path().join("bom")).assert().code(0);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(dir.path().join("bom/claims.csv")).unwrap());
    while bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    std::fs::remove_file(dir.path().join("bom/members.csv")).unwrap();
    std::fs::write(dir.path().join("bom/claims.csv"), &bytes).unwrap();
    let output = dir.path().join("out");
    pseudata()
        .args(["run", "--quiet", "-m"])
        .arg(dir.path().join("mappings"))
        .arg("-i")
        .arg(dir.path().join("bom"))
        .arg("-o")
        .arg(&output)
        .arg("--key-file")
        .arg(key())
        .assert()
        .code(0);
    let (code, stdout, stderr) = pipe(&dir.path().join("mappings"), "claims", bytes, &[]);
    assert_eq!(code, 0, "{stderr}");
    let expected = std::fs::read(output.join("claims.csv")).unwrap();
    assert!(expected.starts_with(b"\xEF\xBB\xBF") && !expected.ends_with(b"\n"));
    assert!(stdout == expected, "pipe and run differ");
}

#[test]
fn a_failure_half_way_ends_the_stream_with_a_line_no_copy_accepts() {
    let dir = common::demo_copy();
    pseudata().args(["sample", "--members", "300", "-o"]).arg(dir.path().join("in")).assert().code(0);
    let text = std::fs::read_to_string(dir.path().join("in/claims.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 1000);
    lines.insert(900, "1,2");
    let secret = lines[899].split(',').nth(1).unwrap().to_string();
    let input = lines.join("\n") + "\n";
    let (code, stdout, stderr) =
        pipe(&dir.path().join("mappings"), "claims", input.into_bytes(), &["--batch-rows", "100"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("<stdin>") && stderr.contains("line 901"), "{stderr}");
    assert!(!stderr.contains(&secret), "no value in the error");
    let stdout = String::from_utf8(stdout).unwrap();
    // The batches before the fault went out whole, then the failure line, and nothing else.
    assert!(stdout.ends_with(FAILURE_LINES), "{}", &stdout[stdout.len().saturating_sub(300)..]);
    let body = &stdout[..stdout.len() - FAILURE_LINES.len()];
    assert!(body.ends_with('\n'), "whole records only before the failure line");
    assert_eq!(body.lines().count(), 1 + 800, "the header and eight batches of 100");
    // An unknown table is refused the same way.
    let (code, stdout, stderr) = pipe(&dir.path().join("mappings"), "claimz", b"a\n".to_vec(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("claimz") && stderr.contains("claims, members"), "{stderr}");
    assert_eq!(String::from_utf8(stdout).unwrap(), FAILURE_LINES);
}

/// A consumer that stops reading is a failed pipe: exit 2 with a message, not the quiet end a
/// report piped into `head` gets.
#[test]
fn a_consumer_that_stops_reading_fails_the_pipe() {
    use std::io::Read;
    let dir = common::demo_copy();
    pseudata().args(["sample", "--members", "20000", "-o"]).arg(dir.path().join("in")).assert().code(0);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pseudata"))
        .args(["pipe", "-q", "--table", "claims", "-m"])
        .arg(dir.path().join("mappings"))
        .arg("--key-file")
        .arg(key())
        .env_remove("PSEUDATA_KEY")
        .stdin(std::fs::File::open(dir.path().join("in/claims.csv")).unwrap())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here: the rest of the stream has nowhere to go.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard output was closed"));
}
