//! `free_text` and `verify` on an independent corpus of notes (`tests/common/corpus.rs`): 45
//! templates in four languages, identifiers in every spelling and context, held-out names,
//! generated streets, and amounts, dates, codes and payment references that must stay.
//!
//! The corpus test writes `target/free-text-corpus/` (`notes.csv`, `planted.jsonl`,
//! `recall.json`, `misses.jsonl`), which `bench/free_text_peer.sh` reads to score a peer tool.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::corpus::{self, Category, Note, Planted};
use common::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use pseudata::crypto::Key;
use pseudata::rules::{FreeText, FreeTextSpec, Rule};

const NOTES_PER_TEMPLATE: u64 = 50;

/// Writes `input/notes.csv` (`id`, `niss`, `remark`, `note`; `;`-separated, UTF-8) and its mapping.
fn write_table(dir: &Path, notes: &[Note]) {
    for sub in ["input", "mappings"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let mut csv = csv::WriterBuilder::new().delimiter(b';').from_path(dir.join("input/notes.csv")).unwrap();
    csv.write_record(["id", "niss", "remark", "note"]).unwrap();
    for (i, note) in notes.iter().enumerate() {
        let id = format!("D{:06}", 100_000 + i);
        csv.write_record([id.as_str(), &corpus::valid_niss(i as u64), "ok", &note.text]).unwrap();
    }
    csv.flush().unwrap();
    std::fs::write(
        dir.join("mappings/notes.yaml"),
        "table: notes\nfiles: [notes.csv]\nsubject: niss\n\
         columns:\n  id: keep\n  niss: niss\n  remark: keep\n  note: free_text\n",
    )
    .unwrap();
}

/// The column index of `name` in a header record.
fn column(header: &[Vec<u8>], name: &str) -> usize {
    header.iter().position(|h| h == name.as_bytes()).unwrap_or_else(|| panic!("no column {name}"))
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/free-text-corpus")
}

fn planted_json(row: usize, note: &Note, p: &Planted) -> serde_json::Value {
    let mut v = serde_json::json!({
        "row": row,
        "template": note.template,
        "language": corpus::language(note.template),
        "category": p.category.name(),
        "written": p.written,
        "canonical": p.canonical,
    });
    match p.category {
        Category::Address => v["street_word"] = corpus::street_word(&p.canonical).into(),
        Category::TitledName | Category::UntitledName => v["name_words"] = corpus::name_words(&p.written).into(),
        _ => {}
    }
    v
}

/// Writes the corpus, what was planted, the misses and the recall table for the bench scripts.
fn write_artifacts(notes: &[Note], scrubbed: &[String], tally: &BTreeMap<Category, (usize, usize)>) {
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let mut csv = csv::Writer::from_path(dir.join("notes.csv")).unwrap();
    csv.write_record(["template", "note"]).unwrap();
    for note in notes {
        csv.write_record([note.template.to_string().as_str(), &note.text]).unwrap();
    }
    csv.flush().unwrap();
    let mut planted = std::io::BufWriter::new(std::fs::File::create(dir.join("planted.jsonl")).unwrap());
    let mut misses = std::io::BufWriter::new(std::fs::File::create(dir.join("misses.jsonl")).unwrap());
    for (row, (note, out)) in notes.iter().zip(scrubbed).enumerate() {
        for p in &note.planted {
            writeln!(planted, "{}", planted_json(row, note, p)).unwrap();
            if corpus::present_in(p, out) != p.category.must_stay() {
                let mut miss = planted_json(row, note, p);
                miss["input"] = note.text.clone().into();
                miss["output"] = out.clone().into();
                writeln!(misses, "{miss}").unwrap();
            }
        }
    }
    let categories: serde_json::Map<String, serde_json::Value> = tally
        .iter()
        .map(|(c, &(n, ok))| {
            let word = if c.must_stay() { "kept" } else { "replaced" };
            (c.name().to_string(), serde_json::json!({ "planted": n, word: ok, "ratio": ratio(ok, n) }))
        })
        .collect();
    let recall = serde_json::json!({ "notes": notes.len(), "templates": corpus::TEMPLATES, "categories": categories });
    std::fs::write(dir.join("recall.json"), serde_json::to_string_pretty(&recall).unwrap()).unwrap();
}

fn ratio(ok: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        ok as f64 / n as f64
    }
}

