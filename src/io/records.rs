//! A batch of CSV records held flat: every field's bytes back to back in one buffer and where
//! each field ends, instead of two heap blocks per record. A cell is two reads from arrays, a
//! batch is three allocations that the reader reuses, and a UTF-8 batch is checked once, whole,
//! instead of once per record and again per cell.

use std::borrow::Cow;

use csv::ByteRecord;

use super::csv::CsvFormat;
use super::Undecodable;
use crate::mapping::Encoding;

/// Records of one CSV batch, each with the same number of fields.
#[derive(Debug, Default)]
pub struct Records {
    /// Fields per record (the reader refuses records of another width).
    width: usize,
    /// Every field's bytes, record after record; empty once `text` holds them.
    bytes: Vec<u8>,
    /// The same bytes as text, once the batch was found valid UTF-8 (a UTF-8 file).
    text: Option<String>,
    /// Where each field ends in the buffer, record-major.
    ends: Vec<usize>,
    /// Physical line (from 1) where each record starts.
    lines: Vec<u64>,
    /// Byte offset in the file where the last record starts (for progress).
    last_offset: u64,
}

impl Records {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Where record `row` starts in the file: its physical line, 0 if there is no such record.
    pub fn line(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    /// Byte offset in the file where the batch's last record starts.
    pub fn last_offset(&self) -> u64 {
        self.last_offset
    }

    fn buffer(&self) -> &[u8] {
        self.text.as_ref().map_or(&self.bytes, String::as_bytes)
    }

    /// The byte range of field `column` of record `row`.
    fn span(&self, row: usize, column: usize) -> Option<(usize, usize)> {
        if column >= self.width || row >= self.len() {
            return None;
        }
        let i = row * self.width + column;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some((start, self.ends[i]))
    }

    /// The raw bytes of field `column` of record `row` (`None` past the record's end).
    pub fn get(&self, row: usize, column: usize) -> Option<&[u8]> {
        self.span(row, column).map(|(start, end)| &self.buffer()[start..end])
    }

    /// Field `column` of record `row` as text in `format`'s encoding; `None` when empty.
    pub fn cell(&self, format: &CsvFormat, row: usize, column: usize) -> Result<Option<Cow<'_, str>>, Undecodable> {
        let Some((start, end)) = self.span(row, column).filter(|(start, end)| start < end) else {
            return Ok(None);
        };
        match &self.text {
            // `seal` refused a field boundary inside a character: never fails on a sealed batch.
            Some(text) => text.get(start..end).map(|t| Some(Cow::Borrowed(t))).ok_or(Undecodable),
            None => format.decode(&self.bytes[start..end]).map(Some).ok_or(Undecodable),
        }
    }

    /// The buffer as bytes, taken out of the batch (from `text` if it holds them).
    fn take_bytes(&mut self) -> Vec<u8> {
        match self.text.take() {
            Some(text) => text.into_bytes(),
            None => std::mem::take(&mut self.bytes),
        }
    }

    /// Empties the batch, keeping its allocations.
    pub fn clear(&mut self) {
        self.bytes = self.take_bytes();
        self.bytes.clear();
        self.ends.clear();
        self.lines.clear();
        self.width = 0;
        self.last_offset = 0;
    }

    /// Appends `record`, which starts at physical `line` and byte `offset` of the file.
    pub(super) fn push(&mut self, record: &ByteRecord, line: u64, offset: u64) {
        debug_assert!(self.text.is_none(), "a sealed batch is not appended to");
        if self.is_empty() {
            self.width = record.len();
        }
        let base = self.bytes.len();
        self.bytes.extend_from_slice(record.as_slice());
        let mut end = base;
        for field in record.iter() {
            end += field.len();
            self.ends.push(end);
        }
        self.lines.push(line);
        self.last_offset = offset;
    }

