//! Applying a bound plan's rules to one batch, in parallel across columns and rows.

use std::borrow::Cow;
use std::sync::Mutex;

use hashbrown::HashTable;
use rayon::prelude::*;

use crate::io::{Cells, Undecodable};
use crate::mapping::{Action, BoundPlan};
use crate::rules::{push_key_part, Pseudonym, Rule};

/// Counts for one output column, summed over a file (for the manifest).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ColumnStats {
    /// Non-empty values replaced by the rule.
    pub transformed: u64,
    /// Empty or null cells, left empty.
    pub empty: u64,
    /// Values that failed the rule's validation and were replaced by a keyed fake.
    pub invalid: u64,
}

/// Why one cell could not be read or transformed; the caller adds file and line.
#[derive(Debug)]
pub enum CellError {
    /// The bytes are not valid in the file's encoding.
    Encoding,
    /// The rule refused the value.
    Rule(crate::rules::RuleError),
}

impl From<Undecodable> for CellError {
    fn from(_: Undecodable) -> CellError {
        CellError::Encoding
    }
}

/// New values of one transformed column for one batch, back to back in one buffer (no
/// `String` per cell): one text per row, or, for a memoised rule, one per distinct value and
/// each row's index into them (a NISS recurring in thousands of claims is written once).
#[derive(Debug, Clone, Default)]
pub struct Values {
    /// Every text, back to back.
    buf: String,
    /// Where each text lies in `buf`; `NO_TEXT` for an empty cell.
    spans: Vec<(usize, usize)>,
    /// For a memoised column, each row's index into `spans` (past them: an empty cell).
    rows: Option<Vec<u32>>,
}

/// The span of an empty cell.
const NO_TEXT: (usize, usize) = (usize::MAX, usize::MAX);

impl Values {
    /// Appends a text (`None`: an empty cell).
    fn push(&mut self, text: Option<&str>) {
        match text {
            Some(text) => {
                let start = self.buf.len();
                self.buf.push_str(text);
                self.spans.push((start, self.buf.len()));
            }
            None => self.spans.push(NO_TEXT),
        }
    }

    /// Appends every text of `other` (one text per row, no row indices).
    fn append(&mut self, other: &Values) {
        let base = self.buf.len();
        self.buf.push_str(&other.buf);
        self.spans.extend(other.spans.iter().map(|&(start, end)| {
            if start == usize::MAX {
                NO_TEXT
            } else {
                (start + base, end + base)
            }
        }));
    }

