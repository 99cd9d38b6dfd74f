#!/usr/bin/env python3
"""Where a run's time goes, column by column, measured by taking each rule away.

    bench/ablate.py [--members N] [--rounds R] [--seed S]   (default 200000 members, 3 rounds)
    PSEUDATA_BENCH_BIN=path/to/pseudata bench/ablate.py ...   (times that binary)

On `pseudata sample` data (claims shuffled, as `bench/e2e.sh` does), with the shipped mappings:
  - `full`: `pseudata run -q` with the mappings as shipped;
  - `all keep`: every column `keep` but those the mapping drops (reading, parsing, writing and
    hashing, no rule);
  - one variant per transformed column: that column `keep`, everything else as shipped. A column
    another rule reads (`names_from`, `from_niss`, ...) that the mapping then refuses is taken
    away together with the rules `pseudata check` names as refused, one at a time, and the row
    says so.
Every variant runs once per round next to a full run (the pairs in a shuffled order, which of
the two goes first drawn per pair; `--seed`, printed, repeats an order): the machine's speed drifts over minutes, and a pair's runs
see the same machine. Printed: medians of wall and CPU (user + system) time, and what each
column costs: the median over the rounds of the full run's CPU minus the variant's, in seconds
and in microseconds per row of its table.

A profiler's attribution was misleading on our VM (issue 12's notes): taking a rule away measures
what it costs, whatever the profiler says. No timed assertion anywhere: this only prints.
Standard library only; python3.
"""

import argparse
import csv
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLUMN = re.compile(r"^  (\w+):\s*(.*?)\s*(#.*)?$")
REFUSED = re.compile(r"table `[^`]+`, column `([^`]+)`:")


def column_lines(text):
    """(line number, column name, rule text) of each line of the `columns:` block."""
    in_columns = False
    for number, line in enumerate(text.splitlines()):
        if line.startswith("columns:"):
            in_columns = True
            continue
        if not in_columns or not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_columns = False
            continue
        m = COLUMN.match(line)
        if m:
            yield number, m.group(1), m.group(2)


def columns(text):
    """The mapping's columns: name -> rule text (comments dropped)."""
    return {name: rule for _, name, rule in column_lines(text)}


def kept(text, names):
    """The mapping text with the columns `names` set to `keep` (in the `columns:` block only)."""
    lines = text.splitlines()
    for number, name, _ in column_lines(text):
        if name in names:
            lines[number] = f"  {name}: keep"
    return "\n".join(lines) + "\n"


