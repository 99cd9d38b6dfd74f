//! `pseudata run` end to end: encodings, separators, quoting, keys, atomic output, errors.

mod common;

use common::*;
use predicates::prelude::*;

#[test]
fn windows_1252_semicolon_crlf_keep_columns_are_byte_identical() {
    let out = tempfile::tempdir().unwrap();
    let fixture = data("windows");
    run_cmd(&fixture, out.path(), KEY_A).assert().success();

    let input = records(&fixture.join("input/members.csv"), b';');
    let output = records(&out.path().join("members.csv"), b';');
    assert_eq!(input.len(), output.len(), "row count kept");
    assert_eq!(input[0], output[0], "header kept");
    for (row_in, row_out) in input.iter().zip(&output).skip(1) {
        // postcode, bedrag, code, opmerking are `keep`: identical bytes, cp1252 included.
        assert_eq!(row_in[2..], row_out[2..]);
        if !row_in[0].is_empty() {
            assert_ne!(row_in[0], row_out[0], "niss replaced");
        } else {
            assert!(row_out[0].is_empty(), "empty stays empty");
        }
        assert_ne!(row_in[1], row_out[1], "name replaced");
        assert_eq!(row_out[1].len(), 10, "hash length option");
    }
    let bytes = std::fs::read(out.path().join("members.csv")).unwrap();
    assert!(bytes.windows(2).filter(|w| w == b"\r\n").count() >= 6, "CRLF line endings kept");
    assert!(bytes.contains(&0x80), "the euro sign stays Windows-1252");
    assert!(std::str::from_utf8(&bytes).is_err(), "output stays Windows-1252, not UTF-8");
}

