//! The CI gate end to end: `check` before a run, `scan` drafts, `verify` after a run.
//! Every test runs the binary on the bundled demo extract (Windows dialect) or on variants of it.

mod common;

use std::path::{Path, PathBuf};

use common::{demo_copy, job, pseudata, records, KEY_A};
use pseudata::mapping::{load_dir, ColumnRule};
use pseudata::rules::DateSpec;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch directory holding `files` (path relative to it, contents).
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn check(dir: &Path, format: &str) -> assert_cmd::assert::Assert {
    pseudata()
        .args(["check", "--format", format, "--mappings"])
        .arg(dir.join("mappings"))
        .arg("--input")
        .arg(dir.join("input"))
        .assert()
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// Replaces the rule of `column` in a mapping file (the line `  column: ...`).
fn set_rule(mapping: &Path, column: &str, rule: Option<&str>) {
    let text = std::fs::read_to_string(mapping).unwrap();
    let prefix = format!("  {column}:");
    assert!(text.lines().any(|l| l.starts_with(&prefix)), "{column} not in {}", mapping.display());
    let edited: Vec<String> = text
        .lines()
        .filter_map(|l| match (l.starts_with(&prefix), rule) {
            (true, Some(rule)) => Some(format!("{prefix} {rule}")),
            (true, None) => None,
            // A column taken out of the mapping takes its case-sheet role with it.
            (false, None) if l.starts_with("roles:") && l.contains(&format!(": {column}")) => None,
            (false, _) => Some(l.to_string()),
        })
        .collect();
    std::fs::write(mapping, edited.join("\n") + "\n").unwrap();
}

fn findings(json: &str) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    report["findings"].as_array().unwrap().clone()
}

fn has_finding(json: &str, code: &str, column: &str) -> bool {
    findings(json).iter().any(|f| f["code"] == code && f["column"] == column)
}

#[test]
fn check_passes_the_complete_demo_mapping() {
    let dir = demo_copy();
    let assert = check(dir.path(), "json").code(0);
    let out = stdout(&assert);
    assert!(findings(&out).is_empty(), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["columns"].as_array().unwrap().len(), 24);
    // The full read agrees.
    pseudata()
        .args(["check", "--full", "--mappings"])
        .arg(dir.path().join("mappings"))
        .arg("--input")
        .arg(dir.path().join("input"))
        .assert()
        .code(0);
}

#[test]
fn check_fails_for_a_column_removed_from_the_mapping() {
    let dir = demo_copy();
    set_rule(&dir.path().join("mappings/claims.yaml"), "amount_eur", None);
    let out = stdout(&check(dir.path(), "json").code(1));
    assert!(has_finding(&out, "unmapped_column", "amount_eur"), "{out}");
    assert_eq!(findings(&out).len(), 1, "{out}");
}

#[test]
fn check_fails_for_a_new_column_in_the_data_and_a_mapped_column_gone() {
    let dir = demo_copy();
    let path = dir.path().join("input/claims.csv");
    let rows = records(&path, b';');
    let mut writer = csv::WriterBuilder::new().delimiter(b';').from_path(&path).unwrap();
    for (i, row) in rows.iter().enumerate() {
        // `amount_eur` leaves, `batch_ref` arrives.
        let mut fields: Vec<&[u8]> =
            row.iter().enumerate().filter(|(c, _)| *c != 6).map(|(_, f)| f.as_slice()).collect();
        fields.push(if i == 0 { b"batch_ref" } else { b"B7" });
        writer.write_record(fields).unwrap();
    }
    writer.flush().unwrap();
    drop(writer);
    let out = stdout(&check(dir.path(), "json").code(1));
    assert!(has_finding(&out, "unmapped_column", "batch_ref"), "{out}");
    assert!(has_finding(&out, "missing_column", "amount_eur"), "{out}");
}

#[test]
fn check_fails_for_niss_iban_and_email_columns_declared_keep() {
    for (mapping, column) in [("claims.yaml", "niss"), ("members.yaml", "iban"), ("members.yaml", "email")] {
        let dir = demo_copy();
        set_rule(&dir.path().join("mappings").join(mapping), column, Some("keep"));
        let out = stdout(&check(dir.path(), "json").code(1));
        assert!(has_finding(&out, "kept_identifier", column), "{column}: {out}");
    }
}

#[test]
fn check_finds_identifiers_by_their_values_under_a_harmless_name() {
    // A column of NISS numbers called `ref_a`, one of IBANs called `x`, declared keep: the name
    // says nothing, the check digits do.
    let mut csv = String::from("id,ref_a,x,amount\n");
    for i in 0..200 {
        let niss = ["85.07.30-033.28", "85073003328", "00012556777"][i % 3];
        let iban = ["BE71 0961 2345 6769", "BE68539007547034"][i % 2];
        csv.push_str(&format!("{},{niss},{iban},{}.{:02}\n", 1_000_000 + i, 10 + i, i % 100));
    }
    let dir = scratch(&[
        ("input/t.csv", &csv),
        ("mappings/t.yaml", "table: t\nfiles: [t.csv]\ncolumns: { id: keep, ref_a: keep, x: keep, amount: keep }\n"),
    ]);
    let out = stdout(&check(dir.path(), "json").code(1));
    assert!(has_finding(&out, "kept_identifier", "ref_a"), "{out}");
    assert!(has_finding(&out, "kept_identifier", "x"), "{out}");
    assert!(!findings(&out).iter().any(|f| f["column"] == "id" || f["column"] == "amount"), "{out}");
}

#[test]
fn check_fails_for_free_text_with_identifiers_kept() {
    let dir = demo_copy();
    set_rule(&dir.path().join("mappings/members.yaml"), "notes", Some("keep"));
    let out = stdout(&check(dir.path(), "json").code(1));
    assert!(has_finding(&out, "kept_free_text", "notes"), "{out}");
}

