"""Pseudonymise a Spark DataFrame with pseudata, partition by partition, through Arrow.

    from pseudata_spark import pseudonymise
    out = pseudonymise(df, mappings="mappings", table="claims", key_file="/run/secrets/pseudata.key")

Each task starts the pseudata binary (`pseudata pipe --format arrow`), streams its partition's
Arrow record batches through it and yields what it writes. Every pseudata rule is a pure
function of the key and the row, and `subset` is a keyed hash of the subject, so the tasks need
no coordination: any number of partitions gives the rows one `pseudata run` writes for the same
data, key and subset (in another order).

The output schema is computed from the mapping by the binary itself, on the driver: an empty
stream with the input's schema goes through `pipe`, and the schema it answers is the result's.

What must be on every executor, at the same path or shipped with the job:
- the binary (`binary`: a name on PATH, or a path; shipped with `--files`, found by its file name
  with `SparkFiles.get` when the path does not exist on the executor);
- the mapping directory (`--archives mappings.zip#mappings`, or a path on a shared volume);
- the key file, from the cluster's secret store (a Kubernetes secret mounted as a file, YARN's
  `--files` from a protected location). Never a Spark config value: the UI shows them. The
  driver does not need the key: its schema question uses a throwaway one.

pseudata's error messages never contain a value from the data, so a task's failure carries the
binary's standard error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from typing import Iterator, Optional

import pyarrow as pa

__all__ = ["pseudonymise"]


def _shipped(path: str) -> Optional[str]:
    """The copy Spark shipped of `path` (`--files`, `--archives`, `addFile`), if any."""
    try:
        from pyspark import SparkFiles

        shipped = SparkFiles.get(os.path.basename(os.path.normpath(path)))
    except Exception:  # no SparkContext here, or no files shipped
        return None
    return shipped if os.path.exists(shipped) else None


def _local(path: str, what: str) -> str:
    """`path` on this machine: as given if it exists (absolute, or relative to the working
    directory, where YARN and Kubernetes put shipped files), else the copy Spark shipped."""
    if os.path.exists(path):
        return os.path.abspath(path)
    shipped = _shipped(path)
    if shipped is None:
        raise FileNotFoundError(
            f"pseudata: the {what} {path!r} is not on this machine: give a path every executor has, "
            "or ship it with --files / --archives"
        )
    return shipped


def _executable(binary: str) -> str:
    if os.sep not in binary:
        found = shutil.which(binary)
        if found:
            return found
    path = _local(binary, "binary")
    if not os.access(path, os.X_OK):
        # Files shipped with --files may lose their execute bit.
        os.chmod(path, os.stat(path).st_mode | 0o111)
    return path


def _command(binary: str, mappings: str, table: str, key_file: Optional[str], subset: Optional[float]) -> list:
    """The pipe command; without `key_file` the key comes from PSEUDATA_KEY."""
    command = [_executable(binary), "pipe", "--format", "arrow", "--mappings", _local(mappings, "mapping directory")]
    command += ["--table", table]
    if key_file is not None:
        command += ["--key-file", _local(key_file, "key file")]
    if subset is not None:
        command += ["--subset", repr(float(subset))]
    return command


def _failure(returncode: int, stderr: bytes, where: str = "") -> RuntimeError:
    message = stderr.decode("utf-8", "replace").strip() or "no message"
    return RuntimeError(f"pseudata exited with status {returncode}{where}: {message}")


def _partition() -> str:
    """Where a task's error happened: pseudata counts rows from the start of its partition."""
    try:
        from pyspark import TaskContext

        context = TaskContext.get()
    except Exception:
        context = None
    if context is None:
        return ""
    return f" in partition {context.partitionId()} (rows counted from the partition's start)"


