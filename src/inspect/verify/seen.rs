//! Cells `verify` has already worked out, so a value repeated over rows (a member's NISS on
//! each of their claims, a template comment, a care date) is worked out once per file.
//!
//! A cell is remembered by a keyed 128-bit print of its text (two random keys per process, like
//! the index's fingerprints): no value is held, and memory grows with distinct values, at most
//! `CAP` of them. Past the cap a cell is simply worked out again. Skipping a cell is exact as
//! long as two different texts never share a print: two 64-bit foldhash values under two random
//! seeds, far less likely to collide together than the 64-bit fingerprints the index of
//! originals already relies on.
//!
//! Remembering pays only where texts repeat: a set whose last `WINDOW` lookups found fewer than
//! one in 200 seen before (a members file, one NISS per row) is emptied and switched off for the
//! rest of the file, and every cell is worked out as without it. The bar is low on purpose: in
//! a claims file of 4 million members in random order, about 0.8 % of the first `WINDOW` NISS
//! are repeats, and nearly all of the later ones.

use std::hash::BuildHasher;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::cell_error;
use crate::engine::RunError;
use crate::io::reader::Batch;
use crate::io::Cells;

/// Distinct cells remembered per set (16 bytes each, about 32 MB with the table's slack).
const CAP: usize = 1 << 20;

/// Lookups after which a set checks whether it pays.
const WINDOW: u64 = 1 << 16;

/// Rows per unit of parallel printing.
const PRINT_CHUNK: usize = 4096;

/// Two random keys: the print of a text under them.
#[derive(Default)]
struct Keys([foldhash::quality::RandomState; 2]);

impl Keys {
    fn print(&self, text: &str) -> u128 {
        (u128::from(self.0[0].hash_one(text)) << 64) | u128::from(self.0[1].hash_one(text))
    }
}

/// Whether remembering pays: lookups and hits of the current window.
#[derive(Default)]
struct Trial {
    lookups: u64,
    hits: u64,
    off: bool,
}

impl Trial {
    /// Counts lookups and their hits; true when the window just ended with too few hits (the
    /// set is off from now on).
    fn count(&mut self, lookups: u64, hits: u64) -> bool {
        self.lookups += lookups;
        self.hits += hits;
        if self.off || self.lookups < WINDOW {
            return false;
        }
        self.off = self.hits * 200 < self.lookups;
        (self.lookups, self.hits) = (0, 0);
        self.off
    }
}

/// A set of cell texts already worked out.
#[derive(Default)]
pub(super) struct Seen {
    keys: Keys,
    prints: FxHashSet<u128>,
    trial: Trial,
}

impl Seen {
    /// The keyed print of `text`.
    pub(super) fn print(&self, text: &str) -> u128 {
        self.keys.print(text)
    }

    /// Whether the set is still in use (see `tally`).
    pub(super) fn on(&self) -> bool {
        !self.trial.off
    }

    /// Whether a text with this print was worked out already.
    pub(super) fn contains(&self, print: u128) -> bool {
        self.prints.contains(&print)
    }

    /// Remembers a print (nothing once the set holds `CAP`, or is off).
    pub(super) fn insert(&mut self, print: u128) {
        if self.on() && self.prints.len() < CAP {
            self.prints.insert(print);
        }
    }

    /// Counts `lookups` made with `contains`, `hits` of them found: a window with too few hits
    /// empties the set and switches it off.
    pub(super) fn tally(&mut self, lookups: u64, hits: u64) {
        if self.trial.count(lookups, hits) {
            self.prints = FxHashSet::default();
        }
    }

    /// Whether a cell with this print must be worked out: true the first time (it is
    /// remembered then), whenever the set is full, and once it is off.
    fn first(&mut self, print: u128) -> bool {
        if !self.on() {
            return true;
        }
        let known = self.contains(print);
        self.tally(1, u64::from(known));
        if !known {
            self.insert(print);
        }
        !known
    }

    /// Of `rows` (row indexes of `batch`), those whose cell in `column` holds a text not seen
    /// before, in order: the first of equal cells only, empty cells not at all. The texts are
    /// remembered. An unreadable cell is an error naming its place (the first such row).
    pub(super) fn fresh_rows(
        &mut self,
        batch: &Batch,
        column: usize,
        rows: &[usize],
        path: &Path,
        header: &[String],
    ) -> Result<Vec<usize>, RunError> {
        let on = self.on();
        let printed: Vec<Result<Vec<(usize, u128)>, RunError>> = rows
            .par_chunks(PRINT_CHUNK)
            .map(|chunk| {
                let mut prints = Vec::with_capacity(chunk.len());
                for &row in chunk {
                    let cell =
                        batch.cell(column, row).map_err(|e| cell_error(path, batch.line(row), &header[column], e))?;
                    if let Some(text) = cell.filter(|t| !t.trim().is_empty()) {
                        prints.push((row, if on { self.print(&text) } else { 0 }));
                    }
                }
                Ok(prints)
            })
            .collect();
        let mut fresh = Vec::new();
        for chunk in printed {
            for (row, print) in chunk? {
                if self.first(print) {
                    fresh.push(row);
                }
            }
        }
        Ok(fresh)
    }
}

