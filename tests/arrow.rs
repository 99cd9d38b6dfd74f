//! `pipe --format arrow`: an Arrow IPC stream written by pyarrow (not by pseudata or polars) goes
//! through `pipe` in batches of many sizes, and pyarrow reads what comes out. It must equal, in
//! values and Arrow types, the Parquet file `run` writes for the same typed demo extract (with and
//! without `--subset`). A failure leaves a stream no Arrow reader accepts.

mod common;

use std::path::{Path, PathBuf};

/// Streams a Parquet file (argv 1) to standard output as an Arrow IPC stream in batches of
/// argv 2 rows; argv 3 `cut` stops inside the last message, `open` omits the end marker, `lz4`
/// and `zstd` compress the buffers.
const STREAM: &str = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq
table = pq.read_table(sys.argv[1])
rows, how = int(sys.argv[2]), sys.argv[3]
sink = pa.BufferOutputStream()
compression = how if how in ("lz4", "zstd") else None
writer = pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression=compression))
for batch in table.to_batches(max_chunksize=rows):
    writer.write_batch(batch)
if how != "open":
    writer.close()
data = sink.getvalue().to_pybytes()
if how == "cut":
    data = data[: len(data) - 40]
sys.stdout.buffer.write(data)
"#;

/// Reads an Arrow stream (argv 1) and compares it with a Parquet file (argv 2): prints `equal`,
/// or what differs; `unreadable: N` when the stream fails after N rows.
const COMPARE: &str = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq
rows = 0
try:
    reader = pa.ipc.open_stream(open(sys.argv[1], "rb").read())
    batches = []
    for batch in reader:
        batches.append(batch)
        rows += batch.num_rows
except Exception as e:
    print(f"unreadable: {rows}")
    sys.exit(0)
got = pa.Table.from_batches(batches, schema=reader.schema)
if len(sys.argv) < 3:
    print(f"rows: {rows}")
    sys.exit(0)
want = pq.read_table(sys.argv[2])
want = want.replace_schema_metadata(None)
got = got.replace_schema_metadata(None)
if not got.schema.equals(want.schema):
    print("schemas differ:", got.schema, "vs", want.schema)
elif not got.equals(want):
    for name in want.column_names:
        if not got[name].equals(want[name]):
            print("column differs:", name)
else:
    print("equal")
"#;

fn key() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo.key")
}

