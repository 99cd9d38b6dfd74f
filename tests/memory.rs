//! Guarantee 7 (bounded): peak memory of `run` does not grow with the file size, for CSV and for
//! Parquet. Peak RSS is read from the run's own manifest (`peak_rss_bytes`, Linux VmHWM).

mod common;

use std::io::Write;
use std::path::Path;

use common::*;
use polars::prelude::*;

const HEADER: [&str; 8] =
    ["claim_id", "niss", "provider_inami", "nomenclature_code", "icd10", "care_date", "amount_eur", "reference"];

/// Row `i` of a claims-like table: 500,000 distinct members, realistic widths, and a reference
/// of 32 random hex digits that no compression shrinks (so a reader that holds compressed row
/// groups ahead shows it).
fn row(i: u64) -> [String; 8] {
    let member = (i * 7919) % 500_000;
    let mix = |x: u64| {
        let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    };
    [
        (1_000_000 + i).to_string(),
        format!("{:011}", 85_000_000_000 + member * 100),
        format!("1{:05}25{:03}", i % 100_000, i % 1000),
        "101010".into(),
        "E11.9".into(),
        format!("2024-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
        format!("{},{:02}", i % 400, i % 100),
        format!("{:016x}{:016x}", mix(2 * i), mix(2 * i + 1)),
    ]
}

/// Writes a claims table of `rows` rows as `claims.csv` (`;`), or as `claims.parquet` in row
/// groups of 65,536 rows (the test writes it with polars, not with pseudata), and its mapping.
fn claims(dir: &Path, rows: u64, parquet: bool) {
    std::fs::create_dir_all(dir.join("input")).unwrap();
    std::fs::create_dir_all(dir.join("mappings")).unwrap();
    if parquet {
        let mut columns: Vec<Vec<String>> = (0..8).map(|_| Vec::with_capacity(rows as usize)).collect();
        for i in 0..rows {
            for (column, value) in columns.iter_mut().zip(row(i)) {
                column.push(value);
            }
        }
        let columns = HEADER.iter().zip(columns).map(|(name, values)| Column::new((*name).into(), values)).collect();
        let mut df = DataFrame::new_infer_height(columns).unwrap();
        let file = std::fs::File::create(dir.join("input/claims.parquet")).unwrap();
        ParquetWriter::new(file).with_row_group_size(Some(65_536)).finish(&mut df).unwrap();
    } else {
        let file = std::fs::File::create(dir.join("input/claims.csv")).unwrap();
        let mut out = std::io::BufWriter::new(file);
        writeln!(out, "{}", HEADER.join(";")).unwrap();
        for i in 0..rows {
            writeln!(out, "{}", row(i).join(";")).unwrap();
        }
        out.flush().unwrap();
    }
    std::fs::write(
        dir.join("mappings/claims.yaml"),
        "table: claims\nfiles: ['claims.csv', 'claims.parquet']\nsubject: niss\ncolumns:\n  claim_id: keep\n  niss: hash\n  provider_inami: hash\n  nomenclature_code: keep\n  icd10: keep\n  care_date: keep\n  amount_eur: keep\n  reference: keep\n",
    )
    .unwrap();
}

fn peak_rss(rows: u64, parquet: bool) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    claims(dir.path(), rows, parquet);
    let out = dir.path().join("output");
    run_cmd(dir.path(), &out, KEY_A).assert().success();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pseudata-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"][0]["rows_out"], rows);
    manifest["peak_rss_bytes"].as_u64().expect("peak RSS reported on Linux")
}

/// Peaks for `small` and twice as many rows: both under 400 MB, and the larger one not grown
/// (25 % + 20 MB of noise allowed, not growth).
fn assert_bounded(small_rows: u64, parquet: bool) {
    let small = peak_rss(small_rows, parquet);
    let large = peak_rss(2 * small_rows, parquet);
    let mb = |b: u64| b as f64 / 1e6;
    let what = if parquet { "Parquet" } else { "CSV" };
    eprintln!("{what} peak RSS: {:.0} MB for {small_rows} rows, {:.0} MB for twice as many", mb(small), mb(large));
    assert!(small < 400_000_000, "{what}, {small_rows} rows: peak {:.0} MB", mb(small));
    assert!(large < 400_000_000, "{what}, {} rows: peak {:.0} MB", 2 * small_rows, mb(large));
    assert!(
        (large as f64) < small as f64 * 1.25 + 20e6,
        "{what}: peak grew from {:.0} MB to {:.0} MB when the file doubled",
        mb(small),
        mb(large)
    );
}

#[test]
fn peak_memory_stays_under_400_mb_and_does_not_grow_with_the_file() {
    assert_bounded(2_000_000, false);
}

#[test]
fn parquet_peak_memory_does_not_grow_with_the_file() {
    assert_bounded(1_000_000, true);
}
