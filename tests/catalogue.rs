//! A catalogue of bad inputs, one test each: every one must be refused cleanly by `pseudata run`.
//!
//! Every fixture holds the sentinel NISS `85073003328` (also as `85.07.30-033.28`) and the
//! sentinel name `Zwanepoel`. A refused run (`assert_refused`) must:
//! - exit with 2;
//! - print exactly one line starting with `error:` (further `  caused by:` lines allowed), whose
//!   message names the offending file and, for a CSV record problem, `line N`;
//! - never show a sentinel, on stdout, on stderr or in any file left in the output directory;
//! - leave the output directory as it was (absent, empty, or its earlier contents): no file with
//!   a final name and no `.pseudata-tmp-*` staging directory;
//! - succeed (exit 0) once the bad file is repaired, run again into the same output directory.
//!
//! A few inputs are not errors and are checked as such: a header-only file, mixed CRLF/LF line
//! endings, a world-readable key file (a warning). Two may go either way: a number with 70,000
//! decimals (refused, or written as an empty cell) and a symlink loop in the input (refused, or
//! skipped with a warning). Signals mid-run exit with 128 + the signal and leave nothing.
//! Mounting cases (read-only output, disk full) print `SKIPPED` and return when `mount` is
//! refused.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{file_names, records, KEY_A};

const NISS: &str = "85073003328";
const NISS_DOTTED: &str = "85.07.30-033.28";
const NAME: &str = "Zwanepoel";

/// No case may run longer than this (a hang is a failure, not a stuck test suite).
const RUN_TIMEOUT: Duration = Duration::from_secs(300);
const MANIFEST: &str = "pseudata-manifest.json";

const MEMBERS_CSV: &str = "input/members.csv";
const MEMBERS_PARQUET: &str = "input/members.parquet";
const MEMBERS_YAML: &str = "mappings/members.yaml";

const HEADER: &str = "id,niss,name,amount";
/// The good members rows, lines 2 to 4 of the good file: sentinels only in transformed columns.
const GOOD_ROWS: [&str; 3] =
    ["1,85073003328,Zwanepoel,12.50", "2,85.07.30-033.28,Peeters,7", "3,93051822361,Zwanepoel,0.25"];
const MEMBER_COLUMNS: &str = "  id: keep\n  niss: niss\n  name: last_name\n  amount: keep\n";
const ALL_KEEP_COLUMNS: &str = "  id: keep\n  niss: keep\n  name: keep\n  amount: keep\n";

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A fixture directory (`input/`, `mappings/`, key files) and how `pseudata run` is called on it.
struct Case {
    dir: tempfile::TempDir,
    mappings: PathBuf,
    output: PathBuf,
    key_file: Option<PathBuf>,
    args: Vec<OsString>,
}

impl Case {
    /// Empty `input/` and `mappings/`, output `output/` (absent), the key in `PSEUDATA_KEY`.
    fn bare() -> Case {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["input", "mappings"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        Case {
            mappings: dir.path().join("mappings"),
            output: dir.path().join("output"),
            dir,
            key_file: None,
            args: vec![],
        }
    }

    /// The good extract: `contacts.csv` (processed first, so a later failure must discard its
    /// staged output) and `members.csv`, each with its mapping.
    fn new() -> Case {
        let case = Case::bare();
        case.write("input/contacts.csv", format!("niss,name\n{NISS},{NAME}\n"));
        case.write(
            "mappings/contacts.yaml",
            "table: contacts\nfiles: ['contacts.csv']\ncolumns:\n  niss: niss\n  name: last_name\n",
        );
        restore_members(&case);
        restore_mapping(&case);
        case
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative)).unwrap();
    }

    /// Writes a members file of `rows` rows (every one with the sentinels), streamed.
    fn write_rows(&self, relative: &str, rows: usize) {
        let mut out = std::io::BufWriter::new(std::fs::File::create(self.path(relative)).unwrap());
        writeln!(out, "{HEADER}").unwrap();
        for i in 0..rows {
            writeln!(out, "{i},{NISS},{NAME},{i}.50").unwrap();
        }
        out.flush().unwrap();
    }

    fn write_key(&self, relative: &str, text: &str, mode: u32) {
        self.write(relative, text);
        std::fs::set_permissions(self.path(relative), std::fs::Permissions::from_mode(mode)).unwrap();
    }

    fn with_args(mut self, args: &[&str]) -> Case {
        self.args.extend(args.iter().map(OsString::from));
        self
    }

    fn with_output(mut self, relative: &str) -> Case {
        self.output = self.path(relative);
        self
    }

    fn with_mappings(mut self, relative: &str) -> Case {
        self.mappings = self.path(relative);
        self
    }

    fn with_key_file(mut self, relative: &str) -> Case {
        self.key_file = Some(self.path(relative));
        self
    }

    /// `pseudata run --quiet` on this fixture (for spawning).
    fn std_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_pseudata"));
        cmd.env_remove("PSEUDATA_KEY")
            .args(["run", "--quiet", "--mappings"])
            .arg(&self.mappings)
            .arg("--input")
            .arg(self.path("input"))
            .arg("--output")
            .arg(&self.output);
        match &self.key_file {
            Some(file) => cmd.arg("--key-file").arg(file),
            None => cmd.env("PSEUDATA_KEY", KEY_A),
        };
        cmd.args(&self.args);
        cmd
    }

    /// `pseudata run --quiet` on this fixture, killed after `RUN_TIMEOUT`.
    fn command(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.std_command());
        cmd.timeout(RUN_TIMEOUT);
        cmd
    }
}

