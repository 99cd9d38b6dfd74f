#!/usr/bin/env bash
# Regenerates the README's pictures (docs/case-sheet.png, docs/audit-report.png) from the demo
# extract: a case file for the demo member with the most claims, the audit report of a full run,
# each rendered by headless Chromium (Debian package `chromium`).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The member with the most claims (second column of the demo's claims; ties: the greatest NISS
# as written, as tests/common picks it), into a subjects file.
awk -F';' 'NR > 1 { n[$2]++ } END { for (k in n) print n[k] "\t" k }' demo/input/claims.csv |
  sort -t "$(printf '\t')" -k1,1nr -k2,2r | head -1 | cut -f2 > "$work/subjects.txt"
cargo run --quiet --release -- case -m mappings -i demo/input -o "$work/case" --subjects-file "$work/subjects.txt" --key-file demo/demo.key --quiet
cargo run --quiet --release -- run -m mappings -i demo/input -o "$work/run" --key-file demo/demo.key --quiet
cargo run --quiet --release -- verify -m mappings -i demo/input -o "$work/run" --key-file demo/demo.key --format html --report "$work/audit.html" > /dev/null
shoot() {
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1000,"$3" --screenshot="$2" "file://$1" 2> /dev/null
}
mkdir -p docs
shoot "$(ls "$work"/case/case-*.html)" docs/case-sheet.png 1500
shoot "$work/audit.html" docs/audit-report.png 1700
ls -l docs/*.png
