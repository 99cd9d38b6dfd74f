//! Guarantee 7 (bounded): peak memory of `run` does not grow with the file size.
//! Peak RSS is read from the run's own manifest (`peak_rss_bytes`, Linux VmHWM).

mod common;

use std::io::Write;
use std::path::Path;

use common::*;

/// Writes a claims-like CSV of `rows` rows: 500,000 distinct members, realistic widths.
fn claims(dir: &Path, rows: u64) {
    std::fs::create_dir_all(dir.join("input")).unwrap();
    std::fs::create_dir_all(dir.join("mappings")).unwrap();
    let file = std::fs::File::create(dir.join("input/claims.csv")).unwrap();
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "claim_id;niss;provider_inami;nomenclature_code;icd10;care_date;amount_eur;comment").unwrap();
    for i in 0..rows {
        let member = (i * 7919) % 500_000;
        writeln!(
            out,
            "{};{:011};1{:05}25{:03};101010;E11.9;2024-{:02}-{:02};{},{:02};Tiers payant",
            1_000_000 + i,
            85_000_000_000 + member * 100,
            i % 100_000,
            i % 1000,
            i % 12 + 1,
            i % 28 + 1,
            i % 400,
            i % 100
        )
        .unwrap();
    }
    out.flush().unwrap();
    std::fs::write(
        dir.join("mappings/claims.yaml"),
        "table: claims\nfiles: ['claims.csv']\nsubject: niss\ncolumns:\n  claim_id: keep\n  niss: hash\n  provider_inami: hash\n  nomenclature_code: keep\n  icd10: keep\n  care_date: keep\n  amount_eur: keep\n  comment: null\n",
    )
    .unwrap();
}

fn peak_rss(rows: u64) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    claims(dir.path(), rows);
    let out = dir.path().join("output");
    run_cmd(dir.path(), &out, KEY_A).assert().success();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pseudata-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"][0]["rows_out"], rows);
    manifest["peak_rss_bytes"].as_u64().expect("peak RSS reported on Linux")
}

#[test]
fn peak_memory_stays_under_400_mb_and_does_not_grow_with_the_file() {
    let small = peak_rss(2_000_000);
    let large = peak_rss(4_000_000);
    let mb = |b: u64| b as f64 / 1e6;
    eprintln!("peak RSS: {:.0} MB for 2M rows, {:.0} MB for 4M rows", mb(small), mb(large));
    assert!(small < 400_000_000, "2M rows: peak {:.0} MB", mb(small));
    assert!(large < 400_000_000, "4M rows: peak {:.0} MB", mb(large));
    // Doubling the file may not double memory: allow 25% + 20 MB of noise, not growth.
    assert!(
        (large as f64) < small as f64 * 1.25 + 20e6,
        "peak grew from {:.0} MB to {:.0} MB when the file doubled",
        mb(small),
        mb(large)
    );
}
