//! Parquet keeps its types: a typed extract (written by pyarrow, not by polars or pseudata) goes
//! through `run`, and pyarrow reads the output's schema and values. Every column's type equals
//! its input type (dates stay `date32` or `timestamp`, integers under NISS, INAMI and postcode
//! rules stay integers, decimals and floats stay so, `string` and `large_string` stay as read),
//! except where a rule cannot write the input's type (a `hash` token or a member number in an
//! integer column, a timestamp with a time zone), which becomes `large_string` and is named in
//! the manifest.

mod common;

use std::path::Path;
use std::process::Command;

/// Writes the demo extract as typed Parquet (`members.parquet`, `claims.parquet`) into `out`.
/// `variant` "float" writes `amount_eur` as float64 instead of decimal(10, 2).
const WRITE: &str = include_str!("data/typed_demo.py");

/// Prints `file<TAB>column<TAB>type` for every column of every Parquet file in the directories.
const SCHEMA: &str = r#"
import sys, pathlib
import pyarrow.parquet as pq
for d in sys.argv[1:]:
    for f in sorted(pathlib.Path(d).glob("*.parquet")):
        for field in pq.read_schema(f):
            print(f"{f.name}\t{field.name}\t{field.type}")
"#;

/// Compares input and output values of the typed demo; prints each problem found.
const CHECK: &str = r#"
import sys, datetime
import pyarrow.parquet as pq
src, out = sys.argv[1], sys.argv[2]
a = pq.read_table(f"{src}/claims.parquet").to_pylist()
b = {r["claim_id"]: r for r in pq.read_table(f"{out}/claims.parquet").to_pylist()}
if len(a) != len(b): print("row counts differ")
for r in a:
    o = b[r["claim_id"]]
    moved = o["care_date"] - r["care_date"]
    if moved.seconds or moved.microseconds or not (1 <= abs(moved.days) <= 30):
        print("care_date moved by", moved)
    if o["amount_eur"] != r["amount_eur"] or o["nomenclature_code"] != r["nomenclature_code"]:
        print("kept value changed")
    if o["niss"] == r["niss"]:
        print("a NISS is unchanged")
m_in = pq.read_table(f"{src}/members.parquet").to_pylist()
m_out = pq.read_table(f"{out}/members.parquet").to_pylist()
for r, o in zip(m_in, m_out):
    if o["birth_date"].year != r["birth_date"].year: print("birth year changed")
    if o["postcode"] is None or not (1000 <= o["postcode"] <= 9999): print("postcode", o["postcode"])
"#;

/// The manifest's `type_change` entries: (column, change).
fn type_changes(output: &Path) -> Vec<(String, String)> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output.join("pseudata-manifest.json")).unwrap()).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["columns"].as_array().unwrap().iter())
        .filter_map(|c| Some((c["name"].as_str()?.to_string(), c["type_change"].as_str()?.to_string())))
        .collect()
}

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
    // Member numbers in an integer column become text: their pseudonyms may start with 0, and as
    // integers two of different lengths could become one.
    let mut expected = before.clone();
    expected.insert(("members.parquet".into(), "exid".into()), "large_string".into());
    assert_eq!(after, expected, "output types differ from input types");
    assert_eq!(type_changes(&output), vec![("exid".to_string(), "int64 -> large_string".to_string())]);
    // Values, read by pyarrow: care dates moved by 1 to 30 whole days, time of day kept;
    // amounts and kept codes unchanged; pseudonymised NISS differ from the input's.
    let problems = python(CHECK, &[&typed, &output], &[]);
    assert!(problems.is_empty(), "{problems}");
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
        if column.1 != "claim_id" && column.1 != "exid" {
            assert_eq!(t, &before[column], "{column:?}");
        }
    }
    let mut changed = type_changes(&output);
    changed.sort();
    assert_eq!(
        changed,
        vec![
            ("claim_id".to_string(), "int64 -> large_string".to_string()),
            ("exid".to_string(), "int64 -> large_string".to_string())
        ]
    );
}

