#!/usr/bin/env bash
# End-to-end benchmark: the release binary against the pinned floor of issue 12, a plain polars
# streaming read and write of the same files with every column as text.
#
#   bench/e2e.sh [MEMBERS] [ROUNDS]    (default 250000 members, about 2 million claim rows; 3 rounds)
#   PSEUDATA_BENCH_BIN=path/to/pseudata bench/e2e.sh ...   (times that binary instead of this tree's)
#
# Per dialect (UTF-8 `,` CSV; Windows `;` CSV; Parquet), alternating in each round, medians printed:
#   - `pseudata run` with the shipped mappings, and the floor:
#     CSV      pl.scan_csv(f, infer_schema=False).sink_csv(out)
#              (Windows: separator=";", encoding="utf8-lossy")
#     Parquet  pl.scan_parquet(f).sink_parquet(out)
#     and their ratio; peak RSS of the run;
#   - `verify` of the run's output, as a multiple of the floor;
#   - `run --threads 1` against the default (2 threads on this machine), and the same pinned to one
#     core (`taskset -c 0`): `--threads 1` limits the rule threads only, so the reader, writer and
#     hashing threads still use the second core; the pinned run is the one-core time;
#   - the peak RSS of `verify` too (it grows with distinct originals, not rows);
#   - the hand-written alternative on the claims file: polars takes the distinct NISS values,
#     Python computes HMAC-SHA256 of each, `replace_strict` joins them back, and the file is
#     written; against `pseudata run` of the claims file alone with the full mapping.
# The claims are shuffled (claims of one member spread over the file, as in real extracts;
# `pseudata sample` writes them together). No timed assertion anywhere: this only prints.
set -euo pipefail
# A relative PSEUDATA_BENCH_BIN is the caller's, resolved before changing directory.
if [ -n "${PSEUDATA_BENCH_BIN:-}" ]; then
  PSEUDATA_BENCH_BIN=$(realpath "$PSEUDATA_BENCH_BIN")
  [ -x "$PSEUDATA_BENCH_BIN" ] || { echo "PSEUDATA_BENCH_BIN is not an executable: $PSEUDATA_BENCH_BIN" >&2; exit 2; }
fi
cd "$(dirname "$0")/.."
members=${1:-250000}
rounds=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/pseudata-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

# PSEUDATA_BENCH_BIN times another build (an earlier commit's) on the same script.
if [ -n "${PSEUDATA_BENCH_BIN:-}" ]; then
  bin=$PSEUDATA_BENCH_BIN
else
  cargo build --release --quiet
  bin=$PWD/target/release/pseudata
fi

venv=${PSEUDATA_BENCH_VENV:-.venv-bench}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet polars
fi
py="$PWD/$venv/bin/python"
[ -x "$py" ] || py="$venv/bin/python"

export PSEUDATA_KEY=$(cat demo/demo.key)
printf 'machine: %s, %s cores, %s; polars (python) %s; %s rounds, medians\n\n' "$(uname -m)" "$(nproc)" \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)" \
  "$("$py" -c 'import polars; print(polars.__version__)')" "$rounds"