#[test]
fn all_keep_mapping_reproduces_the_file_byte_for_byte() {
    let dir = copy_fixture("windows");
    let mapping = dir.path().join("mappings/members.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap();
    std::fs::write(
        &mapping,
        text.replace("niss: hash", "niss: keep").replace("naam: { hash: { length: 10 } }", "naam: keep"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    assert_eq!(
        std::fs::read(dir.path().join("input/members.csv")).unwrap(),
        std::fs::read(out.path().join("members.csv")).unwrap()
    );
}

#[test]
fn utf8_bom_comma_lf_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    let original = "\u{feff}id,name,amount\n1,\"Zoë, Ève\",\"1,50\"\n2,Łukasz,007\n3,,\n";
    std::fs::write(dir.path().join("input/people.csv"), original).unwrap();
    std::fs::write(
        dir.path().join("mappings/people.yaml"),
        "table: people\nfiles: ['*.csv']\ncolumns:\n  id: keep\n  name: keep\n  amount: keep\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    assert_eq!(std::fs::read_to_string(out.path().join("people.csv")).unwrap(), original);
}

#[test]
fn same_value_gets_the_same_token_in_two_tables_and_joins_survive() {
    let out = tempfile::tempdir().unwrap();
    let fixture = data("two_tables");
    run_cmd(&fixture, out.path(), KEY_A).assert().success();
    let members_in = records(&fixture.join("input/members.csv"), b',');
    let members_out = records(&out.path().join("members.csv"), b',');
    let claims_in = records(&fixture.join("input/claims.csv"), b',');
    let claims_out = records(&out.path().join("claims.csv"), b',');
    for (c_in, c_out) in claims_in.iter().zip(&claims_out).skip(1) {
        let member = members_in.iter().position(|m| m[0] == c_in[1]).unwrap();
        assert_eq!(members_out[member][0], c_out[1], "claim joins its member's token");
        assert_ne!(c_in[1], c_out[1]);
    }
    assert!(members_out.iter().skip(1).all(|m| m[1] == b"Anonymous"));
}

#[test]
fn another_key_gives_other_tokens_and_the_same_key_the_same_bytes() {
    let fixture = data("two_tables");
    let (a1, a2, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run_cmd(&fixture, a1.path(), KEY_A).assert().success();
    run_cmd(&fixture, a2.path(), KEY_A).assert().success();
    run_cmd(&fixture, b.path(), KEY_B).assert().success();
    let read = |d: &tempfile::TempDir| std::fs::read(d.path().join("members.csv")).unwrap();
    assert_eq!(read(&a1), read(&a2));
    let (ra, rb) = (records(&a1.path().join("members.csv"), b','), records(&b.path().join("members.csv"), b','));
    for (x, y) in ra.iter().zip(&rb).skip(1) {
        assert_ne!(x[0], y[0]);
    }
}

#[test]
fn missing_key_is_an_error_with_exit_2() {
    let out = tempfile::tempdir().unwrap();
    run_without_key(&data("two_tables"), out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no key").and(predicate::str::contains("PSEUDATA_KEY")));
    assert!(file_names(out.path()).is_empty());
}

#[test]
fn malformed_key_is_an_error_that_does_not_print_the_key() {
    let out = tempfile::tempdir().unwrap();
    let bad = "not-a-key-but-a-secret-looking-string";
    run_cmd(&data("two_tables"), out.path(), bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("malformed key").and(predicate::str::contains(bad).not()));
    let key_file = out.path().join("k.hex");
    std::fs::write(&key_file, &KEY_A[..60]).unwrap();
    let out2 = tempfile::tempdir().unwrap();
    run_with_key_file(&data("two_tables"), out2.path(), &key_file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("found 60 characters").and(predicate::str::contains(&KEY_A[..60]).not()));
}

#[test]
fn unmapped_column_is_an_error_naming_it() {
    let dir = copy_fixture("two_tables");
    std::fs::write(
        dir.path().join("input/claims.csv"),
        "claim_id,member_niss,amount,diagnosis\n1,85073003328,1.00,E11\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`diagnosis`").and(predicate::str::contains("not in the mapping")));
    assert!(file_names(out.path()).is_empty(), "nothing written: {:?}", file_names(out.path()));
}

#[test]
fn mapped_column_missing_from_the_data_is_an_error() {
    let dir = copy_fixture("two_tables");
    std::fs::write(dir.path().join("input/claims.csv"), "claim_id,member_niss\n1,85073003328\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`amount` is missing from the data"));
}

#[test]
fn file_without_mapping_is_an_error() {
    let dir = copy_fixture("two_tables");
    std::fs::write(dir.path().join("input/payments.csv"), "a\n1\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("payments.csv").and(predicate::str::contains("match no mapping")));
}

#[test]
fn unknown_rule_is_named() {
    let dir = copy_fixture("two_tables");
    std::fs::write(
        dir.path().join("mappings/claims.yaml"),
        "table: claims\nfiles: [claims.csv]\ncolumns:\n  claim_id: keep\n  member_niss: scramble\n  amount: keep\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `scramble`").and(predicate::str::contains("claims.yaml")));
}

#[test]
fn output_inside_input_is_refused() {
    let dir = copy_fixture("two_tables");
    let inside = dir.path().join("input/out");
    run_cmd(dir.path(), &inside, KEY_A).assert().code(2).stderr(predicate::str::contains("inside it"));
    assert!(!inside.exists(), "the input directory is left untouched");
    run_cmd(dir.path(), &dir.path().join("input"), KEY_A).assert().code(2);
}

#[test]
fn non_empty_output_needs_force() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("old.txt"), "x").unwrap();
    run_cmd(&data("two_tables"), out.path(), KEY_A).assert().code(2).stderr(predicate::str::contains("--force"));
    run_cmd(&data("two_tables"), out.path(), KEY_A).arg("--force").assert().success();
    assert!(out.path().join("members.csv").exists());
}

#[test]
fn malformed_row_in_the_middle_leaves_no_output_file_and_names_the_line() {
    let dir = copy_fixture("two_tables");
    let mut text = String::from("claim_id,member_niss,amount\n");
    for i in 0..50_000 {
        text.push_str(&format!("{i},85073003328,1.00\n"));
    }
    text.push_str("50000,85073003328,1.00,SECRETVALUE\n");
    for i in 50_001..100_000 {
        text.push_str(&format!("{i},85073003328,1.00\n"));
    }
    std::fs::write(dir.path().join("input/claims.csv"), text).unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).arg("--batch-rows").arg("1000").assert().code(2).stderr(
        predicate::str::contains("line 50002")
            .and(predicate::str::contains("claims.csv"))
            .and(predicate::str::contains("SECRETVALUE").not()),
    );
    assert!(file_names(out.path()).is_empty(), "no partial output: {:?}", file_names(out.path()));
}