#[test]
fn check_fails_for_a_file_no_mapping_matches() {
    let dir = demo_copy();
    std::fs::copy(dir.path().join("input/claims.csv"), dir.path().join("input/payments.csv")).unwrap();
    let out = stdout(&check(dir.path(), "json").code(1));
    assert!(findings(&out).iter().any(|f| f["code"] == "unmapped_file" && f["file"] == "payments.csv"), "{out}");
}

#[test]
fn amounts_counts_and_ids_are_not_taken_for_identifiers() {
    // Values that happen to be valid mobile numbers, NISS or KBO numbers, in columns whose names
    // say they are ids, amounts or counts, declared keep: no finding.
    let mut csv = String::from("claim_id;amount_eur;aantal;nomenclature_code\n");
    for i in 0..500u64 {
        let id = if i % 10 == 0 { "85073003328".to_string() } else { format!("{:010}", 475_000_000 + i * 7919) };
        csv.push_str(&format!("{id};{},{:02};{};{:06}\n", 10 + i, i % 100, i % 9, 101_010 + i));
    }
    let dir = scratch(&[
        ("input/c.csv", &csv),
        (
            "mappings/c.yaml",
            "table: c\nfiles: [c.csv]\ncolumns: { claim_id: keep, amount_eur: keep, aantal: keep, nomenclature_code: keep }\n",
        ),
    ]);
    let out = stdout(&check(dir.path(), "json").code(0));
    assert!(findings(&out).is_empty(), "{out}");
}

#[test]
fn junit_parses_and_names_the_failing_column() {
    let dir = demo_copy();
    set_rule(&dir.path().join("mappings/members.yaml"), "iban", Some("keep"));
    let xml = stdout(&check(dir.path(), "junit").code(1));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let cases: Vec<roxmltree::Node> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.len(), 24, "one test case per table column");
    let failing: Vec<&str> = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(failing, ["iban"]);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("failures"), Some("1"));
}

#[test]
fn the_report_can_go_to_a_file() {
    let dir = demo_copy();
    let report = dir.path().join("check.xml");
    pseudata()
        .args(["check", "--format", "junit", "--report"])
        .arg(&report)
        .arg("--mappings")
        .arg(dir.path().join("mappings"))
        .arg("--input")
        .arg(dir.path().join("input"))
        .assert()
        .code(0)
        .stdout("");
    roxmltree::Document::parse(&std::fs::read_to_string(report).unwrap()).unwrap();
}