/// Naive timestamps move by whole days with their time of day; dates before 1970 and nulls too;
/// one shift per subject.
#[test]
fn timestamps_and_dates_shift_by_whole_days_keeping_nulls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::write(
        dir.path().join("mappings/events.yaml"),
        "table: events\nfiles: [\"events.parquet\"]\nsubject: niss\ncolumns:\n  niss: niss\n  \
         naive: { date: { shift_by: niss } }\n  day: { date: { shift_by: niss } }\n",
    )
    .unwrap();
    let write = r#"
import sys, datetime
import pyarrow as pa, pyarrow.parquet as pq
n = [85073003328, 60012133115, 61512380, 85073003328]
t = [datetime.datetime(2024, 3, 30, 12, 30), datetime.datetime(1960, 1, 21, 0, 0, 1), None, datetime.datetime(2024, 10, 26, 23, 59)]
d = [datetime.date(1950, 2, 1), None, datetime.date(1969, 12, 31), datetime.date(2024, 2, 29)]
pq.write_table(pa.table({
    "niss": pa.array(n, pa.int64()),
    "naive": pa.array(t, pa.timestamp("ms")),
    "day": pa.array(d, pa.date32()),
}), sys.argv[1] + "/events.parquet")
"#;
    python(write, &[&dir.path().join("input")], &[]);
    let output = dir.path().join("out");
    run(dir.path(), &dir.path().join("input"), &output);
    let after = types(&output);
    let key = |c: &str| ("events.parquet".to_string(), c.to_string());
    assert_eq!(after[&key("naive")], "timestamp[ms]");
    assert_eq!(after[&key("day")], "date32[day]");
    assert_eq!(after[&key("niss")], "int64");
    assert!(type_changes(&output).is_empty());
    let check = r#"
import sys
import pyarrow.parquet as pq
a = pq.read_table(sys.argv[1] + "/events.parquet").to_pylist()
b = pq.read_table(sys.argv[2] + "/events.parquet").to_pylist()
shift = {}
for r, o in zip(a, b):
    for c in ("naive", "day"):
        if (r[c] is None) != (o[c] is None):
            print(c, "null changed")
        elif r[c] is not None:
            moved = o[c] - r[c]
            if getattr(moved, "seconds", 0) or not (1 <= abs(moved.days) <= 30):
                print(c, "moved by", moved)
            shift.setdefault(r["niss"], set()).add(moved.days)
for niss, days in shift.items():
    if len(days) != 1: print("one subject, several shifts", days)
"#;
    let problems = python(check, &[&dir.path().join("input"), &output], &[]);
    assert!(problems.is_empty(), "{problems}");
}

/// A NISS in an integer column has lost its leading zeros (`61512380` is `00061512380`, born
/// 15 June 2000): it gets the pseudonym the same NISS gets as text, so tables still join.
#[test]
fn integer_niss_join_text_niss_despite_lost_zeros() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("input")).unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    for (table, file) in [("typed", "typed.parquet"), ("text", "text.csv")] {
        std::fs::write(
            dir.path().join(format!("mappings/{table}.yaml")),
            format!("table: {table}\nfiles: [\"{file}\"]\ncolumns:\n  niss: niss\n"),
        )
        .unwrap();
    }
    let niss = ["00061512380", "85073003328", "00010100123"];
    std::fs::write(dir.path().join("input/text.csv"), format!("niss\n{}\n", niss.join("\n"))).unwrap();
    let write = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({"niss": pa.array([int(v) for v in sys.argv[2:]], pa.int64())}), sys.argv[1] + "/typed.parquet")
"#;
    python(write, &[&dir.path().join("input")], &niss);
    let output = dir.path().join("out");
    run(dir.path(), &dir.path().join("input"), &output);
    let read = r#"
import sys
import pyarrow.parquet as pq
print(" ".join(str(v) for v in pq.read_table(sys.argv[1] + "/typed.parquet").column("niss").to_pylist()))
"#;
    let typed: Vec<u64> = python(read, &[&output], &[]).split_whitespace().map(|v| v.parse().unwrap()).collect();
    let text: Vec<u64> =
        std::fs::read_to_string(output.join("text.csv")).unwrap().lines().skip(1).map(|v| v.parse().unwrap()).collect();
    assert_eq!(typed, text, "the same NISS, as integer and as text, got different pseudonyms");
    assert!(typed.iter().zip(&niss).all(|(p, n)| p.to_string() != n.trim_start_matches('0')));
}

