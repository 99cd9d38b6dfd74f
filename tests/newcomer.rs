//! Issue 13: the newcomer's road and the officer's trust. Every command says what it did, refuses
//! what would mislead, and follows the conventions of the tools people already use.
//! Each test runs the binary on a copy of the bundled demo extract (`demo/input`, Windows dialect).

mod common;

use std::path::{Path, PathBuf};

use common::{demo_copy, demo_job, pseudata, records};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo_key() -> PathBuf {
    root().join("demo/demo.key")
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// Replaces the rule of `column` in a mapping file (the line `  column: ...`).
fn set_rule(mapping: &Path, column: &str, rule: &str) {
    let text = std::fs::read_to_string(mapping).unwrap();
    let prefix = format!("  {column}:");
    assert!(text.lines().any(|l| l.starts_with(&prefix)), "{column} not in {}", mapping.display());
    let edited: Vec<String> =
        text.lines().map(|l| if l.starts_with(&prefix) { format!("{prefix} {rule}") } else { l.to_string() }).collect();
    std::fs::write(mapping, edited.join("\n") + "\n").unwrap();
}

/// `pseudata ARGS... -m DIR/mappings -i DIR/INPUT` (INPUT: `input` or one file under it).
fn gate(dir: &Path, input: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = pseudata();
    cmd.args(args).arg("-m").arg(dir.join("mappings")).arg("-i").arg(dir.join(input));
    cmd
}

fn run_demo(dir: &Path) -> PathBuf {
    let output = dir.join("out");
    demo_job("run", dir, &output).args(["--quiet", "--force"]).assert().code(0);
    output
}

/// `gate` with `-o OUTPUT` and the demo key.
fn keyed(dir: &Path, input: &str, output: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = gate(dir, input, args);
    cmd.arg("-o").arg(output).arg("--key-file").arg(demo_key());
    cmd
}

fn verify(dir: &Path, output: &Path, format: &str) -> assert_cmd::assert::Assert {
    keyed(dir, "input", output, &["verify", "--format", format]).assert()
}

/// Rewrites a `;`-separated demo file (Windows-1252 bytes kept) with `edit` applied to each data row.
fn rewrite(path: &Path, mut edit: impl FnMut(usize, &mut Vec<Vec<u8>>, &[Vec<u8>])) {
    rewrite_table(path, |rows| {
        let header = rows[0].clone();
        for (i, row) in rows.iter_mut().enumerate().skip(1) {
            edit(i, row, &header);
        }
    });
}

/// Rewrites a `;`-separated demo file with `edit` applied to all its records, header included.
fn rewrite_table(path: &Path, edit: impl FnOnce(&mut Vec<Vec<Vec<u8>>>)) {
    let mut rows = records(path, b';');
    edit(&mut rows);
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    std::fs::write(path, writer.into_inner().unwrap()).unwrap();
}

/// The values of `column` in a `;`-separated demo file, header excluded.
fn column(path: &Path, name: &str) -> Vec<String> {
    let rows = records(path, b';');
    let index = rows[0].iter().position(|h| h == name.as_bytes()).expect("column");
    rows[1..].iter().map(|r| String::from_utf8_lossy(&r[index]).into_owned()).collect()
}

#[test]
fn verify_fails_when_real_phone_numbers_were_kept() {
    let dir = demo_copy();
    set_rule(&dir.path().join("mappings/members.yaml"), "phone", "keep");
    let output = run_demo(dir.path());
    // The phones are copied as they were: the output holds the input's numbers.
    let phones = column(&dir.path().join("input/members.csv"), "phone");
    assert_eq!(phones, column(&output.join("members.csv"), "phone"));
    let non_empty = phones.iter().filter(|p| !p.trim().is_empty()).count() as u64;
    assert!(non_empty > 100);
    let assert = verify(dir.path(), &output, "json").code(1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&assert)).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "kept_identifier" && f["column"] == "phone")
        .unwrap_or_else(|| panic!("no kept_identifier finding on phone: {report}"));
    assert_eq!(finding["severity"], "error");
    // Most of the kept numbers validate as phone numbers (the demo writes a few malformed ones).
    let count = finding["count"].as_u64().unwrap();
    assert!(count * 10 >= non_empty * 9 && count <= non_empty, "{count} of {non_empty}");
    // A column where one value in ten is a phone number: an error under the default 5 %, a
    // warning with the same count under `--threshold 50`.
    rewrite(&dir.path().join("input/members.csv"), |i, row, header| {
        let at = header.iter().position(|h| h == b"phone").unwrap();
        if i % 10 != 0 {
            row[at] = format!("X-{i:05}").into_bytes();
        }
    });
    let output = run_demo(dir.path());
    let judged = |extra: &[&str]| {
        let mut args = vec!["verify", "--format", "json"];
        args.extend(extra);
        let assert = keyed(dir.path(), "input", &output, &args).assert();
        let report: serde_json::Value = serde_json::from_str(&stdout(&assert)).unwrap();
        let found = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["column"] == "phone" && f["code"].as_str().unwrap().starts_with("kept"))
            .cloned();
        found.map(|f| (f["code"].as_str().unwrap().to_string(), f["count"].as_u64().unwrap()))
    };
    assert_eq!(judged(&[]), Some(("kept_identifier".to_string(), 30)));
    assert_eq!(judged(&["--threshold", "50"]), Some(("kept_identifier_few".to_string(), 30)));
    // check judges the same column the same way, before the run.
    let check = |threshold: &str| {
        let out = stdout(
            &gate(dir.path(), "input", &["check", "--format", "json", "--full", "--threshold", threshold]).assert(),
        );
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        let values = report["findings"].as_array().unwrap();
        // Beside `kept_named_identifier` (the column's name), the finding on its values.
        values.iter().find(|f| f["column"] == "phone" && f["code"] != "kept_named_identifier").map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["count"].as_u64().unwrap(),
            )
        })
    };
    assert_eq!(check("5"), Some(("kept_identifier".into(), "error".into(), 30)));
    assert_eq!(check("50"), Some(("kept_identifier_few".into(), "warning".into(), 30)));
    // The manifest records what the verdict was judged with: a lenient one cannot pass for the default.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["verify"]["judged_with"]["threshold_percent"], 50.0);
    assert_eq!(manifest["verify"]["judged_with"]["min_k"], 5);
    // The shipped mapping's run of the same input is clean.
    let clean = demo_copy();
    let output = run_demo(clean.path());
    verify(clean.path(), &output, "text").code(0);
}

