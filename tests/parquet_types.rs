//! Parquet keeps its types: a typed extract (written by pyarrow, not by polars or pseudata) goes
//! through `run`, and pyarrow reads the output's schema. Every column's type equals its input
//! type (dates stay `date32` or `timestamp`, integers under NISS, INAMI, member-number and
//! postcode rules stay integers, decimals and floats stay so, `string` and `large_string` stay
//! as read), except where a rule cannot write the input's type (a `hash` token in an integer
//! column), which becomes `large_string` and is named in the manifest.

mod common;

use std::path::Path;
use std::process::Command;

/// Writes the demo extract as typed Parquet (`members.parquet`, `claims.parquet`) into `out`.
/// `variant` "float" writes `amount_eur` as float64 instead of decimal(10, 2).
const WRITE: &str = r#"
import csv, datetime, decimal, sys
import pyarrow as pa, pyarrow.parquet as pq
demo, out, variant = sys.argv[1], sys.argv[2], sys.argv[3]
def rows(name):
    with open(f"{demo}/{name}.csv", encoding="cp1252", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))
digits = lambda s: int("".join(c for c in s if c.isdigit()))
dmy = lambda s: datetime.datetime.strptime(s, "%d/%m/%Y").date()
m = rows("members")
members = pa.table({
    "niss": pa.array([digits(r["niss"]) for r in m], pa.int64()),
    "exid": pa.array([digits(r["exid"]) for r in m], pa.int64()),
    "last_name": pa.array([r["last_name"] for r in m], pa.large_string()),
    "first_name": pa.array([r["first_name"] for r in m], pa.large_string()),
    "sex": pa.array([r["sex"] for r in m], pa.string()),
    "birth_date": pa.array([dmy(r["birth_date"]) for r in m], pa.date32()),
    "language": pa.array([r["language"] for r in m], pa.string()),
    "street": pa.array([r["street"] for r in m], pa.string()),
    "house_number": pa.array([r["house_number"] for r in m], pa.string()),
    "postcode": pa.array([int(r["postcode"]) for r in m], pa.int64()),
    "city": pa.array([r["city"] for r in m], pa.string()),
    "phone": pa.array([r["phone"] for r in m], pa.string()),
    "email": pa.array([r["email"] for r in m], pa.string()),
    "iban": pa.array([r["iban"] for r in m], pa.string()),
    "affiliation_date": pa.array([dmy(r["affiliation_date"]) for r in m], pa.date32()),
    "notes": pa.array([r["notes"] or None for r in m], pa.large_string()),
})
c = rows("claims")
amount = [decimal.Decimal(r["amount_eur"].replace(",", ".")) for r in c]
claims = pa.table({
    "claim_id": pa.array([int(r["claim_id"]) for r in c], pa.int64()),
    "niss": pa.array([digits(r["niss"]) for r in c], pa.int64()),
    "provider_inami": pa.array([digits(r["provider_inami"]) for r in c], pa.int64()),
    "nomenclature_code": pa.array([int(r["nomenclature_code"]) for r in c], pa.int32()),
    "icd10": pa.array([r["icd10"] or None for r in c], pa.string()),
    "care_date": pa.array([datetime.datetime.fromisoformat(r["care_date"]) for r in c], pa.timestamp("us")),
    "amount_eur": pa.array([float(a) for a in amount], pa.float64()) if variant == "float"
        else pa.array(amount, pa.decimal128(10, 2)),
    "comment": pa.array([r["comment"] or None for r in c], pa.string()),
})
pq.write_table(members, f"{out}/members.parquet")
pq.write_table(claims, f"{out}/claims.parquet")
"#;

/// Prints `file<TAB>column<TAB>type` for every column of every Parquet file in the directories.
const SCHEMA: &str = r#"
import sys, pathlib
import pyarrow.parquet as pq
for d in sys.argv[1:]:
    for f in sorted(pathlib.Path(d).glob("*.parquet")):
        for field in pq.read_schema(f):
            print(f"{f.name}\t{field.name}\t{field.type}")
