//! `pseudata-manifest.json`: the signed audit trail of a run. It holds no data value.

use std::path::{Path, PathBuf};

use hmac::Mac;
use serde::Serialize;

use crate::crypto::Key;
use crate::engine::{ColumnStats, RunOptions};
use crate::io::csv::CsvFormat;
use crate::io::Format;

/// One mapping file used by the run.
#[derive(Debug, Clone, Serialize)]
pub struct MappingEntry {
    pub file: String,
    pub table: String,
    pub sha256: String,
}

/// One output column and what its rule did.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnEntry {
    pub name: String,
    pub rule: String,
    /// Parquet output only: the input type and the type written, when the rule cannot write the
    /// input's (`i64 -> str` for a `hash` token in an integer column).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_change: Option<String>,
    #[serde(flatten)]
    pub stats: ColumnStats,
}

/// One input file and its output.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    pub input: String,
    pub output: String,
    pub table: String,
    pub format_in: Format,
    pub format_out: Format,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvFormat>,
    pub bytes_in: u64,
    /// SHA-256 of the input file as read: `verify` recomputes it, so an input edited in place
    /// (same size, same rows) is no longer taken for the one the run read.
    pub sha256_in: String,
    pub bytes_out: u64,
    /// SHA-256 of the output file as written: `verify --manifest` recomputes it, so edited
    /// test data no longer verifies.
    pub sha256_out: String,
    pub rows_in: u64,
    pub rows_out: u64,
    pub seconds: f64,
    pub columns: Vec<ColumnEntry>,
    pub dropped: Vec<String>,
    /// The k-anonymity of the output's quasi-identifiers as the run counted it while writing,
    /// for `run`'s summary; not part of the manifest file.
    #[serde(skip)]
    pub groups: Option<crate::inspect::verify::leaks::Groups>,
}

/// SHA-256 of a file's bytes, in hex, read in 1 MiB pieces.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    file_sha256_until(path, &std::sync::atomic::AtomicBool::new(false))
}

/// `file_sha256`, given up (an error) once `stop` is set: a run that failed does not wait for
/// the hash of a large input it no longer needs.
pub fn file_sha256_until(path: &Path, stop: &std::sync::atomic::AtomicBool) -> std::io::Result<String> {
    use sha2::Digest;
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(std::io::Error::other("stopped: the run failed"));
        }
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Whether a file name a manifest records stays inside the directory it is read from (no `..`,
/// no root): others are refused, never read.
pub fn inside(name: &str) -> bool {
    Path::new(name).components().all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir))
}

/// The files a manifest says the run wrote beside it, each output file and case sheet, with the
/// SHA-256 it records for each (`Null` in a manifest written before hashes were recorded).
pub fn written(manifest: &serde_json::Value) -> impl Iterator<Item = (&serde_json::Value, &serde_json::Value)> {
    let files = manifest["files"].as_array().into_iter().flatten().map(|f| (&f["output"], &f["sha256_out"]));
    let sheets = manifest["sheets"].as_array().into_iter().flatten().map(|s| (&s["file"], &s["sha256"]));
    files.chain(sheets)
}

/// SHA-256 of files worked out on a thread of their own, while other work reads the same
/// files: `verify` starts it with the input and output files the manifest records, and the
/// hashes are ready, or nearly, when the manifest is compared at the end. A file whose size or
/// modification time changed since it was hashed is read again when asked. Dropping it stops
/// the thread at its next piece.
pub struct FileHashes {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    results: Option<std::sync::mpsc::Receiver<Hashed>>,
    done: Vec<Hashed>,
}

/// A file, its size and modification time when it was hashed, and its SHA-256 (or why it could
/// not be read).
type Hashed = (PathBuf, Option<Stamp>, std::io::Result<String>);

/// A file's size and modification time.
type Stamp = (u64, std::time::SystemTime);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

impl FileHashes {
    /// Starts hashing `paths`, one after the other.
    pub fn start(paths: Vec<PathBuf>) -> FileHashes {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (send, results) = std::sync::mpsc::channel();
        let running = stop.clone();
        std::thread::spawn(move || {
            for path in paths {
                let before = stamp(&path);
                let hash = file_sha256_until(&path, &running);
                if send.send((path, before, hash)).is_err() {
                    break;
                }
            }
        });
        FileHashes { stop, results: Some(results), done: Vec::new() }
    }