/// A `time32[s]` column, which polars 0.55 reads as nulls, is refused by name, never emptied,
/// also inside a list.
#[test]
fn a_column_this_version_would_empty_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (input, mappings) = (dir.path().join("input"), dir.path().join("mappings"));
    std::fs::create_dir_all(&input).unwrap();
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(mappings.join("x.yaml"), "table: x\nfiles: [\"x*.parquet\"]\ncolumns:\n  niss: niss\n  at: keep\n")
        .unwrap();
    let script = r#"
import sys, datetime
import pyarrow as pa, pyarrow.parquet as pq
kind = sys.argv[2]
unit = kind.removeprefix("list-")
at = pa.array([datetime.time(1, 2, 3)] * 3, pa.time32(unit))
if kind.startswith("list-"):
    at = pa.array([[datetime.time(1, 2, 3)]] * 3, pa.list_(pa.time32(unit)))
t = pa.table({"niss": pa.array(["85073003328"] * 3), "at": at})
pq.write_table(t, sys.argv[1])
"#;
    for (unit, refused) in [("s", true), ("list-s", true), ("ms", false)] {
        let file = input.join("x.parquet");
        python(script, &[&file], &[unit]);
        let output = dir.path().join(format!("out-{unit}"));
        let out = common::demo_job("run", dir.path(), &output).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if refused {
            assert_eq!(out.status.code(), Some(2), "{stderr}");
            assert!(stderr.contains("`at`") && stderr.contains("time32[s]"), "{stderr}");
            assert!(!output.join("x.parquet").exists());
        } else {
            assert_eq!(out.status.code(), Some(0), "{stderr}");
            let values = python(
                "import sys, pyarrow.parquet as pq; print(pq.read_table(sys.argv[1])['at'].to_pylist())",
                &[&output.join("x.parquet")],
                &[],
            );
            assert!(values.matches("time(1, 2, 3)").count() == 3 && !values.contains("None"), "{values}");
        }
    }
}

/// Group sizes of the members output's sex and postcode, counted by pyarrow: `[[size, groups], ...]`.
const GROUPS: &str = r#"
import sys, json, collections, pyarrow.parquet as pq
rows = pq.read_table(sys.argv[1], columns=["sex", "postcode"]).to_pylist()
groups = collections.Counter((r["sex"], r["postcode"]) for r in rows)
print(json.dumps(sorted([s, n] for s, n in collections.Counter(groups.values()).items())))
"#;

#[test]
fn k_anonymity_of_a_typed_parquet_output_is_counted_while_writing() {
    // Typed columns (an integer postcode): the count the writer makes from each frame must
    // group rows as the written file does, read by another library. Birth dates make every
    // group a single row: they are left out of the quasi-identifiers here.
    let dir = common::demo_copy();
    let mapping = dir.path().join("mappings/members.yaml");
    let text = std::fs::read_to_string(&mapping).unwrap();
    assert!(text.contains("quasi_identifiers: [birth_date, sex, postcode]"));
    std::fs::write(&mapping, text.replace("[birth_date, sex, postcode]", "[sex, postcode]")).unwrap();
    let typed = dir.path().join("typed");
    std::fs::create_dir_all(&typed).unwrap();
    python(WRITE, &[&dir.path().join("input"), &typed], &["decimal"]);
    let output = dir.path().join("out");
    let report = dir.path().join("run.json");
    common::pseudata()
        .args(["run", "--quiet", "-m"])
        .arg(dir.path().join("mappings"))
        .args([
            Path::new("-i"),
            typed.as_path(),
            Path::new("-o"),
            output.as_path(),
            Path::new("--report"),
            report.as_path(),
        ])
        .arg("--key-file")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key"))
        .assert()
        .code(0);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let k = &json["k_anonymity"][0];
    assert_eq!(k["file"], "members.parquet");
    let expected: serde_json::Value =
        serde_json::from_str(&python(GROUPS, &[&output.join("members.parquet")], &[])).unwrap();
    assert_eq!(k["group_sizes"], expected);
    assert!(expected.as_array().unwrap().len() > 1, "a spread of group sizes: {expected}");
}