#[test]
fn check_fails_a_day_shift_on_dates_that_are_all_the_first_of_a_month() {
    let dir = demo_copy();
    let members = dir.path().join("mappings/members.yaml");
    let shipped = std::fs::read_to_string(&members).unwrap();
    let day_shift = shipped.replace("granularity: month, max_months: 6", "max_days: 30");
    assert_ne!(day_shift, shipped, "the shipped mapping shifts affiliation dates by months");
    std::fs::write(&members, day_shift).unwrap();
    let output = pseudata()
        .args(["check", "--format", "json", "--mappings"])
        .arg(dir.path().join("mappings"))
        .arg("--input")
        .arg(dir.path().join("input"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let hits: Vec<&serde_json::Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "day_shift_on_month_dates").collect();
    assert_eq!(hits.len(), 1, "{report}");
    assert_eq!(hits[0]["column"], "affiliation_date");
}

/// The rule of a column, as compared between a draft and the shipped mapping: the rule name,
/// and for dates whether it shifts or derives from the NISS.
fn rule_shape(rule: &ColumnRule) -> String {
    match rule {
        ColumnRule::Date(DateSpec::ShiftBy { column, granularity, .. }) => {
            format!("date shift_by {column} by {granularity:?}")
        }
        ColumnRule::Date(DateSpec::FromNiss { column, .. }) => format!("date from_niss {column}"),
        ColumnRule::Icd10(level) => format!("icd10 {level:?}"),
        other => other.name().to_string(),
    }
}

/// `pseudata scan --input INPUT --write-drafts DRAFTS`, which must succeed.
fn scan_drafts(input: &Path, drafts: &Path) {
    pseudata().args(["scan", "--input"]).arg(input).arg("--write-drafts").arg(drafts).assert().code(0);
}

/// Scans `input` into `drafts` and asserts every draft gives each column the shipped rule.
fn assert_drafts_match_shipped(input: &Path, drafts: &Path, files: &[&str]) {
    scan_drafts(input, drafts);
    let drafted = load_dir(drafts).expect("drafts are valid mappings");
    let shipped = load_dir(&root().join("mappings")).unwrap();
    assert_eq!(drafted.tables.len(), 2);
    for table in &shipped.tables {
        let draft = drafted.tables.iter().find(|t| t.name == table.name).expect("a draft per table");
        assert_eq!(draft.subject, table.subject, "{}", table.name);
        let names: Vec<&String> = draft.columns.iter().map(|(n, _)| n).collect();
        let expected: Vec<&String> = table.columns.iter().map(|(n, _)| n).collect();
        assert_eq!(names, expected, "every column present, in file order");
        for (column, rule) in &table.columns {
            let drafted = draft.rule(column).unwrap();
            assert_eq!(rule_shape(drafted), rule_shape(rule), "{}.{column}", table.name);
        }
        for file in files {
            assert_eq!(draft.matches(file), table.matches(file), "{} globs", table.name);
        }
    }
}

#[test]
fn scan_drafts_the_shipped_rule_for_every_demo_column() {
    let drafts = tempfile::tempdir().unwrap();
    assert_drafts_match_shipped(&root().join("demo/input"), drafts.path(), &["claims.csv", "members.csv"]);
    // Drafts are never overwritten.
    let path = drafts.path().join("claims.yaml");
    std::fs::write(&path, "edited by hand\n").unwrap();
    let assert = pseudata()
        .args(["scan", "--input"])
        .arg(root().join("demo/input"))
        .arg("--write-drafts")
        .arg(drafts.path())
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited by hand\n");
    assert!(stdout(&assert).contains("not overwritten"));
}

#[test]
fn scan_reports_json_and_only_drafts_unmapped_tables() {
    let dir = demo_copy();
    std::fs::remove_file(dir.path().join("mappings/claims.yaml")).unwrap();
    let drafts = dir.path().join("drafts");
    let out = pseudata()
        .args(["scan", "--format", "json", "--input"])
        .arg(dir.path().join("input"))
        .arg("--mappings")
        .arg(dir.path().join("mappings"))
        .arg("--write-drafts")
        .arg(&drafts)
        .assert()
        .code(0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let niss = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["file"] == "claims.csv" && c["column"] == "niss")
        .unwrap();
    assert_eq!(niss["detected"], "niss");
    assert!(niss["confidence"].as_f64().unwrap() > 0.99);
    assert_eq!(common::file_names(&drafts), ["claims.yaml"]);
}

fn run_demo(dir: &Path, extra: &[&str]) -> PathBuf {
    let output = dir.join("out");
    common::demo_job("run", dir, &output).args(["--quiet", "--force"]).args(extra).assert().code(0);
    output
}

fn verify(dir: &Path, output: &Path, format: &str, key: bool) -> assert_cmd::assert::Assert {
    let mut cmd = pseudata();
    cmd.args(["verify", "--format", format, "--mappings"])
        .arg(dir.join("mappings"))
        .arg("--input")
        .arg(dir.join("input"))
        .arg("--output")
        .arg(output);
    if key {
        cmd.arg("--key-file").arg(root().join("demo/demo.key"));
    }
    cmd.assert()
}

#[test]
fn verify_passes_a_real_run_and_records_it_in_the_signed_manifest() {
    let dir = demo_copy();
    let output = run_demo(dir.path(), &[]);
    let out = stdout(&verify(dir.path(), &output, "json", true).code(0));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The only finding allowed on the demo is the k-anonymity warning (300 members, exact birth dates).
    for f in findings(&out) {
        assert_eq!(f["severity"], "warning", "{f}");
        assert_eq!(f["code"], "k_anonymity", "{f}");
    }
    let joins = report["details"]["joins"].as_array().unwrap();
    assert!(
        joins.iter().any(|j| j["from"] == "claims.niss" && j["to"] == "members.niss" && j["output_rate"] == 1.0),
        "{out}"
    );
    let manifest = output.join("pseudata-manifest.json");
    let recorded: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(recorded["verify"]["clean"], true);
    let check_signature = || {
        pseudata()
            .args(["verify", "--manifest"])
            .arg(&manifest)
            .arg("--key-file")
            .arg(root().join("demo/demo.key"))
            .assert()
    };
    check_signature().code(0);
    // An edited manifest no longer verifies.
    let edited = std::fs::read_to_string(&manifest).unwrap().replace("\"rows_out\": 300", "\"rows_out\": 301");
    std::fs::write(&manifest, edited).unwrap();
    check_signature().code(1);
}

/// Rewrites an output file of the demo (`;`, CRLF) with edited records.
fn write_windows_csv(path: &Path, rows: &[Vec<Vec<u8>>]) {
    let mut writer =
        csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_path(path).unwrap();
    for r in rows {
        writer.write_record(r).unwrap();
    }
    writer.flush().unwrap();
}

/// The NISS of the first data row of the demo members, in the file's spelling.
fn first_member_niss(dir: &Path) -> String {
    String::from_utf8(records(&dir.join("input/members.csv"), b';')[1][0].clone()).unwrap()
}

#[test]
fn verify_fails_when_one_original_niss_is_planted_in_a_note_without_printing_it() {
    let dir = demo_copy();
    let output = run_demo(dir.path(), &[]);
    let niss = first_member_niss(dir.path());
    let path = output.join("members.csv");
    let mut rows = records(&path, b';');
    let row = 42;
    rows[row][15].extend_from_slice(format!(" (zie {niss})").as_bytes());
    write_windows_csv(&path, &rows);
    for format in ["text", "json", "junit"] {
        let assert = verify(dir.path(), &output, format, false).code(1);
        let out = stdout(&assert);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        let digits: String = niss.chars().filter(char::is_ascii_digit).collect();
        for printed in [&out, &err] {
            assert!(!printed.contains(&niss) && !printed.contains(&digits), "the NISS was printed ({format})");
        }
        if format == "json" {
            let leak = findings(&out).into_iter().find(|f| f["code"] == "leak").expect("a leak finding");
            assert_eq!(leak["file"], "members.csv");
            assert_eq!(leak["column"], "notes");
            assert_eq!(leak["row"], row as u64);
        }
    }
}

#[test]
fn verify_fails_for_an_unchanged_identifier_a_lost_row_and_a_broken_join() {
    let dir = demo_copy();
    let output = run_demo(dir.path(), &[]);
    let path = output.join("claims.csv");
    let input = records(&dir.path().join("input/claims.csv"), b';');
    let mut rows = records(&path, b';');
    // Row 5 keeps its original NISS; row 9's NISS becomes one that is no member's pseudonym.
    rows[5][1] = input[5][1].clone();
    rows[9][1] = b"85073003328".to_vec();
    rows.pop();
    write_windows_csv(&path, &rows);
    let out = stdout(&verify(dir.path(), &output, "json", false).code(1));
    let all = findings(&out);
    assert!(all.iter().any(|f| f["code"] == "leak" && f["column"] == "niss" && f["row"] == 5), "{out}");
    assert!(all.iter().any(|f| f["code"] == "row_count" && f["file"] == "claims.csv"), "{out}");
    assert!(all.iter().any(|f| f["code"] == "join_rate" && f["column"] == "niss"), "{out}");
}

#[test]
fn verify_counts_every_cell_of_a_repeated_leak_across_batches() {
    // `verify` works a repeated text or value out once: every repeat must still be counted,
    // in later batches too (16 rows per batch here), and clean repeats around them stay clean.
    let dir = demo_copy();
    let output = run_demo(dir.path(), &[]);
    // The last member's NISS, written in notes (not the first claiming member's, which the rows
    // below keep in the NISS column: an original written there is taken for the run's pseudonym).
    let members = records(&dir.path().join("input/members.csv"), b';');
    let niss = String::from_utf8(members[members.len() - 1][0].clone()).unwrap();
    let path = output.join("claims.csv");
    let input = records(&dir.path().join("input/claims.csv"), b';');
    assert_ne!(niss.as_bytes(), &input[1][1][..]);
    let mut rows = records(&path, b';');
    let clean = b"Tiers payant; dossier volledig".to_vec();
    let leaking: Vec<usize> = vec![3, 17, 18, 40, 199, 600, 601, 1200, 1500, 1800, 2100, 2400];
    for (row, record) in rows.iter_mut().enumerate().skip(1) {
        record[7] = if leaking.contains(&row) { format!("zie {niss}").into_bytes() } else { clean.clone() };
    }
    // Every claim of the first claiming member keeps its original NISS, and so does one more row.
    let first = input[1][1].clone();
    let mut unchanged: Vec<usize> = (1..input.len()).filter(|&r| input[r][1] == first).collect();
    assert!(unchanged.len() >= 3, "the first member has several claims");
    unchanged.push(700);
    for &row in &unchanged {
        rows[row][1] = input[row][1].clone();
    }
    write_windows_csv(&path, &rows);
    let out = stdout(
        &pseudata()
            .args(["verify", "--format", "json", "--batch-rows", "16", "--mappings"])
            .arg(dir.path().join("mappings"))
            .arg("--input")
            .arg(dir.path().join("input"))
            .arg("--output")
            .arg(&output)
            .assert()
            .code(1),
    );
    let all = findings(&out);
    let in_column = |column: &str| -> (Vec<u64>, u64) {
        let found: Vec<&serde_json::Value> =
            all.iter().filter(|f| f["code"] == "leak" && f["file"] == "claims.csv" && f["column"] == column).collect();
        let listed = found.iter().filter_map(|f| f["row"].as_u64()).collect();
        let more = found.iter().filter(|f| f["row"].is_null()).map(|f| f["count"].as_u64().unwrap()).sum();
        (listed, more)
    };
    let expected = |rows: &[usize]| -> (Vec<u64>, u64) {
        let rows: Vec<u64> = rows.iter().map(|&r| r as u64).collect();
        (rows.iter().copied().take(10).collect(), rows.len().saturating_sub(10) as u64)
    };
    assert_eq!(in_column("comment"), expected(&leaking), "{out}");
    assert_eq!(in_column("niss"), expected(&unchanged), "{out}");
    let other: Vec<_> = all
        .iter()
        .filter(|f| f["severity"] == "error" && !["leak", "join_rate"].contains(&f["code"].as_str().unwrap()))
        .collect();
    assert!(other.is_empty(), "{other:?}");
}

#[test]
fn verify_aligns_rows_of_a_subset_run_with_the_key_and_reads_parquet() {
    let dir = demo_copy();
    let output = run_demo(dir.path(), &["--subset", "30", "--to", "parquet"]);
    assert!(output.join("claims.parquet").is_file());
    // Without the key the rows of a subset cannot be aligned: a clear error, exit 2.
    verify(dir.path(), &output, "text", false).code(2);
    let out = stdout(&verify(dir.path(), &output, "json", true).code(0));
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = report["details"]["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["rows_out"].as_u64() < r["rows_in"].as_u64()), "{out}");
    // `--subset` says what a manifest would: it must agree with one that is there.
    let with_subset = |output: &Path, pct: &str| {
        let mut cmd = pseudata();
        cmd.args(["verify", "--subset", pct, "--mappings"]).arg(dir.path().join("mappings"));
        cmd.arg("--input").arg(dir.path().join("input")).arg("--output").arg(output);
        cmd.arg("--key-file").arg(root().join("demo/demo.key")).assert()
    };
    with_subset(&output, "30").code(0);
    let refused = with_subset(&output, "40").code(2);
    assert!(String::from_utf8_lossy(&refused.get_output().stderr).contains("records --subset 30"));
    // Without a manifest (as `pipe` and Spark write), only `--subset` aligns the rows.
    std::fs::remove_file(output.join("pseudata-manifest.json")).unwrap();
    verify(dir.path(), &output, "text", true).code(1);
    with_subset(&output, "30").code(0);
    // A full run's output is no subset's.
    let full = dir.path().join("full");
    common::demo_job("run", dir.path(), &full).args(["--quiet", "--to", "parquet"]).assert().code(0);
    let refused = with_subset(&full, "30").code(2);
    assert!(String::from_utf8_lossy(&refused.get_output().stderr).contains("without --subset"));
}

/// A subset keeps fewer input rows than it reads, so pass 1 reads the input ahead of the output;
/// in batches of 3, 64 or all rows at once, each output row is still compared with its own
/// original: the rows planted with their original NISS (found by the kept claim id) are the
/// ones reported, and nothing else is.
#[test]
fn verify_aligns_a_subset_read_in_small_batches() {
    let dir = demo_copy();
    let output = run_demo(dir.path(), &["--subset", "30"]);
    let input = records(&dir.path().join("input/claims.csv"), b';');
    let path = output.join("claims.csv");
    let mut rows = records(&path, b';');
    let last = rows.len() - 1;
    assert!(last > 200 && last < input.len() / 2, "a subset: {last} of {} claims", input.len() - 1);
    let planted = [2usize, 41, 42, last / 2, last];
    for &row in &planted {
        let original = input.iter().find(|claim| claim[0] == rows[row][0]).unwrap();
        assert_ne!(rows[row][1], original[1]);
        rows[row][1] = original[1].clone();
    }
    write_windows_csv(&path, &rows);
    for batch in ["3", "64", "100000"] {
        let out = stdout(
            &pseudata()
                .args(["verify", "--format", "json", "--batch-rows", batch, "--mappings"])
                .arg(dir.path().join("mappings"))
                .arg("--input")
                .arg(dir.path().join("input"))
                .arg("--output")
                .arg(&output)
                .arg("--key-file")
                .arg(root().join("demo/demo.key"))
                .assert()
                .code(1),
        );
        let all = findings(&out);
        let listed: Vec<u64> = all
            .iter()
            .filter(|f| f["code"] == "leak" && f["file"] == "claims.csv" && f["column"] == "niss")
            .filter_map(|f| f["row"].as_u64())
            .collect();
        assert_eq!(listed, planted.map(|r| r as u64), "batches of {batch}: {out}");
        let other: Vec<_> = all
            .iter()
            .filter(|f| f["severity"] == "error" && !(f["code"] == "output_changed" || f["column"] == "niss"))
            .collect();
        assert!(other.is_empty(), "batches of {batch}: {other:?}");
    }
}

#[test]
fn check_and_verify_read_other_dialects() {
    // UTF-8 with `,` and Windows-1252 with `;`, and a Parquet input.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    pseudata().args(["sample", "--members", "120", "--seed", "7", "--output"]).arg(&input).assert().code(0);
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    for entry in std::fs::read_dir(root().join("mappings")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join("mappings").join(entry.file_name())).unwrap();
    }
    check(dir.path(), "text").code(0);
    let output = run_demo(dir.path(), &[]);
    verify(dir.path(), &output, "text", false).code(0);
    let parquet = tempfile::tempdir().unwrap();
    pseudata()
        .args(["sample", "--members", "120", "--seed", "7", "--to", "parquet", "--output"])
        .arg(parquet.path().join("input"))
        .assert()
        .code(0);
    std::fs::rename(dir.path().join("mappings"), parquet.path().join("mappings")).unwrap();
    check(parquet.path(), "text").code(0);
    // Typed Parquet columns (dates, numbers) are read as text: the drafts are the same.
    assert_drafts_match_shipped(
        &parquet.path().join("input"),
        &parquet.path().join("drafts"),
        &["claims.parquet", "members.parquet"],
    );
    let output = run_demo(parquet.path(), &[]);
    verify(parquet.path(), &output, "text", false).code(0);
}

#[test]
fn errors_exit_2_and_name_the_place() {
    let dir = demo_copy();
    std::fs::write(
        dir.path().join("mappings/claims.yaml"),
        "table: claims\nfiles: [claims*.csv]\ncolumns: { a: scramble }\n",
    )
    .unwrap();
    let assert = check(dir.path(), "text").code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("claims.yaml") && err.contains("scramble"), "{err}");
    pseudata().args(["check", "--mappings", "mappings", "--input", "/nonexistent"]).assert().code(2);
    pseudata().args(["scan", "--input", "/nonexistent"]).assert().code(2);
}

