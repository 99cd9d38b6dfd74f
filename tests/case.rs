//! `pseudata case`: trainers' case files hold every row of the chosen members, pseudonymised,
//! and nobody else's.

mod common;

use std::path::{Path, PathBuf};

use common::{pseudata, records};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo extract and mappings, plus a `providers` table that has no subject column.
fn fixture() -> tempfile::TempDir {
    let dir = common::demo_copy();
    std::fs::write(
        dir.path().join("input/providers.csv"),
        "inami;name\n16825742480;Cabinet A\n19250144000;Cabinet B\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mappings/providers.yaml"),
        "table: providers\nfiles: [providers.csv]\ncolumns: { inami: inami, name: keep }\n",
    )
    .unwrap();
    dir
}

fn case(dir: &Path, output: &Path, who: &[&str]) -> assert_cmd::assert::Assert {
    common::demo_job("case", dir, output).args(who).assert()
}

fn digits(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).chars().filter(char::is_ascii_digit).collect()
}

#[test]
fn keeps_every_row_of_the_chosen_members_in_every_table_and_nothing_else() {
    let dir = fixture();
    let members = records(&dir.path().join("input/members.csv"), b';');
    let claims = records(&dir.path().join("input/claims.csv"), b';');
    // Two members, named in another spelling than the file's.
    let chosen: Vec<String> = [1usize, 3].iter().map(|&i| digits(&members[i][0])).collect();
    let spelled = format!(
        "{}.{}.{}-{}.{}",
        &chosen[0][..2],
        &chosen[0][2..4],
        &chosen[0][4..6],
        &chosen[0][6..9],
        &chosen[0][9..]
    );
    let output = dir.path().join("out");
    let assert = case(dir.path(), &output, &["--subject", &spelled, &chosen[1]]).code(0);
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&assert.get_output().stdout),
        String::from_utf8_lossy(&assert.get_output().stderr)
    );
    assert!(!printed.contains(&chosen[0]) && !printed.contains(&chosen[1]) && !printed.contains(&spelled));

    let expected_claims = claims[1..].iter().filter(|r| chosen.contains(&digits(&r[1]))).count();
    assert!(expected_claims > 0);
    let out_members = records(&output.join("members.csv"), b';');
    let out_claims = records(&output.join("claims.csv"), b';');
    assert_eq!(out_members.len() - 1, 2);
    assert_eq!(out_claims.len() - 1, expected_claims);
    // Pseudonymised, and the dossier still joins.
    let member_pseudonyms: Vec<String> = out_members[1..].iter().map(|r| digits(&r[0])).collect();
    for p in &member_pseudonyms {
        assert!(!chosen.contains(p), "a NISS survived");
    }
    for row in &out_claims[1..] {
        assert!(member_pseudonyms.contains(&digits(&row[1])), "a claim lost its member");
    }
    // A table without a subject column belongs to nobody's dossier: header only.
    assert_eq!(std::fs::read_to_string(output.join("providers.csv")).unwrap(), "inami;name\n");
    // The manifest records keyed fingerprints of the subjects, not the identifiers.
    let manifest = std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap();
    assert!(!manifest.contains(&chosen[0]) && !manifest.contains(&chosen[1]));
    let value: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(value["options"]["case_subjects"].as_array().unwrap().len(), 2);
}

#[test]
fn sampled_subjects_are_a_keyed_repeatable_choice_and_verify_passes() {
    let dir = fixture();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    case(dir.path(), &a, &["--sample-subjects", "4"]).code(0);
    case(dir.path(), &b, &["--sample-subjects", "4"]).code(0);
    for file in ["members.csv", "claims.csv"] {
        assert_eq!(std::fs::read(a.join(file)).unwrap(), std::fs::read(b.join(file)).unwrap(), "{file}");
    }
    assert_eq!(records(&a.join("members.csv"), b';').len() - 1, 4);
    let verify = |key: bool| {
        let mut cmd = pseudata();
        cmd.args(["verify", "--mappings"])
            .arg(dir.path().join("mappings"))
            .arg("--input")
            .arg(dir.path().join("input"))
            .arg("--output")
            .arg(&a);
        if key {
            cmd.arg("--key-file").arg(root().join("demo/demo.key"));
        }
        cmd.assert()
    };
    verify(true).code(0);
    // Without the key the subjects' rows cannot be found in the input.
    verify(false).code(2);
}

#[test]
fn a_subjects_file_works_and_unknown_subjects_write_nothing() {
    let dir = fixture();
    let members = records(&dir.path().join("input/members.csv"), b';');
    let list = dir.path().join("subjects.txt");
    std::fs::write(&list, format!("{}\n\n", digits(&members[5][0]))).unwrap();
    let output = dir.path().join("out");
    case(dir.path(), &output, &["--subjects-file", list.to_str().unwrap()]).code(0);
    assert_eq!(records(&output.join("members.csv"), b';').len() - 1, 1);

    let nobody = dir.path().join("nobody");
    let assert = case(dir.path(), &nobody, &["--subject", "85073003328"]).code(2);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(err.contains("none of the chosen subjects") && !err.contains("85073003328"), "{err}");
    assert!(common::file_names(&nobody).is_empty());
    // Exactly one way of choosing is required.
    pseudata().args(["case", "--mappings", "m", "--input", "i", "--output", "o"]).assert().code(2);
}