/// A members file with the good header and these rows, each ended by `\n`.
fn members(rows: &[&str]) -> String {
    table(HEADER, rows)
}

fn table(header: &str, rows: &[&str]) -> String {
    std::iter::once(header).chain(rows.iter().copied()).map(|line| format!("{line}\n")).collect()
}

/// The members mapping with `extra` top-level lines before its `columns`.
fn members_yaml(extra: &str, columns: &str) -> String {
    format!("table: members\nfiles: ['members.csv', 'members.parquet']\n{extra}columns:\n{columns}")
}

/// Repair: the good members file.
fn restore_members(case: &Case) {
    case.write(MEMBERS_CSV, members(&GOOD_ROWS));
}

/// Repair: the good members mapping.
fn restore_mapping(case: &Case) {
    case.write(MEMBERS_YAML, members_yaml("", MEMBER_COLUMNS));
}

/// A Parquet members table of `rows` rows (text columns holding the sentinels), written by
/// `pseudata run --to parquet` with an all-`keep` mapping.
fn parquet_members(rows: usize) -> Vec<u8> {
    let maker = Case::bare().with_args(&["--to", "parquet"]);
    maker.write_rows(MEMBERS_CSV, rows);
    maker.write(MEMBERS_YAML, members_yaml("", ALL_KEEP_COLUMNS));
    let out = maker.command().output().unwrap();
    assert!(out.status.success(), "making the Parquet fixture failed:\n{}", String::from_utf8_lossy(&out.stderr));
    std::fs::read(maker.output.join("members.parquet")).unwrap()
}

/// The good extract with `members.parquet` (these bytes) instead of `members.csv`.
fn parquet_case(contents: &[u8]) -> Case {
    let case = Case::new();
    case.remove(MEMBERS_CSV);
    case.write(MEMBERS_PARQUET, contents);
    case
}

/// `bytes` with every bit of `range` inverted.
fn flipped(bytes: &[u8], range: std::ops::Range<usize>) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for byte in &mut out[range] {
        *byte ^= 0xff;
    }
    out
}

/// A valid gzip stream (one stored deflate block) holding `data` uncompressed.
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).expect("one stored block");
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1];
    out.extend(len.to_le_bytes());
    out.extend((!len).to_le_bytes());
    out.extend(data);
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A mount that is undone when dropped.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// Runs `mount STEP... TARGET` for each step; `None` (after printing why the case is skipped)
/// when a step is refused. The first step's mount is undone when the result is dropped.
fn mount(target: &Path, steps: &[&[&str]]) -> Option<Mounted> {
    std::fs::create_dir_all(target).unwrap();
    let mut mounted = None;
    for step in steps {
        let result = std::process::Command::new("mount").args(*step).arg(target).output();
        match result {
            Ok(out) if out.status.success() => {
                mounted.get_or_insert_with(|| Mounted(target.to_path_buf()));
            }
            other => {
                let why = other.map_or_else(|e| e.to_string(), |o| String::from_utf8_lossy(&o.stderr).into_owned());
                eprintln!("SKIPPED: `mount {}` refused (needs root): {}", step.join(" "), why.trim());
                return None;
            }
        }
    }
    mounted
}

// ---------------------------------------------------------------------------------------------
// The contract