    /// For a UTF-8 file: holds the batch as text if every field is valid UTF-8, else gives the
    /// first record with one that is not. Checked once for the whole batch, then every field's
    /// end must fall between characters (a character cut by a separator, `x\xc3,\xa9y`, is two
    /// invalid fields, kept ones included, although the bytes join up into text).
    pub(super) fn seal(&mut self, encoding: Encoding) -> Result<(), usize> {
        if encoding != Encoding::Utf8 || self.text.is_some() {
            return Ok(());
        }
        match String::from_utf8(self.take_bytes()) {
            Ok(text) => match self.ends.iter().position(|&end| !text.is_char_boundary(end)) {
                None => {
                    self.text = Some(text);
                    Ok(())
                }
                Some(field) => {
                    self.bytes = text.into_bytes();
                    Err(field / self.width.max(1))
                }
            },
            Err(e) => {
                self.bytes = e.into_bytes();
                // Field by field: a record whose cut character joins up is refused as well.
                let row = (0..self.len()).find(|&row| self.record(row).any(|f| std::str::from_utf8(f).is_err()));
                Err(row.unwrap_or(0))
            }
        }
    }

    /// The byte range of record `row`, all its fields.
    fn record_span(&self, row: usize) -> (usize, usize) {
        if self.width == 0 {
            return (0, 0);
        }
        let start = if row == 0 { 0 } else { self.ends[row * self.width - 1] };
        (start, self.ends[(row + 1) * self.width - 1])
    }

    /// The fields of record `row`.
    pub fn record(&self, row: usize) -> impl Iterator<Item = &[u8]> {
        (0..self.width).filter_map(move |column| self.get(row, column))
    }

