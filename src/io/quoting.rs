//! A watch over a CSV byte stream for what the `csv` crate forgives but which loses or merges
//! data; `CsvSource` reads every file through it.

use std::io::Read;

use super::csv::UTF8_BOM;

const BOM_PROBLEM: &str = "a byte-order mark starts this line: are two files joined into one?";

/// A quoting fault the CSV parser would accept silently, found while the bytes stream past.
#[derive(Debug)]
pub(super) struct QuoteFault {
    /// Line of the fault (1-based; where the field opened, for one never closed).
    pub line: u64,
    pub problem: &'static str,
}

impl std::fmt::Display for QuoteFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.problem)
    }
}

impl std::error::Error for QuoteFault {}

/// Watches a CSV byte stream for what the `csv` crate forgives but which loses or merges data:
/// a quoted field never closed (it swallows every following row, or the end of the file), text
/// right after a closing quote (`"abc"def` would become `abcdef`), and a byte-order mark at the
/// start of a later line (two files joined into one). Only quotes and `0xEF` bytes are looked at
/// (`memchr`), so the check costs little beside parsing. A quote inside an unquoted field
/// (`12" buis`) is kept literally by the parser and is accepted.
pub(super) struct QuoteCheck<R> {
    inner: R,
    separator: u8,
    /// Inside a quoted field.
    quoted: bool,
    /// Inside a quoted field, the last byte read was a quote: closing or the first of `""`.
    quote_pending: bool,
    /// The byte before the current chunk (`\n` at the start of the file).
    previous: u8,
    /// Line of the first byte of the current chunk, and where the quoted field opened.
    line: u64,
    opened_line: u64,
    /// No byte read yet.
    start: bool,
    /// How many bytes of a line-opening BOM ended the previous chunk (0: none).
    bom_pending: usize,
    /// The last two chunks passed on, with the offset of their first byte: the parser asks
    /// what ended a record it has just read (`byte_at`).
    recent: [(u64, Vec<u8>); 2],
    /// Bytes passed on so far.
    passed: u64,
}

impl<R: Read> QuoteCheck<R> {
    pub fn new(inner: R, separator: u8) -> Self {
        QuoteCheck {
            inner,
            separator,
            quoted: false,
            quote_pending: false,
            previous: b'\n',
            line: 1,
            opened_line: 0,
            start: true,
            bom_pending: 0,
            recent: [(0, Vec::new()), (0, Vec::new())],
            passed: 0,
        }
    }

    /// The byte at `offset` of the stream, if it was among the last two chunks passed on.
    pub fn byte_at(&self, offset: u64) -> Option<u8> {
        self.recent.iter().find_map(|(start, bytes)| {
            let at = offset.checked_sub(*start)?;
            bytes.get(usize::try_from(at).ok()?).copied()
        })
    }

    fn fault(line: u64, problem: &'static str) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, QuoteFault { line, problem })
    }