#[test]
fn text_json_junit_and_manifest_agree_on_how_many_originals_leaked() {
    let dir = demo_copy();
    set_rule(&dir.path().join("mappings/members.yaml"), "notes", "keep");
    let output = run_demo(dir.path());
    let json = stdout(&verify(dir.path(), &output, "json").code(1));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let leaks: u64 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "leak")
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    let originals: u64 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "leak")
        .map(|f| f["originals"].as_u64().or(f["count"].as_u64()).unwrap())
        .sum();
    let listed = report["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "leak").count() as u64;
    assert!(leaks > listed, "more cells ({leaks}) than findings ({listed}): the summary finding counts them");
    assert!(originals >= leaks, "a cell holds one original or more: {originals} in {leaks}");
    // Cells with originals: at most the non-empty notes (the output's notes are the input's).
    let notes = column(&dir.path().join("input/members.csv"), "notes");
    assert!(leaks <= notes.iter().filter(|n| !n.trim().is_empty()).count() as u64);
    assert_eq!(report["counts_by_code"]["leak"], leaks);
    assert_eq!(report["originals_by_code"]["leak"], originals);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["verify"]["counts_by_code"]["leak"], leaks, "manifest");
    assert_eq!(manifest["verify"]["originals_by_code"]["leak"], originals, "manifest");
    assert_eq!(manifest["verify"]["findings_by_code"]["leak"], listed, "manifest");
    let text = stdout(&verify(dir.path(), &output, "text").code(1));
    let last = text.lines().last().unwrap();
    let said =
        if originals == leaks { format!("leak {leaks}") } else { format!("leak {leaks} ({originals} originals)") };
    assert!(last.contains(&format!("{said},")) || last.contains(&format!("{said})")), "{said}: {last}");
    // JUnit: the notes column's failure counts the cells of its errors.
    let junit = stdout(&verify(dir.path(), &output, "junit").code(1));
    let notes_cells: u64 = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["column"] == "notes" && f["severity"] == "error" && f["file"] == "members.csv")
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert!(junit.contains(&format!("message=\"{notes_cells} cell(s): ")), "{junit}");
}

fn manifest_codes(json: &str) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str().filter(|c| c.starts_with("manifest_")).map(str::to_string))
        .collect()
}