def _output_schema(command: list, schema: pa.Schema) -> pa.Schema:
    """The schema pseudata writes for input of `schema`: an empty stream, piped through.

    The schema does not depend on the key, so the driver uses a throwaway one and never needs
    the real key (which only the executors mount)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema):
        pass
    environment = dict(os.environ, PSEUDATA_KEY=os.urandom(32).hex())
    done = subprocess.run(
        command, input=sink.getvalue().to_pybytes(), capture_output=True, check=False, env=environment
    )
    if done.returncode != 0:
        raise _failure(done.returncode, done.stderr)
    return pa.ipc.open_stream(done.stdout).schema


def _pipe(command: list, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Streams `batches` through one pseudata process, yielding its batches as they come.

    A thread writes the input while this generator reads the output, so neither pipe fills up
    and memory stays at a few batches whatever the partition's size.
    """
    batches = iter(batches)
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    feed_errors: list = []
    read_errors: list = []
    stderr: list = []

    def feed() -> None:
        # Only an error writing to pseudata means it stopped reading (its exit status says why).
        # Any error taking the next batch (the JVM's socket, a corrupt batch) kills pseudata
        # before anything could end its input: a partial partition must never pass as whole.
        try:
            try:
                writer = pa.ipc.new_stream(process.stdin, schema)
            except OSError:
                return
            while True:
                try:
                    batch = next(batches)
                except StopIteration:
                    break
                except BaseException as e:
                    process.kill()
                    feed_errors.append(e)
                    return
                try:
                    writer.write_batch(batch)
                except OSError:
                    return
            try:
                writer.close()  # the end-of-stream marker: the partition is whole
            except OSError:
                return
        finally:
            try:
                process.stdin.close()
            except OSError:
                pass

    def results() -> Iterator[pa.RecordBatch]:
        # Any reading error (the failure bytes pseudata writes when it stops) is reported with
        # pseudata's own message below.
        try:
            reader = pa.ipc.open_stream(process.stdout)
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                yield batch
        except Exception as e:
            read_errors.append(e)

    feeder = threading.Thread(target=feed, name="pseudata-feed", daemon=True)
    errors = threading.Thread(target=lambda: stderr.append(process.stderr.read()), name="pseudata-stderr", daemon=True)
    feeder.start()
    errors.start()
    finished = False
    try:
        for batch in results():
            yield batch
        finished = True
    finally:
        if not finished:
            process.kill()  # the consumer stopped early (a `limit`) or failed
        feeder.join()
        process.wait()
        errors.join()
    if feed_errors:
        raise feed_errors[0]
    if process.returncode != 0 or read_errors:
        raise _failure(process.returncode, b"".join(stderr), _partition())
    # Warnings (values that failed validation, a key file readable by others) and the row
    # counts go to the executor's log; they never hold a value.
    sys.stderr.write(b"".join(stderr).decode("utf-8", "replace"))


def pseudonymise(df, *, mappings: str, table: str, key_file: str, binary: str = "pseudata", subset: Optional[float] = None):
    """Returns `df` pseudonymised as `pseudata run` would pseudonymise a Parquet file of the
    mapping's `table` with the same columns: same pseudonyms, same kept types, same `subset`.

    `mappings`, `key_file` and `binary` are paths as the executors see them (or shipped files,
    found by name); `subset` keeps about that percentage of subjects, the ones `run --subset`
    keeps under the same key.
    """
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    input_schema = to_arrow_schema(df.schema)
    output_arrow = _output_schema(_command(binary, mappings, table, None, subset), input_schema)
    # A timestamp without zone stays one (TimestampNTZ), as it was read.
    output_schema = from_arrow_schema(output_arrow, prefer_timestamp_ntz=True)
    # What Spark expects back (its own Arrow spelling of the schema: `string`, not `large_string`).
    expected = to_arrow_schema(output_schema)

    def task(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        first = next(batches, None)
        if first is None:
            return  # an empty partition: no process
        command = _command(binary, mappings, table, key_file, subset)

        def all_batches() -> Iterator[pa.RecordBatch]:
            yield first
            yield from batches

        for batch in _pipe(command, first.schema, all_batches()):
            yield batch if batch.schema == expected else batch.cast(expected)

    return df.mapInArrow(task, output_schema)