/// `pipe --format arrow` on `stream`: (exit code, standard output, standard error).
fn pipe(mappings: &Path, table: &str, stream: Vec<u8>, extra: &[&str]) -> (i32, Vec<u8>, String) {
    let out = common::pseudata()
        .args(["pipe", "--format", "arrow", "--table", table, "-m"])
        .arg(mappings)
        .arg("--key-file")
        .arg(key())
        .args(extra)
        .write_stdin(stream)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn stream(parquet: &Path, rows: usize, how: &str) -> Vec<u8> {
    common::pyarrow_script(STREAM, &[&parquet, &rows.to_string(), &how])
}

/// pyarrow's verdict on `stream` against `parquet` (or its row count without one).
fn compare(dir: &Path, stream: &[u8], parquet: Option<&Path>) -> String {
    let file = dir.join("stream.arrows");
    std::fs::write(&file, stream).unwrap();
    let out = match parquet {
        Some(p) => common::pyarrow_script(COMPARE, &[&file, &p]),
        None => common::pyarrow_script(COMPARE, &[&file]),
    };
    String::from_utf8(out).unwrap().trim().to_string()
}

#[test]
fn an_arrow_stream_comes_out_as_run_writes_the_parquet_file() {
    let dir = common::demo_copy();
    let typed = common::typed_demo(dir.path());
    let mappings = dir.path().join("mappings");
    for subset in [None, Some("30")] {
        let output = dir.path().join(format!("out-{}", subset.unwrap_or("all")));
        common::run_demo_key(&mappings, &typed, &output, subset);
        for table in ["claims", "members"] {
            // Batches of one row, of a prime size, one larger than pipe's own; compressed.
            for (rows, how) in [(1, "whole"), (97, "whole"), (100_000, "whole"), (500, "lz4"), (500, "zstd")] {
                let input = stream(&typed.join(format!("{table}.parquet")), rows, how);
                let extra: Vec<&str> = subset.map(|p| vec!["--subset", p]).unwrap_or_default();
                let (code, stdout, stderr) = pipe(&mappings, table, input, &extra);
                assert_eq!(code, 0, "{table}, batches of {rows}, {how}: {stderr}");
                let verdict = compare(dir.path(), &stdout, Some(&output.join(format!("{table}.parquet"))));
                assert_eq!(verdict, "equal", "{table}, batches of {rows}, {how}, subset {subset:?}");
            }
        }
    }
}

#[test]
fn an_empty_stream_answers_the_output_schema() {
    let dir = common::demo_copy();
    let typed = common::typed_demo(dir.path());
    let mappings = dir.path().join("mappings");
    let output = dir.path().join("out");
    common::run_demo_key(&mappings, &typed, &output, None);
    // Zero rows: a stream of one batch with none (to_batches of an empty slice gives none).
    let script = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq
schema = pq.read_schema(sys.argv[1]).remove_metadata()
sink = pa.BufferOutputStream()
with pa.ipc.new_stream(sink, schema):
    pass
sys.stdout.buffer.write(sink.getvalue().to_pybytes())
"#;
    for table in ["claims", "members"] {
        let input = common::pyarrow_script(script, &[&typed.join(format!("{table}.parquet"))]);
        let (code, stdout, stderr) = pipe(&mappings, table, input, &[]);
        assert_eq!(code, 0, "{stderr}");
        // The empty run output has the same schema: pyarrow compares schema and (no) rows.
        let empty = dir.path().join(format!("{table}-empty.parquet"));
        let write_empty = r#"
import sys
import pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
pq.write_table(t.slice(0, 0), sys.argv[2])
"#;
        common::pyarrow_script(write_empty, &[&output.join(format!("{table}.parquet")), &empty]);
        assert_eq!(compare(dir.path(), &stdout, Some(&empty)), "equal", "{table}");
    }
}

#[test]
fn a_failure_leaves_a_stream_no_reader_accepts() {
    let dir = common::demo_copy();
    let typed = common::typed_demo(dir.path());
    let mappings = dir.path().join("mappings");
    let claims = typed.join("claims.parquet");
    // Cut inside the last message, and without the end marker: whole batches went out first.
    for how in ["cut", "open"] {
        let (code, stdout, stderr) = pipe(&mappings, "claims", stream(&claims, 100, how), &["--batch-rows", "100"]);
        assert_eq!(code, 2, "{how}: {stderr}");
        assert!(stderr.contains("<stdin>") && stderr.contains("Arrow stream"), "{stderr}");
        let verdict = compare(dir.path(), &stdout, None);
        assert!(verdict.starts_with("unreadable: "), "{how}: {verdict}");
        let rows: usize = verdict["unreadable: ".len()..].parse().unwrap();
        // Cut: the 24 whole batches before the cut one. Open: every row, then no end marker.
        let expected = if how == "cut" { 2400 } else { 2440 };
        assert_eq!(rows, expected, "{how}: whole batches before the failure");
    }
    // A rule that refuses a value half-way: the row and column are named, never the value.
    let bad = dir.path().join("bad.parquet");
    common::plant_invalid_niss(&claims, &bad);
    common::refuse_invalid(&mappings, &mappings, "niss", "niss");
    let (code, stdout, stderr) = pipe(&mappings, "claims", stream(&bad, 250, "whole"), &["--batch-rows", "100"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("row 1501") && stderr.contains("niss"), "{stderr}");
    assert!(!stderr.contains("12345678901"), "no value in the error: {stderr}");
    assert_eq!(compare(dir.path(), &stdout, None), "unreadable: 1500");
}

#[test]
fn csv_options_and_unreadable_types_are_refused_by_name() {
    let dir = common::demo_copy();
    let mappings = dir.path().join("mappings");
    let options = [
        &["--separator", ";"][..],
        &["--crlf"],
        &["--encoding", "utf-8"],
        &["--no-header"],
        &["--quoting", "necessary"],
    ];
    for option in options {
        let (code, stdout, stderr) = pipe(&mappings, "claims", Vec::new(), option);
        assert_eq!(code, 2, "{option:?}");
        assert!(stderr.contains(option[0]) && stderr.contains("CSV option"), "{stderr}");
        assert!(compare(dir.path(), &stdout, None).starts_with("unreadable"));
    }
    // Empty input, and a refused command line: still a stream no reader takes for complete.
    let (code, stdout, stderr) = pipe(&mappings, "claims", Vec::new(), &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no schema message"), "{stderr}");
    assert!(compare(dir.path(), &stdout, None).starts_with("unreadable"));
    let (code, stdout, _) = pipe(&mappings, "claims", Vec::new(), &["--no-such-option"]);
    assert_eq!(code, 2);
    assert!(compare(dir.path(), &stdout, None).starts_with("unreadable"));
    // A timestamp with a time zone: named, with what to do.
    let script = r#"
import sys, datetime
import pyarrow as pa
t = pa.table({"claim_id": pa.array([1], pa.int64()),
              "care_date": pa.array([datetime.datetime(2024, 1, 2, 3, 4)], pa.timestamp("us", tz="Europe/Brussels"))})
sink = pa.BufferOutputStream()
with pa.ipc.new_stream(sink, t.schema) as w:
    w.write_table(t)
sys.stdout.buffer.write(sink.getvalue().to_pybytes())
"#;
    let input = common::pyarrow_script(script, &[]);
    let (code, _, stderr) = pipe(&mappings, "claims", input, &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`care_date`") && stderr.contains("time zone"), "{stderr}");
    // Types pseudata cannot read, also nested, and duplicate names: refused by name, also in a
    // stream without rows (the Spark driver's schema question), never a crash.
    let script = r#"
import sys, datetime, decimal
import pyarrow as pa
kind, rows = sys.argv[1], sys.argv[2] == "rows"
tz = pa.timestamp("us", tz="UTC")
columns = {
    "nested-dictionary": ("comment", pa.array([["a"]]).cast(pa.list_(pa.dictionary(pa.int32(), pa.string())))),
    "nested-zone": ("comment", pa.array([{"at": datetime.datetime(2024, 1, 2)}], pa.struct([("at", tz)]))),
    "decimal256": ("amount_eur", pa.array([decimal.Decimal("1.50")], pa.decimal256(40, 2))),
    "float16": ("comment", pa.array([[1.0]], pa.list_(pa.float64())).cast(pa.list_(pa.float16()))),
    "interval": ("comment", pa.array([pa.MonthDayNano([1, 2, 3])], pa.month_day_nano_interval())),
    "fixed-list": ("comment", pa.array([[1, 2]], pa.list_(pa.int64(), 2))),
}
if kind == "duplicate":
    t = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["claim_id", "claim_id"])
else:
    name, array = columns[kind]
    t = pa.Table.from_arrays([pa.array([1]), array], names=["claim_id", name])
sink = pa.BufferOutputStream()
with pa.ipc.new_stream(sink, t.schema) as w:
    if rows:
        w.write_table(t)
sys.stdout.buffer.write(sink.getvalue().to_pybytes())
"#;
    for (kind, column, what) in [
        ("nested-dictionary", "comment", "dictionary"),
        ("nested-zone", "comment", "time zone"),
        ("decimal256", "amount_eur", "decimal"),
        ("float16", "comment", "16-bit float"),
        ("interval", "comment", "interval"),
        ("fixed-list", "comment", "fixed-size"),
        ("duplicate", "", "appears twice"),
    ] {
        for rows in ["rows", "empty"] {
            let input = common::pyarrow_script(script, &[&kind, &rows]);
            let (code, stdout, stderr) = pipe(&mappings, "claims", input, &[]);
            assert_eq!(code, 2, "{kind} {rows}: {stderr}");
            let named = column.is_empty() || stderr.contains(&format!("`{column}`"));
            assert!(named && stderr.contains(what), "{kind} {rows}: {stderr}");
            assert!(!stderr.contains("internal error"), "{kind}: {stderr}");
            assert!(compare(dir.path(), &stdout, None).starts_with("unreadable"), "{kind} {rows}");
        }
    }
}

/// The Spark wrapper's process handling, without Spark (its `_pipe` over a plain iterator): a
/// failing input iterator, of any exception type, fails the partition instead of ending pseudata's
/// input cleanly; a consumer that stops early leaves no process behind; a whole partition comes
/// back whole.
#[test]
fn the_spark_wrapper_never_passes_a_partial_partition() {
    let dir = common::demo_copy();
    let typed = common::typed_demo(dir.path());
    let script = r#"
import sys, os, errno
import pyarrow as pa, pyarrow.parquet as pq
sys.path.insert(0, sys.argv[1])
import pseudata_spark as ps
binary, mappings, key, claims = sys.argv[2:6]
table = pq.read_table(claims)
batches = table.to_batches(max_chunksize=500)
command = ps._command(binary, mappings, "claims", key, None)
rows = sum(b.num_rows for b in ps._pipe(command, table.schema, iter(batches)))
print("whole", rows == table.num_rows)
def failing(error):
    for i, b in enumerate(batches):
        if i == 2:
            raise error
        yield b
errors = {"reset": ConnectionResetError(errno.ECONNRESET, "reset"), "arrow-io": pa.ArrowIOError("socket"),
          "os": OSError("io"), "eof": EOFError(), "value": ValueError()}
for label, error in errors.items():
    got = 0
    try:
        for b in ps._pipe(command, table.schema, failing(error)):
            got += b.num_rows
        print("passed", label, got)
    except BaseException as e:
        print("failed", label, type(e).__name__)
before = set(os.listdir("/proc"))
stream = ps._pipe(command, table.schema, iter(batches))
next(stream)
stream.close()
def child(p):
    # This script's own children only: other tests run the same binary at the same time.
    try:
        stat = open(f"/proc/{p}/stat").read()
        return int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid()
    except OSError:
        return False
alive = [p for p in os.listdir("/proc") if p.isdigit() and p not in before and child(p)
         and open(f"/proc/{p}/cmdline", "rb").read().startswith(binary.encode())]
print("left", len(alive))
"#;
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("integrations/spark");
    let out = common::pyarrow_script(
        script,
        &[
            &module,
            &env!("CARGO_BIN_EXE_pseudata"),
            &dir.path().join("mappings"),
            &key(),
            &typed.join("claims.parquet"),
        ],
    );
    let stdout = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "whole True", "{stdout}");
    for error in ["reset", "arrow-io", "os", "eof", "value"] {
        let failed = lines.iter().any(|l| l.starts_with(&format!("failed {error} ")));
        assert!(failed, "a failing iterator ({error}) must fail the partition:\n{stdout}");
    }
    assert_eq!(lines.last(), Some(&"left 0"), "{stdout}");
}

/// With `--subset`, an error names the row of the input (from 1), not of the kept rows: the
/// first kept row after the first bad one (which the subset leaves out), found here from which
/// claims a clean `run --subset` keeps (claim ids are kept).
#[test]
fn an_error_names_the_input_row_also_under_a_subset() {
    let dir = common::demo_copy();
    let typed = common::typed_demo(dir.path());
    let mappings = dir.path().join("mappings");
    let kept = dir.path().join("kept");
    common::run_demo_key(&mappings, &typed, &kept, Some("30"));
    let bad = dir.path().join("bad.parquet");
    let script = r#"
import sys
import pyarrow as pa, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
kept = set(pq.read_table(sys.argv[3])["claim_id"].to_pylist())
ids = t["claim_id"].to_pylist()
# Bad values from a row the subset leaves out (after row 1100) to the end.
start = next(i for i in range(1100, len(ids)) if ids[i] not in kept)
inami = t["provider_inami"].to_pylist()
inami[start:] = [12345678901] * (len(inami) - start)
pq.write_table(t.set_column(t.column_names.index("provider_inami"), "provider_inami", pa.array(inami, pa.int64())), sys.argv[2])
print(start + 1, next(i + 1 for i in range(start, len(ids)) if ids[i] in kept))
"#;
    let out = common::pyarrow_script(script, &[&typed.join("claims.parquet"), &bad, &kept.join("claims.parquet")]);
    let rows = String::from_utf8(out).unwrap();
    let (first_bad, expected) = rows.trim().split_once(' ').unwrap();
    assert_ne!(first_bad, expected, "the first bad row is one the subset leaves out");
    common::refuse_invalid(&mappings, &mappings, "provider_inami", "inami");
    let (code, _, stderr) =
        pipe(&mappings, "claims", stream(&bad, 300, "whole"), &["--subset", "30", "--batch-rows", "100"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains(&format!("row {expected},")) && stderr.contains("provider_inami"), "{stderr}");
}
