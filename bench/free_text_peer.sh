#!/usr/bin/env bash
# Scores the peer scrubber belgian-deduce on the free-text corpus: per-category recall and
# notes per second, next to pseudata's own figures.
#
# The corpus comes from `cargo test --test free_text_corpus` (target/free-text-corpus/).
# belgian-deduce (PyPI, GPL-3.0) goes into a throwaway virtual environment under /tmp: none of
# its code or word lists is copied into this repository. Its first load builds its lookup
# cache (a few minutes on 2 cores); later runs reuse it.
#
# Usage: bash bench/free_text_peer.sh   (PEER_VENV, BELGIAN_DEDUCE_VERSION and CORPUS override)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${CORPUS:-$root/target/free-text-corpus}"
venv="${PEER_VENV:-/tmp/pseudata-peer-venv}"
version="${BELGIAN_DEDUCE_VERSION:-5.0.0}"

if [[ ! -f "$corpus/notes.csv" || ! -f "$corpus/planted.jsonl" ]]; then
    echo "no corpus in $corpus: run 'cargo test --test free_text_corpus' first" >&2
    exit 2
fi
case "$venv" in
    /tmp/*) ;;
    *) echo "PEER_VENV must be under /tmp (GPL code stays out of the repository)" >&2; exit 2 ;;
esac
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "belgian-deduce==$version"
"$venv/bin/python" "$root/bench/free_text_peer.py" "$corpus"
echo "written: $corpus/peer-belgian-deduce.json, $corpus/peer-belgian-deduce-misses.jsonl"