    /// Nothing hashed ahead: `sha256` reads each file when asked.
    pub fn none() -> FileHashes {
        FileHashes { stop: Default::default(), results: None, done: Vec::new() }
    }

    /// The SHA-256 of `path`: the one worked out ahead (waiting for that file only), or read
    /// now for a path not started, or changed since (size, modification time). Each result is
    /// given once; asking again reads the file again.
    pub fn sha256(&mut self, path: &Path) -> std::io::Result<String> {
        while !self.done.iter().any(|(p, ..)| p == path) {
            // The thread's end (or failure) leaves the paths it did not give to be read here.
            match self.results.as_ref().map(std::sync::mpsc::Receiver::recv) {
                Some(Ok(hashed)) => self.done.push(hashed),
                _ => {
                    self.results = None;
                    break;
                }
            }
        }
        match self.done.iter().position(|(p, ..)| p == path) {
            Some(at) => match self.done.swap_remove(at) {
                (_, Some(then), hash) if stamp(path) == Some(then) => hash,
                _ => file_sha256(path),
            },
            None => file_sha256(path),
        }
    }
}

impl Drop for FileHashes {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// An identifier domain the run permutes in cells of fewer than 10^6 values (NIST SP 800-38G's
/// floor for FF1), listed so the officer knows where a known pair narrows guesses most.
#[derive(Debug, Clone, Serialize)]
pub struct SmallDomain {
    pub table: String,
    pub column: String,
    pub rule: String,
    /// Which values share one permutation.
    pub cell: &'static str,
    /// Values in one such cell (in a common year for birth-date cells, a leap year adds a day's
    /// serials; `0` when it depends on the value's length).
    pub values: u64,
}

/// One case sheet written by `case`, beside the tables.
#[derive(Debug, Clone, Serialize)]
pub struct SheetEntry {
    pub file: String,
    /// SHA-256 as written: `verify --manifest` recomputes it.
    pub sha256: String,
}

/// Options of the run, as far as they shape the output.
#[derive(Debug, Clone, Serialize)]
pub struct OptionsEntry {
    pub to: Option<Format>,
    pub threads: Option<usize>,
    pub subset_percent: Option<f64>,
    /// Case file: keyed fingerprints (HMAC under the `case` subkey) of the chosen subjects,
    /// never the identifiers; `verify` uses them, with the key, to find their rows in the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_subjects: Option<Vec<String>>,
    pub batch_rows: usize,
}

/// The manifest of one run.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub created_unix: u64,
    pub key_fingerprint: String,
    pub options: OptionsEntry,
    pub mappings: Vec<MappingEntry>,
    pub files: Vec<FileEntry>,
    /// Case sheets (`case` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sheets: Vec<SheetEntry>,
    /// Permuted cells under 10^6 values, per table and column (see SECURITY.md).
    pub small_domains: Vec<SmallDomain>,
    pub seconds: f64,
    /// Peak resident memory of the process (Linux `VmHWM`), when the system reports it.
    pub peak_rss_bytes: Option<u64>,
    /// Results of `verify`, once it has run (not yet in this version).
    pub verify: Option<serde_json::Value>,
}

impl Manifest {
    /// Assembles the manifest of a finished run.
    pub fn new(
        key: &Key,
        mappings: Vec<MappingEntry>,
        files: Vec<FileEntry>,
        small_domains: Vec<SmallDomain>,
        options: &RunOptions,
        case_subjects: Option<&[[u8; 16]]>,
        seconds: f64,
    ) -> Manifest {
        Manifest {
            tool: "pseudata",
            version: env!("CARGO_PKG_VERSION"),
            created_unix: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
            key_fingerprint: key.fingerprint(),
            options: OptionsEntry {
                to: options.to,
                threads: options.threads,
                subset_percent: options.subset,
                case_subjects: case_subjects.map(|prints| prints.iter().map(hex::encode).collect()),
                batch_rows: options.batch_rows,
            },
            mappings,
            files,
            sheets: Vec::new(),
            small_domains,
            seconds,
            peak_rss_bytes: peak_rss_bytes(),
            verify: None,
        }
    }

    /// Writes the manifest, signed under the `manifest` subkey of `key`, to `path`.
    pub fn write(&self, path: &Path, key: &Key) -> std::io::Result<()> {
        let value = serde_json::to_value(self).map_err(std::io::Error::other)?;
        let signed = sign(value, key);
        let text = serde_json::to_string_pretty(&signed).map_err(std::io::Error::other)?;
        crate::io::write_atomic(path, (text + "\n").as_bytes())
    }
}