    /// Row `row`'s text (`None`: an empty cell).
    pub fn get(&self, row: usize) -> Option<&str> {
        let index = match &self.rows {
            Some(rows) => rows[row] as usize,
            None => row,
        };
        match self.spans.get(index) {
            Some(&(start, end)) if start != usize::MAX => self.buf.get(start..end),
            _ => None,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.as_ref().map_or(self.spans.len(), Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row's text, in order.
    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> {
        (0..self.len()).map(|row| self.get(row))
    }
}

/// Equal when every row reads the same (however the texts are laid out).
impl PartialEq for Values {
    fn eq(&self, other: &Values) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Values {}

/// A failure located in the batch: row index, output column index, cause.
pub type BatchError = (usize, usize, CellError);

/// Applies every `Transform` column of `plan` to `cells`. Returns, per output column, the new
/// values (`None` for keep and null columns), and adds to `stats` (one entry per output column).
/// The result does not depend on the number of threads.
pub fn transform_batch(
    plan: &BoundPlan,
    cells: &dyn Cells,
    stats: &mut [ColumnStats],
    memos: &[Memo],
) -> Result<Vec<Option<Values>>, BatchError> {
    let results: Vec<Result<Option<(Values, ColumnStats)>, BatchError>> = plan
        .columns
        .par_iter()
        .enumerate()
        .map(|(index, column)| match &column.action {
            Action::Transform { rule, inputs } => {
                transform_column(rule.as_ref(), column.source, inputs, cells, memos.get(index))
                    .map(Some)
                    .map_err(|(row, e)| (row, index, e))
            }
            Action::Keep | Action::Null => Ok(None),
        })
        .collect();
    let mut out = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        match result? {
            Some((values, counted)) => {
                stats[index].add(&counted);
                out.push(Some(values));
            }
            None => out.push(None),
        }
    }
    Ok(out)
}

fn transform_column(
    rule: &dyn Rule,
    source: usize,
    inputs: &[usize],
    cells: &dyn Cells,
    memo: Option<&Memo>,
) -> Result<(Values, ColumnStats), (usize, CellError)> {
    // A rule is a pure function of its cell and the row's inputs: repeated values are worked
    // out once (`transform_memoised`), until the column shows that its values do not repeat.
    if !rule.fills_empty() && !memo.is_some_and(Memo::is_plain) {
        return transform_memoised(rule, source, inputs, cells, memo);
    }
    transform_rows(rule, source, inputs, cells)
}

/// Every row's cell given to the rule, with the row's inputs (a rule that fills empty cells,
/// or a column whose values do not repeat).
fn transform_rows(
    rule: &dyn Rule,
    source: usize,
    inputs: &[usize],
    cells: &dyn Cells,
) -> Result<(Values, ColumnStats), (usize, CellError)> {
    let fills_empty = rule.fills_empty();
    let rows = cells.rows();
    // Rows go to the rule a chunk at a time (`Rule::apply_many`: e-mail addresses permute a
    // chunk's blocks side by side, dates shift once per subject).
    let chunks: Vec<Result<(Values, ColumnStats), (usize, CellError)>> = (0..rows.div_ceil(CHUNK))
        .into_par_iter()
        .map(|chunk| {
            let range = chunk * CHUNK..rows.min((chunk + 1) * CHUNK);
            let mut at: Vec<usize> = Vec::with_capacity(range.len());
            let mut values: Vec<Cow<'_, str>> = Vec::with_capacity(range.len());
            let mut row_inputs: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(range.len() * inputs.len());
            // A cell that cannot be read ends the chunk; the rule's errors in the rows above it come first.
            let mut unreadable: Option<(usize, CellError)> = None;
            'rows: for row in range.clone() {
                let value = match cells.cell(source, row) {
                    Ok(Some(v)) if !v.trim().is_empty() => v,
                    Ok(_) if fills_empty => Cow::Borrowed(""),
                    Ok(_) => continue,
                    Err(e) => {
                        unreadable = Some((row, e.into()));
                        break;
                    }
                };
                let before = row_inputs.len();
                for &i in inputs {
                    match cells.cell(i, row) {
                        Ok(cell) => row_inputs.push(cell),
                        Err(e) => {
                            row_inputs.truncate(before);
                            unreadable = Some((row, e.into()));
                            break 'rows;
                        }
                    }
                }
                at.push(row);
                values.push(value);
            }
            let refs: Vec<Option<&str>> = row_inputs.iter().map(|v| v.as_deref()).collect();
            let per_row: Vec<&[Option<&str>]> =
                if inputs.is_empty() { vec![&[]; values.len()] } else { refs.chunks(inputs.len()).collect() };
            let texts: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
            // Pseudonyms are about as long as their originals: one allocation, not a doubling series.
            let mut out = Values::default();
            out.buf.reserve(texts.iter().map(|t| t.len()).sum());
            out.spans.reserve(range.len());
            let mut stats = ColumnStats::default();
            let mut results = at.iter().zip(rule.apply_many(&texts, &per_row)).peekable();
            for row in range {
                match results.next_if(|(&at, _)| at == row) {
                    Some((_, result)) => {
                        let Pseudonym { text, invalid } = result.map_err(|e| (row, CellError::Rule(e)))?;
                        stats.count(if invalid { INVALID } else { TRANSFORMED });
                        out.push(text.as_deref());
                    }
                    None => {
                        stats.count(EMPTY);
                        out.push(None);
                    }
                }
            }
            match unreadable {
                Some(error) => Err(error),
                None => Ok((out, stats)),
            }
        })
        .collect::<Vec<_>>();
    // The first bad row of the batch, whichever thread finished first (rayon's collect into a
    // `Result` keeps the error that came first in time).
    let chunks: Vec<(Values, ColumnStats)> = chunks.into_iter().collect::<Result<_, _>>()?;
    let mut values = Values::default();
    values.buf.reserve(chunks.iter().map(|(piece, _)| piece.buf.len()).sum());
    values.spans.reserve(rows);
    let mut stats = ColumnStats::default();
    for (piece, counted) in &chunks {
        values.append(piece);
        stats.add(counted);
    }
    Ok((values, stats))
}

/// The memo of one column across the batches of a file: a rule is a pure function of its cell
/// and the row's inputs, so a value's pseudonym is computed once per file while the memo holds
/// it (a member's NISS recurs in claims spread over the whole file, not only within one batch).
/// Bounded: at most `MEMO_CAP` values and `MEMO_BYTES` of text per column, and a column whose
/// values do not recur (one row per member) turns its memo off after two batches, so memory
/// does not grow with the file.
#[derive(Default)]
pub struct Memo {
    state: Mutex<MemoState>,
}

/// Values and their pseudonyms back to back in one buffer, found through a table of indices
/// by the hash the batch computed once for its own deduplication.
#[derive(Default)]
struct MemoState {
    table: HashTable<u32>,
    entries: Vec<MemoEntry>,
    /// Each entry's value, then its pseudonym.
    arena: String,
    batches: u32,
    off: bool,
    /// The memo is off and a batch (of `CHUNK` values at least) held almost no value twice:
    /// later batches go row by row.
    plain: bool,
}

/// One value of the memo: its hash, where its value and pseudonym lie in the arena.
#[derive(Clone, Copy)]
struct MemoEntry {
    hash: u64,
    start: usize,
    /// End of the value, start of the pseudonym.
    middle: usize,
    /// End of the pseudonym; `usize::MAX`: the rule wrote an empty cell.
    end: usize,
    invalid: bool,
}

impl MemoState {
    /// The entry holding `value` (hashed `hash`).
    fn find(&self, hash: u64, value: &str) -> Option<u32> {
        self.table
            .find(hash, |&i| {
                let e = &self.entries[i as usize];
                e.hash == hash && self.arena.get(e.start..e.middle) == Some(value)
            })
            .copied()
    }

    /// Entry `index`'s pseudonym (`None`: an empty cell) and whether its value was invalid.
    fn pseudonym(&self, index: u32) -> (Option<&str>, bool) {
        let e = &self.entries[index as usize];
        let text = if e.end == usize::MAX { None } else { self.arena.get(e.middle..e.end) };
        (text, e.invalid)
    }

    /// Holds `value`'s pseudonym, if the memo has room for it.
    fn insert(&mut self, hash: u64, value: &str, text: Option<&str>, invalid: bool) {
        let size = value.len() + text.map_or(0, str::len);
        if self.entries.len() >= MEMO_CAP || self.arena.len() + size > MEMO_BYTES {
            return;
        }
        // Grown by doubling, but never past the budget (a doubled buffer could hold twice it).
        let start = self.arena.len();
        if self.arena.capacity() < start + size {
            self.arena.reserve_exact(size.max(start.min(MEMO_BYTES - start)));
        }
        self.arena.push_str(value);
        let middle = self.arena.len();
        let end = match text {
            Some(text) => {
                self.arena.push_str(text);
                self.arena.len()
            }
            None => usize::MAX,
        };
        let entries = &self.entries;
        self.table.insert_unique(hash, entries.len() as u32, |&i| entries[i as usize].hash);
        self.entries.push(MemoEntry { hash, start, middle, end, invalid });
    }
}

/// Values a column's memo holds at most.
pub const MEMO_CAP: usize = 1 << 18;

/// Bytes of values and pseudonyms a column's memo holds at most (long notes fill it first).
pub const MEMO_BYTES: usize = 1 << 25;

/// During the first batch a memo holds one value in this many (by hash), enough to measure
/// in the second batch whether values recur.
const TRIAL_SAMPLE: u64 = 8;

/// The hash of a value, for the batch's distinct values and the file's memo alike.
fn hash_of(value: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(value)
}

fn trial_sample(hash: u64) -> bool {
    hash % TRIAL_SAMPLE == 0
}

impl Memo {
    /// One memo per output column of a plan.
    pub fn for_columns(columns: usize) -> Vec<Memo> {
        (0..columns).map(|_| Memo::default()).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the column's values were found not to repeat, in the file or in a batch.
    fn is_plain(&self) -> bool {
        self.lock().plain
    }
}

/// A batch's distinct values: its cells as read (no copy), or, with inputs, the keys built from
/// each row's cell and inputs, back to back in one buffer.
#[derive(Default)]
struct Keys<'a> {
    cells: Vec<Cow<'a, str>>,
    built: String,
    ends: Vec<usize>,
}

impl Keys<'_> {
    fn push_built(&mut self, key: &str) {
        self.built.push_str(key);
        self.ends.push(self.built.len());
    }

    fn len(&self) -> usize {
        self.cells.len() + self.ends.len()
    }

    fn get(&self, i: usize) -> &str {
        if self.ends.is_empty() {
            return &self.cells[i];
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.built.get(start..self.ends[i]).unwrap_or_default()
    }
}

/// The memo of repeated values: a rule runs once per distinct value of the batch (the same NISS
/// appears in thousands of claims), in parallel over those values, and not at all for values
/// the file's memo already holds. With inputs, a value is the cell with the row's inputs (a
/// surname and the row's language). Each value is hashed once; the hash finds it among the
/// batch's distinct values and in the file's memo.
fn transform_memoised(
    rule: &dyn Rule,
    source: usize,
    inputs: &[usize],
    cells: &dyn Cells,
    memo: Option<&Memo>,
) -> Result<(Values, ColumnStats), (usize, CellError)> {
    let rows = cells.rows();
    // The distinct values in order of first appearance, their hashes and first rows; the table
    // holds their indices (4 bytes an entry: a batch's table stays in the processor's cache).
    let mut ordered = Keys::default();
    let mut hashes: Vec<u64> = Vec::new();
    let mut first_rows: Vec<usize> = Vec::new();
    let mut distinct: HashTable<u32> = HashTable::with_capacity(rows);
    let mut slots: Vec<u32> = Vec::with_capacity(rows);
    let mut key = String::new();
    // A cell that cannot be read ends the batch's reading; a rule's error in a row above it comes first.
    let mut unreadable: Option<(usize, CellError)> = None;
    let mut filled = 0usize;
    'rows: for row in 0..rows {
        let cell = match cells.cell(source, row) {
            Ok(Some(v)) if !v.trim().is_empty() => v,
            Ok(_) => {
                slots.push(NO_VALUE);
                continue;
            }
            Err(e) => {
                unreadable = Some((row, e.into()));
                break;
            }
        };
        if !inputs.is_empty() {
            key.clear();
            push_key_part(&mut key, Some(&cell));
            for &i in inputs {
                match cells.cell(i, row) {
                    Ok(input) => push_key_part(&mut key, input.as_deref()),
                    Err(e) => {
                        unreadable = Some((row, e.into()));
                        break 'rows;
                    }
                }
            }
        }
        filled += 1;
        let text: &str = if inputs.is_empty() { &cell } else { &key };
        let hash = hash_of(text);
        let found = distinct.find(hash, |&i| hashes[i as usize] == hash && ordered.get(i as usize) == text).copied();
        let slot = match found {
            Some(i) => i,
            None => {
                let i = ordered.len() as u32;
                distinct.insert_unique(hash, i, |&j| hashes[j as usize]);
                match inputs.is_empty() {
                    true => ordered.cells.push(cell),
                    false => ordered.push_built(&key),
                }
                hashes.push(hash);
                first_rows.push(row);
                i
            }
        };
        slots.push(slot);
    }
    drop(distinct);
    // What the file's memo already holds (entry indices); the rest is computed.
    let mut known: Vec<Option<u32>> = vec![None; ordered.len()];
    if let Some(memo) = memo {
        let state = memo.lock();
        if !state.off && !state.entries.is_empty() {
            for (i, (slot, &hash)) in known.iter_mut().zip(&hashes).enumerate() {
                *slot = state.find(hash, ordered.get(i));
            }
        }
    }
    // The values the memo does not hold go to the rule a chunk at a time (`Rule::apply_many`).
    // With inputs, the cell and the inputs are read again from the value's first row (they
    // were read once already: they cannot fail).
    let todo: Vec<usize> = (0..ordered.len()).filter(|&i| known[i].is_none()).collect();
    let first_rows = &first_rows;
    let done: Vec<Vec<Result<Pseudonym, crate::rules::RuleError>>> = todo
        .par_chunks(CHUNK)
        .map(|chunk| {
            if inputs.is_empty() {
                let values: Vec<&str> = chunk.iter().map(|&i| ordered.get(i)).collect();
                let no_inputs: Vec<&[Option<&str>]> = vec![&[]; values.len()];
                return rule.apply_many(&values, &no_inputs);
            }
            let read = |column: usize, row: usize| cells.cell(column, row).ok().flatten();
            let owned: Vec<Cow<'_, str>> =
                chunk.iter().map(|&i| read(source, first_rows[i]).unwrap_or_default()).collect();
            let row_inputs: Vec<Option<Cow<'_, str>>> = chunk
                .iter()
                .flat_map(|&i| inputs.iter().map(move |&c| (c, first_rows[i])))
                .map(|(c, r)| read(c, r))
                .collect();
            let refs: Vec<Option<&str>> = row_inputs.iter().map(|v| v.as_deref()).collect();
            let per_row: Vec<&[Option<&str>]> = refs.chunks(inputs.len()).collect();
            let values: Vec<&str> = owned.iter().map(AsRef::as_ref).collect();
            rule.apply_many(&values, &per_row)
        })
        .collect();
    let mut computed: Vec<Option<Pseudonym>> = vec![None; ordered.len()];
    for (&i, result) in todo.iter().zip(done.into_iter().flatten()) {
        computed[i] = Some(result.map_err(|e| (first_rows[i], CellError::Rule(e)))?);
    }
    if let Some(error) = unreadable {
        return Err(error);
    }
    // Every distinct value's pseudonym, in order: from the memo or computed.
    let mut values = Values::default();
    values.buf.reserve((0..ordered.len()).map(|i| ordered.get(i).len()).sum());
    values.spans.reserve(ordered.len());
    let mut kinds: Vec<u8> = Vec::with_capacity(ordered.len());
    let mut state = memo.map(Memo::lock);
    for (known, computed) in known.iter().zip(&computed) {
        let (text, invalid) = match (known, computed, state.as_deref()) {
            (Some(entry), _, Some(state)) => state.pseudonym(*entry),
            (_, Some(p), _) => (p.text.as_deref(), p.invalid),
            // Unreachable: every distinct value is known or computed.
            _ => (None, false),
        };
        values.push(text);
        kinds.push(if invalid { INVALID } else { TRANSFORMED });
    }
    if let Some(state) = state.as_deref_mut() {
        let hits = known.iter().filter(|k| k.is_some()).count();
        state.batches += 1;
        if state.batches >= 2 {
            // After the trial only its sampled values are held, so only they can recur.
            let asked = match state.batches {
                2 => hashes.iter().filter(|&&h| trial_sample(h)).count(),
                _ => ordered.len(),
            };
            if asked > 0 && hits * 20 < asked {
                // Fewer than 5 % of the values recur: the memo costs more than it saves.
                *state = MemoState { off: true, ..MemoState::default() };
            }
        }
        if state.off && filled >= CHUNK && ordered.len() * 20 > filled * 19 {
            // Nor do they repeat within a batch (one row per member): row by row from now on.
            state.plain = true;
        }
        if !state.off {
            // The first batch is a trial: one value in `TRIAL_SAMPLE` is held (a table with one
            // row per member does not fill ten memos with a batch each before turning them off).
            let trial = state.batches == 1;
            for (i, (&hash, computed)) in hashes.iter().zip(&computed).enumerate() {
                let value = ordered.get(i);
                if let Some(p) = computed.as_ref().filter(|_| !trial || trial_sample(hash)) {
                    state.insert(hash, value, p.text.as_deref(), p.invalid);
                }
            }
        }
    }
    drop(state);
    let mut stats = ColumnStats::default();
    for &slot in &slots {
        stats.count(kinds.get(slot as usize).copied().unwrap_or(EMPTY));
    }
    // An empty cell points past the spans (`get` gives `None`).
    values.rows = Some(slots);
    Ok((values, stats))
}

impl ColumnStats {
    /// Adds `other`'s counts.
    fn add(&mut self, other: &ColumnStats) {
        self.transformed += other.transformed;
        self.empty += other.empty;
        self.invalid += other.invalid;
    }