/// What a path held: nothing, a file, or a directory's entries (relative path to the bytes of
/// a file, `None` for a directory or anything else).
#[derive(PartialEq)]
enum Tree {
    Absent,
    File(Vec<u8>),
    Dir(BTreeMap<String, Option<Vec<u8>>>),
}

impl Tree {
    fn read(path: &Path) -> Tree {
        match std::fs::symlink_metadata(path) {
            Err(_) => Tree::Absent,
            Ok(meta) if meta.is_dir() => {
                let mut entries = BTreeMap::new();
                walk(path, path, &mut entries);
                Tree::Dir(entries)
            }
            Ok(_) => Tree::File(std::fs::read(path).unwrap_or_default()),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Tree::Absent => true,
            Tree::File(_) => false,
            Tree::Dir(entries) => entries.is_empty(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Tree::Absent => "absent".into(),
            Tree::File(bytes) => format!("a file of {} bytes", bytes.len()),
            Tree::Dir(entries) => format!("a directory holding {:?}", entries.keys().collect::<Vec<_>>()),
        }
    }

    fn files(&self) -> Vec<(&str, &[u8])> {
        match self {
            Tree::Absent => vec![],
            Tree::File(bytes) => vec![("(the output path)", bytes)],
            Tree::Dir(entries) => {
                entries.iter().filter_map(|(name, bytes)| Some((name.as_str(), bytes.as_deref()?))).collect()
            }
        }
    }
}

fn walk(root: &Path, dir: &Path, entries: &mut BTreeMap<String, Option<Vec<u8>>>) {
    let Ok(listing) = std::fs::read_dir(dir) else { return };
    for entry in listing {
        let path = entry.unwrap().path();
        let name = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            entries.insert(name, None);
            walk(root, &path, entries);
        } else if meta.is_file() {
            entries.insert(name, Some(std::fs::read(&path).unwrap_or_default()));
        } else {
            entries.insert(name, None);
        }
    }
}

/// Fails if a sentinel (case-insensitively) is in `bytes`, found in `place`.
fn assert_no_sentinel(place: &str, bytes: &[u8]) {
    let lower = bytes.to_ascii_lowercase();
    for sentinel in [NISS, NISS_DOTTED, NAME] {
        let needle = sentinel.to_ascii_lowercase();
        assert!(
            !lower.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "the sentinel `{sentinel}` appears in {place}"
        );
    }
}

/// Fails if `bytes` are not plain UTF-8 text: a control character other than a line break or
/// tab, or an invalid byte (binary input echoed to a terminal).
fn assert_plain_text(place: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad = text.chars().find(|&c| (c.is_control() && !matches!(c, '\n' | '\t')) || c == char::REPLACEMENT_CHARACTER);
    assert!(bad.is_none(), "{place} holds {bad:?}, not plain text:\n{text}");
}

/// Fails if a sentinel is on stdout, on stderr or in a file under the output path.
fn assert_nothing_shown(case: &Case, out: &Output) {
    assert_no_sentinel("stdout", &out.stdout);
    assert_no_sentinel("stderr", &out.stderr);
    for (name, bytes) in Tree::read(&case.output).files() {
        assert_no_sentinel(&format!("output file {name}"), bytes);
    }
}

/// The single `error:` line of `stderr` and every line after it.
fn error_message(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let errors: Vec<usize> =
        lines.iter().enumerate().filter(|(_, line)| line.starts_with("error:")).map(|(at, _)| at).collect();
    assert_eq!(errors.len(), 1, "expected exactly one line starting with `error:` on stderr:\n{stderr}");
    lines[errors[0]..].join("\n")
}

/// Whether `text` says `line N` (not `line N0`).
fn mentions_line(text: &str, n: u64) -> bool {
    text.match_indices("line ").any(|(at, found)| {
        let digits: String = text[at + found.len()..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse() == Ok(n)
    })
}

/// Checks a refused run's output against the contract (module comment); `before` is what the
/// output path held before the run.
fn assert_refusal(case: &Case, before: &Tree, out: &Output, names: &[&str], line: Option<u64>) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "expected exit 2, got {}; stderr:\n{stderr}", out.status);
    assert_nothing_shown(case, out);
    let message = error_message(&stderr);
    for name in names {
        assert!(message.contains(name), "the error does not name `{name}`:\n{message}");
    }
    if let Some(n) = line {
        assert!(mentions_line(&message, n), "the error does not say `line {n}`:\n{message}");
    }
    let after = Tree::read(&case.output);
    assert!(
        after == *before || (*before == Tree::Absent && after.is_empty()),
        "the refused run changed the output path: before {}, after {}",
        before.describe(),
        after.describe()
    );
}