#[test]
fn output_does_not_depend_on_thread_count_or_batch_size() {
    let input = tempfile::tempdir().unwrap();
    pseudata()
        .args(["sample", "--members", "3000", "--seed", "5", "--output"])
        .arg(input.path().join("input"))
        .assert()
        .success();
    let mappings = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    std::fs::create_dir_all(input.path().join("mappings")).unwrap();
    for f in ["members.yaml", "claims.yaml"] {
        std::fs::copy(mappings.join(f), input.path().join("mappings").join(f)).unwrap();
    }
    let runs: Vec<tempfile::TempDir> = [("1", "65536"), ("2", "100"), ("4", "7")]
        .iter()
        .map(|(threads, batch)| {
            let out = tempfile::tempdir().unwrap();
            run_cmd(input.path(), out.path(), KEY_A)
                .args(["--threads", threads, "--batch-rows", batch])
                .assert()
                .success();
            out
        })
        .collect();
    for file in ["members.csv", "claims.csv"] {
        let first = std::fs::read(runs[0].path().join(file)).unwrap();
        assert!(first.len() > 10_000);
        for other in &runs[1..] {
            assert_eq!(first, std::fs::read(other.path().join(file)).unwrap(), "{file}");
        }
    }
}

#[test]
fn header_less_csv_names_columns_by_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("input/raw.csv"), "85073003328;A\n93051822361;B\n").unwrap();
    std::fs::write(
        dir.path().join("mappings/raw.yaml"),
        "table: raw\nfiles: ['raw.csv']\ncsv: { header: false }\ncolumns:\n  column_1: hash\n  column_2: keep\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    let rows = records(&out.path().join("raw.csv"), b';');
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][1], b"A");
    assert_eq!(rows[1][1], b"B");
    assert_eq!(rows[0][0].len(), 16);
}

#[test]
fn dropped_and_null_columns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("input/t.csv"), "a,b,c\n1,2,3\n4,5,6\n").unwrap();
    std::fs::write(
        dir.path().join("mappings/t.yaml"),
        "table: t\nfiles: ['t.csv']\ncolumns:\n  a: keep\n  b: drop\n  c: null\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    assert_eq!(std::fs::read_to_string(out.path().join("t.csv")).unwrap(), "a,c\n1,\n4,\n");
}

#[test]
fn an_error_in_a_later_file_leaves_no_earlier_output_either() {
    let dir = copy_fixture("two_tables");
    // claims.csv sorts before members.csv: it succeeds, members.csv then fails.
    std::fs::write(dir.path().join("input/members.csv"), "member_niss,first_name\n85073003328,Jan,EXTRA\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("members.csv").and(predicate::str::contains("line 2")));
    assert!(file_names(out.path()).is_empty(), "{:?}", file_names(out.path()));
}

#[test]
fn bytes_invalid_in_the_declared_encoding_name_line_and_column_not_the_value() {
    let dir = copy_fixture("windows");
    let mapping = dir.path().join("mappings/members.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap();
    // Declare UTF-8 for a Windows-1252 file: the first bytes that are not UTF-8 are the "é" of
    // "Café" (0xE9) in the kept column `opmerking` on line 2; kept columns are held to the
    // declared encoding too, although they are copied without being decoded.
    std::fs::write(&mapping, text.replace("subject: niss", "csv: { encoding: utf-8 }\nsubject: niss")).unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().code(2).stderr(
        predicate::str::contains("line 2")
            .and(predicate::str::contains("column `opmerking`"))
            .and(predicate::str::contains("not valid"))
            .and(predicate::str::contains("Caf").not()),
    );
    assert!(file_names(out.path()).is_empty());
}

#[test]
fn tab_and_pipe_separated_files_are_detected() {
    for (sep, name) in [('\t', "t.tsv"), ('|', "p.txt")] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("input")).unwrap();
        std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
        let text = format!("id{sep}niss{sep}note\n1{sep}85073003328{sep}a, b; c\n2{sep}93051822361{sep}\n");
        std::fs::write(dir.path().join("input").join(name), &text).unwrap();
        std::fs::write(
            dir.path().join("mappings/t.yaml"),
            format!("table: t\nfiles: ['{name}']\ncolumns:\n  id: keep\n  niss: hash\n  note: keep\n"),
        )
        .unwrap();
        let out = tempfile::tempdir().unwrap();
        run_cmd(dir.path(), out.path(), KEY_A).assert().success();
        let rows = records(&out.path().join(name), sep as u8);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1][2], b"a, b; c");
        assert_eq!(rows[1][1].len(), 16);
    }
}