#[test]
fn verify_says_which_of_key_mappings_and_input_differ_from_the_run_and_does_not_sign_again() {
    let dir = demo_copy();
    let output = run_demo(dir.path());
    let manifest = output.join("pseudata-manifest.json");
    let before = std::fs::read(&manifest).unwrap();
    // Other mappings: a comment changes nothing the run does, but it is not the file the run used.
    let mapping = dir.path().join("mappings/claims.yaml");
    let original = std::fs::read_to_string(&mapping).unwrap();
    std::fs::write(&mapping, format!("{original}# edited after the run\n")).unwrap();
    let json = stdout(&verify(dir.path(), &output, "json").code(1));
    assert_eq!(manifest_codes(&json), ["manifest_mappings"], "{json}");
    assert!(json.contains("table `claims`"), "{json}");
    assert_eq!(std::fs::read(&manifest).unwrap(), before, "a manifest that does not match is not signed again");
    std::fs::write(&mapping, &original).unwrap();
    // Another key.
    let other_key = dir.path().join("other.key");
    std::fs::write(&other_key, format!("{}\n", common::KEY_B)).unwrap();
    let assert = gate(dir.path(), "input", &["verify", "--format", "json"])
        .arg("-o")
        .arg(&output)
        .arg("--key-file")
        .arg(&other_key)
        .assert()
        .code(1);
    let json = stdout(&assert);
    assert!(manifest_codes(&json).contains(&"manifest_key".to_string()), "{json}");
    assert!(json.contains("results not recorded"), "the new guard, not only the signature, refuses: {json}");
    assert_eq!(std::fs::read(&manifest).unwrap(), before);
    // Another input: the same file with one claim less.
    let claims = dir.path().join("input/claims.csv");
    let text = std::fs::read(&claims).unwrap();
    let last_line = text[..text.len() - 2].iter().rposition(|&b| b == b'\n').unwrap();
    std::fs::write(&claims, &text[..=last_line]).unwrap();
    let json = stdout(&verify(dir.path(), &output, "json").code(1));
    let codes = manifest_codes(&json);
    assert!(!codes.is_empty() && codes.iter().all(|c| c == "manifest_input"), "{json}");
    assert!(json.contains("input file `claims.csv` has"), "{json}");
    assert_eq!(std::fs::read(&manifest).unwrap(), before);
    // The same file edited in place: same size, same rows, one digit of an amount changed.
    let mut edited = text.clone();
    let at = edited.iter().rposition(u8::is_ascii_digit).unwrap();
    edited[at] = if edited[at] == b'7' { b'8' } else { b'7' };
    std::fs::write(&claims, &edited).unwrap();
    let json = stdout(&verify(dir.path(), &output, "json").code(1));
    assert!(json.contains("input file `claims.csv` differs from the one the run read"), "{json}");
    assert_eq!(std::fs::read(&manifest).unwrap(), before);
    // The same key, mappings and input: clean, and recorded.
    std::fs::write(&claims, &text).unwrap();
    verify(dir.path(), &output, "json").code(0);
    assert_ne!(std::fs::read(&manifest).unwrap(), before, "results recorded");
}

#[test]
fn sample_refuses_a_non_empty_output_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("members.csv");
    std::fs::write(&kept, "hand-made\n").unwrap();
    let assert = pseudata().args(["sample", "--members", "10", "--output"]).arg(dir.path()).assert().code(2);
    assert!(stderr(&assert).contains("not empty"), "{}", stderr(&assert));
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "hand-made\n");
    pseudata().args(["sample", "--members", "10", "--force", "-o"]).arg(dir.path()).assert().code(0);
    assert_ne!(std::fs::read_to_string(&kept).unwrap(), "hand-made\n");
    // An empty or missing directory needs no --force.
    pseudata().args(["sample", "--members", "10", "-o"]).arg(dir.path().join("new")).assert().code(0);
}

#[test]
fn every_report_file_is_written_when_the_command_fails() {
    let dir = demo_copy();
    set_rule(&dir.path().join("mappings/members.yaml"), "phone", "phnoe");
    let junit = dir.path().join("check.xml");
    gate(dir.path(), "input", &["check", "--format", "junit"]).arg("--report").arg(&junit).assert().code(2);
    let xml = std::fs::read_to_string(&junit).expect("a JUnit report although check failed");
    assert!(xml.contains("<error message=") && xml.contains("errors=\"1\""), "{xml}");
    assert!(xml.contains("members.yaml"), "the error names the mapping: {xml}");
    let json = dir.path().join("verify.json");
    gate(dir.path(), "input", &["verify", "--format", "json"])
        .arg("--report")
        .arg(&json)
        .arg("-o")
        .arg(dir.path().join("no-such-output"))
        .assert()
        .code(2);
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["clean"], false);
    assert!(report["error"]["message"].as_str().unwrap().contains("phone"), "{report}");
    let run_json = dir.path().join("run.json");
    demo_job("run", dir.path(), &dir.path().join("out")).arg("--report").arg(&run_json).assert().code(2);
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&run_json).unwrap()).unwrap();
    assert_eq!(report["command"], "run");
    assert!(report["error"]["message"].as_str().unwrap().contains("did you mean `phone`"), "{report}");
}