# `timed NAME CMD...`: runs CMD, appends "seconds kilobytes" to $work/NAME.
timed() {
  local name=$1
  shift
  if ! /usr/bin/time -f '%e %M' -o "$work/t" "$@" > "$work/$name.log" 2>&1; then
    printf 'warning: %s exited with an error (see its last lines below)\n' "$name" >&2
    tail -3 "$work/$name.log" >&2
  fi
  tail -1 "$work/t" >> "$work/$name"
}
median() { sort -n "$work/$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
peak_mb() { sort -n -k2 "$work/$1" | tail -1 | awk '{ printf "%.0f", $2 / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

floor_py=$(cat <<'PY'
import sys, polars as pl
src, dst, fmt, sep, enc = sys.argv[1:6]
for name in ("members", "claims"):
    if fmt == "parquet":
        pl.scan_parquet(f"{src}/{name}.parquet").sink_parquet(f"{dst}/{name}.parquet")
    else:
        pl.scan_csv(f"{src}/{name}.csv", separator=sep, infer_schema=False, encoding=enc).sink_csv(
            f"{dst}/{name}.csv", separator=sep)
PY
)

alternative_py=$(cat <<'PY'
import hashlib, hmac, sys, polars as pl
src, dst, sep, enc, key = sys.argv[1:6]
key = bytes.fromhex(key)
df = pl.read_csv(f"{src}/claims.csv", separator=sep, infer_schema=False, encoding=enc)
distinct = df.get_column("niss").drop_nulls().unique().to_list()
tokens = {v: hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:16] for v in distinct}
df = df.with_columns(pl.col("niss").replace_strict(tokens, default=None))
df.write_csv(f"{dst}/claims.csv", separator=sep)
PY
)

for dialect in utf8 windows parquet; do
  flag=""; sep=","; enc="utf8"; fmt="csv"; ext="csv"
  case $dialect in
    windows) flag="--windows"; sep=";"; enc="utf8-lossy" ;;
    parquet) flag="--to parquet"; fmt="parquet"; ext="parquet" ;;
  esac
  in="$work/in-$dialect"
  "$bin" sample --members "$members" --seed 1 $flag --output "$in" > /dev/null 2>&1
  if [ "$fmt" = csv ]; then
    # Shuffle the claims (one record a line: the claims carry no multi-line notes).
    { head -1 "$in/claims.csv"; tail -n +2 "$in/claims.csv" | shuf --random-source=<(yes); } > "$work/claims.tmp"
    mv "$work/claims.tmp" "$in/claims.csv"
  fi
  bytes=$(du -cb "$in"/*."$ext" | tail -1 | cut -f1)
  rm -f "$work"/run "$work"/floor "$work"/verify "$work"/one "$work"/core "$work"/alt "$work"/claims-run
  for r in $(seq "$rounds"); do
    rm -rf "$work/out" "$work/floor-out" "$work/one-out" && mkdir -p "$work/floor-out"
    timed run "$bin" run --quiet --mappings mappings --input "$in" --output "$work/out"
    timed floor "$py" -c "$floor_py" "$in" "$work/floor-out" "$fmt" "$sep" "$enc"
    timed verify "$bin" verify --mappings mappings --input "$in" --output "$work/out"
    timed one "$bin" run --quiet --threads 1 --mappings mappings --input "$in" --output "$work/one-out"
    rm -rf "$work/one-out"
    timed core taskset -c 0 "$bin" run --quiet --threads 1 --mappings mappings --input "$in" --output "$work/one-out"
    if [ "$fmt" = csv ]; then
      rm -rf "$work/alt-out" "$work/claims-in" "$work/claims-out" && mkdir -p "$work/alt-out" "$work/claims-in"
      cp "$in/claims.csv" "$work/claims-in/"
      timed alt "$py" -c "$alternative_py" "$in" "$work/alt-out" "$sep" "$enc" "$PSEUDATA_KEY"
      timed claims-run "$bin" run --quiet --mappings mappings --input "$work/claims-in" --output "$work/claims-out"
    fi
  done
  run=$(median run); floor=$(median floor); verify=$(median verify); one=$(median one); core=$(median core)
  printf '%-8s %6.0f MB in | run %6.2f s (peak %s MB) | floor %6.2f s | run/floor %s | verify %6.2f s (peak %s MB), verify/floor %s | 1 thread %6.2f s, speed-up %s | 1 core %6.2f s, speed-up %s\n' \
    "$dialect" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$run" "$(peak_mb run)" "$floor" "$(ratio "$run" "$floor")" \
    "$verify" "$(peak_mb verify)" "$(ratio "$verify" "$floor")" "$one" "$(ratio "$one" "$run")" "$core" "$(ratio "$core" "$run")"
  if [ "$fmt" = csv ]; then
    alt=$(median alt); claims=$(median claims-run)
    printf '%-8s claims only: pseudata run, full mapping %6.2f s | polars + Python HMAC of the distinct NISS, NISS only %6.2f s | ratio %s\n' \
      "" "$claims" "$alt" "$(ratio "$claims" "$alt")"
  fi
done