#[test]
fn a_pseudonym_in_free_text_that_equals_a_real_niss_is_a_leak_only_without_the_key() {
    // Y appears only in a note; the run writes its pseudonym P there. P is also the real NISS of
    // another member. Without the key verify cannot tell P from a leaked original (strict: exit
    // 1); with the key it recomputes the note's pseudonyms and knows P was written by the run.
    use pseudata::crypto::Key;
    use pseudata::rules::{Identifier, IdentifierKind, IdentifierSpec, OnInvalid};
    let key = Key::from_hex(common::KEY_A, "test").unwrap();
    let spec = IdentifierSpec::new(IdentifierKind::Niss(Default::default()), OnInvalid::Fake);
    let rule = Identifier::new(&key, &spec);
    let y = "85073003328";
    let p = rule.pseudonym(y).unwrap();
    let m = "60012133115";
    for parquet in [false, true] {
        let dir = scratch(&[
            ("input/members.csv", &format!("niss\n{p}\n{m}\n")),
            ("input/claims.csv", &format!("niss,comment\n{m},partner {y} belde\n")),
            ("mappings/members.yaml", "table: members\nfiles: [members*]\ncolumns: { niss: niss }\n"),
            ("mappings/claims.yaml", "table: claims\nfiles: [claims*]\ncolumns: { niss: niss, comment: free_text }\n"),
            ("copy/members.yaml", "table: members\nfiles: [members*]\ncolumns: { niss: keep }\n"),
            ("copy/claims.yaml", "table: claims\nfiles: [claims*]\ncolumns: { niss: keep, comment: keep }\n"),
        ]);
        if parquet {
            // The same input as Parquet (columns read as text only when needed).
            let converted = dir.path().join("converted");
            pseudata()
                .args(["run", "--quiet", "--to", "parquet", "--mappings"])
                .arg(dir.path().join("copy"))
                .arg("--input")
                .arg(dir.path().join("input"))
                .arg("--output")
                .arg(&converted)
                .env("PSEUDATA_KEY", common::KEY_A)
                .assert()
                .code(0);
            std::fs::remove_dir_all(dir.path().join("input")).unwrap();
            std::fs::rename(&converted, dir.path().join("input")).unwrap();
        }
        let output = dir.path().join("out");
        common::run_cmd(dir.path(), &output, common::KEY_A).assert().code(0);
        if !parquet {
            let written = std::fs::read_to_string(output.join("claims.csv")).unwrap();
            assert!(written.contains(&format!("partner {p} belde")), "{written}");
        }
        let args = |cmd: &mut assert_cmd::Command| {
            cmd.args(["verify", "--format", "json", "--mappings"])
                .arg(dir.path().join("mappings"))
                .arg("--input")
                .arg(dir.path().join("input"))
                .arg("--output")
                .arg(&output);
        };
        let mut without = pseudata();
        args(&mut without);
        let out = stdout(&without.assert().code(1));
        assert!(has_finding(&out, "leak", "comment"), "parquet {parquet}: {out}");
        let mut with = pseudata();
        args(&mut with);
        let out = stdout(&with.env("PSEUDATA_KEY", common::KEY_A).assert());
        assert!(findings(&out).is_empty(), "parquet {parquet}: {out}");
    }
}