    /// Checks one chunk; `line_at` turns a position into a line number, counting newlines once.
    fn scan(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let ends_field = |b: u8, sep: u8| b == sep || b == b'\n' || b == b'\r';
        let mut counted = 0usize;
        let mut line = self.line;
        let mut line_at = |pos: usize| {
            line += memchr::memchr_iter(b'\n', &buf[counted..pos]).count() as u64;
            counted = pos;
            line
        };
        // A line-opening BOM whose first bytes ended the previous chunk.
        if self.bom_pending > 0 && !buf.is_empty() {
            let rest = &UTF8_BOM[self.bom_pending..];
            let seen = rest.len().min(buf.len());
            if buf[..seen] == rest[..seen] {
                if seen == rest.len() {
                    return Err(Self::fault(line_at(0), BOM_PROBLEM));
                }
                self.bom_pending += seen;
            } else {
                self.bom_pending = 0;
            }
        }
        let mut i = 0;
        if self.quote_pending && !buf.is_empty() {
            self.quote_pending = false;
            if buf[0] == b'"' {
                i = 1;
            } else if ends_field(buf[0], self.separator) {
                self.quoted = false;
            } else {
                return Err(Self::fault(line_at(0), "text follows the closing quote of a field"));
            }
        }
        while i < buf.len() {
            if self.quoted {
                let Some(q) = memchr::memchr(b'"', &buf[i..]).map(|q| i + q) else { break };
                match buf.get(q + 1) {
                    None => {
                        self.quote_pending = true;
                        i = q + 1;
                    }
                    Some(b'"') => i = q + 2,
                    Some(&b) if ends_field(b, self.separator) => {
                        self.quoted = false;
                        i = q + 1;
                    }
                    Some(_) => return Err(Self::fault(line_at(q), "text follows the closing quote of a field")),
                }
            } else {
                let Some(q) = memchr::memchr2(b'"', 0xEF, &buf[i..]).map(|q| i + q) else { break };
                let before = if q == 0 { self.previous } else { buf[q - 1] };
                if buf[q] == 0xEF {
                    let first = q == 0 && self.start;
                    if before == b'\n' && !first {
                        if buf[q..].starts_with(UTF8_BOM) {
                            return Err(Self::fault(line_at(q), BOM_PROBLEM));
                        }
                        if UTF8_BOM.starts_with(&buf[q..]) {
                            // Cut by the chunk's end: the next chunk tells.
                            self.bom_pending = buf.len() - q;
                        }
                    }
                } else if ends_field(before, self.separator) {
                    self.quoted = true;
                    self.opened_line = line_at(q);
                }
                i = q + 1;
            }
        }
        if let Some(&last) = buf.last() {
            self.previous = last;
            self.start = false;
        }
        self.line = line_at(buf.len());
        Ok(())
    }
}

impl<R: Read> Read for QuoteCheck<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        if n == 0 && self.quoted && !self.quote_pending {
            return Err(Self::fault(self.opened_line, "a quoted field opens on this line and is never closed"));
        }
        self.scan(&out[..n])?;
        if n > 0 {
            self.recent.swap(0, 1);
            let (start, bytes) = &mut self.recent[1];
            *start = self.passed;
            bytes.clear();
            bytes.extend_from_slice(&out[..n]);
            self.passed += n as u64;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads `bytes` through the check in chunks of `chunk` bytes; the fault's line and problem.
    fn check(bytes: &[u8], chunk: usize) -> Option<(u64, &'static str)> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut reader = QuoteCheck::new(Chunks(bytes, chunk), b';');
        let mut sink = Vec::new();
        match reader.read_to_end(&mut sink) {
            Ok(_) => None,
            Err(e) => e.get_ref().and_then(|e| e.downcast_ref::<QuoteFault>()).map(|f| (f.line, f.problem)),
        }
    }

    #[test]
    fn faults_are_found_whatever_the_chunk_boundaries() {
        let cases: [(&[u8], Option<u64>); 8] = [
            (b"a;b\n1;\"x\"\"y\"\r\n2;3\n", None),
            (b"a;b\n1;\"x\ny\"\n12\" buis;3\n", None),
            (b"\xEF\xBB\xBFa;b\n1;2\n", None),
            (b"a;b\n1;\"open\n2;3\n", Some(2)),
            (b"a;b\n1;2\n3;\"x\"y\n", Some(3)),
            (b"a;b\n1;2\n\xEF\xBB\xBFa;b\n", Some(3)),
            (b"a;b\n1;\"x\n\xEF\xBB\xBFy\"\n", None),
            (b"a;b\n1;\"x\"", None),
        ];
        for (bytes, line) in cases {
            for chunk in 1..=bytes.len() {
                assert_eq!(
                    check(bytes, chunk).map(|f| f.0),
                    line,
                    "{:?} in chunks of {chunk}",
                    String::from_utf8_lossy(bytes)
                );
            }
        }
    }
}