#[test]
fn reports_are_written_for_a_malformed_file_and_for_verify_manifest() {
    let dir = demo_copy();
    // A last record with one field too few.
    let claims = dir.path().join("input/claims.csv");
    let mut text = std::fs::read(&claims).unwrap();
    text.extend(b"1;2\r\n");
    std::fs::write(&claims, &text).unwrap();
    let report = dir.path().join("check.json");
    gate(dir.path(), "input", &["check", "--full", "--format", "json"]).arg("--report").arg(&report).assert().code(2);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let message = json["error"]["message"].as_str().unwrap();
    assert!(message.contains("claims.csv") && message.contains("line"), "{message}");
    assert_eq!(json["error"]["exit_code"], 2);
    // verify --manifest writes its verdict to --report too.
    let clean = demo_copy();
    let output = run_demo(clean.path());
    let verdict = clean.path().join("manifest.txt");
    pseudata()
        .args(["verify", "--report"])
        .arg(&verdict)
        .arg("--manifest")
        .arg(output.join("pseudata-manifest.json"))
        .arg("--key-file")
        .arg(demo_key())
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(&verdict).unwrap().contains("authentic"));
    // ... in the format asked for: JUnit a CI server can read.
    std::fs::write(output.join("members.csv"), "edited\n").unwrap();
    let junit = pseudata()
        .args(["verify", "--format", "junit", "--manifest"])
        .arg(output.join("pseudata-manifest.json"))
        .arg("--key-file")
        .arg(demo_key())
        .assert()
        .code(1);
    let xml = stdout(&junit);
    assert!(
        xml.starts_with("<?xml") && xml.contains("<failure") && xml.contains("members.csv: changed since the run"),
        "{xml}"
    );
}

