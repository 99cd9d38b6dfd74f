"""Throughput of the Spark road (`integrations/spark/pseudata_spark.py` on `local[2]`) against
`pseudata run` on the same Parquet files. Usage (from the repository root, after
`cargo build --release` and `bash .ci/test`, which installs pyspark into .venv):

    .venv/bin/python bench/spark.py [MEMBERS] [ROUNDS]      (default 100000 members, 3 rounds)

`pseudata sample --to parquet` writes MEMBERS members and about 8 claims each. Per round,
alternating, medians printed, each reading and writing Parquet files:
- `pseudata run` of both tables (the release binary, 2 threads);
- Spark, `pseudonymise` of both tables, written with `df.write.parquet`
  (one task per input file split, `local[2]`, the session started before the clock);
- Spark alone: the same read and write without `pseudonymise` (what the job costs anyway).
The Spark outputs are checked against `run`'s (same row count, same multiset of claims' NISS).
No assertion on time: this only prints.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(root, "integrations", "spark"))

import pyarrow.parquet as pq  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from pseudata_spark import pseudonymise  # noqa: E402

members = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
binary = os.path.join(root, "target", "release", "pseudata")
mappings = os.path.join(root, "mappings")
key = os.path.join(root, "demo", "demo.key")
work = tempfile.mkdtemp(prefix="pseudata-spark-bench.")
try:
    data = os.path.join(work, "in")
    subprocess.run([binary, "sample", "--members", str(members), "--to", "parquet", "-o", data], check=True)
    rows = {t: pq.read_metadata(os.path.join(data, f"{t}.parquet")).num_rows for t in ["members", "claims"]}
    size = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data))
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.addPyFile(os.path.join(root, "integrations", "spark", "pseudata_spark.py"))

    def run_binary(out):
        subprocess.run([binary, "run", "-q", "-m", mappings, "-i", data, "-o", out, "--key-file", key], check=True)

    def run_spark(out, pseudonymised):
        for table in ["members", "claims"]:
            df = spark.read.parquet(os.path.join(data, f"{table}.parquet"))
            if pseudonymised:
                df = pseudonymise(df, mappings=mappings, table=table, key_file=key, binary=binary)
            df.write.mode("overwrite").parquet(os.path.join(out, table))

    times = {"run": [], "spark": [], "spark-plain": []}
    for r in range(rounds):
        for name, job in [
            ("run", run_binary),
            ("spark", lambda out: run_spark(out, True)),
            ("spark-plain", lambda out: run_spark(out, False)),
        ]:
            out = os.path.join(work, f"{name}-{r}")
            start = time.perf_counter()
            job(out)
            times[name].append(time.perf_counter() - start)
            if name == "spark" and r == 0:
                got = pq.read_table(os.path.join(out, "claims"), columns=["niss"])
                want = pq.read_table(os.path.join(work, "run-0", "claims.parquet"), columns=["niss"])
                same = sorted(got["niss"].to_pylist()) == sorted(want["niss"].to_pylist())
                print(f"check: Spark's claims NISS equal run's as a multiset: {same}", flush=True)
            if r > 0 or name != "run":
                shutil.rmtree(out, ignore_errors=True)
    spark.stop()
    total = rows["members"] + rows["claims"]
    print(f"machine: {os.cpu_count()} cores; {members} members, {rows['claims']} claims, "
          f"{size / 1e6:.0f} MB of Parquet; {rounds} rounds, medians")
    for name, values in times.items():
        m = statistics.median(values)
        print(f"{name:12} {m:6.2f} s  {total / m / 1e3:7.0f} k rows/s  "
              f"({', '.join(f'{v:.2f}' for v in values)})")
    print(f"spark / run: {statistics.median(times['spark']) / statistics.median(times['run']):.2f}")
finally:
    shutil.rmtree(work, ignore_errors=True)