/// Runs `case`, checks it is refused (naming each of `names`, and `line N` if given), repairs it
/// and checks that a second run into the same output directory succeeds. Returns the refused
/// run's output.
fn assert_refused(case: &Case, names: &[&str], line: Option<u64>, repair: impl FnOnce(&Case)) -> Output {
    let before = Tree::read(&case.output);
    let out = case.command().output().expect("pseudata starts");
    assert_refusal(case, &before, &out, names, line);
    repair(case);
    run_ok(case);
    out
}

/// Runs `case` (with `--force` when the output directory holds anything) and checks it
/// succeeds, writes its manifest and shows no sentinel anywhere.
fn run_ok(case: &Case) -> Output {
    let mut cmd = case.command();
    if matches!(Tree::read(&case.output), Tree::Dir(ref entries) if !entries.is_empty()) {
        cmd.arg("--force");
    }
    let out = cmd.output().expect("pseudata starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "expected exit 0, got {}; stderr:\n{stderr}", out.status);
    assert!(case.output.join(MANIFEST).is_file(), "no manifest after a successful run");
    assert_nothing_shown(case, &out);
    out
}

/// Starts a run on a large input, sends `signal` once it stages output, and checks the exit
/// code, the single error line, and that the output directory is left empty.
fn assert_signal_stops_the_run(signal: &str, code: i32) {
    let case = Case::new().with_args(&["--batch-rows", "1000", "--threads", "1"]);
    case.write_rows(MEMBERS_CSV, 4_000_000);
    let mut child = case.std_command().stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let started = Instant::now();
    while !file_names(&case.output).iter().any(|n| n.starts_with(".pseudata-tmp-")) {
        assert!(child.try_wait().unwrap().is_none(), "the run ended before it staged any output");
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the run never started staging");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let sent = std::process::Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status();
    assert!(sent.unwrap().success());
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > RUN_TIMEOUT {
            let _ = child.kill();
            panic!("the run did not stop after SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "after SIG{signal}: {}; stderr:\n{stderr}", out.status);
    error_message(&stderr);
    assert_nothing_shown(&case, &out);
    let left = Tree::read(&case.output);
    assert!(left.is_empty(), "after SIG{signal} the output directory is {}", left.describe());
}

// ---------------------------------------------------------------------------------------------
// CSV records

#[test]
fn csv_row_with_too_many_fields() {
    let case = Case::new();
    case.write(
        MEMBERS_CSV,
        members(&[GOOD_ROWS[0], "7,85073003328,Zwanepoel,12.50,Zwanepoel 85.07.30-033.28", GOOD_ROWS[1]]),
    );
    assert_refused(&case, &["members.csv"], Some(3), restore_members);
}

#[test]
fn csv_row_with_too_few_fields() {
    let case = Case::new();
    case.write(MEMBERS_CSV, members(&[GOOD_ROWS[0], "7,85.07.30-033.28,Zwanepoel", GOOD_ROWS[1]]));
    assert_refused(&case, &["members.csv"], Some(3), restore_members);
}

#[test]
fn csv_unterminated_quote_in_the_last_line_without_final_newline() {
    let case = Case::new();
    let text = members(&GOOD_ROWS[..2]) + "7,85073003328,Zwanepoel,\"Zwanepoel 85.07.30-033.28";
    case.write(MEMBERS_CSV, text);
    assert_refused(&case, &["members.csv"], Some(4), restore_members);
}

#[test]
fn csv_unterminated_quote_in_the_last_line_with_final_newline() {
    let case = Case::new();
    case.write(
        MEMBERS_CSV,
        members(&[GOOD_ROWS[0], GOOD_ROWS[1], "7,85073003328,Zwanepoel,\"Zwanepoel 85.07.30-033.28"]),
    );
    assert_refused(&case, &["members.csv"], Some(4), restore_members);
}

#[test]
fn csv_unterminated_quote_in_a_middle_row_swallowing_the_rest() {
    let case = Case::new();
    case.write(
        MEMBERS_CSV,
        members(&[GOOD_ROWS[0], "7,85073003328,Zwanepoel,\"Zwanepoel", GOOD_ROWS[1], GOOD_ROWS[2]]),
    );
    assert_refused(&case, &["members.csv"], Some(3), restore_members);
}

#[test]
fn csv_stray_quote_after_a_closing_quote() {
    let case = Case::new();
    case.write(
        MEMBERS_CSV,
        members(&[GOOD_ROWS[0], "7,85073003328,Zwanepoel,\"Zwanepoel\"85.07.30-033.28", GOOD_ROWS[1]]),
    );
    assert_refused(&case, &["members.csv"], Some(3), restore_members);
}

#[test]
fn csv_invalid_utf8_in_a_file_declared_utf8() {
    let case = Case::new();
    case.write(MEMBERS_YAML, members_yaml("csv: { encoding: utf-8 }\n", MEMBER_COLUMNS));
    let mut text = members(&[GOOD_ROWS[0]]).into_bytes();
    text.extend_from_slice(b"7,85073003328,Zwanepoel,Zwanepoel\xff\n");
    text.extend_from_slice(format!("{}\n", GOOD_ROWS[1]).as_bytes());
    case.write(MEMBERS_CSV, text);
    assert_refused(&case, &["members.csv"], Some(3), restore_members);
}

#[test]
fn csv_utf8_character_cut_by_a_separator_between_kept_columns() {
    // `\xc3,\xa9` is `é` with a comma inside it: each field is invalid, the bytes of the record
    // together are not. Both columns are kept, so no rule ever decodes them (found by a hostile
    // tester: the run wrote the invalid bytes through).
    let case = Case::new();
    case.write(MEMBERS_YAML, members_yaml("csv: { encoding: utf-8 }\n", MEMBER_COLUMNS));
    // The kept columns side by side.
    let mut text = b"id,amount,niss,name\n1,12.50,85073003328,Zwanepoel\n2,7,85.07.30-033.28,Peeters\n".to_vec();
    text.extend_from_slice(b"7\xc3,\xa912.50,85073003328,Zwanepoel\n");
    case.write(MEMBERS_CSV, text);
    // The first of the two fields is named: `id`.
    assert_refused(&case, &["members.csv", "column `id`", "not valid UTF-8"], Some(4), restore_members);
}

#[test]
fn csv_utf8_bom_at_the_start_of_a_middle_line() {
    // Two exports concatenated: the second one's BOM and header start line 4.
    let case = Case::new();
    case.write(MEMBERS_CSV, members(&GOOD_ROWS[..2]) + "\u{feff}" + &members(&GOOD_ROWS[2..]));
    assert_refused(&case, &["members.csv"], Some(4), restore_members);
}

// ---------------------------------------------------------------------------------------------
// CSV files and headers

#[test]
fn csv_empty_file() {
    let case = Case::new();
    case.write(MEMBERS_CSV, "");
    assert_refused(&case, &["members.csv"], None, restore_members);
}

#[test]
fn csv_header_only_file_is_a_valid_empty_table() {
    let case = Case::new();
    case.write(MEMBERS_CSV, members(&[]));
    run_ok(&case);
    let written = std::fs::read_to_string(case.output.join("members.csv")).unwrap();
    assert_eq!(written, members(&[]), "the output is the header alone");
}

#[test]
fn csv_mixed_crlf_and_lf_line_endings_are_accepted() {
    let case = Case::new();
    case.write(MEMBERS_CSV, format!("{HEADER}\r\n{}\n{}\r\n{}\n", GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[2]));
    run_ok(&case);
    let rows = records(&case.output.join("members.csv"), b',');
    let ids: Vec<&[u8]> = rows.iter().map(|row| row[0].as_slice()).collect();
    assert_eq!(ids, [&b"id"[..], b"1", b"2", b"3"], "every row written, in order");
}

#[test]
fn csv_without_header_line_does_not_print_its_first_row() {
    let case = Case::new();
    case.write(MEMBERS_CSV, GOOD_ROWS.map(|row| format!("{row}\n")).concat());
    assert_refused(&case, &["members.csv"], None, restore_members);
}

#[test]
fn csv_duplicate_column_names_in_the_header() {
    let case = Case::new();
    let rows = ["1,85073003328,Zwanepoel,12.50,85073003328", "2,85.07.30-033.28,Zwanepoel,7,85.07.30-033.28"];
    case.write(MEMBERS_CSV, table("id,niss,name,amount,niss", &rows));
    assert_refused(&case, &["members.csv"], None, restore_members);
}

#[test]
fn csv_column_the_mapping_does_not_name() {
    let case = Case::new();
    let rows = ["1,85073003328,Zwanepoel,12.50,Zwanepoel 85.07.30-033.28", "2,93051822361,Zwanepoel,7,E11"];
    case.write(MEMBERS_CSV, table("id,niss,name,amount,diagnosis", &rows));
    assert_refused(&case, &["members.csv", "diagnosis"], None, restore_members);
}

#[test]
fn csv_mapped_column_missing_from_the_file() {
    let case = Case::new();
    case.write(MEMBERS_CSV, table("id,niss,name", &["1,85073003328,Zwanepoel", "2,85.07.30-033.28,Zwanepoel"]));
    assert_refused(&case, &["members.csv", "amount"], None, restore_members);
}

#[test]
fn csv_binary_bytes_named_csv() {
    let case = Case::new();
    let mut bytes = format!("{NISS};{NAME}").into_bytes();
    bytes.extend((0..=255u8).cycle().take(4096));
    case.write(MEMBERS_CSV, bytes);
    let out = assert_refused(&case, &["members.csv"], None, restore_members);
    assert_plain_text("stderr", &out.stderr);
}

#[test]
fn csv_gzip_file_named_csv() {
    let case = Case::new();
    case.write(MEMBERS_CSV, gzip_stored(members(&GOOD_ROWS).as_bytes()));
    let out = assert_refused(&case, &["members.csv"], None, restore_members);
    assert_plain_text("stderr", &out.stderr);
}

#[test]
fn csv_50_mb_cell_under_niss_with_on_invalid_error() {
    let case = Case::new();
    case.write(
        MEMBERS_YAML,
        members_yaml("", &MEMBER_COLUMNS.replace("niss: niss", "niss: { niss: { on_invalid: error } }")),
    );
    let huge = format!("{NISS}{NAME}").repeat(50_000_000 / (NISS.len() + NAME.len()));
    case.write(MEMBERS_CSV, members(&[GOOD_ROWS[0], &format!("7,{huge},{NAME},1"), GOOD_ROWS[1]]));
    assert_refused(&case, &["members.csv", "niss"], Some(3), restore_members);
}

#[test]
fn csv_number_with_70000_decimals_never_panics() {
    // Either refused naming line and column, or written as an empty (invalid) cell.
    let case = Case::new();
    case.write(
        MEMBERS_YAML,
        members_yaml("", &MEMBER_COLUMNS.replace("amount: keep", "amount: { number: { round: 1 } }")),
    );
    let long = format!("7,{NISS},{NAME},{NISS}.{}1", "0".repeat(69_999));
    case.write(MEMBERS_CSV, members(&[GOOD_ROWS[0], &long, GOOD_ROWS[1]]));
    let before = Tree::read(&case.output);
    let out = case.command().output().unwrap();
    if out.status.code() == Some(2) {
        assert_refusal(&case, &before, &out, &["members.csv", "amount"], Some(3));
        restore_members(&case);
        run_ok(&case);
        return;
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "expected exit 0 or 2, got {}; stderr:\n{stderr}", out.status);
    assert_nothing_shown(&case, &out);
    let rows = records(&case.output.join("members.csv"), b',');
    assert_eq!(rows.len(), 4, "every row written");
    assert!(rows[2][3].is_empty(), "the 70,000-decimal number is written as an empty cell");
}

// ---------------------------------------------------------------------------------------------
// Parquet

#[test]
fn parquet_truncated_to_half() {
    let good = parquet_members(2000);
    let case = parquet_case(&good[..good.len() / 2]);
    assert_refused(&case, &["members.parquet"], None, |c| c.write(MEMBERS_PARQUET, good.as_slice()));
}

// Bytes flipped inside a page's data are not caught: polars writes no page checksums and reads
// none, so a damaged value inside a page can read as another value (a known limit, SECURITY.md).
#[test]
fn parquet_with_flipped_bytes_in_the_footer() {
    // The footer (schema, row groups, offsets) is the thrift block before its length and `PAR1`.
    let good = parquet_members(2000);
    let footer = u32::from_le_bytes(good[good.len() - 8..good.len() - 4].try_into().unwrap()) as usize;
    let middle = good.len() - 8 - footer / 2;
    let case = parquet_case(&flipped(&good, middle - 16..middle + 16));
    assert_refused(&case, &["members.parquet"], None, |c| c.write(MEMBERS_PARQUET, good.as_slice()));
}

#[test]
fn parquet_name_on_a_csv_file() {
    let good = parquet_members(2000);
    let case = parquet_case(members(&GOOD_ROWS).as_bytes());
    assert_refused(&case, &["members.parquet"], None, |c| c.write(MEMBERS_PARQUET, good.as_slice()));
}

#[test]
fn parquet_empty_file() {
    let good = parquet_members(2000);
    let case = parquet_case(b"");
    assert_refused(&case, &["members.parquet"], None, |c| c.write(MEMBERS_PARQUET, good.as_slice()));
}

// ---------------------------------------------------------------------------------------------
// Mappings

#[test]
fn mapping_yaml_syntax_error() {
    let case = Case::new();
    case.write(MEMBERS_YAML, format!("table: members\nfiles: ['members.csv'\ncolumns:\n{MEMBER_COLUMNS}"));
    assert_refused(&case, &["members.yaml"], None, restore_mapping);
}

#[test]
fn mapping_unknown_top_level_key() {
    let case = Case::new();
    case.write(MEMBERS_YAML, members_yaml("owner: data-team\n", MEMBER_COLUMNS));
    assert_refused(&case, &["members.yaml"], None, restore_mapping);
}

#[test]
fn mapping_wrong_type_for_files() {
    let case = Case::new();
    case.write(MEMBERS_YAML, format!("table: members\nfiles: 3\ncolumns:\n{MEMBER_COLUMNS}"));
    assert_refused(&case, &["members.yaml"], None, restore_mapping);
}

#[test]
fn mapping_unknown_rule() {
    let case = Case::new();
    case.write(MEMBERS_YAML, members_yaml("", &MEMBER_COLUMNS.replace("last_name", "scramble")));
    assert_refused(&case, &["members.yaml"], None, restore_mapping);
}

#[test]
fn mapping_unknown_rule_option() {
    let case = Case::new();
    let columns = MEMBER_COLUMNS.replace("niss: niss", "niss: { niss: { on_invalid: fake, salt: pepper } }");
    case.write(MEMBERS_YAML, members_yaml("", &columns));
    assert_refused(&case, &["members.yaml"], None, restore_mapping);
}

#[test]
fn mapping_column_listed_twice() {
    let case = Case::new();
    case.write(MEMBERS_YAML, members_yaml("", &format!("{MEMBER_COLUMNS}  niss: hash\n")));
    assert_refused(&case, &["members.yaml"], None, restore_mapping);
}

#[test]
fn mapping_two_mappings_match_one_file() {
    let case = Case::new();
    case.write(
        "mappings/all_members.yaml",
        format!("table: all_members\nfiles: ['member*.csv']\ncolumns:\n{MEMBER_COLUMNS}"),
    );
    assert_refused(&case, &["members.csv", "members.yaml", "all_members.yaml"], None, |c| {
        c.remove("mappings/all_members.yaml")
    });
}

#[test]
fn mapping_directory_without_mappings() {
    let case = Case::new().with_mappings("no-yaml-here");
    std::fs::create_dir_all(case.path("no-yaml-here")).unwrap();
    assert_refused(&case, &["no-yaml-here"], None, |c| {
        for name in ["contacts.yaml", "members.yaml"] {
            std::fs::copy(c.path("mappings").join(name), c.path("no-yaml-here").join(name)).unwrap();
        }
    });
}

#[test]
fn mapping_exid_keep_prefix_as_long_as_the_value() {
    // Eleven kept characters of an 11-character value: a domain of one value, the value itself.
    let case = Case::new();
    let columns = MEMBER_COLUMNS.replace("niss: niss", "niss: { exid: { keep_prefix: 11, check: none } }");
    case.write(MEMBERS_YAML, members_yaml("", &columns));
    assert_refused(&case, &["members.yaml"], None, restore_mapping);
}

// ---------------------------------------------------------------------------------------------
// Keys

#[test]
fn key_too_short() {
    let case = Case::new().with_key_file("short.key");
    case.write_key("short.key", &KEY_A[..60], 0o600);
    let out = assert_refused(&case, &["short.key"], None, |c| c.write_key("short.key", KEY_A, 0o600));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&KEY_A[..16]), "key material shown");
}

#[test]
fn key_not_hexadecimal() {
    let case = Case::new().with_key_file("nonhex.key");
    let bad = format!("{}zz", &KEY_A[..62]);
    case.write_key("nonhex.key", &bad, 0o600);
    let out = assert_refused(&case, &["nonhex.key"], None, |c| c.write_key("nonhex.key", KEY_A, 0o600));
    assert!(!String::from_utf8_lossy(&out.stderr).contains(&KEY_A[..16]), "key material shown");
}

#[test]
fn key_file_is_a_directory() {
    let case = Case::new().with_key_file("keydir");
    std::fs::create_dir_all(case.path("keydir")).unwrap();
    assert_refused(&case, &["keydir"], None, |c| {
        std::fs::remove_dir(c.path("keydir")).unwrap();
        c.write_key("keydir", KEY_A, 0o600);
    });
}

#[test]
fn key_file_missing() {
    let case = Case::new().with_key_file("missing.key");
    assert_refused(&case, &["missing.key"], None, |c| c.write_key("missing.key", KEY_A, 0o600));
}

#[test]
fn key_file_world_readable_runs_with_a_warning() {
    let case = Case::new().with_key_file("world.key");
    case.write_key("world.key", KEY_A, 0o644);
    let out = run_ok(&case);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.lines().any(|line| line.to_lowercase().contains("warning") && line.contains("world.key")),
        "no warning naming the world-readable key file:\n{stderr}"
    );
    assert!(!stderr.lines().any(|line| line.starts_with("error:")), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Output

#[test]
fn output_path_is_a_regular_file() {
    let case = Case::new().with_output("out.txt");
    case.write("out.txt", "earlier contents");
    assert_refused(&case, &["out.txt"], None, |c| c.remove("out.txt"));
}

#[test]
fn output_below_a_regular_file() {
    let case = Case::new().with_output("blocker/out");
    case.write("blocker", "earlier contents");
    assert_refused(&case, &["blocker"], None, |c| {
        assert_eq!(std::fs::read(c.path("blocker")).unwrap(), b"earlier contents", "the blocking file changed");
        c.remove("blocker");
        std::fs::create_dir(c.path("blocker")).unwrap();
    });
}

#[test]
fn output_on_a_read_only_mount() {
    let case = Case::new().with_output("ro-out");
    let target = case.path("ro-out");
    let bind = ["--bind", target.to_str().unwrap()];
    let Some(mounted) = mount(&target, &[&bind, &["-o", "remount,bind,ro"]]) else { return };
    assert_refused(&case, &["ro-out"], None, move |_| drop(mounted));
}

#[test]
fn output_disk_full() {
    let case = Case::new().with_output("small");
    case.write_rows(MEMBERS_CSV, 100_000);
    assert!(std::fs::metadata(case.path(MEMBERS_CSV)).unwrap().len() > 2 << 20, "input larger than the disk");
    let Some(_mounted) = mount(&case.output, &[&["-t", "tmpfs", "-o", "size=1m", "tmpfs"]]) else { return };
    assert_refused(&case, &["members.csv"], None, restore_members);
}

#[test]
fn output_name_collision_after_conversion_to_parquet() {
    let case = Case::new().with_args(&["--to", "parquet"]);
    case.write(MEMBERS_PARQUET, parquet_members(20));
    assert_refused(&case, &["members.csv", "members.parquet"], None, |c| c.remove(MEMBERS_CSV));
}

// ---------------------------------------------------------------------------------------------
// Input tree

#[test]
fn input_symlink_loop_terminates() {
    // Refused naming the path, or skipped with a warning naming it.
    let case = Case::new();
    std::os::unix::fs::symlink("..", case.path("input/loop")).unwrap();
    let before = Tree::read(&case.output);
    let started = Instant::now();
    let out = case.command().timeout(Duration::from_secs(60)).output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(60), "the run did not end within 60 s");
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(2) => assert_refusal(&case, &before, &out, &["loop"], None),
        Some(0) => assert!(
            stderr.lines().any(|line| line.to_lowercase().contains("warning") && line.contains("loop")),
            "the loop was skipped without a warning naming it:\n{stderr}"
        ),
        _ => panic!("expected exit 0 or 2, got {}; stderr:\n{stderr}", out.status),
    }
    assert_nothing_shown(&case, &out);
}

// ---------------------------------------------------------------------------------------------
// Signals

#[test]
fn signal_sigint_exits_130_and_leaves_nothing() {
    assert_signal_stops_the_run("INT", 130);
}

#[test]
fn signal_sigterm_exits_143_and_leaves_nothing() {
    assert_signal_stops_the_run("TERM", 143);
}

#[test]
fn signal_sighup_exits_129_and_leaves_nothing() {
    assert_signal_stops_the_run("HUP", 129);
}