#[test]
fn the_run_summary_names_invalid_values_per_column_and_run_report_writes_it() {
    let dir = demo_copy();
    // Seven members get a NISS with a wrong check (the last two digits plus one).
    rewrite(&dir.path().join("input/members.csv"), |i, row, header| {
        let at = header.iter().position(|h| h == b"niss").unwrap();
        let digits: String = String::from_utf8_lossy(&row[at]).chars().filter(char::is_ascii_digit).collect();
        if i % 40 == 0 && digits.len() == 11 {
            let check: u64 = digits[9..].parse().unwrap();
            row[at] = format!("{}{:02}", &digits[..9], (check + 1) % 100).into_bytes();
        }
    });
    // Count the input's invalid NISS with an independent check (mod 97 of the 9 first digits,
    // with and without the 2000s prefix), not with pseudata's own parser.
    let niss = column(&dir.path().join("input/members.csv"), "niss");
    let valid = |v: &str| {
        let digits: String = v.chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 11 {
            return false;
        }
        let base: u64 = digits[..9].parse().unwrap();
        let check: u64 = digits[9..].parse().unwrap();
        97 - base % 97 == check || 97 - (2_000_000_000 + base) % 97 == check
    };
    let invalid = niss.iter().filter(|v| !v.trim().is_empty() && !valid(v)).count() as u64;
    assert!(invalid > 0, "the demo holds invalid NISS on purpose");
    let report = dir.path().join("run.json");
    let output = dir.path().join("out");
    let assert = demo_job("run", dir.path(), &output).arg("--report").arg(&report).assert().code(0);
    let err = stderr(&assert);
    assert!(err.contains(&format!("niss: {invalid} value(s) failed validation")), "{err}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let members = json["files"].as_array().unwrap().iter().find(|f| f["input"] == "members.csv").unwrap();
    let niss_column = members["columns"].as_array().unwrap().iter().find(|c| c["name"] == "niss").unwrap();
    assert_eq!(niss_column["invalid"], invalid);
    let claims = json["files"].as_array().unwrap().iter().find(|f| f["input"] == "claims.csv").unwrap();
    assert_eq!(json["rows"], members["rows_out"].as_u64().unwrap() + claims["rows_out"].as_u64().unwrap());
    // k-anonymity of the output's quasi-identifiers, counted here from the output file.
    let [births, sexes, postcodes] = ["birth_date", "sex", "postcode"].map(|c| column(&output.join("members.csv"), c));
    let mut groups = std::collections::HashMap::<(String, String, String), u64>::new();
    for ((birth, sex), postcode) in births.into_iter().zip(sexes).zip(postcodes) {
        *groups.entry((birth, sex, postcode)).or_default() += 1;
    }
    let smallest = *groups.values().min().unwrap();
    let below: u64 = groups.values().filter(|&&n| n < 5).sum();
    let k = &json["k_anonymity"][0];
    assert_eq!(
        (k["file"].as_str(), k["smallest_group"].as_u64(), k["rows_in_groups_below_k"].as_u64()),
        (Some("members.csv"), Some(smallest), Some(below))
    );
    assert!(
        err.contains(&format!(
            "warning: quasi-identifiers (birth_date, sex, postcode): smallest group {smallest} row(s), {below} of"
        )),
        "{err}"
    );
    assert_eq!(json["k_anonymity"].as_array().unwrap().len(), 1, "members only: claims declare none");
    // verify measures the same on the same output.
    let verified: serde_json::Value = serde_json::from_str(&stdout(&verify(dir.path(), &output, "json"))).unwrap();
    let v = &verified["details"]["k_anonymity"][0];
    assert_eq!(
        (&v["smallest_group"], &v["rows_in_groups_below_k"]),
        (&k["smallest_group"], &k["rows_in_groups_below_k"])
    );
}

#[test]
fn short_flags_single_file_input_and_bad_numbers() {
    let dir = demo_copy();
    let output = dir.path().join("out");
    keyed(dir.path(), "input/claims.csv", &output, &["run", "-q", "-j", "1"]).assert().code(0);
    assert_eq!(common::file_names(&output), ["claims.csv", "pseudata-manifest.json"]);
    assert_eq!(
        records(&output.join("claims.csv"), b';').len(),
        records(&dir.path().join("input/claims.csv"), b';').len()
    );
    // verify and check take the single file too.
    keyed(dir.path(), "input/claims.csv", &output, &["verify"]).assert().code(0);
    gate(dir.path(), "input/members.csv", &["check"]).assert().code(0);
    // The output may not be the single file's own directory: its output would replace it.
    let before = std::fs::read(dir.path().join("input/claims.csv")).unwrap();
    let assert =
        keyed(dir.path(), "input/claims.csv", &dir.path().join("input"), &["run", "-q", "--force"]).assert().code(2);
    assert!(stderr(&assert).contains("inside"), "{}", stderr(&assert));
    assert_eq!(std::fs::read(dir.path().join("input/claims.csv")).unwrap(), before);
    for (args, said) in [
        (&["run", "--threads", "0", "-m", "m", "-i", "i", "-o", "o"][..], "--threads"),
        (&["check", "--sample", "0", "-m", "m", "-i", "i"][..], "--sample"),
        (&["scan", "--sample", "0", "-i", "i"][..], "--sample"),
        (&["verify", "--min-k", "0", "-m", "m", "-i", "i", "-o", "o"][..], "--min-k"),
        (&["check", "--threshold", "150", "-m", "m", "-i", "i"][..], "--threshold"),
        (&["sample", "--members", "0", "-o", "x"][..], "--members"),
    ] {
        let assert = pseudata().args(args).assert().code(2);
        assert!(stderr(&assert).contains(said), "{args:?}: {}", stderr(&assert));
    }
    // A refused command line still writes the report a CI job publishes.
    let report = dir.path().join("refused.xml");
    pseudata()
        .args(["check", "--sample", "0", "-m", "m", "-i", "i", "--format", "junit", "--report"])
        .arg(&report)
        .assert()
        .code(2);
    let xml = std::fs::read_to_string(&report).expect("report written");
    assert!(xml.contains("<error message=\"the command line was refused"), "{xml}");
    // `--report=F` for run (JSON by default); a missing value is no file named after the next option.
    let run_report = dir.path().join("refused-run.json");
    pseudata()
        .current_dir(dir.path())
        .args(["run", "-j", "0", "-m", "m", "-i", "i", "-o", "o"])
        .arg(format!("--report={}", run_report.display()))
        .assert()
        .code(2);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&run_report).unwrap()).unwrap();
    assert_eq!((json["command"].as_str(), json["clean"].as_bool()), (Some("run"), Some(false)));
    pseudata()
        .current_dir(dir.path())
        .args(["check", "-m", "m", "-i", "i", "--report", "--format", "junit"])
        .assert()
        .code(2);
    assert!(!dir.path().join("--format").exists());
}

