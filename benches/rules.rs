//! Criterion benchmarks: rule throughput per value, and a whole batch through the engine.

use std::borrow::Cow;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use pseudata::crypto::Key;
use pseudata::engine::{transform_batch, CellError, Cells, ColumnStats};
use pseudata::mapping::{BoundPlan, Table};
use pseudata::rules::ColumnRule;

fn key() -> Key {
    Key::from_hex(&"5a".repeat(32), "bench").expect("valid hex")
}

fn niss_values(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{:011}", 85_000_000_000u64 + (i as u64 * 7919) % 10_000_000)).collect()
}

fn rules(c: &mut Criterion) {
    let key = key();
    let values = niss_values(10_000);
    let mut group = c.benchmark_group("rule");
    group.throughput(Throughput::Elements(values.len() as u64));
    let hash =
        ColumnRule::parse(&serde_norway::Value::String("hash".into())).expect("rule").build(&key).expect("keyed");
    group.bench_function("hash", |b| {
        b.iter(|| {
            values.iter().map(|v| hash.apply(v, &[]).map(|p| p.text.map_or(0, |t| t.len())).unwrap_or(0)).sum::<usize>()
        })
    });
    group.finish();
}

struct Rows(Vec<Vec<String>>);

impl Cells for Rows {
    fn rows(&self) -> usize {
        self.0.len()
    }
    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, CellError> {
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
    let niss = niss_values(65_536);
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
            |mut stats| transform_batch(&plan, &rows, &mut stats).map(|v| v.len()).unwrap_or(0),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, rules, batch);
criterion_main!(benches);