#[test]
fn keygen_writes_a_usable_key_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.hex");
    pseudata().args(["keygen", "--out"]).arg(&key).assert().success().stdout(predicate::str::is_empty());
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(text.trim().len(), 64);
    assert!(text.trim().bytes().all(|b| b.is_ascii_hexdigit()));
    pseudata().args(["keygen", "--out"]).arg(&key).assert().code(2);
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text, "existing key untouched");
    let out = tempfile::tempdir().unwrap();
    run_with_key_file(&data("two_tables"), out.path(), &key).assert().success();
    let stdout_key = pseudata().arg("keygen").output().unwrap();
    assert_eq!(String::from_utf8(stdout_key.stdout).unwrap().trim().len(), 64);
}

#[test]
fn input_files_are_never_modified() {
    let dir = copy_fixture("windows");
    let before = std::fs::read(dir.path().join("input/members.csv")).unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    assert_eq!(std::fs::read(dir.path().join("input/members.csv")).unwrap(), before);
    assert_eq!(file_names(&dir.path().join("input")), ["members.csv"]);
}

/// Runs an all-`keep` mapping over `text` and returns the output bytes.
fn keep_round_trip(name: &str, text: &[u8], columns: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("input").join(name), text).unwrap();
    let cols: String = columns.iter().map(|c| format!("  {c}: keep\n")).collect();
    std::fs::write(dir.path().join("mappings/t.yaml"), format!("table: t\nfiles: ['{name}']\ncolumns:\n{cols}"))
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    std::fs::read(out.path().join(name)).unwrap()
}

#[test]
fn quoting_styles_and_a_missing_final_newline_round_trip() {
    let cases: [&[u8]; 5] = [
        b"\"id\";\"name\"\r\n\"1\";\"Jan\"\r\n\"2\";\"\"\r\n",
        b"\"id\",\"name\",\"amount\"\n1,\"Jan\",12.5\n2,\"Marie\",-3\n",
        b"id,name\n1,Jan\n2,Marie",
        b"id;name\r\n1;Jan\r\n2;\"a;b\"",
        b"id,name\n",
    ];
    for text in cases {
        let header = std::str::from_utf8(text).unwrap().lines().next().unwrap().to_string();
        let sep = if header.contains(';') { ';' } else { ',' };
        let columns: Vec<String> = header.split(sep).map(|c| c.trim_matches('"').to_string()).collect();
        let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
        assert_eq!(keep_round_trip("t.csv", text, &refs), text, "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn one_niss_in_two_spellings_gets_one_pseudonym_and_joins_survive() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(
        dir.path().join("input/members.csv"),
        "niss;iban\n85.07.30-033.28;BE71 0961 2345 6769\n93051822361;BE48320070184927\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("input/claims.csv"), "id,niss\n1,85073003328\n2,93.05.18-223.61\n3,85073003328\n")
        .unwrap();
    std::fs::write(
        dir.path().join("mappings/members.yaml"),
        "table: members\nfiles: [members.csv]\ncolumns:\n  niss: niss\n  iban: iban\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mappings/claims.yaml"),
        "table: claims\nfiles: [claims.csv]\ncolumns:\n  id: keep\n  niss: niss\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    let members = records(&out.path().join("members.csv"), b';');
    let claims = records(&out.path().join("claims.csv"), b',');
    let digits = |v: &[u8]| -> String { v.iter().filter(|b| b.is_ascii_digit()).map(|&b| b as char).collect() };
    let first = String::from_utf8(members[1][0].clone()).unwrap();
    assert_eq!(first.len(), "85.07.30-033.28".len());
    assert_eq!(&first[2..3], ".", "eID spelling kept");
    assert_ne!(digits(&members[1][0]), "85073003328");
    assert_eq!(digits(&members[1][0]), digits(&claims[1][1]), "same person, same pseudonym");
    assert_eq!(claims[1][1], claims[3][1]);
    assert_eq!(digits(&members[2][0]), digits(&claims[2][1]));
    assert_eq!(claims[2][1].len(), "93.05.18-223.61".len());
    let iban = String::from_utf8(members[1][1].clone()).unwrap();
    assert!(iban.starts_with("BE") && iban.len() == 19 && &iban[4..5] == " ", "grouped IBAN spelling kept: {iban}");
}

#[test]
fn an_error_names_the_physical_line_after_blank_lines_and_quoted_line_breaks() {
    // Line 1 header, 2 a record, 3 blank, 4-5 one record with a quoted line break, 6-7 blank,
    // 8 the invalid NISS; then the same with the last record on line 9 without a line ending.
    for crlf in [false, true] {
        for last in [false, true] {
            let nl = if crlf { "\r\n" } else { "\n" };
            let quoted = format!("85073003328,\"two{nl}lines\"");
            let mut lines = vec!["niss,n", "85073003328,a", "", &quoted, "", ""];
            let bad = if last {
                lines.push("85073003328,b");
                9
            } else {
                8
            };
            lines.push("85073003329,x");
            let mut text = lines.join(nl);
            if !last {
                text.push_str(nl);
            }
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("input")).unwrap();
            std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
            std::fs::write(dir.path().join("input/t.csv"), &text).unwrap();
            std::fs::write(
                dir.path().join("mappings/t.yaml"),
                "table: t\nfiles: [t.csv]\ncolumns:\n  niss: { niss: { on_invalid: error } }\n  n: keep\n",
            )
            .unwrap();
            let out = tempfile::tempdir().unwrap();
            let assert = run_cmd(dir.path(), out.path(), KEY_A).assert().code(2);
            let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
            assert!(err.contains(&format!("line {bad}, column `niss`")), "crlf {crlf}, last {last}: {err}");
            assert!(!err.contains("85073003329"), "{err}");
        }
    }
}

#[test]
fn invalid_identifiers_are_counted_in_the_manifest_and_never_passed_through() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(dir.path().join("input/t.csv"), "niss,n\n85073003328,1\n85073003329,2\n,3\nnot-a-niss,4\n").unwrap();
    std::fs::write(dir.path().join("mappings/t.yaml"), "table: t\nfiles: [t.csv]\ncolumns:\n  niss: niss\n  n: keep\n")
        .unwrap();
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    let text = std::fs::read_to_string(out.path().join("t.csv")).unwrap();
    for original in ["85073003328", "85073003329", "not-a-niss"] {
        assert!(!text.contains(original), "{original} survived");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("pseudata-manifest.json")).unwrap()).unwrap();
    let column = &manifest["files"][0]["columns"][0];
    assert_eq!(
        (column["transformed"].as_u64(), column["invalid"].as_u64(), column["empty"].as_u64()),
        (Some(1), Some(2), Some(1))
    );

    std::fs::write(
        dir.path().join("mappings/t.yaml"),
        "table: t\nfiles: [t.csv]\ncolumns:\n  niss: { niss: { on_invalid: error } }\n  n: keep\n",
    )
    .unwrap();
    let out2 = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out2.path(), KEY_A).assert().code(2).stderr(
        predicate::str::contains("line 3")
            .and(predicate::str::contains("column `niss`"))
            .and(predicate::str::contains("85073003329").not()),
    );
    assert!(file_names(out2.path()).is_empty());
}