#[test]
fn new_names_and_units_with_the_old_ones_kept_as_hidden_aliases() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.key");
    let old = dir.path().join("old.key");
    pseudata().args(["keygen", "--output"]).arg(&new).assert().code(0);
    pseudata().args(["keygen", "--out"]).arg(&old).assert().code(0);
    assert_eq!(std::fs::read_to_string(&new).unwrap().trim().len(), 64);
    let help = stdout(&pseudata().args(["keygen", "--help"]).assert().code(0));
    assert!(help.contains("--output") && !help.contains("--out "), "{help}");
    // check --threshold is a percentage like --subset; the old share is --threshold-share.
    let demo = demo_copy();
    let check = |args: &[&str]| {
        let assert = gate(demo.path(), "input", &["check", "--format", "json"]).args(args).assert();
        let out = stdout(&assert);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        report["notes"].to_string()
    };
    let percent = check(&["--threshold", "20"]);
    assert!(percent.contains("20.0%"), "{percent}");
    assert_eq!(percent, check(&["--threshold-share", "0.2"]));
    let verify_help = stdout(&pseudata().args(["verify", "--help"]).assert().code(0));
    assert!(verify_help.contains("--min-k") && verify_help.contains("PSEUDATA_KEY"), "{verify_help}");
    let demo_out = run_demo(demo.path());
    for k in ["--k", "--min-k"] {
        let assert = gate(demo.path(), "input", &["verify", "--format", "json", k, "3"])
            .arg("-o")
            .arg(&demo_out)
            .assert()
            .code(0);
        let report: serde_json::Value = serde_json::from_str(&stdout(&assert)).unwrap();
        let groups = report["details"]["k_anonymity"].as_array().unwrap();
        assert!(!groups.is_empty() && groups.iter().all(|g| g["k"] == 3), "{k}: {groups:?}");
    }
}

