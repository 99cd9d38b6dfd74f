#!/usr/bin/env bash
# End-to-end benchmark: the release binary against a plain polars read/write of the same files.
#
#   bench/e2e.sh [MEMBERS]        (default 250000 members, about 2 million claim rows)
#
# Prints, per dialect, the wall time and peak memory of `pseudata run` and of a polars script
# that only reads and writes the same CSV files as text (no pseudonymisation), and their ratio;
# then the time of `check --full` on the input and of `verify` on the run's output, as a
# multiple of the run's time (the CI gate should cost at most twice a run).
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-250000}
work=$(mktemp -d "${TMPDIR:-/tmp}/pseudata-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=target/release/pseudata

venv=${PSEUDATA_BENCH_VENV:-.venv-bench}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet polars
fi
py="$venv/bin/python"

export PSEUDATA_KEY=$(cat demo/demo.key)
printf 'machine: %s, %s cores, %s\n' "$(uname -m)" "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
printf 'polars (python) %s\n\n' "$("$py" -c 'import polars; print(polars.__version__)')"

for dialect in utf8 windows; do
  flag=""; sep=","; enc="utf8"
  if [ "$dialect" = windows ]; then flag="--windows"; sep=";"; enc="utf8-lossy"; fi
  "$bin" sample --members "$members" --seed 1 $flag --output "$work/in-$dialect" 2>/dev/null
  rows=$(($(wc -l < "$work/in-$dialect/claims.csv") - 1))
  bytes=$(du -cb "$work/in-$dialect"/*.csv | tail -1 | cut -f1)

  /usr/bin/time -f '%e %M' -o "$work/t-pseudata" \
    "$bin" run --quiet --mappings mappings --input "$work/in-$dialect" --output "$work/out-$dialect"
  read -r p_sec p_kb < "$work/t-pseudata"

  # The CI gate on the same files: check --full before the run, verify after it.
  set +e
  /usr/bin/time -f '%e %M' -o "$work/t-check" \
    "$bin" check --full --mappings mappings --input "$work/in-$dialect" > "$work/check.txt"
  c_exit=$?
  /usr/bin/time -f '%e %M' -o "$work/t-verify" \
    "$bin" verify --mappings mappings --input "$work/in-$dialect" --output "$work/out-$dialect" > "$work/verify.txt"
  v_exit=$?
  set -e
  read -r c_sec c_kb < "$work/t-check"
  read -r v_sec v_kb < "$work/t-verify"

  mkdir -p "$work/polars-$dialect"
  /usr/bin/time -f '%e %M' -o "$work/t-polars" "$py" - "$work/in-$dialect" "$work/polars-$dialect" "$sep" "$enc" <<'PY'
import sys, polars as pl
src, dst, sep, enc = sys.argv[1:5]
for name in ("members.csv", "claims.csv"):
    df = pl.read_csv(f"{src}/{name}", separator=sep, infer_schema=False, encoding=enc)
    df.write_csv(f"{dst}/{name}", separator=sep)
PY
  read -r q_sec q_kb < "$work/t-polars"
  ratio=$(awk -v a="$p_sec" -v b="$q_sec" 'BEGIN { printf "%.2f", a / b }')
  printf '%-8s %9d claim rows, %5.0f MB in: pseudata %6.2f s %5.0f MB peak | polars read+write %6.2f s %5.0f MB peak | ratio %s\n' \
    "$dialect" "$rows" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$p_sec" "$(awk -v k="$p_kb" 'BEGIN { print k / 1024 }')" \
    "$q_sec" "$(awk -v k="$q_kb" 'BEGIN { print k / 1024 }')" "$ratio"
  printf '%-8s check --full %6.2f s %5.0f MB peak (exit %d, %s x run time) | verify %6.2f s %5.0f MB peak (exit %d, %s x run time)\n' \
    "" "$c_sec" "$(awk -v k="$c_kb" 'BEGIN { print k / 1024 }')" "$c_exit" "$(awk -v a="$c_sec" -v b="$p_sec" 'BEGIN { printf "%.2f", a / b }')" \
    "$v_sec" "$(awk -v k="$v_kb" 'BEGIN { print k / 1024 }')" "$v_exit" "$(awk -v a="$v_sec" -v b="$p_sec" 'BEGIN { printf "%.2f", a / b }')"
done