    /// Keeps the records for which `keep(self, row)` holds, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Records, usize) -> bool) {
        let kept: Vec<bool> = (0..self.len()).map(|row| keep(self, row)).collect();
        if kept.iter().all(|&k| k) {
            return;
        }
        let was_text = self.text.is_some();
        let mut bytes = self.take_bytes();
        let (mut to_byte, mut to_row) = (0usize, 0usize);
        for (row, _) in kept.iter().enumerate().filter(|(_, &k)| k) {
            let (start, end) = self.record_span(row);
            bytes.copy_within(start..end, to_byte);
            for column in 0..self.width {
                self.ends[to_row * self.width + column] = self.ends[row * self.width + column] - start + to_byte;
            }
            self.lines[to_row] = self.lines[row];
            to_byte += end - start;
            to_row += 1;
        }
        bytes.truncate(to_byte);
        self.ends.truncate(to_row * self.width);
        self.lines.truncate(to_row);
        // Whole records were moved, each starting on a character: what was text still is.
        if !was_text {
            self.bytes = bytes;
            return;
        }
        match String::from_utf8(bytes) {
            Ok(text) => self.text = Some(text),
            Err(e) => self.bytes = e.into_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&[u8]]) -> ByteRecord {
        ByteRecord::from(fields.to_vec())
    }

    /// A batch of two-field records on lines 1, 2, 3...
    fn batch_of(rows: &[[&[u8]; 2]]) -> Records {
        let mut batch = Records::default();
        for (i, r) in rows.iter().enumerate() {
            batch.push(&record(r), i as u64 + 1, 8 * i as u64);
        }
        batch
    }

    fn utf8() -> CsvFormat {
        CsvFormat {
            separator: b',',
            encoding: Encoding::Utf8,
            bom: false,
            crlf: false,
            quoting: crate::io::csv::Quoting::Necessary,
            final_newline: true,
            header: true,
        }
    }

    #[test]
    fn fields_come_back_as_pushed_and_retain_keeps_order() {
        let mut batch = Records::default();
        let rows: Vec<Vec<&[u8]>> = vec![
            vec![b"1", b"", "Zo\u{eb}".as_bytes()],
            vec![b"22", b"x", b""],
            vec![b"", b"", b""],
            vec![b"4444", "\u{e9}t\u{e9}".as_bytes(), b"last"],
        ];
        for (i, r) in rows.iter().enumerate() {
            batch.push(&record(r), 10 + i as u64, 100 * i as u64);
        }
        for sealed in [false, true] {
            if sealed {
                batch.seal(Encoding::Utf8).unwrap();
                assert!(batch.text.is_some());
            }
            assert_eq!(batch.len(), 4);
            for (row, r) in rows.iter().enumerate() {
                for (column, field) in r.iter().enumerate() {
                    assert_eq!(batch.get(row, column), Some(*field));
                    let cell = batch.cell(&utf8(), row, column).unwrap();
                    assert_eq!(cell.as_deref().map(str::as_bytes), Some(*field).filter(|f| !f.is_empty()));
                }
                assert_eq!(batch.get(row, 3), None);
                assert_eq!(batch.line(row), 10 + row as u64);
                assert_eq!(batch.record(row).collect::<Vec<_>>(), *r);
            }
            assert_eq!(batch.last_offset(), 300);
        }
        batch.retain(|b, row| b.get(row, 0) != Some(b"22") && b.get(row, 0) != Some(b""));
        assert!(batch.text.is_some(), "still text after retain");
        assert_eq!(batch.len(), 2);
        assert_eq!(batch.record(0).collect::<Vec<_>>(), rows[0]);
        assert_eq!(batch.record(1).collect::<Vec<_>>(), rows[3]);
        assert_eq!((batch.line(0), batch.line(1), batch.line(2)), (10, 13, 0));
        batch.retain(|_, _| false);
        assert!(batch.is_empty() && batch.get(0, 0).is_none());
        batch.clear();
        batch.push(&record(&[b"a", b"b"]), 1, 0);
        assert_eq!(batch.record(0).collect::<Vec<_>>(), vec![&b"a"[..], b"b"]);
    }

    #[test]
    fn a_utf8_batch_is_refused_at_its_first_bad_record() {
        let mut batch = batch_of(&[[b"ok", b"fine"], [b"bad \xff", b"x"], [b"\xfe", b"y"]]);
        assert_eq!(batch.seal(Encoding::Utf8), Err(1));
        assert_eq!(batch.get(1, 0), Some(&b"bad \xff"[..]), "the bytes are kept for the message");
        // Windows-1252: every byte is a character; `retain` of a batch that is not text, row 0 out.
        let windows = CsvFormat { encoding: Encoding::Windows1252, ..utf8() };
        assert_eq!(batch.cell(&windows, 1, 0).unwrap().unwrap(), "bad \u{ff}");
        batch.retain(|_, row| row > 0);
        assert_eq!((batch.len(), batch.line(0), batch.line(1)), (2, 2, 3));
        assert_eq!(batch.record(0).collect::<Vec<_>>(), vec![&b"bad \xff"[..], b"x"]);
        assert_eq!(batch.cell(&windows, 1, 0).unwrap().unwrap(), "\u{fe}");
        // A cut character that joins up, before a bad byte: the cut record is named, not the later one.
        let mut batch = batch_of(&[[b"ok", b"fine"], [b"x\xc3", b"\xa9y"], [b"\xff", b"z"]]);
        assert_eq!(batch.seal(Encoding::Utf8), Err(1));
    }

    #[test]
    fn a_character_split_across_records_or_fields_is_not_text() {
        // \xc3\xa9 is `é`: valid when the whole batch is read as one text, not per field.
        let mut batch = batch_of(&[[b"ok", b"fine"], [b"a", b"\xc3"], [b"\xa9", b"b"]]);
        assert_eq!(batch.seal(Encoding::Utf8), Err(1));
        // Within one record: refused too, at the record.
        let mut batch = batch_of(&[[b"ok", b"fine"], [b"ok", b"fine"], [b"x\xc3", b"\xa9y"]]);
        assert_eq!(batch.seal(Encoding::Utf8), Err(2));
        assert_eq!(batch.get(2, 1), Some(&b"\xa9y"[..]));
        // A multi-byte character inside one field is fine.
        let mut batch = batch_of(&[["\u{e9}".as_bytes(), "\u{1f600}x".as_bytes()]]);
        assert_eq!(batch.seal(Encoding::Utf8), Ok(()));
        assert_eq!(batch.cell(&utf8(), 0, 1).unwrap().unwrap(), "\u{1f600}x");
    }
}
