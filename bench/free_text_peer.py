"""Scores a peer scrubber, belgian-deduce, on the corpus of tests/free_text_corpus.rs.

Reads target/free-text-corpus/notes.csv (template,note) and planted.jsonl, runs
belgian_deduce.Deduce().deidentify on every note, and computes per category the share of
planted identifiers, names and addresses no longer present and the share of values that must
stay (amounts, dates, codes, payment references) still there, by the same rules as
tests/common/corpus.rs (`present_in`). Prints the table next to pseudata's recall.json and the
throughput in notes per second (one process, lookup structures loaded before timing).

Usage: python free_text_peer.py CORPUS_DIR   (run through bench/free_text_peer.sh)
"""

import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

ORDER = [
    "Niss", "NissMistyped", "NissShort", "Iban", "ForeignIban", "OldAccount", "Phone", "Email", "Inami",
    "Kbo", "Ip", "TitledName", "UntitledName", "Address", "Amount", "Date", "Nomenclature", "Ogm",
]
MUST_STAY = {"Amount", "Date", "Nomenclature", "Ogm"}
NAMES = {"TitledName", "UntitledName"}


def alphanumerics(text):
    return "".join(c for c in text if c.isascii() and c.isalnum()).upper()


def whole_words(text, word):
    count, start = 0, 0
    while word and (i := text.find(word, start)) >= 0:
        before = text[i - 1] if i > 0 else ""
        after = text[i + len(word)] if i + len(word) < len(text) else ""
        if not before.isalnum() and not after.isalnum():
            count += 1
        start = i + 1
    return count


def present_in(p, text):
    """The corpus's rule: an identifier leaked, or a value that must stay was kept."""
    category = p["category"]
    if category == "Email":
        return p["canonical"] in text.lower()
    if category in NAMES:
        return any(whole_words(text.lower(), w.lower()) > 0 for w in p["name_words"])
    if category == "Address":
        return whole_words(text, p["street_word"]) > 0
    if category in MUST_STAY:
        return p["written"] in text
    compact = alphanumerics(text)
    if category in ("Iban", "ForeignIban"):
        return p["canonical"] in compact or p["canonical"][4:] in compact
    return p["canonical"] in compact


def main():
    corpus = Path(sys.argv[1])
    with open(corpus / "notes.csv", newline="", encoding="utf-8") as f:
        notes = [row["note"] for row in csv.DictReader(f)]
    planted = [json.loads(line) for line in open(corpus / "planted.jsonl", encoding="utf-8")]

    from belgian_deduce import Deduce, __version__

    started = time.perf_counter()
    model = Deduce()
    model.deidentify(notes[0])
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    outputs = [model.deidentify(note).deidentified_text for note in notes]
    elapsed = time.perf_counter() - started

    total, ok = Counter(), Counter()
    for p in planted:
        total[p["category"]] += 1
        if present_in(p, outputs[p["row"]]) == (p["category"] in MUST_STAY):
            ok[p["category"]] += 1

    ours = {}
    recall_file = corpus / "recall.json"
    if recall_file.exists():
        ours = json.loads(recall_file.read_text(encoding="utf-8"))["categories"]
    print(f"belgian-deduce {__version__} on {len(notes)} notes ({len(planted)} planted items)")
    print(f"{'category':<14} {'planted':>7} {'deduce':>8} {'':8} {'pseudata':>9}")
    result = {}
    for category in sorted(total, key=lambda c: ORDER.index(c) if c in ORDER else len(ORDER)):
        word = "kept" if category in MUST_STAY else "replaced"
        ratio = ok[category] / total[category]
        result[category] = {"planted": total[category], word: ok[category], "ratio": ratio}
        theirs = f"{100 * ours[category]['ratio']:8.2f}%" if category in ours else ""
        print(f"{category:<14} {total[category]:>7} {100 * ratio:7.2f}% {word:<8} {theirs:>9}")
    rate = len(notes) / elapsed
    print(f"throughput: {rate:.1f} notes/s ({elapsed:.1f} s for {len(notes)} notes; loading took {loaded:.1f} s)")
    report = {
        "peer": "belgian-deduce",
        "version": __version__,
        "notes": len(notes),
        "seconds": elapsed,
        "notes_per_second": rate,
        "categories": result,
    }
    (corpus / "peer-belgian-deduce.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    misses = [
        {**p, "output": outputs[p["row"]]}
        for p in planted
        if present_in(p, outputs[p["row"]]) != (p["category"] in MUST_STAY)
    ]
    with open(corpus / "peer-belgian-deduce-misses.jsonl", "w", encoding="utf-8") as f:
        for m in misses:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