#[test]
fn every_identifier_spelling_is_replaced_and_everything_else_kept() {
    let notes: Vec<Note> =
        (0..corpus::TEMPLATES).flat_map(|t| (0..NOTES_PER_TEMPLATE).map(move |s| corpus::note(t, s))).collect();
    let dir = tempfile::tempdir().unwrap();
    write_table(dir.path(), &notes);
    let out = tempfile::tempdir().unwrap();
    run_cmd(dir.path(), out.path(), KEY_A).assert().success();
    let output = records(&out.path().join("notes.csv"), b';');
    let note_column = column(&output[0], "note");
    let scrubbed: Vec<String> =
        output[1..].iter().map(|r| String::from_utf8(r[note_column].clone()).expect("UTF-8 note")).collect();
    assert_eq!(scrubbed.len(), notes.len(), "row count");

    // Per category: (planted, replaced) for what identifies, (planted, kept) for what must stay.
    let mut tally: BTreeMap<Category, (usize, usize)> = Category::ALL.iter().map(|&c| (c, (0, 0))).collect();
    for (note, out) in notes.iter().zip(&scrubbed) {
        for p in &note.planted {
            let entry = tally.get_mut(&p.category).unwrap();
            entry.0 += 1;
            if corpus::present_in(p, out) == p.category.must_stay() {
                entry.1 += 1;
            }
        }
    }
    write_artifacts(&notes, &scrubbed, &tally);

    println!("{:<14} {:>7} {:>9} {:>8}", "category", "planted", "ok", "ratio");
    for (c, &(n, ok)) in &tally {
        let word = if c.must_stay() { "kept" } else { "replaced" };
        println!("{:<14} {n:>7} {ok:>6} {word:<8} {:>7.2}%", c.name(), 100.0 * ratio(ok, n));
    }
    let mut failures = Vec::new();
    for (c, &(n, ok)) in &tally {
        let needed = match c {
            _ if c.is_identifier() || c.must_stay() => 1.0,
            Category::TitledName | Category::Address => 0.95,
            // Names without a title are found by the shipped name lists (issue 11: at least 90 %
            // of held-out names, which the product does not ship).
            Category::UntitledName => 0.90,
            _ => 0.0,
        };
        if n == 0 || ratio(ok, n) < needed {
            failures.push(format!("{}: {ok}/{n} (needs {:.0} %)", c.name(), needed * 100.0));
        }
    }
    assert!(failures.is_empty(), "see {}/misses.jsonl: {failures:#?}", corpus_dir().display());
}

#[test]
fn the_corpus_plants_valid_identifiers_exactly_once_in_every_template() {
    for t in 0..corpus::TEMPLATES {
        for seed in 0..NOTES_PER_TEMPLATE {
            let note = corpus::note(t, seed);
            assert_eq!(note, corpus::note(t, seed), "deterministic");
            assert!(note.planted.iter().any(|p| p.category.is_identifier()), "template {t} plants no identifier");
            for p in &note.planted {
                assert!(corpus::valid(p.category, &p.canonical), "template {t}: invalid {p:?}");
                assert_eq!(corpus::occurrences(p, &note.text), 1, "template {t}: {p:?} in {}", note.text);
                assert!(note.text.contains(&p.written), "template {t}: {p:?} not written as is");
            }
        }
    }
}

/// The rule as `free_text` runs it on a table without other columns, built once.
fn rule() -> &'static FreeText {
    static RULE: OnceLock<FreeText> = OnceLock::new();
    RULE.get_or_init(|| FreeText::new(&Key::from_hex(KEY_A, "test").expect("valid key"), &FreeTextSpec::default()))
}