/// The demo members under column names in another language, written in another dialect.
fn translated_members(dir: &Path, names: &[&str; 16], separator: u8, windows_1252: bool) {
    let rows = records(&root().join("demo/input/members.csv"), b';');
    let mut out = Vec::new();
    {
        let mut writer = csv::WriterBuilder::new().delimiter(separator).from_writer(&mut out);
        for (i, row) in rows.iter().enumerate() {
            let fields: Vec<String> = if i == 0 {
                names.iter().map(|n| n.to_string()).collect()
            } else {
                row.iter().map(|f| encoding_rs::WINDOWS_1252.decode_without_bom_handling(f).0.into_owned()).collect()
            };
            writer.write_record(&fields).unwrap();
        }
        writer.flush().unwrap();
    }
    if windows_1252 {
        out = encoding_rs::WINDOWS_1252.encode(std::str::from_utf8(&out).unwrap()).0.into_owned();
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("leden.csv"), out).unwrap();
}

#[test]
fn scan_drafts_the_same_rules_under_dutch_french_and_german_column_names() {
    let shipped = load_dir(&root().join("mappings")).unwrap();
    let members = shipped.tables.iter().find(|t| t.name == "members").unwrap();
    let variants: [([&str; 16], u8, bool); 3] = [
        (
            [
                "Rijksregisternummer",
                "Lidnummer",
                "Familienaam",
                "Voornaam",
                "Geslacht",
                "Geboortedatum",
                "Taal",
                "Straat",
                "Huisnummer",
                "Postcode",
                "Gemeente",
                "Telefoon",
                "E-mail",
                "Rekeningnummer",
                "Aansluitingsdatum",
                "Opmerkingen",
            ],
            b';',
            true,
        ),
        (
            [
                "Numéro national",
                "Numéro de membre",
                "Nom",
                "Prénom",
                "Sexe",
                "Date de naissance",
                "Langue",
                "Rue",
                "Numéro de maison",
                "Code postal",
                "Localité",
                "GSM",
                "Courriel",
                "Compte bancaire",
                "Date d'affiliation",
                "Remarques",
            ],
            b',',
            false,
        ),
        (
            [
                "Nationalnummer",
                "Mitgliedsnummer",
                "Nachname",
                "Vorname",
                "Geschlecht",
                "Geburtsdatum",
                "Sprache",
                "Straße",
                "Hausnummer",
                "PLZ",
                "Ort",
                "Telefon",
                "E-Mail",
                "Kontonummer",
                "Beitrittsdatum",
                "Bemerkungen",
            ],
            b'\t',
            false,
        ),
    ];
    for (names, separator, windows) in variants {
        let dir = tempfile::tempdir().unwrap();
        translated_members(&dir.path().join("input"), &names, separator, windows);
        let drafts = dir.path().join("drafts");
        scan_drafts(&dir.path().join("input"), &drafts);
        let drafted = load_dir(&drafts).expect("a valid draft");
        let draft = &drafted.tables[0];
        assert_eq!(draft.subject.as_deref(), Some(names[0]));
        for (i, (column, rule)) in members.columns.iter().enumerate() {
            let got = rule_shape(draft.rule(names[i]).unwrap()).replace(names[0], "niss");
            assert_eq!(got, rule_shape(rule), "{} (for {column})", names[i]);
        }
        // The draft runs as it is.
        let output = dir.path().join("out");
        pseudata()
            .args(["run", "--quiet", "--mappings"])
            .arg(&drafts)
            .arg("--input")
            .arg(dir.path().join("input"))
            .arg("--output")
            .arg(&output)
            .env("PSEUDATA_KEY", common::KEY_A)
            .assert()
            .code(0);
    }
}

