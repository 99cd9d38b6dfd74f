//! Ctrl-C during a run: exit 130 (128 + SIGINT), and nothing left in the output directory.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::*;

#[test]
fn sigint_mid_run_leaves_an_empty_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.path().join("input/big.csv")).unwrap());
    writeln!(out, "id,niss").unwrap();
    for i in 0..3_000_000u64 {
        writeln!(out, "{i},{:011}", 85_000_000_000 + i).unwrap();
    }
    out.flush().unwrap();
    std::fs::write(
        dir.path().join("mappings/big.yaml"),
        "table: big\nfiles: ['big.csv']\ncolumns:\n  id: keep\n  niss: hash\n",
    )
    .unwrap();
    let output = dir.path().join("output");
    let binary = assert_cmd::cargo::cargo_bin("pseudata");
    let child = std::process::Command::new(binary)
        .env("PSEUDATA_KEY", KEY_A)
        .args(["run", "--quiet", "--batch-rows", "1000", "--mappings"])
        .arg(dir.path().join("mappings"))
        .arg("--input")
        .arg(dir.path().join("input"))
        .arg("--output")
        .arg(&output)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run is staging output, then interrupt it.
    let started = Instant::now();
    while !file_names(&output).iter().any(|n| n.starts_with(".pseudata-tmp-")) {
        assert!(started.elapsed() < Duration::from_secs(60), "run never started staging");
        std::thread::sleep(Duration::from_millis(2));
    }
    let status = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let result = child.wait_with_output().unwrap();
    assert_eq!(result.status.code(), Some(130), "128 + SIGINT: {}", String::from_utf8_lossy(&result.stderr));
    assert!(String::from_utf8_lossy(&result.stderr).contains("interrupted"));
    assert!(file_names(&output).is_empty(), "{:?}", file_names(&output));
}