    fn count(&mut self, kind: u8) {
        match kind {
            EMPTY => self.empty += 1,
            INVALID => self.invalid += 1,
            _ => self.transformed += 1,
        }
    }
}

/// Rows (or distinct values) a rule is given at once: enough for the AES unit's widest
/// parallel call (64 blocks with VAES) several times over, and chunks enough per batch for
/// both threads.
const CHUNK: usize = 1024;

const NO_VALUE: u32 = u32::MAX;
const EMPTY: u8 = 0;
const TRANSFORMED: u8 = 1;
const INVALID: u8 = 2;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// One column of text cells.
    struct Column(Vec<String>);

    impl Cells for Column {
        fn rows(&self) -> usize {
            self.0.len()
        }
        fn cell(&self, _: usize, row: usize) -> Result<Option<Cow<'_, str>>, Undecodable> {
            Ok(Some(Cow::Borrowed(self.0[row].as_str())).filter(|v| !v.is_empty()))
        }
    }

    /// Reverses the value and counts its calls.
    struct Counting(AtomicUsize);

    impl Rule for Counting {
        fn apply(&self, value: &str, _: &[Option<&str>]) -> Result<Pseudonym, crate::rules::RuleError> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Ok(Pseudonym::valid(value.chars().rev().collect()))
        }
    }

    fn batches(values: impl Fn(usize) -> String, batches: usize, rows: usize) -> Vec<Column> {
        (0..batches).map(|b| Column((0..rows).map(|r| values(b * rows + r)).collect())).collect()
    }

    fn run(columns: &[Column], memo: Option<&Memo>) -> (Vec<Values>, usize) {
        let rule = Counting(AtomicUsize::new(0));
        let out = columns.iter().map(|c| transform_memoised(&rule, 0, &[], c, memo).unwrap().0).collect();
        (out, rule.0.load(Ordering::Relaxed))
    }

    /// Two columns (value, input); a cell `?` cannot be decoded.
    struct Pairs(Vec<(String, String)>);

    impl Cells for Pairs {
        fn rows(&self) -> usize {
            self.0.len()
        }
        fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, Undecodable> {
            let text = if column == 0 { &self.0[row].0 } else { &self.0[row].1 };
            match text.as_str() {
                "?" => Err(Undecodable),
                "" => Ok(None),
                t => Ok(Some(Cow::Borrowed(t))),
            }
        }
    }

    /// Joins the value and its input; refuses `bad`.
    struct Joining;

    impl Rule for Joining {
        fn apply(&self, value: &str, inputs: &[Option<&str>]) -> Result<Pseudonym, crate::rules::RuleError> {
            if value == "bad" {
                return Err(crate::rules::RuleError("refused".into()));
            }
            Ok(Pseudonym::valid(format!("{value}+{}", inputs[0].unwrap_or("-"))))
        }
    }

    #[test]
    fn rows_go_to_the_rule_in_chunks_and_come_back_in_order() {
        let rows = 3 * CHUNK + 17;
        let pairs = Pairs(
            (0..rows)
                .map(|i| (if i % 5 == 0 { String::new() } else { format!("v{i}") }, format!("{}", i % 7)))
                .collect(),
        );
        for (values, stats) in [
            transform_rows(&Joining, 0, &[1], &pairs).unwrap(),
            transform_memoised(&Joining, 0, &[1], &pairs, None).unwrap(),
        ] {
            assert_eq!(values.len(), rows);
            for (i, text) in values.iter().enumerate() {
                let expected = (i % 5 != 0).then(|| format!("v{i}+{}", i % 7));
                assert_eq!(text, expected.as_deref(), "row {i}");
            }
            let empty = rows.div_ceil(5) as u64;
            assert_eq!((stats.transformed, stats.empty), (rows as u64 - empty, empty));
        }
    }

    #[test]
    fn the_first_bad_row_of_a_chunk_is_the_one_reported() {
        let with = |cells: &[(usize, &str, &str)]| {
            let mut pairs: Vec<(String, String)> = (0..2 * CHUNK).map(|i| (format!("v{i}"), "x".into())).collect();
            for &(row, value, input) in cells {
                pairs[row] = (value.into(), input.into());
            }
            let pairs = Pairs(pairs);
            let outcome = |result: Result<(Values, ColumnStats), (usize, CellError)>| match result {
                Err((row, CellError::Rule(_))) => (row, "rule"),
                Err((row, CellError::Encoding)) => (row, "encoding"),
                Ok(_) => (0, "none"),
            };
            let rows = outcome(transform_rows(&Joining, 0, &[1], &pairs));
            assert_eq!(rows, outcome(transform_memoised(&Joining, 0, &[1], &pairs, None)), "the same on both paths");
            rows
        };
        // A refused value above an unreadable cell in the same chunk, and the other way round.
        assert_eq!(with(&[(CHUNK + 5, "bad", "x"), (CHUNK + 9, "?", "x")]), (CHUNK + 5, "rule"));
        assert_eq!(with(&[(CHUNK + 5, "v", "?"), (CHUNK + 9, "bad", "x")]), (CHUNK + 5, "encoding"));
        assert_eq!(with(&[(7, "?", "x")]), (7, "encoding"));
    }

    #[test]
    fn the_file_memo_saves_recurring_values_and_changes_nothing() {
        // 1,000 members, each in claims all over the file: every batch holds most of them.
        let claims = batches(|i| format!("{:011}", (i * 7919) % 1000), 10, 600);
        let (plain, calls_plain) = run(&claims, None);
        let memo = Memo::default();
        let (memoised, calls_memo) = run(&claims, Some(&memo));
        assert_eq!(plain, memoised, "the memo changes no value");
        // The first batch's values outside the trial sample are computed once more.
        assert!(calls_memo <= 1000 + 600 && calls_plain > 2 * calls_memo, "{calls_plain} / {calls_memo} computations");
        assert!(!memo.lock().off && memo.lock().entries.len() == 1000);
    }

    #[test]
    fn the_file_memo_turns_off_for_values_that_do_not_recur_and_stays_bounded() {
        let members = batches(|i| format!("m{i}"), 6, 500);
        let memo = Memo::default();
        let (memoised, _) = run(&members[..1], Some(&memo));
        let held = memo.lock().entries.len();
        assert!(held > 0 && held < 500 / 4, "a trial batch holds a sample: {held} of 500");
        let (rest, _) = run(&members[1..], Some(&memo));
        let memoised: Vec<Values> = memoised.into_iter().chain(rest).collect();
        assert_eq!(memoised, run(&members, None).0);
        let state = memo.lock();
        assert!(state.off && state.entries.is_empty(), "one row per member: the memo is dropped");
        drop(state);
        // Never more than MEMO_CAP values, whatever recurs.
        let memo = Memo::default();
        let many = batches(|i| format!("{}", i % (MEMO_CAP + 1000)), 2, MEMO_CAP + 1000);
        let (out, calls) = run(&many, Some(&memo));
        assert_eq!(out, run(&many, None).0);
        assert_eq!(memo.lock().entries.len(), MEMO_CAP, "full, and still on: the second batch repeats the first");
        let distinct = MEMO_CAP + 1000;
        let sampled = (0..distinct).filter(|i| trial_sample(hash_of(&i.to_string()))).count();
        assert_eq!(calls, 2 * distinct - sampled, "only the trial's sample is not computed twice");
    }

    /// Writes nothing for `n...`, marks `x...` invalid (a fake), reverses the rest.
    struct Mixed;

    impl Rule for Mixed {
        fn apply(&self, value: &str, _: &[Option<&str>]) -> Result<Pseudonym, crate::rules::RuleError> {
            Ok(match value.as_bytes()[0] {
                b'n' => Pseudonym { text: None, invalid: true },
                b'x' => Pseudonym { text: Some("fake".into()), invalid: true },
                _ => Pseudonym::valid(value.chars().rev().collect()),
            })
        }
    }

    #[test]
    fn memo_hits_keep_empty_pseudonyms_invalid_counts_and_empty_cells() {
        // Values recurring across batches, with empty cells, nulled and faked values among them.
        let value = |i: usize| match (i * 7) % 23 {
            0 => String::new(),
            1 | 2 => format!("n{}", i % 50),
            3 => format!("x{}", i % 40),
            _ => format!("v{}-é", i % 300),
        };
        let columns = batches(value, 8, 700);
        let apply = |memo: Option<&Memo>| -> Vec<(Vec<Option<String>>, ColumnStats)> {
            columns
                .iter()
                .map(|c| {
                    let (values, stats) = transform_memoised(&Mixed, 0, &[], c, memo).unwrap();
                    (values.iter().map(|v| v.map(str::to_string)).collect(), stats)
                })
                .collect()
        };
        let memo = Memo::default();
        let with = apply(Some(&memo));
        assert!(!memo.lock().off && memo.lock().entries.len() > 300, "the memo is used");
        let without = apply(None);
        assert_eq!(with, without);
        // And both against the rule applied to each cell alone.
        for (column, (texts, stats)) in columns.iter().zip(&without) {
            let mut expected = ColumnStats::default();
            for (cell, text) in column.0.iter().zip(texts) {
                let alone = (!cell.is_empty()).then(|| Mixed.apply(cell, &[]).unwrap());
                assert_eq!(text, &alone.as_ref().and_then(|p| p.text.clone()), "{cell:?}");
                expected.count(match alone {
                    None => EMPTY,
                    Some(Pseudonym { invalid: true, .. }) => INVALID,
                    Some(_) => TRANSFORMED,
                });
            }
            assert_eq!(stats, &expected);
        }
    }

    #[test]
    fn the_file_memo_holds_at_most_its_bytes_of_long_values() {
        // Notes of 2,000 bytes recurring in every batch: the memo stops at its byte budget.
        let note = |i: usize| format!("{:04}{}", i % 20_000, "note ".repeat(400));
        let columns = batches(note, 2, 20_000);
        let memo = Memo::default();
        let (memoised, _) = run(&columns, Some(&memo));
        assert_eq!(memoised, run(&columns, None).0);
        let state = memo.lock();
        assert!(!state.off && state.arena.capacity() <= MEMO_BYTES, "{} bytes", state.arena.capacity());
        assert!(state.arena.len() > MEMO_BYTES - 2 * 4_004, "filled up to the budget: {} bytes", state.arena.len());
        assert!(state.entries.len() < 20_000);
        drop(state);
        // One value with its pseudonym larger than the whole budget: never held, still right.
        let huge = |i: usize| if i % 3 == 0 { "h".repeat(MEMO_BYTES / 2 + 1) } else { format!("v{}", i % 5) };
        let columns = batches(huge, 3, 40);
        let memo = Memo::default();
        let (memoised, calls) = run(&columns, Some(&memo));
        assert_eq!(memoised, run(&columns, None).0);
        let state = memo.lock();
        assert!(state.entries.len() == 5 && state.arena.capacity() <= MEMO_BYTES, "only the short values are held");
        assert!(calls >= 3, "the long value is worked out in every batch: {calls} computations");
    }

    /// Refuses `bad`, reverses the rest; reads no input.
    struct Refusing;

    impl Rule for Refusing {
        fn apply(&self, value: &str, _: &[Option<&str>]) -> Result<Pseudonym, crate::rules::RuleError> {
            match value {
                "bad" => Err(crate::rules::RuleError("refused".into())),
                _ => Ok(Pseudonym::valid(value.chars().rev().collect())),
            }
        }
    }

    #[test]
    fn the_first_bad_row_of_a_batch_is_reported_on_every_path_and_thread() {
        // Bad values in several chunks (and an unreadable cell), the earliest one first or last
        // in the batch; a column without inputs, row by row and memoised.
        let rows = 6 * CHUNK;
        for bad in [
            vec![(CHUNK + 3, "bad"), (4 * CHUNK + 1, "bad"), (5 * CHUNK, "?")],
            vec![(5 * CHUNK + 7, "bad"), (2 * CHUNK + 9, "?"), (3 * CHUNK, "bad")],
            vec![(rows - 1, "bad")],
        ] {
            let mut pairs: Vec<(String, String)> = (0..rows).map(|i| (format!("v{i}"), String::new())).collect();
            for &(row, value) in &bad {
                pairs[row].0 = value.into();
            }
            let first = bad.iter().map(|&(row, _)| row).min().unwrap_or(0);
            let pairs = Pairs(pairs);
            for threads in [1, 2, 4] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                for _ in 0..5 {
                    let rows = pool.install(|| transform_rows(&Refusing, 0, &[], &pairs)).err().map(|e| e.0);
                    let memo = pool.install(|| transform_memoised(&Refusing, 0, &[], &pairs, None)).err().map(|e| e.0);
                    assert_eq!((rows, memo), (Some(first), Some(first)), "{threads} threads, bad rows {bad:?}");
                }
            }
        }
    }

    #[test]
    fn values_with_inputs_are_worked_out_once_and_a_column_of_unique_values_goes_row_by_row() {
        // Surnames with the row's language (or none): repeated pairs, and the same surname with
        // another language or a missing one, which must not be taken for the same value.
        let row = |i: usize| {
            let language = match i % 4 {
                0 => String::new(),
                k => format!("l{k}"),
            };
            (format!("s{}", (i * 31) % 90), language)
        };
        let batches: Vec<Pairs> = (0..6).map(|b| Pairs((0..800).map(|r| row(b * 800 + r)).collect())).collect();
        let memo = Memo::default();
        for batch in &batches {
            let (memoised, counted) = transform_column(&Joining, 0, &[1], batch, Some(&memo)).unwrap();
            let (rows, expected) = transform_rows(&Joining, 0, &[1], batch).unwrap();
            assert_eq!(memoised, rows);
            assert_eq!(counted, expected);
        }
        let pairs: std::collections::HashSet<(String, String)> = (0..6 * 800).map(row).collect();
        assert!(!memo.is_plain() && memo.lock().entries.len() == pairs.len(), "each pair held once");
        // One row per member: the memo turns off after its trial, then the batches go row by row.
        let unique: Vec<Pairs> =
            (0..5).map(|b| Pairs((0..1100).map(|r| (format!("m{}", b * 1100 + r), "l1".into())).collect())).collect();
        let memo = Memo::default();
        let mut plain = Vec::new();
        for batch in &unique {
            let (values, _) = transform_column(&Joining, 0, &[1], batch, Some(&memo)).unwrap();
            assert_eq!(values, transform_rows(&Joining, 0, &[1], batch).unwrap().0);
            plain.push(memo.is_plain());
        }
        assert_eq!(plain, [false, true, true, true, true]);
        // Without inputs too, with empty cells and counts; a small batch never decides.
        let small = Memo::default();
        let member = Memo::default();
        let mut plain = Vec::new();
        for b in 0..4 {
            let column = Column(
                (0..1300).map(|r| if r % 9 == 0 { String::new() } else { format!("n{}", b * 1300 + r) }).collect(),
            );
            let (values, counted) = transform_column(&Refusing, 0, &[], &column, Some(&member)).unwrap();
            let (expected, expected_counts) = transform_rows(&Refusing, 0, &[], &column).unwrap();
            assert_eq!((values, counted), (expected, expected_counts));
            plain.push(member.is_plain());
            let few = Column((0..10).map(|r| format!("s{}", b * 10 + r)).collect());
            transform_column(&Refusing, 0, &[], &few, Some(&small)).unwrap();
        }
        assert_eq!(plain, [false, true, true, true]);
        assert!(!small.is_plain(), "10 values a batch tell nothing");
    }

    #[test]
    fn memo_keys_keep_the_parts_of_a_row_apart() {
        let key = |parts: &[Option<&str>]| {
            let mut key = String::new();
            for &part in parts {
                push_key_part(&mut key, part);
            }
            key
        };
        // Values and inputs that would run together if simply joined.
        let rows: &[&[Option<&str>]] = &[
            &[Some("ab"), Some("c")],
            &[Some("a"), Some("bc")],
            &[Some("ab"), None],
            &[Some("ab"), Some("")],
            &[Some("ab"), Some("-")],
            &[Some("2:ab"), None],
            &[Some("a"), Some("1:b")],
            &[Some("a:1"), Some("b")],
        ];
        let keys: std::collections::HashSet<String> = rows.iter().map(|r| key(r)).collect();
        assert_eq!(keys.len(), rows.len());
        for n in [0, 1, 9, 10, 99, 100, 1234, 70_000] {
            let text = "é".repeat(n);
            assert_eq!(key(&[Some(&text), None]), format!("{}:{text}-", text.len()), "a part of {n} letters");
        }
    }
}