#[test]
fn verify_fails_for_pseudonyms_that_fail_validation() {
    let dir = demo_copy();
    let output = run_demo(dir.path(), &[]);
    let path = output.join("members.csv");
    let mut rows = records(&path, b';');
    // Row 7: an address outside the reserved domains; row 8: an IBAN whose check digits are wrong.
    rows[7][12] = b"someone.else@telenet.be".to_vec();
    let iban = &mut rows[8][13];
    let last = iban.len() - 1;
    iban[last] = if iban[last] == b'0' { b'1' } else { b'0' };
    write_windows_csv(&path, &rows);
    let out = stdout(&verify(dir.path(), &output, "json", false).code(1));
    let all = findings(&out);
    assert!(all.iter().any(|f| f["code"] == "invalid_pseudonym" && f["column"] == "email" && f["row"] == 7), "{out}");
    assert!(all.iter().any(|f| f["code"] == "invalid_pseudonym" && f["column"] == "iban" && f["row"] == 8), "{out}");
    assert!(!out.contains("someone.else"), "a value was printed");
}

#[test]
fn a_key_column_shaped_like_member_numbers_is_not_taken_for_one() {
    // The demo's EXID are 12 digits without a check; claim ids of 12 digits under an id name are
    // keys, not member numbers. The same values under a neutral name are worth a finding.
    let dir = demo_copy();
    let path = dir.path().join("input/claims.csv");
    let mut rows = records(&path, b';');
    for (i, row) in rows.iter_mut().enumerate().skip(1) {
        row[0] = format!("{}", 500_000_000_000u64 + i as u64 * 7).into_bytes();
    }
    write_windows_csv(&path, &rows);
    let out = stdout(&check(dir.path(), "json").code(0));
    assert!(findings(&out).is_empty(), "{out}");
    // Renamed to a neutral name (data and mapping), the member-number shape is reported.
    for row in rows.iter_mut().take(1) {
        row[0] = b"x".to_vec();
    }
    write_windows_csv(&path, &rows);
    let mapping = dir.path().join("mappings/claims.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap().replace("  claim_id: keep", "  x: keep");
    std::fs::write(&mapping, text).unwrap();
    let out = stdout(&check(dir.path(), "json").code(1));
    assert!(has_finding(&out, "kept_identifier", "x"), "{out}");
}

/// Held-out Belgian names (Faker's nl_BE and fr_BE lists, Statbel 2022 counts; not shipped by
/// the product), drawn by their counts: a realistic column of names.
fn held_out_draws(list_prefix: &str, n: usize, seed: u64) -> Vec<String> {
    let entries: Vec<(String, u64)> = std::fs::read_to_string(common::data("faker-be.tsv"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 3 && f[0].starts_with(list_prefix)).then(|| (f[1].to_string(), f[2].parse().unwrap()))
        })
        .collect();
    assert!(entries.len() >= 500, "{list_prefix}: {} names", entries.len());
    let total: u64 = entries.iter().map(|e| e.1).sum();
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let mut x = (state >> 11) % total;
            entries
                .iter()
                .find(|e| {
                    x < e.1 || {
                        x -= e.1;
                        false
                    }
                })
                .unwrap()
                .0
                .clone()
        })
        .collect()
}