"#;

fn python(script: &str, args: &[&Path], extra: &[&str]) -> String {
    let out =
        Command::new(common::python_with("pyarrow")).arg("-c").arg(script).args(args).args(extra).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// (file, column) -> type, as pyarrow reads it.
fn types(dir: &Path) -> std::collections::BTreeMap<(String, String), String> {
    python(SCHEMA, &[dir], &[])
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            ((f[0].to_string(), f[1].to_string()), f[2].to_string())
        })
        .collect()
}

fn run(dir: &Path, input: &Path, output: &Path) {
    common::pseudata()
        .args(["run", "--quiet", "-m"])
        .arg(dir.join("mappings"))
        .arg("-i")
        .arg(input)
        .arg("-o")
        .arg(output)
        .arg("--key-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key"))
        .assert()
        .code(0);
}

#[test]
fn every_column_keeps_its_parquet_type_under_the_shipped_mappings() {
    let dir = common::demo_copy();
    let typed = dir.path().join("typed");
    std::fs::create_dir_all(&typed).unwrap();
    python(WRITE, &[&dir.path().join("input"), &typed], &["decimal"]);
    let output = dir.path().join("out");
    run(dir.path(), &typed, &output);
    let before = types(&typed);
    let after = types(&output);
    assert_eq!(before.len(), 24);
    // The input really is typed, with both string widths.
    for expected in ["int64", "int32", "date32[day]", "timestamp[us]", "decimal128(10, 2)", "string", "large_string"] {
        assert!(before.values().any(|t| t == expected), "input has no {expected}");
    }
    assert_eq!(after, before, "output types differ from input types");
    // The values are pseudonymised all the same: no input NISS in the output.
    let manifest = std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap();
    assert!(!manifest.contains("type_change"), "no column changed type");
    let verify = common::pseudata()
        .args(["verify", "-m"])
        .arg(dir.path().join("mappings"))
        .arg("-i")
        .arg(&typed)
        .arg("-o")
        .arg(&output)
        .arg("--key-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&verify.stdout);
    assert_eq!(verify.status.code(), Some(0), "{stdout}");
}

#[test]
fn a_rule_that_cannot_write_the_input_type_makes_text_and_says_so() {
    let dir = common::demo_copy();
    let claims = dir.path().join("mappings/claims.yaml");
    let text = std::fs::read_to_string(&claims)
        .unwrap()
        .replace("  claim_id: keep", "  claim_id: hash")
        .replace("  amount_eur: keep", "  amount_eur: { number: { round: 1 } }");
    let text: String = text.lines().filter(|l| !l.starts_with("roles:")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&claims, text).unwrap();
    let typed = dir.path().join("typed");
    std::fs::create_dir_all(&typed).unwrap();
    python(WRITE, &[&dir.path().join("input"), &typed], &["float"]);
    let output = dir.path().join("out");
    run(dir.path(), &typed, &output);
    let before = types(&typed);
    let after = types(&output);
    let key = |c: &str| ("claims.parquet".to_string(), c.to_string());
    assert_eq!(before[&key("claim_id")], "int64");
    assert_eq!(after[&key("claim_id")], "large_string", "a hash token is text");
    assert_eq!(before[&key("amount_eur")], "double");
    assert_eq!(after[&key("amount_eur")], "double", "a rounded float stays a float");
    for (column, t) in &after {
        if column.1 != "claim_id" {
            assert_eq!(t, &before[column], "{column:?}");
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap()).unwrap();
    let changed: Vec<(String, String)> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["columns"].as_array().unwrap().iter())
        .filter_map(|c| Some((c["name"].as_str()?.to_string(), c["type_change"].as_str()?.to_string())))
        .collect();
    assert_eq!(changed, vec![("claim_id".to_string(), "i64 -> str".to_string())]);
}