/// Group sizes of `columns` in a CSV output, counted here from the file's bytes (an empty field
/// is an empty cell): (size -> number of groups), the smallest group, rows in groups below 5, rows.
fn groups_in(path: &std::path::Path, separator: u8, columns: &[&str]) -> (Vec<[u64; 2]>, u64, u64, u64) {
    let rows = records(path, separator);
    let at: Vec<usize> = columns.iter().map(|c| rows[0].iter().position(|h| h == c.as_bytes()).unwrap()).collect();
    let mut groups = std::collections::HashMap::<Vec<Vec<u8>>, u64>::new();
    for row in &rows[1..] {
        *groups.entry(at.iter().map(|&i| row[i].clone()).collect()).or_default() += 1;
    }
    let mut sizes = std::collections::BTreeMap::<u64, u64>::new();
    for &n in groups.values() {
        *sizes.entry(n).or_default() += 1;
    }
    let smallest = groups.values().copied().min().unwrap_or(0);
    let below = groups.values().filter(|&&n| n < 5).sum();
    (sizes.into_iter().map(|(s, g)| [s, g]).collect(), smallest, below, rows.len() as u64 - 1)
}

#[test]
fn k_anonymity_counted_while_writing_equals_the_output_read_back() {
    // Quasi-identifiers in every shape a CSV cell takes: Windows-1252 with the euro sign and
    // accents, the separator, quotes and a line break inside quoted cells, a space, empty cells;
    // one transformed (postcode), one emptied (`null`), one after a dropped column, so output
    // and input column numbers differ.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    let cities: [&[u8]; 9] = [
        b"Li\xe8ge",
        b"\x80-ville",
        b"\"Ath; Lessines\"",
        b"\"De \"\"Pinte\"\"\"",
        b"\"Sint-\r\nNiklaas\"",
        b" ",
        b"",
        b"Gent",
        b"gent",
    ];
    let postcodes = ["1000", "2000", "9000", "4000", "8500", ""];
    let mut text = b"niss;old_code;birth_year;sex;postcode;city;remark\r\n".to_vec();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: u64| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    for i in 0..3_000u64 {
        let base = 850_101_001 + i * 7;
        let niss = format!("{base:09}{:02}", 97 - base % 97);
        let year = 1950 + next(8);
        let sex = ["M", "F", "X", ""][next(4) as usize];
        let postcode = postcodes[next(6) as usize];
        let city = cities[next(9) as usize];
        text.extend_from_slice(format!("{niss};{};{year};{sex};{postcode};", next(1000)).as_bytes());
        text.extend_from_slice(city);
        text.extend_from_slice(format!(";note {}\r\n", next(3)).as_bytes());
    }
    std::fs::write(dir.path().join("input/people.csv"), &text).unwrap();
    std::fs::write(
        dir.path().join("mappings/people.yaml"),
        "table: people\nfiles: ['people*.csv']\ncsv: { separator: ';', encoding: windows-1252 }\nsubject: niss\n\
         quasi_identifiers: [birth_year, sex, postcode, city, remark]\ncolumns:\n  niss: niss\n  old_code: drop\n  \
         birth_year: keep\n  sex: keep\n  postcode: { postcode: same_region }\n  city: keep\n  remark: null\n",
    )
    .unwrap();
    let quasi = ["birth_year", "sex", "postcode", "city", "remark"];
    for extra in [&["--threads", "1"][..], &["--threads", "2", "--batch-rows", "7"], &["--subset", "40"]] {
        let out = tempfile::tempdir().unwrap();
        let report = out.path().join("run.json");
        let output = out.path().join("out");
        run_cmd(dir.path(), &output, KEY_A).arg("--report").arg(&report).args(extra).assert().success();
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        let k = &json["k_anonymity"][0];
        let (sizes, smallest, below, rows) = groups_in(&output.join("people.csv"), b';', &quasi);
        assert!(sizes.len() > 3 && rows > 500, "{extra:?}: a spread of group sizes: {sizes:?}");
        assert_eq!(k["group_sizes"], serde_json::json!(sizes), "{extra:?}");
        assert_eq!((k["smallest_group"].as_u64(), k["rows_in_groups_below_k"].as_u64()), (Some(smallest), Some(below)));
        assert_eq!(k["rows"].as_u64(), Some(rows), "{extra:?}");
        assert_eq!(k["quasi_identifiers"], serde_json::json!(quasi));
    }
}