#[test]
fn scan_recognises_name_columns_by_their_values_under_unknown_headers() {
    let n = 600;
    let surnames = held_out_draws("last-", n, 1);
    let firsts = held_out_draws("first-", n, 2);
    let towns = ["Gent", "Aalst", "Namur", "Liège", "Hasselt", "Mons", "Eupen", "Brugge", "Charleroi", "Leuven"];
    let jobs = ["bediende", "arbeider", "zelfstandige", "employé", "ouvrier", "gepensioneerd", "student", "invalide"];
    let mut csv = String::from("col_a,col_b,col_c,col_d,col_e\n");
    for i in 0..n {
        let surname = if i % 7 == 0 { surnames[i].to_uppercase() } else { surnames[i].clone() };
        csv.push_str(&format!(
            "{surname},{},{},{},{} {}\n",
            firsts[i],
            towns[i % towns.len()],
            jobs[i % jobs.len()],
            firsts[(i + 1) % n],
            surnames[(i + 3) % n]
        ));
    }
    let dir = scratch(&[("input/people.csv", &csv)]);
    let out = pseudata().args(["scan", "--format", "json", "--input"]).arg(dir.path().join("input")).assert().code(0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let column =
        |name: &str| report["columns"].as_array().unwrap().iter().find(|c| c["column"] == name).unwrap().clone();
    let (a, b, e) = (column("col_a"), column("col_b"), column("col_e"));
    eprintln!("surnames {}, first names {}, full names {}", a["confidence"], b["confidence"], e["confidence"]);
    assert_eq!(a["detected"], "last_name", "{a}");
    assert!(a["confidence"].as_f64().unwrap() >= 0.9, "held-out surnames recognised: {a}");
    assert_eq!(b["detected"], "first_name", "{b}");
    assert!(b["confidence"].as_f64().unwrap() >= 0.9, "held-out first names recognised: {b}");
    assert_eq!(e["detected"], "full_name", "{e}");
    for other in ["col_c", "col_d"] {
        let c = column(other);
        assert!(!["first_name", "last_name", "full_name"].contains(&c["detected"].as_str().unwrap()), "{c}");
    }
    // `check` fails a surname column declared `keep` under a header it does not know.
    let drafts = dir.path().join("mappings");
    scan_drafts(&dir.path().join("input"), &drafts);
    let mapping = drafts.join("people.yaml");
    check(dir.path(), "json").code(0);
    set_rule(&mapping, "col_a", Some("keep"));
    let out = check(dir.path(), "json").code(1);
    assert!(has_finding(&stdout(&out), "kept_names", "col_a"), "{}", stdout(&out));
}

#[test]
fn scan_drafts_language_from_the_postcode_and_email_from_the_fake_names() {
    let csv = "voornaam;naam;straat;postcode;gemeente;email\n\
               Jan;Peeters;Kerkstraat 12;9000;Gent;jan.peeters@telenet.be\n\
               Marie;Dubois;Rue Haute 3;5000;Namur;marie.dubois@skynet.be\n\
               Klaus;Schmitz;Hauptstraße 7;4700;Eupen;k.schmitz@gmail.com\n";
    let dir = scratch(&[("input/leden.csv", csv)]);
    let drafts = dir.path().join("drafts");
    scan_drafts(&dir.path().join("input"), &drafts);
    let drafted = load_dir(&drafts).expect("the draft is a valid mapping");
    let table = &drafted.tables[0];
    let rule = |c: &str| format!("{:?}", table.rule(c).unwrap());
    assert!(rule("voornaam").contains("language_from: Some(\"postcode\")"), "{}", rule("voornaam"));
    assert!(rule("naam").contains("language_from: Some(\"postcode\")"), "{}", rule("naam"));
    assert!(rule("gemeente").contains("postcode_from: Some(\"postcode\")") && rule("gemeente").contains("SameRegion"));
    assert!(rule("postcode").contains("SameRegion"), "{}", rule("postcode"));
    assert!(rule("email").contains("names_from: [\"voornaam\", \"naam\"]"), "{}", rule("email"));
    // The draft runs, and the e-mails carry the fake surnames.
    std::fs::rename(&drafts, dir.path().join("mappings")).unwrap();
    let out = dir.path().join("out");
    common::run_cmd(dir.path(), &out, common::KEY_A).assert().success();
    let rows = records(&out.join("leden.csv"), b';');
    for row in &rows[1..] {
        let surname: String =
            String::from_utf8_lossy(&row[1]).to_lowercase().chars().filter(char::is_ascii_alphabetic).collect();
        assert!(String::from_utf8_lossy(&row[5]).contains(&surname), "{row:?}");
    }
}

#[test]
fn verify_names_a_header_less_output_past_a_dropped_column() {
    // Header-less: columns are named by position in the input, and `column_2` is dropped, so
    // the output's third field is `column_4`. The original NISS planted in `column_4` (kept)
    // must be reported there, in exactly those rows, and nothing else may fail.
    let niss = |i: u64| {
        let base = 850_101_001 + i * 3;
        format!("{base:09}{:02}", 97 - base % 97)
    };
    let mut text = String::new();
    let mut planted = Vec::new();
    for i in 0..300u64 {
        let note = if i % 7 == 2 { format!("zie {}", niss(i)) } else { "ok".to_string() };
        if i % 7 == 2 {
            planted.push(i + 1);
        }
        text.push_str(&format!(
            "{};junk{};{};{note};{}\n",
            niss(i),
            i % 5,
            niss(i + 1000),
            ["a", "b", "c"][i as usize % 3]
        ));
    }
    let dir = scratch(&[
        ("input/raw.csv", &text),
        (
            "mappings/raw.yaml",
            "table: raw\nfiles: ['raw.csv']\ncsv: { header: false }\nsubject: column_1\nquasi_identifiers: [column_5]\n\
             columns:\n  column_1: niss\n  column_2: drop\n  column_3: niss\n  column_4: keep\n  column_5: keep\n",
        ),
    ]);
    let output = dir.path().join("out");
    job("run", dir.path(), &output).env("PSEUDATA_KEY", KEY_A).arg("--quiet").assert().success();
    let out = stdout(
        &job("verify", dir.path(), &output).env("PSEUDATA_KEY", KEY_A).args(["--format", "json"]).assert().code(1),
    );
    let all = findings(&out);
    let leaks: Vec<u64> = all
        .iter()
        .filter(|f| f["code"] == "leak")
        .inspect(|f| assert_eq!(f["column"], "column_4", "{f}"))
        .filter_map(|f| f["row"].as_u64())
        .collect();
    assert_eq!(leaks, planted[..10], "{out}");
    let other: Vec<_> = all
        .iter()
        .filter(|f| f["severity"] == "error" && !["leak", "kept_free_text"].contains(&f["code"].as_str().unwrap()))
        .collect();
    assert!(other.is_empty(), "{other:?}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let k = &report["details"]["k_anonymity"][0];
    assert_eq!(
        (k["quasi_identifiers"].clone(), k["smallest_group"].as_u64()),
        (serde_json::json!(["column_5"]), Some(100))
    );
    // An output of another width (the dropped column back, holding originals) cannot be named
    // by position: refused, naming the file and never a value, rather than read under the
    // wrong names (its second field would pass for the NISS column `column_3`).
    let path = output.join("raw.csv");
    let rows: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let (first, rest) = line.split_once(';').unwrap();
            format!("{first};{};{rest}", niss(i as u64 + 1))
        })
        .collect();
    std::fs::write(&path, rows.join("\n") + "\n").unwrap();
    let refused = job("verify", dir.path(), &output).env("PSEUDATA_KEY", KEY_A).assert().code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(err.contains("raw.csv") && err.contains("5 fields where the mapping writes 4"), "{err}");
    assert!(!err.contains(&niss(1)), "{err}");
}

