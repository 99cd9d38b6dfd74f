//! The run manifest: counts, fingerprint, signature, and no data values.

mod common;

use common::*;
use pseudata::crypto::Key;

#[test]
fn manifest_counts_rows_and_columns_is_signed_and_holds_no_values() {
    let out = tempfile::tempdir().unwrap();
    let fixture = data("windows");
    run_cmd(&fixture, out.path(), KEY_A).assert().success();
    let text = std::fs::read_to_string(out.path().join("pseudata-manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let key = Key::from_hex(KEY_A, "test").unwrap();
    assert_eq!(manifest["key_fingerprint"], key.fingerprint());
    assert!(pseudata::manifest::is_authentic(&manifest, &key));
    assert!(!pseudata::manifest::is_authentic(&manifest, &Key::from_hex(KEY_B, "test").unwrap()));

    let file = &manifest["files"][0];
    assert_eq!(file["input"], "members.csv");
    assert_eq!(file["rows_in"], 5);
    assert_eq!(file["rows_out"], 5);
    assert_eq!(file["csv"]["separator"], ";");
    assert_eq!(file["csv"]["encoding"], "windows-1252");
    assert_eq!(file["csv"]["crlf"], true);
    let niss = &file["columns"][0];
    assert_eq!(niss["name"], "niss");
    assert_eq!(niss["rule"], "hash");
    assert_eq!(niss["transformed"], 4);
    assert_eq!(niss["empty"], 1);
    assert_eq!(manifest["mappings"][0]["sha256"].as_str().unwrap().len(), 64);

    // No value of the input appears in the manifest, nor the key.
    for value in ["85073003328", "0010100105", "Dubois", "Peeters", "1,50", KEY_A] {
        assert!(!text.contains(value), "manifest leaks a value");
    }
    // No staging directory is left behind.
    let leftovers: Vec<String> = file_names(out.path()).into_iter().filter(|n| n.starts_with('.')).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn subset_keeps_the_same_subjects_in_every_table() {
    let out = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    pseudata().args(["sample", "--members", "2000", "--output"]).arg(dir.path().join("input")).assert().success();
    let mappings = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(
        dir.path().join("mappings/members.yaml"),
        std::fs::read_to_string(mappings.join("members.yaml")).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mappings/claims.yaml"),
        std::fs::read_to_string(mappings.join("claims.yaml")).unwrap(),
    )
    .unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).args(["--subset", "10"]).assert().success();
    let members = records(&out.path().join("members.csv"), b',');
    let claims = records(&out.path().join("claims.csv"), b',');
    assert!((120..=280).contains(&(members.len() - 1)), "about 10% of 2000 members: {}", members.len() - 1);
    // Every kept claim belongs to a kept member: the NISS pseudonym is the same whatever the spelling.
    let digits = |v: &Vec<u8>| -> Vec<u8> { v.iter().filter(|b| b.is_ascii_digit()).copied().collect() };
    let kept: std::collections::HashSet<Vec<u8>> = members.iter().skip(1).map(|m| digits(&m[0])).collect();
    assert!(claims.len() > 500);
    for claim in claims.iter().skip(1) {
        assert!(kept.contains(&digits(&claim[1])), "a claim of a member who was not kept");
    }
}

#[test]
fn verify_manifest_catches_an_edited_or_missing_output_file() {
    let out = tempfile::tempdir().unwrap();
    run_cmd(&data("windows"), out.path(), KEY_A).assert().success();
    let manifest_path = out.path().join("pseudata-manifest.json");
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    // The recorded hash is the file's SHA-256, computed here with an independent implementation.
    let output = out.path().join("members.csv");
    let sha256sum = |path: &std::path::Path| {
        let sha = std::process::Command::new("sha256sum").arg(path).output().unwrap();
        String::from_utf8_lossy(&sha.stdout).split_whitespace().next().unwrap().to_string()
    };
    let expected = sha256sum(&output);
    assert_eq!(manifest["files"][0]["sha256_out"], expected.as_str());
    // Both hashes of every file of a run of two tables, computed on threads of their own while
    // the run goes on (an output's while the next file runs): each paired with its own file.
    let two = tempfile::tempdir().unwrap();
    run_cmd(&data("two_tables"), two.path(), KEY_A).assert().success();
    let text = std::fs::read_to_string(two.path().join("pseudata-manifest.json")).unwrap();
    let two_manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let files = two_manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for file in files {
        let input = data("two_tables").join("input").join(file["input"].as_str().unwrap());
        assert_eq!(file["sha256_in"], sha256sum(&input).as_str(), "{input:?}");
        assert_eq!(file["sha256_out"], sha256sum(&two.path().join(file["output"].as_str().unwrap())).as_str());
    }
    let check =
        || pseudata().env("PSEUDATA_KEY", KEY_A).args(["verify", "--manifest"]).arg(&manifest_path).output().unwrap();
    assert_eq!(check().status.code(), Some(0));
    // One byte of test data edited after the run: the signed manifest no longer covers it.
    let mut bytes = std::fs::read(&output).unwrap();
    let last = bytes.len() - 3;
    bytes[last] = if bytes[last] == b'7' { b'8' } else { b'7' };
    std::fs::write(&output, &bytes).unwrap();
    let edited = check();
    assert_eq!(edited.status.code(), Some(1));
    let said = String::from_utf8_lossy(&edited.stdout).into_owned();
    assert!(said.contains("authentic") && said.contains("members.csv: changed since the run"), "{said}");
    std::fs::remove_file(&output).unwrap();
    let missing = check();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("members.csv: missing"));
}

#[test]
fn manifest_lists_the_small_permutation_domains_of_the_mapping() {
    let dir = demo_copy();
    let out = dir.path().join("out");
    demo_job("run", dir.path(), &out).arg("--quiet").assert().success();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pseudata-manifest.json")).unwrap()).unwrap();
    let domains = manifest["small_domains"].as_array().unwrap();
    let has = |rule: &str| domains.iter().any(|d| d["rule"] == rule && d["values"].as_u64().unwrap() < 1_000_000);
    assert!(has("niss") && has("phone"), "{domains:?}");
    assert!(domains
        .iter()
        .all(|d| !d["table"].as_str().unwrap().is_empty() && !d["column"].as_str().unwrap().is_empty()));
}

/// `verify` with the key hashes the output files while its passes read them, and still finds
/// one edited after the run (one byte, same size), naming that file and no other.
#[test]
fn verify_with_the_key_catches_an_output_edited_after_the_run() {
    let dir = demo_copy();
    let output = dir.path().join("out");
    demo_job("run", dir.path(), &output).assert().success();
    let claims = output.join("claims.csv");
    let mut bytes = std::fs::read(&claims).unwrap();
    let at = bytes.len() / 2 + bytes[bytes.len() / 2..].iter().position(u8::is_ascii_digit).unwrap();
    bytes[at] = if bytes[at] == b'7' { b'8' } else { b'7' };
    std::fs::write(&claims, &bytes).unwrap();
    let out = demo_verify(dir.path(), &output).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changed: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "output_changed")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["claims.csv: changed since the run (its SHA-256 differs)"], "{report}");
}
