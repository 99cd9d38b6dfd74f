//! The benchmark scripts still measure what they say: `bench/ablate.py` on a tiny sample gives a
//! row to every column the shipped mappings transform, as the mapping loader reads them (not as
//! the script's own line pattern does). Timings are printed, never asserted.

mod common;

use std::path::Path;

use pseudata::mapping::Table;
use pseudata::rules::ColumnRule;

#[test]
fn ablate_gives_every_transformed_column_of_the_shipped_mappings_a_row() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = common::python_with("csv, resource");
    let output = std::process::Command::new(python)
        .arg(root.join("bench/ablate.py"))
        .args(["--members", "300", "--rounds", "1"])
        .env("PSEUDATA_BENCH_BIN", env!("CARGO_BIN_EXE_pseudata"))
        .output()
        .expect("bench/ablate.py runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "ablate.py failed:\n{stdout}\n{stderr}");
    assert!(!stderr.contains("skipped"), "a column was left out:\n{stderr}");

    let labels: Vec<&str> = stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
    let rows = |label: &str| stdout.lines().filter(|l| l.starts_with(&format!("{label} "))).count();
    assert_eq!(rows("full"), 1, "{stdout}");
    assert_eq!(rows("all keep"), 1, "{stdout}");

    let mut expected = Vec::new();
    let mut reads: Vec<(String, Vec<String>)> = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join("mappings")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let table = Table::load(path).expect("the shipped mapping loads");
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        for (column, rule) in &table.columns {
            reads.push((format!("{stem}.{column}"), rule.inputs().iter().map(|i| format!("{stem}.{i}")).collect()));
            if !matches!(rule, ColumnRule::Keep | ColumnRule::Drop) {
                expected.push(format!("{stem}.{column}"));
            }
        }
    }
    assert!(expected.len() >= 10, "the shipped mappings transform many columns: {expected:?}");
    for label in &expected {
        assert_eq!(rows(label), 1, "no row, or several, for {label}:\n{stdout}");
    }
    // Every column row is one the mappings transform (none invented, none of a kept column).
    let measured: Vec<&&str> = labels.iter().filter(|l| l.contains('.') && !l.ends_with(':')).collect();
    assert_eq!(measured.len(), expected.len(), "{stdout}");

    for line in stdout.lines().filter(|l| expected.iter().any(|e| l.starts_with(&format!("{e} ")))) {
        // Wall, CPU, the CPU the column saves (negative within noise) and per row: numbers.
        let numbers: Vec<f64> = line.split_whitespace().skip(1).take(4).map(|f| f.parse().unwrap()).collect();
        assert!(numbers.len() == 4 && numbers.iter().all(|n| n.is_finite()), "{line}");
        // A column kept together with others (`with a, b`): each of those reads a column kept
        // before it, as the loader says, so the row measures the column and what needs it.
        let label = line.split_whitespace().next().unwrap();
        let table = label.split('.').next().unwrap();
        if let Some((_, with)) = line.split_once(" with ") {
            let mut set = vec![label.to_string()];
            for other in with.split(", ").map(|c| format!("{table}.{}", c.trim())) {
                let inputs = &reads.iter().find(|(c, _)| *c == other).expect("a column of the mapping").1;
                assert!(inputs.iter().any(|i| set.contains(i)), "{other} reads none of {set:?}: {line}");
                set.push(other);
            }
        }
    }
    let with_others = stdout.lines().filter(|l| l.contains(" with ")).count();
    assert!(with_others >= 1, "the shipped names feed the e-mail and the notes: {stdout}");
}
