//! Criterion benchmarks: rule throughput per value, and a whole batch through the engine.

use std::borrow::Cow;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pseudata::crypto::Key;
use pseudata::engine::{transform_batch, ColumnStats};
use pseudata::io::{Cells, Undecodable};
use pseudata::mapping::{BoundPlan, Table};
use pseudata::rules::ColumnRule;

fn key() -> Key {
    Key::from_hex(&"5a".repeat(32), "bench").expect("valid hex")
}

/// 10,000 valid example values per rule kind (distinct), built with the published check rules.
fn examples(kind: &str) -> Vec<String> {
    (0..10_000u64)
        .map(|i| match kind {
            "hash" | "niss" => {
                let first9 = (850_101 + i % 28) * 1000 + 1 + (i / 28) % 998;
                format!("{:011}", first9 * 100 + 97 - first9 % 97)
            }
            "exid" => format!("5{:011}", i * 7919),
            "iban" => {
                let first10 = 96 * 10_000_000 + i * 13;
                let national = if first10 % 97 == 0 { 97 } else { first10 % 97 };
                let bban = format!("{first10:010}{national:02}");
                let rem = format!("{bban}111400").bytes().fold(0u32, |r, b| (r * 10 + (b - b'0') as u32) % 97);
                format!("BE{:02}{bban}", 98 - rem)
            }
            "inami" => {
                let stem = 100_000 + i;
                format!("{stem:06}{:02}580", 97 - stem % 97)
            }
            "kbo" => {
                let first8 = 4_000_000 + i;
                format!("{:010}", first8 * 100 + 97 - first8 % 97)
            }
            "phone" => format!("0475 {:06}", i * 37),
            "email" => format!("member{i}@telenet.be"),
            _ => std::net::Ipv4Addr::from(0x0a00_0000 + i as u32).to_string(),
        })
        .collect()
}

fn rules(c: &mut Criterion) {
    let key = key();
    let mut group = c.benchmark_group("rule");
    for kind in ["hash", "niss", "exid", "iban", "inami", "kbo", "phone", "email", "ip"] {
        let values = examples(kind);
        let rule =
            ColumnRule::parse(&serde_norway::Value::String(kind.into())).expect("rule").build(&key).expect("keyed");
        assert!(values.iter().all(|v| rule.apply(v, &[]).is_ok_and(|p| !p.invalid)), "{kind}: examples are valid");
        group.throughput(Throughput::Elements(values.len() as u64));
        group.bench_function(kind, |b| {
            b.iter(|| {
                values
                    .iter()
                    .map(|v| rule.apply(v, &[]).map(|p| p.text.map_or(0, |t| t.len())).unwrap_or(0))
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

struct Rows(Vec<Vec<String>>);

impl Cells for Rows {
    fn rows(&self) -> usize {
        self.0.len()
    }
    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, Undecodable> {
        Ok(self.0[row].get(column).map(|s| Cow::Borrowed(s.as_str())))
    }
}

fn batch(c: &mut Criterion) {
    let dir = std::env::temp_dir().join("pseudata-bench-mapping");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("claims.yaml");
    std::fs::write(
        &path,
        "table: claims\nfiles: ['*.csv']\ncolumns:\n  claim_id: keep\n  niss: hash\n  provider: hash\n  amount: keep\n",
    )
    .expect("mapping written");
    let table = Table::load(&path).expect("valid mapping");
    let header: Vec<String> = ["claim_id", "niss", "provider", "amount"].iter().map(|s| s.to_string()).collect();
    let plan = BoundPlan::bind(&table, &path, &header, &key()).expect("bound");
    let niss: Vec<String> =
        (0..65_536u64).map(|i| format!("{:011}", 85_000_000_000u64 + (i * 7919) % 10_000_000)).collect();
    let rows = Rows(
        niss.into_iter()
            .enumerate()
            .map(|(i, n)| vec![i.to_string(), n, format!("1{:05}2500{}", i % 99_999, i % 10), "12,50".into()])
            .collect(),
    );
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(rows.0.len() as u64));
    group.bench_function("batch_65536_rows_2_hashed_columns", |b| {
        b.iter_batched(
            || vec![ColumnStats::default(); plan.columns.len()],
            |mut stats| transform_batch(&plan, &rows, &mut stats, &[]).map(|v| v.len()).unwrap_or(0),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Detector throughput: classifying whole values (what `check` does per kept cell) and finding
/// identifiers inside notes (what `free_text` and `verify` do per text cell).
fn detect(c: &mut Criterion) {
    use pseudata::detect::{text::find_identifiers, value_kinds, ExidShape, Kind};
    let shape = ExidShape::default();
    let mut group = c.benchmark_group("detect");
    let mut values: Vec<String> = Vec::new();
    for kind in ["niss", "iban", "phone", "email"] {
        values.extend(examples(kind).into_iter().take(2_500));
    }
    values.extend((0..10_000u64).map(|i| format!("{},{:02}", i % 500, i % 100)));
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("value_kinds", |b| b.iter(|| values.iter().map(|v| value_kinds(v, &shape)).sum::<u32>()));
    let notes: Vec<String> = (0..10_000u64)
        .map(|i| match i % 4 {
            0 => format!("Lid belde op 12/03/2024 ivm {},50 EUR (code 101010)", i % 300),
            1 => format!("INSZ {} gemeld, rek. {}", examples("niss")[i as usize], examples("iban")[i as usize]),
            2 => format!("Contact: {} / member{i}@telenet.be", examples("phone")[i as usize]),
            _ => "Geen opmerking".to_string(),
        })
        .collect();
    group.throughput(Throughput::Elements(notes.len() as u64));
    group.bench_function("find_identifiers", |b| {
        b.iter(|| notes.iter().map(|n| find_identifiers(n, None).len()).sum::<usize>())
    });
    // The same notes in bytes per second, and the other passes a note goes through.
    let bytes: u64 = notes.iter().map(|n| n.len() as u64).sum();
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("find_identifiers_bytes", |b| {
        b.iter(|| notes.iter().map(|n| find_identifiers(n, None).len()).sum::<usize>())
    });
    group.bench_function("people_bytes", |b| {
        b.iter(|| notes.iter().map(|n| pseudata::detect::text::people::find(n).len()).sum::<usize>())
    });
    let key = Key::from_hex(&"42".repeat(32), "bench").unwrap_or_else(|e| unreachable!("{e}"));
    let free_text = pseudata::rules::FreeText::new(&key, &pseudata::rules::FreeTextSpec::default());
    group.bench_function("free_text_scrub_bytes", |b| {
        b.iter(|| notes.iter().map(|n| free_text.scrub(n).len()).sum::<usize>())
    });
    let mut index = pseudata::inspect::verify::windows::Index::new();
    for (i, kind) in [Kind::Niss, Kind::Iban, Kind::Phone, Kind::Email].into_iter().enumerate() {
        for v in examples(["niss", "iban", "phone", "email"][i]).into_iter().take(2_500) {
            index.add_original(kind, &v);
        }
    }
    index.add_name("Marie", "Dubois");
    group.bench_function("verify_windows_bytes", |b| {
        b.iter(|| notes.iter().map(|n| index.find(n).len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, rules, batch, detect);
criterion_main!(benches);