def timed(cmd):
    """Runs cmd; returns (exit code, wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return code, wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, help="the order of the pairs (default: from the clock)")
    args = parser.parse_args()
    if args.rounds < 1 or args.members < 1:
        parser.error("--members and --rounds take a positive number")
    if args.seed is None:
        args.seed = time.time_ns() % 1_000_000

    binary = os.environ.get("PSEUDATA_BENCH_BIN")
    if binary:
        binary = os.path.realpath(binary)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "pseudata")
    work = tempfile.mkdtemp(prefix="pseudata-ablate.")
    try:
        run_all(binary, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_all(binary, work, args):
    data = os.path.join(work, "in")
    subprocess.run(
        [binary, "sample", "--members", str(args.members), "--seed", "1", "--output", data],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    claims = os.path.join(data, "claims.csv")
    with open(claims, "rb") as f:
        header, *lines = f.readlines()  # one claim a line: claims' comments hold no line break
    lines = [line if line.endswith(b"\n") else line + b"\n" for line in lines]
    random.Random(1).shuffle(lines)
    with open(claims, "wb") as f:
        f.write(header)
        f.writelines(lines)
    rows = {}
    for table in ("members", "claims"):
        with open(os.path.join(data, f"{table}.csv"), newline="", encoding="utf-8") as f:
            rows[table] = sum(1 for _ in csv.reader(f)) - 1  # notes may hold line breaks

    shipped = {}
    for name in sorted(os.listdir(os.path.join(ROOT, "mappings"))):
        if name.endswith(".yaml"):
            with open(os.path.join(ROOT, "mappings", name), encoding="utf-8") as f:
                shipped[name] = f.read()

    def write(variant, keep_by_file):
        folder = os.path.join(work, "maps", variant)
        os.makedirs(folder, exist_ok=True)
        for name, text in shipped.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(kept(text, keep_by_file.get(name, set())))
        return folder

    key = os.path.join(ROOT, "demo", "demo.key")
    out = os.path.join(work, "out")

    def run(folder):
        cmd = [binary, "run", "-q", "--mappings", folder, "--input", data, "--output", out]
        return timed(cmd + ["--key-file", key, "--force"])

    def accepted(label, name, column):
        """The columns to keep for `column` (itself, and any rule the mapping then refuses, one
        at a time as `check` names them), and the variant's folder; None when none is accepted."""
        keep = [column]
        while True:
            folder = write(label, {name: set(keep)})
            check = subprocess.run(
                [binary, "check", "--mappings", folder, "--input", data],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            if check.returncode != 2:  # 1 is the gate's verdict on the data: the mapping loads
                return keep, folder
            refused = REFUSED.search(check.stderr)
            if not refused or refused.group(1) in keep:
                print(f"skipped {label}: {check.stderr.strip()}", file=sys.stderr)
                return None
            keep.append(refused.group(1))

    variants = [("full", write("full", {}), None, "")]
    every = {name: {c for c, rule in columns(text).items() if rule != "drop"} for name, text in shipped.items()}
    variants.append(("all keep", write("all-keep", every), None, ""))
    for name, text in shipped.items():
        table = name.removesuffix(".yaml")
        for column, rule in columns(text).items():
            if rule in ("keep", "drop"):
                continue
            label = f"{table}.{column}"
            found = accepted(label, name, column)
            if found:
                keep, folder = found
                note = "with " + ", ".join(keep[1:]) if len(keep) > 1 else ""
                variants.append((label, folder, table, note))

    # Each variant runs next to a full run (which of the two first, drawn per pair), and its
    # cost is the median of the pairs' differences: the machine's speed drifts over minutes (a
    # shared VM), and a pair's two runs see the same machine. The pairs run in another order
    # each round.
    full_folder = variants[0][1]
    times = {label: [] for label, *_ in variants}
    saved = {label: [] for label, *_ in variants}

    def measure(label, folder):
        code, wall, cpu = run(folder)
        if code != 0:
            sys.exit(f"{label}: pseudata exited with {code}")
        times[label].append((wall, cpu))
        return cpu

    for round_ in range(args.rounds):
        draw = random.Random(args.seed * 1000 + round_)
        order = variants[1:]
        draw.shuffle(order)
        for label, folder, _, _ in order:
            if draw.random() < 0.5:
                full, cpu = measure("full", full_folder), measure(label, folder)
            else:
                cpu, full = measure(label, folder), measure("full", full_folder)
            saved[label].append(full - cpu)

    def medians(label):
        walls, cpus = zip(*times[label])
        return statistics.median(walls), statistics.median(cpus)

    full_wall, full_cpu = medians("full")
    print(
        f"machine: {os.uname().machine}, {os.cpu_count()} cores; {args.members} members, "
        f"{rows['claims']} claims (shuffled); {args.rounds} rounds, each variant paired with a "
        f"full run (order seed {args.seed}); medians\n"
    )
    print(f"{'variant':32} {'wall s':>7} {'CPU s':>7} {'saves CPU s':>12} {'us/row':>7}  note")
    for label, _, table, note in variants:
        wall, cpu = medians(label)
        shown, per_row = f"{'':12}", f"{'':7}"
        if label != "full":
            cost = statistics.median(saved[label])
            shown = f"{cost:12.2f}"
            if table:
                per_row = f"{1e6 * cost / rows[table]:7.2f}"
        print(f"{label:32} {wall:7.2f} {cpu:7.2f} {shown} {per_row}  {note}")
    keep_wall, _ = medians("all keep")
    print(
        f"\nrules: {statistics.median(saved['all keep']):.2f} s of the full run's {full_cpu:.2f} s of CPU "
        f"(paired); {full_wall - keep_wall:.2f} s of its {full_wall:.2f} s of wall time (medians)"
    )


if __name__ == "__main__":
    main()