#[test]
fn every_help_has_an_example_and_rules_completions_and_man_page_exist() {
    for command in ["run", "scan", "check", "verify", "case", "keygen", "sample", "rules", "completions"] {
        let help = stdout(&pseudata().args([command, "--help"]).assert().code(0));
        let examples = help.split("Examples:").nth(1).unwrap_or_else(|| panic!("{command}: no example\n{help}"));
        assert!(examples.contains(&format!("pseudata {command}")), "{command}: {examples}");
    }
    let rules = stdout(&pseudata().arg("rules").assert().code(0));
    for info in pseudata::rules::RULES {
        assert!(rules.contains(&format!("{}\n", info.name)), "{} missing", info.name);
        assert!(rules.contains(info.example), "{} example missing", info.name);
    }
    let one = stdout(&pseudata().args(["rules", "date"]).assert().code(0));
    assert!(one.starts_with("date\n") && !one.contains("\niban\n"), "{one}");
    let assert = pseudata().args(["rules", "phnoe"]).assert().code(2);
    assert!(stderr(&assert).contains("did you mean `phone`"));
    let bash = stdout(&pseudata().args(["completions", "bash"]).assert().code(0));
    assert!(bash.contains("pseudata") && bash.contains("--mappings") && bash.contains("complete"), "bash");
    let man = stdout(&pseudata().args(["completions", "man"]).assert().code(0));
    assert!(man.contains(".TH pseudata"), "{man}");
    pseudata().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn a_misspelt_rule_gets_did_you_mean_and_its_line() {
    let dir = demo_copy();
    let mapping = dir.path().join("mappings/members.yaml");
    set_rule(&mapping, "phone", "phnoe");
    let line = std::fs::read_to_string(&mapping).unwrap().lines().position(|l| l.starts_with("  phone:")).unwrap() + 1;
    let assert = gate(dir.path(), "input", &["check"]).assert().code(2);
    let err = stderr(&assert);
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(err.contains("did you mean `phone`?"), "{err}");
}

#[test]
fn scan_drafts_match_next_months_extract_name_quasi_identifiers_and_distrust_name_only_identifiers() {
    let dir = demo_copy();
    let month = dir.path().join("extract/2024/january_2024");
    std::fs::create_dir_all(&month).unwrap();
    std::fs::copy(dir.path().join("input/claims.csv"), month.join("EXPORT_claims_2024-01.csv")).unwrap();
    // A phone column whose values are no phone numbers: recognised by its name only.
    let members = month.join("members_2024-01.csv");
    std::fs::copy(dir.path().join("input/members.csv"), &members).unwrap();
    rewrite(&members, |i, row, header| {
        let at = header.iter().position(|h| h == b"phone").unwrap();
        row[at] = format!("X-{i:05}").into_bytes();
    });
    let drafts = dir.path().join("drafts");
    pseudata().args(["scan", "-i"]).arg(dir.path().join("extract")).arg("--write-drafts").arg(&drafts).assert().code(0);
    assert_eq!(common::file_names(&drafts), ["claims.yaml", "members.yaml"]);
    let tables = pseudata::mapping::load_dir(&drafts).expect("drafts load");
    let claims = tables.tables.iter().find(|t| t.name == "claims").unwrap();
    let members = tables.tables.iter().find(|t| t.name == "members").unwrap();
    for next in ["2024/february_2024/EXPORT_claims_2024-02.csv", "EXPORT_claims_2025-01.csv"] {
        assert!(claims.matches(next), "claims globs miss {next}");
        assert!(!members.matches(next), "members globs catch {next}");
    }
    assert!(members.matches("2025/march/members_2025-03.csv"));
    let quasi = &members.quasi_identifiers;
    for q in ["birth_date", "sex", "postcode"] {
        assert!(quasi.iter().any(|c| c == q), "{q} not proposed: {quasi:?}");
    }
    assert_eq!(members.rule("phone").unwrap().name(), "hash");
    let yaml = std::fs::read_to_string(drafts.join("members.yaml")).unwrap();
    for column in ["phone:", "exid:"] {
        let line = yaml.lines().find(|l| l.trim_start().starts_with(column)).unwrap();
        assert!(line.contains("by name only"), "{line}");
    }
    assert_eq!(members.rule("exid").unwrap().name(), "exid", "a member number's shape is kept");
    assert!(!yaml.contains(" 0% of"), "no rule on evidence of 0 %: {yaml}");
}

#[test]
fn progress_on_a_terminal_shows_an_overall_bar_and_each_file() {
    // `script` (util-linux, in every Debian) gives the run a pseudo-terminal, where bars draw.
    let dir = demo_copy();
    let output = dir.path().join("out");
    let command = format!(
        "{} run -m {} -i {} -o {} --key-file {}",
        assert_cmd::cargo::cargo_bin("pseudata").display(),
        dir.path().join("mappings").display(),
        dir.path().join("input").display(),
        output.display(),
        demo_key().display()
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("PSEUDATA_KEY")
        .output()
        .expect("`script` from util-linux");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("all files"), "no overall bar: {screen}");
    assert!(screen.contains("0 of 2 file(s) done") && screen.contains("2 of 2 file(s) done"), "{screen}");
    for file in ["claims.csv", "members.csv"] {
        assert!(screen.lines().any(|l| l.contains(file) && l.contains('[')), "no bar for {file}: {screen}");
    }
    assert!(output.join("pseudata-manifest.json").is_file());
}

#[test]
fn kept_columns_count_every_identifier_kind_and_id_names_do_not_hide_e_mails() {
    let dir = demo_copy();
    // `language` (kept): one row in 25 each gets the row's NISS, phone, IBAN: 12 % identifiers,
    // 4 % of each kind, under the 5 % threshold kind by kind.
    rewrite(&dir.path().join("input/members.csv"), |i, row, header| {
        let at = |name: &str| header.iter().position(|h| h == name.as_bytes()).unwrap();
        let source = match i % 25 {
            1 => Some("niss"),
            2 => Some("phone"),
            3 => Some("iban"),
            _ => None,
        };
        if let Some(source) = source {
            row[at("language")] = row[at(source)].clone();
        }
    });
    // `claim_id` (kept, named as an id): half of it e-mail addresses, which no number is by chance.
    rewrite(&dir.path().join("input/claims.csv"), |i, row, header| {
        let at = header.iter().position(|h| h == b"claim_id").unwrap();
        if i % 2 == 0 {
            row[at] = format!("member{i}@telenet.be").into_bytes();
        }
    });
    let json = stdout(&gate(dir.path(), "input", &["check", "--format", "json"]).assert().code(1));
    let codes = |json: &str, column: &str| -> Vec<String> {
        let report: serde_json::Value = serde_json::from_str(json).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["column"] == column)
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(codes(&json, "language"), ["kept_identifier"], "{json}");
    assert_eq!(codes(&json, "claim_id"), ["kept_identifier"], "{json}");
    let output = run_demo(dir.path());
    let json = stdout(&verify(dir.path(), &output, "json").code(1));
    assert!(codes(&json, "language").contains(&"kept_identifier".to_string()), "{json}");
    assert!(codes(&json, "claim_id").contains(&"kept_identifier".to_string()), "{json}");
}

#[test]
fn a_report_never_replaces_an_input_an_output_or_the_manifest() {
    let dir = demo_copy();
    let output = run_demo(dir.path());
    let input = dir.path().join("input/members.csv");
    let before = std::fs::read(&input).unwrap();
    let assert = gate(dir.path(), "input", &["check"]).arg("--report").arg(&input).assert().code(2);
    assert!(stderr(&assert).contains("inputs are never modified"), "{}", stderr(&assert));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    let manifest = output.join("pseudata-manifest.json");
    let signed = std::fs::read(&manifest).unwrap();
    for target in [manifest.clone(), output.join("claims.csv")] {
        keyed(dir.path(), "input", &output, &["verify", "--format", "json"])
            .arg("--report")
            .arg(&target)
            .assert()
            .code(2);
    }
    assert_eq!(std::fs::read(&manifest).unwrap(), signed);
    // A report beside the output is fine.
    keyed(dir.path(), "input", &output, &["verify", "--format", "json"])
        .arg("--report")
        .arg(dir.path().join("v.json"))
        .assert()
        .code(0);
}

#[test]
fn a_single_file_through_a_symbolic_link_is_not_replaced_and_an_added_input_is_no_verified_run() {
    let dir = demo_copy();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    std::os::unix::fs::symlink(dir.path().join("input/members.csv"), work.join("members.csv")).unwrap();
    let before = std::fs::read(dir.path().join("input/members.csv")).unwrap();
    pseudata()
        .current_dir(&work)
        .args(["run", "-q", "--force", "-i", "members.csv", "-o", ".", "-m"])
        .arg(dir.path().join("mappings"))
        .arg("--key-file")
        .arg(demo_key())
        .assert()
        .code(2);
    assert!(work.join("members.csv").is_symlink(), "the link is left as it was");
    assert_eq!(std::fs::read(dir.path().join("input/members.csv")).unwrap(), before);
    // A file added to the input after the run: the manifest does not describe this input.
    let output = run_demo(dir.path());
    let manifest = std::fs::read(output.join("pseudata-manifest.json")).unwrap();
    std::fs::copy(dir.path().join("input/claims.csv"), dir.path().join("input/claims_extra.csv")).unwrap();
    let json = stdout(&verify(dir.path(), &output, "json").code(1));
    assert!(json.contains("input file `claims_extra.csv` is not among the files"), "{json}");
    assert_eq!(std::fs::read(output.join("pseudata-manifest.json")).unwrap(), manifest, "not signed again");
    // A missing output is named as the output.
    let assert = gate(dir.path(), "input", &["verify"]).arg("-o").arg(dir.path().join("nowhere")).assert().code(2);
    assert!(stderr(&assert).contains("output directory"), "{}", stderr(&assert));
}

#[test]
fn scan_drafts_load_with_odd_column_names_and_split_tables_of_other_columns() {
    let dir = demo_copy();
    let extract = dir.path().join("extract");
    std::fs::create_dir_all(extract.join("b")).unwrap();
    // Odd headers: a surname column `Naam: familie`, a postcode column `# postcode`, no language column.
    let members = extract.join("members_2024-01.csv");
    std::fs::copy(dir.path().join("input/members.csv"), &members).unwrap();
    rewrite_table(&members, |rows| {
        let language = rows[0].iter().position(|h| h == b"language").unwrap();
        for row in rows.iter_mut() {
            row.remove(language);
        }
        for cell in rows[0].iter_mut() {
            if cell == b"last_name" {
                *cell = b"Naam: familie".to_vec();
            } else if cell == b"postcode" {
                *cell = b"# postcode".to_vec();
            }
        }
    });
    // Two files named `claims`: one with the claims' columns, one with the members' columns.
    std::fs::copy(dir.path().join("input/claims.csv"), extract.join("EXPORT_claims_2024-01.csv")).unwrap();
    std::fs::copy(dir.path().join("input/members.csv"), extract.join("b/EXPORT_claims_2024-01.csv")).unwrap();
    let drafts = dir.path().join("drafts");
    pseudata().args(["scan", "-i"]).arg(&extract).arg("--write-drafts").arg(&drafts).assert().code(0);
    let tables = pseudata::mapping::load_dir(&drafts).expect("every draft loads");
    let mut names: Vec<&str> = tables.tables.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["claims", "claims_2", "members"]);
    // Each file is matched by exactly one draft, and check reads them all without an error.
    pseudata().args(["check", "-i"]).arg(&extract).arg("-m").arg(&drafts).assert().code(0);
    let members = tables.tables.iter().find(|t| t.name == "members").unwrap();
    assert!(members.rule("Naam: familie").is_some_and(|r| r.name() == "last_name"));
}