/// What was worked out of each distinct cell text (a fingerprint, a validity), by print.
pub(super) struct Memo<V> {
    keys: Keys,
    values: FxHashMap<u128, V>,
    trial: Trial,
}

impl<V> Default for Memo<V> {
    fn default() -> Memo<V> {
        Memo { keys: Keys::default(), values: FxHashMap::default(), trial: Trial::default() }
    }
}

impl<V: Copy> Memo<V> {
    /// What `work` gives for `text`: worked out the first time, remembered (up to `CAP` texts,
    /// while the memo pays).
    pub(super) fn get_or(&mut self, text: &str, work: impl FnOnce() -> V) -> V {
        if self.trial.off {
            return work();
        }
        let print = self.keys.print(text);
        let known = self.values.get(&print).copied();
        if self.trial.count(1, u64::from(known.is_some())) {
            self.values = FxHashMap::default();
        }
        if let Some(value) = known {
            return value;
        }
        let value = work();
        if !self.trial.off && self.values.len() < CAP {
            self.values.insert(print, value);
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_fresh_once_and_equal_texts_share_a_print() {
        let mut seen = Seen::default();
        let (a, b) = (seen.print("85073003328"), seen.print("85073003329"));
        assert_ne!(a, b);
        assert_eq!(a, seen.print(&String::from("85073003328")));
        assert!(seen.first(a));
        assert!(!seen.first(a));
        assert!(seen.contains(a));
        assert!(!seen.contains(b));
        // Two processes (two sets) do not share keys: prints are not stable values.
        assert_ne!(Seen::default().print("85073003328"), a);
    }

    #[test]
    fn a_full_set_remembers_nothing_more_and_works_everything_out_again() {
        let mut seen = Seen::default();
        for i in 0..CAP {
            seen.insert(i as u128);
        }
        let new = seen.print("new");
        assert!(seen.first(new));
        assert!(seen.first(new), "a text past the cap is worked out every time");
        assert!(!seen.contains(new));
        assert!(!seen.first(7), "what was remembered before the cap still counts");
    }

    #[test]
    fn a_memo_works_a_text_out_once() {
        let mut memo: Memo<usize> = Memo::default();
        let mut calls = 0;
        for text in ["a", "b", "a", "a", "b", "c"] {
            let value = memo.get_or(text, || {
                calls += 1;
                text.len() + calls
            });
            // The value of the first time: "a" -> 2, "b" -> 3, "c" -> 4.
            assert_eq!(value, 1 + ["a", "b", "c"].iter().position(|t| *t == text).unwrap_or(9) + 1);
        }
        assert_eq!(calls, 3);
    }

    #[test]
    fn a_set_of_distinct_texts_switches_off_and_one_of_repeats_stays_on() {
        let mut distinct = Seen::default();
        let mut repeats = Seen::default();
        for i in 0..WINDOW {
            assert!(distinct.first(distinct.print(&i.to_string())));
            repeats.first(repeats.print(&(i % 1000).to_string()));
        }
        assert!(!distinct.on(), "no text came twice: remembering does not pay");
        assert!(distinct.prints.is_empty(), "an unused set frees its memory");
        assert!(distinct.first(distinct.print("0")), "once off, every cell is worked out");
        assert!(repeats.on());
        assert!(!repeats.first(repeats.print("999")));
        // `tally`: the lookups pass two makes with `contains`.
        let mut tallied = Seen::default();
        tallied.insert(1);
        tallied.tally(WINDOW - 1, WINDOW / 10);
        assert!(tallied.on());
        tallied.tally(1, 0);
        assert!(tallied.on(), "one in ten found pays");
        tallied.tally(WINDOW, WINDOW / 150);
        assert!(tallied.on(), "one in 150 found pays");
        tallied.tally(WINDOW, WINDOW / 250);
        assert!(!tallied.on());
        tallied.insert(2);
        assert!(!tallied.contains(1) && !tallied.contains(2));
    }

    #[test]
    fn a_memo_that_stops_paying_still_gives_every_value() {
        let mut memo: Memo<u64> = Memo::default();
        let n = 3 * WINDOW;
        let mut calls = 0u64;
        for i in 0..n {
            let value = memo.get_or(&i.to_string(), || {
                calls += 1;
                i * 7
            });
            assert_eq!(value, i * 7);
        }
        assert!(memo.trial.off && memo.values.is_empty());
        assert_eq!(calls, n);
    }
}