#[test]
fn k_anonymity_of_a_header_less_output_follows_the_mapped_columns_past_a_dropped_one() {
    // Columns named by position in the input; `column_2` dropped, so the output's third column
    // is the input's `column_4`. The groups are those of the declared columns, as written.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!("{i};x{};{};{};{}\n", i % 13, ["a", "b", "c"][i % 3], i % 4, i % 50));
    }
    std::fs::write(dir.path().join("input/raw.csv"), text).unwrap();
    std::fs::write(
        dir.path().join("mappings/raw.yaml"),
        "table: raw\nfiles: ['raw.csv']\ncsv: { header: false }\nquasi_identifiers: [column_3, column_4]\ncolumns:\n  \
         column_1: keep\n  column_2: drop\n  column_3: keep\n  column_4: keep\n  column_5: keep\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("run.json");
    run_cmd(dir.path(), &out.path().join("out"), KEY_A).arg("--report").arg(&report).assert().success();
    let rows = records(&out.path().join("out/raw.csv"), b';');
    assert_eq!((rows.len(), rows[0].len()), (400, 4), "no header; four columns");
    let mut groups = std::collections::HashMap::<(Vec<u8>, Vec<u8>), u64>::new();
    for row in &rows {
        *groups.entry((row[1].clone(), row[2].clone())).or_default() += 1;
    }
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let k = &json["k_anonymity"][0];
    assert_eq!(groups.len(), 12, "3 letters x 4 digits");
    assert_eq!(k["smallest_group"].as_u64(), groups.values().copied().min());
    assert_eq!(k["quasi_identifiers"], serde_json::json!(["column_3", "column_4"]));
    assert_eq!(k["rows"], 400);
}
