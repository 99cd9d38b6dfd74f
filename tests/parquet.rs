//! Parquet input and output: types kept, `--to` conversions both ways.

mod common;

use std::path::Path;

use common::*;
use polars::prelude::*;

fn read(path: &Path) -> DataFrame {
    let file = std::fs::File::open(path).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn sample(dir: &Path, to: &str) {
    pseudata()
        .args(["sample", "--members", "400", "--seed", "3", "--to", to, "--output"])
        .arg(dir.join("input"))
        .assert()
        .success();
    let mappings = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
    std::fs::create_dir_all(dir.join("mappings")).unwrap();
    for f in ["members.yaml", "claims.yaml"] {
        std::fs::copy(mappings.join(f), dir.join("mappings").join(f)).unwrap();
    }
}

#[test]
fn parquet_round_trip_keeps_types_and_keep_columns() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path(), "parquet");
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).arg("--batch-rows").arg("500").assert().success();

    let before = read(&dir.path().join("input/claims.parquet"));
    let after = read(&out.path().join("claims.parquet"));
    assert_eq!(before.height(), after.height());
    assert!(before.height() > 1000);
    for keep in ["claim_id", "nomenclature_code", "amount_eur"] {
        let (b, a) = (before.column(keep).unwrap(), after.column(keep).unwrap());
        assert_eq!(b.dtype(), a.dtype(), "{keep}: type kept");
        assert!(b.as_materialized_series().equals_missing(a.as_materialized_series()), "{keep}: values kept");
    }
    assert_eq!(after.column("claim_id").unwrap().dtype(), &DataType::Int64);
    assert_eq!(after.column("amount_eur").unwrap().dtype(), &DataType::Float64);
    assert_eq!(after.column("comment").unwrap().dtype(), &DataType::String, "free text stays text");
    let niss_in = before.column("niss").unwrap().str().unwrap().clone();
    let niss_out = after.column("niss").unwrap().str().unwrap().clone();
    for (a, b) in niss_in.iter().zip(niss_out.iter()) {
        assert_ne!(a, b);
        assert_eq!(b.map(str::len), Some(11), "a NISS pseudonym keeps the spelling");
    }
}

#[test]
fn csv_to_parquet_and_back_keeps_the_text() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path(), "csv");
    let as_parquet = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), as_parquet.path(), KEY_A).args(["--to", "parquet"]).assert().success();
    assert!(as_parquet.path().join("claims.parquet").exists());
    let frame = read(&as_parquet.path().join("claims.parquet"));
    assert_eq!(frame.column("nomenclature_code").unwrap().dtype(), &DataType::String);

    let direct = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), direct.path(), KEY_A).assert().success();
    let csv_rows = records(&direct.path().join("claims.csv"), b',');
    assert_eq!(csv_rows.len() - 1, frame.height());
    let amounts = frame.column("amount_eur").unwrap().str().unwrap().clone();
    for (row, amount) in csv_rows.iter().skip(1).zip(amounts.iter()) {
        assert_eq!(row[6], amount.unwrap_or("").as_bytes());
    }

    // And back: Parquet to CSV gives the same text as the direct CSV run for keep columns.
    let back_input = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(back_input.path().join("input")).unwrap();
    std::fs::create_dir_all(back_input.path().join("mappings")).unwrap();
    std::fs::copy(as_parquet.path().join("claims.parquet"), back_input.path().join("input/claims.parquet")).unwrap();
    std::fs::write(
        back_input.path().join("mappings/claims.yaml"),
        "table: claims\nfiles: ['claims.parquet']\ncolumns:\n  claim_id: keep\n  niss: keep\n  provider_inami: keep\n  nomenclature_code: keep\n  icd10: keep\n  care_date: keep\n  amount_eur: keep\n  comment: keep\n",
    )
    .unwrap();
    let back = tempfile::tempdir().unwrap();
    run_cmd(back_input.path(), back.path(), KEY_A).args(["--to", "csv"]).assert().success();
    let back_rows = records(&back.path().join("claims.csv"), b',');
    assert_eq!(back_rows, csv_rows);
}