#[test]
fn verify_agrees_with_run_on_never_assigned_serials() {
    // Serials 000 and 999 have valid check digits (python-stdnum accepts them) but are never
    // assigned: `run` takes them for anomalies (`on_invalid`: a keyed fake, counted invalid).
    // `verify` must not then demand a valid pseudonym for them, and must count them as `run` did.
    let niss = |yymmdd: u64, serial: u64| {
        let base = yymmdd * 1000 + serial;
        format!("{base:09}{:02}", 97 - base % 97)
    };
    let mut text = String::from("niss,amount\n");
    let mut anomalies = 0;
    for i in 0..200u64 {
        let serial = match i % 10 {
            3 => 0,
            7 => 999,
            _ => 1 + i,
        };
        anomalies += u64::from(serial == 0 || serial == 999);
        text.push_str(&format!("{},{}\n", niss(850_101 + i % 28, serial), i));
    }
    let dir = scratch(&[
        ("input/people.csv", &text),
        ("mappings/people.yaml", "table: people\nfiles: ['people.csv']\ncolumns:\n  niss: niss\n  amount: keep\n"),
    ]);
    let output = dir.path().join("out");
    job("run", dir.path(), &output).env("PSEUDATA_KEY", KEY_A).arg("--quiet").assert().success();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"][0]["columns"][0]["invalid"], anomalies, "run counts them invalid");
    let out = stdout(
        &job("verify", dir.path(), &output).env("PSEUDATA_KEY", KEY_A).args(["--format", "json"]).assert().code(0),
    );
    assert!(findings(&out).iter().all(|f| f["severity"] != "error"), "{out}");
}

#[test]
fn verify_reads_an_empty_header_less_output() {
    // A subset that kept none of a header-less file's rows writes an empty file: no header to
    // name the columns by, and no rows. That is an empty table, not an unreadable file.
    let dir = scratch(&[
        ("input/raw.csv", "85073003328;a\n93051822361;b\n"),
        (
            "mappings/raw.yaml",
            "table: raw\nfiles: ['raw.csv']\ncsv: { header: false }\nsubject: column_1\ncolumns:\n  column_1: niss\n  column_2: keep\n",
        ),
    ]);
    let output = dir.path().join("out");
    job("run", dir.path(), &output).env("PSEUDATA_KEY", KEY_A).args(["--quiet", "--subset", "1"]).assert().success();
    assert_eq!(std::fs::metadata(output.join("raw.csv")).unwrap().len(), 0, "the subset kept no row");
    let out = stdout(
        &job("verify", dir.path(), &output).env("PSEUDATA_KEY", KEY_A).args(["--format", "json"]).assert().code(0),
    );
    assert!(findings(&out).iter().all(|f| f["severity"] != "error"), "{out}");
}
