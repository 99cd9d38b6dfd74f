//! Text access to the cells of one batch, whatever the file format: what readers offer and
//! the run loop, `check` and `verify` consume.

use std::borrow::Cow;

/// A cell whose bytes are not valid in the file's encoding (the caller names file, line, column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Undecodable;

/// Text access to the cells of one batch, whatever the file format.
pub trait Cells: Sync {
    /// Number of rows in the batch.
    fn rows(&self) -> usize;
    /// The cell at `column` (source index) and `row`; `None` when empty or null.
    fn cell(&self, column: usize, row: usize) -> Result<Option<Cow<'_, str>>, Undecodable>;
}
