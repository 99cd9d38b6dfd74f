"""The Spark integration against `pseudata run`, in a real Spark (local[2]); run by tests/spark.rs.

Usage: spark_check.py BINARY MAPPINGS KEY TYPED RUN_ALL RUN_SUBSET VERIFY STRICT_MAPPINGS BAD

TYPED holds the typed demo extract as Parquet; RUN_ALL and RUN_SUBSET what `pseudata run` wrote
for it without and with `--subset 30`. For each table, subset and partition count (1, 3, 4), the
DataFrame read from TYPED is repartitioned, pseudonymised with `pseudonymise`, and collected: its
rows must equal run's as a multiset, and its Arrow types run's. The 4-partition outputs are
written under VERIFY (`in-<subset>`, `out-<subset>`), sorted the way the input is, for
`pseudata verify`. STRICT_MAPPINGS refuses invalid NISS; BAD is the claims file with one: the
job must fail with pseudata's message, which names the place and never the value.
Prints one line per check; exits 1 on the first mismatch.
"""

import os
import sys
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq

binary, mappings, key, typed, run_all, run_subset, verify, strict, bad = sys.argv[1:10]
here = os.path.dirname(os.path.abspath(__file__))
module = os.path.join(os.path.dirname(here), "integrations", "spark", "pseudata_spark.py")
sys.path.insert(0, os.path.dirname(module))

from pyspark.sql import SparkSession  # noqa: E402

from pseudata_spark import pseudonymise  # noqa: E402

spark = (
    SparkSession.builder.master("local[2]")
    .appName("pseudata-test")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .config("spark.driver.host", "127.0.0.1")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
# What `spark-submit --py-files pseudata_spark.py` does: the executors import the module.
spark.sparkContext.addPyFile(module)


def fail(message):
    print("FAIL", message, flush=True)
    spark.stop()
    sys.exit(1)


def plain(table):
    """Rows as hashable tuples, in column order."""
    names = table.column_names
    return [tuple(row[n] for n in names) for row in table.to_pylist()]


def types(schema):
    # Spark hands text over as `string` whatever width the file declared.
    text = {pa.large_string(), pa.string_view()}
    return [(f.name, pa.string() if f.type in text else f.type) for f in schema]


for table in ["claims", "members"]:
    source = spark.read.parquet(os.path.join(typed, f"{table}.parquet"))
    for subset, reference in [(None, run_all), (30.0, run_subset)]:
        want = pq.read_table(os.path.join(reference, f"{table}.parquet"))
        for partitions in [1, 3, 4]:
            df = source.repartition(partitions)
            if df.rdd.getNumPartitions() != partitions:
                fail(f"{table}: {df.rdd.getNumPartitions()} partitions, not {partitions}")
            out = pseudonymise(df, mappings=mappings, table=table, key_file=key, binary=binary, subset=subset)
            got = out.toArrow()
            label = f"{table} subset={subset} partitions={partitions}"
            if types(got.schema) != types(want.schema):
                fail(f"{label}: types {types(got.schema)} != {types(want.schema)}")
            if got.num_rows != want.num_rows or Counter(plain(got)) != Counter(plain(want)):
                fail(f"{label}: rows differ ({got.num_rows} vs {want.num_rows})")
            if subset is not None and not 0 < got.num_rows < source.count():
                fail(f"{label}: the subset kept {got.num_rows} rows")
            print("ok", label, got.num_rows, "rows", flush=True)
        # For verify, which pairs rows in order: the output sorted as the input is. Claims by
        # their kept claim_id; members (no kept key) in run's order, the input's, found by value.
        tag = "all" if subset is None else "subset"
        os.makedirs(os.path.join(verify, f"in-{tag}"), exist_ok=True)
        os.makedirs(os.path.join(verify, f"out-{tag}"), exist_ok=True)
        original = pq.read_table(os.path.join(typed, f"{table}.parquet"))
        if table == "claims":
            got = got.sort_by("claim_id")
            original = original.sort_by("claim_id")
        else:
            position = {}
            for i, row in enumerate(plain(want)):
                position.setdefault(row, []).append(i)
            order = [position[row].pop(0) for row in plain(got)]
            got = got.take(pa.array(sorted(range(len(order)), key=order.__getitem__)))
        pq.write_table(original, os.path.join(verify, f"in-{tag}", f"{table}.parquet"))
        pq.write_table(got, os.path.join(verify, f"out-{tag}", f"{table}.parquet"))

# A value a rule refuses, in one partition of three: the job fails with pseudata's message.
try:
    df = spark.read.parquet(bad).repartition(3)
    pseudonymise(df, mappings=strict, table="claims", key_file=key, binary=binary).toArrow()
    fail("a refused value did not fail the job")
except Exception as e:  # Spark wraps the task's exception
    text = str(e)
    if "pseudata exited with status 2" not in text or "column `niss`" not in text:
        fail(f"the job failed without pseudata's message: {text[-2000:]}")
    if "12345678901" in text:
        fail("the failing value appears in the message")
    print("ok refused value fails the job with pseudata's message", flush=True)

spark.stop()
print("done", flush=True)