/// Peak resident set size of this process so far, from `/proc/self/status` (Linux only).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn signature(unsigned: &serde_json::Value, key: &Key) -> String {
    // serde_json maps keep their keys sorted, so this serialisation is canonical.
    let bytes = serde_json::to_vec(unsigned).unwrap_or_default();
    let mut mac = key.subkey("manifest").hmac();
    mac.update(&bytes);
    hex::encode(mac.finalize().into_bytes())
}

/// Adds a `signature` field: HMAC-SHA256 of the canonical JSON of everything else.
pub fn sign(mut value: serde_json::Value, key: &Key) -> serde_json::Value {
    if let Some(object) = value.as_object_mut() {
        object.remove("signature");
    }
    let sig = signature(&value, key);
    if let Some(object) = value.as_object_mut() {
        object.insert("signature".into(), serde_json::Value::String(sig));
    }
    value
}

/// Whether `value` carries a valid signature under `key` (it was not edited since the run).
pub fn is_authentic(value: &serde_json::Value, key: &Key) -> bool {
    let Some(claimed) = value.get("signature").and_then(|s| s.as_str()) else {
        return false;
    };
    let mut unsigned = value.clone();
    if let Some(object) = unsigned.as_object_mut() {
        object.remove("signature");
    }
    let expected = signature(&unsigned, key);
    // Constant-time comparison of the two hex strings.
    claimed.len() == expected.len() && claimed.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes worked out ahead are each file's own, whatever order they are asked in; a path
    /// not started is read when asked, a missing file is `NotFound` (`verify` says "missing").
    #[test]
    fn hashes_worked_out_ahead_are_each_files_own() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..4).map(|i| dir.path().join(format!("f{i}"))).collect();
        for (i, path) in paths.iter().enumerate() {
            std::fs::write(path, vec![b'a' + i as u8; (1 << 20) * i + 3]).unwrap();
        }
        let sha256sum = |path: &Path| {
            let out = std::process::Command::new("sha256sum").arg(path).output().unwrap();
            String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
        };
        let missing = dir.path().join("missing");
        let mut ahead = FileHashes::start(vec![paths[2].clone(), paths[0].clone(), paths[3].clone(), missing.clone()]);
        for path in [&paths[3], &paths[1], &paths[0], &paths[2]] {
            assert_eq!(ahead.sha256(path).unwrap(), sha256sum(path), "{path:?}");
        }
        assert_eq!(ahead.sha256(&missing).unwrap_err().kind(), std::io::ErrorKind::NotFound);
        // Changed after it was hashed (the later file given: this one is done): read again.
        let mut changing = FileHashes::start(vec![paths[1].clone(), paths[2].clone()]);
        assert_eq!(changing.sha256(&paths[2]).unwrap(), sha256sum(&paths[2]));
        std::fs::write(&paths[1], b"edited after it was hashed").unwrap();
        assert_eq!(changing.sha256(&paths[1]).unwrap(), sha256sum(&paths[1]));
        // Asked again: read again, so a file changed since is seen changed.
        std::fs::write(&paths[3], b"changed").unwrap();
        assert_eq!(ahead.sha256(&paths[3]).unwrap(), sha256sum(&paths[3]));
        assert_eq!(FileHashes::none().sha256(&paths[1]).unwrap(), sha256sum(&paths[1]));
    }

    #[test]
    fn inside_refuses_names_that_leave_the_directory() {
        for name in ["claims.csv", "sub/claims.parquet", "./case-x.html"] {
            assert!(inside(name), "{name}");
        }
        for name in ["../claims.csv", "/etc/passwd", "sub/../../x"] {
            assert!(!inside(name), "{name}");
        }
    }

    #[test]
    fn a_signed_manifest_verifies_and_an_edit_breaks_it() {
        let key = Key::from_hex(&"12".repeat(32), "t").unwrap();
        let other = Key::from_hex(&"13".repeat(32), "t").unwrap();
        let signed = sign(serde_json::json!({"files": [{"rows_in": 10}], "tool": "pseudata"}), &key);
        assert!(is_authentic(&signed, &key));
        assert!(!is_authentic(&signed, &other));
        let text = serde_json::to_string_pretty(&signed).unwrap();
        let reread: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(is_authentic(&reread, &key));
        let mut edited = reread.clone();
        edited["files"][0]["rows_in"] = serde_json::json!(11);
        assert!(!is_authentic(&edited, &key));
    }
}