/// Where failing cases are kept, beside the crate's others (proptest cannot place the file of an
/// integration test by itself).
const REGRESSIONS: &str = "proptest-regressions/free_text_corpus.txt";

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_planted_identifier_survives_the_rule(template in 0..corpus::TEMPLATES, seed in any::<u64>()) {
        let note = corpus::note(template, seed);
        let out = rule().apply(&note.text, &[]).expect("free_text takes any text").text.unwrap_or_default();
        for p in note.planted.iter().filter(|p| p.category.is_identifier()) {
            prop_assert!(!corpus::present_in(p, &out), "{:?} {:?} survived: {:?}", p.category, p.written, out);
        }
    }
}

fn findings(json: &[u8]) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(json).expect("JSON report");
    report["findings"].as_array().cloned().unwrap_or_default()
}

/// Rewrites a `;`-separated CSV file with `rows` (header included).
fn write_rows(path: &Path, rows: &[Vec<Vec<u8>>]) {
    let mut csv = csv::WriterBuilder::new().delimiter(b';').from_path(path).unwrap();
    for r in rows {
        csv.write_record(r).unwrap();
    }
    csv.flush().unwrap();
}

#[test]
fn verify_reports_an_original_planted_back_in_any_template() {
    let notes: Vec<Note> = (0..corpus::TEMPLATES).map(|t| corpus::note(t, 7)).collect();
    let dir = tempfile::tempdir().unwrap();
    write_table(dir.path(), &notes);
    let out = dir.path().join("out");
    run_cmd(dir.path(), &out, KEY_A).assert().success();
    let verify = || {
        let mut cmd = pseudata();
        cmd.args(["verify", "--format", "json", "--mappings"])
            .arg(dir.path().join("mappings"))
            .arg("--input")
            .arg(dir.path().join("input"))
            .arg("--output")
            .arg(&out)
            .env("PSEUDATA_KEY", KEY_A);
        cmd.output().expect("verify runs")
    };
    let clean = verify();
    let clean_leaks: Vec<_> = findings(&clean.stdout).into_iter().filter(|f| f["code"] == "leak").collect();

    // Each template's first identifier goes back into the output, alone (verify lists only the
    // first rows of a column): into the note for even templates, into the kept `remark` column
    // for odd ones. Row numbers are data rows from 1.
    let path = out.join("notes.csv");
    let scrubbed = records(&path, b';');
    let columns = [column(&scrubbed[0], "note"), column(&scrubbed[0], "remark")];
    let mut missed = Vec::new();
    for (t, note) in notes.iter().enumerate() {
        let first = note.planted.iter().find(|p| p.category.is_identifier()).expect("an identifier");
        let (row, name) = (t + 1, ["note", "remark"][t % 2]);
        let mut rows = scrubbed.clone();
        let cell = &mut rows[row][columns[t % 2]];
        if t % 2 == 0 {
            cell.extend_from_slice(format!(" / {}", first.written).as_bytes());
        } else {
            *cell = first.written.clone().into_bytes();
        }
        write_rows(&path, &rows);
        let leaked = verify();
        let reported = findings(&leaked.stdout)
            .iter()
            .any(|f| f["code"] == "leak" && f["file"] == "notes.csv" && f["row"] == row as u64 && f["column"] == name);
        if leaked.status.code() != Some(1) || !reported {
            missed.push(format!(
                "row {row} ({name}, template {t}, {:?}): exit {:?}",
                first.category,
                leaked.status.code()
            ));
        }
    }
    write_rows(&path, &scrubbed);
    println!("untouched output: exit {:?}, {} leak findings", clean.status.code(), clean_leaks.len());
    println!("planted back: {} of {} originals not reported", missed.len(), notes.len());
    assert!(clean.status.code() == Some(0) && clean_leaks.is_empty(), "untouched output not clean: {clean_leaks:#?}");
    assert!(missed.is_empty(), "leaks not reported: {missed:#?}");
}
