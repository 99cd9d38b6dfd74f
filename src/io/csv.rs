//! CSV: format detection (encoding, separator, line ending, quoting), a batch reader of raw
//! byte records and a writer that reproduces the input's conventions.
//!
//! Records are parsed as bytes: separators and quotes are ASCII in both UTF-8 and Windows-1252,
//! so `keep` columns are copied byte for byte and only transformed cells are decoded.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use csv::{ByteRecord, QuoteStyle};

use super::quoting::{QuoteCheck, QuoteFault};
use super::{IoError, Records};
use crate::mapping::{CsvOptions, Encoding};

pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const SNIFF_BYTES: usize = 64 * 1024;

/// The conventions of one CSV file, detected or taken from the mapping.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CsvFormat {
    #[serde(serialize_with = "serialize_separator")]
    pub separator: u8,
    pub encoding: Encoding,
    /// The file starts with a UTF-8 byte-order mark.
    pub bom: bool,
    /// Lines end with CR LF.
    pub crlf: bool,
    /// Which fields are quoted on output, as the input did.
    pub quoting: Quoting,
    /// The file ends with a line ending (most do); kept as it was.
    pub final_newline: bool,
    /// The first line names the columns.
    pub header: bool,
}

fn serialize_separator<S: serde::Serializer>(sep: &u8, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&(*sep as char).to_string())
}

impl CsvFormat {
    /// The format written for a table that did not come from CSV: `,`, UTF-8, LF.
    pub fn plain() -> CsvFormat {
        CsvFormat {
            separator: b',',
            encoding: Encoding::Utf8,
            bom: false,
            crlf: false,
            quoting: Quoting::Necessary,
            final_newline: true,
            header: true,
        }
    }

    /// Detects the format of `path`; options given in the mapping win over detection.
    pub fn detect(path: &Path, options: &CsvOptions) -> Result<CsvFormat, IoError> {
        let mut file = File::open(path).map_err(|source| IoError::Open { path: path.into(), source })?;
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut file)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|source| IoError::Read { path: path.into(), source })?;
        let bom = head.starts_with(UTF8_BOM);
        let body = if bom { &head[UTF8_BOM.len()..] } else { &head[..] };
        let encoding = match options.encoding {
            Some(e) => e,
            None if bom => Encoding::Utf8,
            None => {
                file.seek(SeekFrom::Start(0)).map_err(|source| IoError::Read { path: path.into(), source })?;
                if is_utf8(&mut file).map_err(|source| IoError::Read { path: path.into(), source })? {
                    Encoding::Utf8
                } else {
                    Encoding::Windows1252
                }
            }
        };
        let header = first_line(body);
        let separator = options.separator.unwrap_or_else(|| sniff_separator(header.bytes));
        let second_start = (header.bytes.len() + if header.crlf { 2 } else { 1 }).min(body.len());
        let quoting = sniff_quoting(header.bytes, first_line(&body[second_start..]).bytes, separator);
        let final_newline =
            ends_with_newline(&mut file).map_err(|source| IoError::Read { path: path.into(), source })?;
        Ok(CsvFormat { separator, encoding, bom, crlf: header.crlf, quoting, final_newline, header: options.header })
    }

    /// Name of the encoding, for messages.
    pub fn encoding_name(&self) -> &'static str {
        match self.encoding {
            Encoding::Utf8 => "UTF-8",
            Encoding::Windows1252 => "Windows-1252",
        }
    }

    /// Decodes one field of this file's encoding; `None` if it is not valid UTF-8.
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Option<Cow<'a, str>> {
        match self.encoding {
            Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            Encoding::Windows1252 => Some(encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0),
        }
    }

    /// Encodes text into this file's encoding; characters Windows-1252 lacks become `?`.
    pub fn encode<'a>(&self, text: &'a str) -> Cow<'a, [u8]> {
        if self.encoding == Encoding::Utf8 || text.is_ascii() {
            return Cow::Borrowed(text.as_bytes());
        }
        let mut out = Vec::with_capacity(text.len());
        let mut buf = [0u8; 4];
        for ch in text.chars() {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(ch.encode_utf8(&mut buf));
            if unmappable {
                out.push(b'?');
            } else {
                out.extend_from_slice(&bytes);
            }
        }
        Cow::Owned(out)
    }
}

/// Quoting styles seen in exports: minimal (RFC 4180), every field, every non-numeric field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Quoting {
    Necessary,
    Always,
    NonNumeric,
}

/// Guesses the quoting style from the header line and the first data line.
fn sniff_quoting(header: &[u8], data: &[u8], separator: u8) -> Quoting {
    let quoted = |f: &&[u8]| f.first() == Some(&b'"');
    if header.is_empty() || !split_unquoted(header, separator).iter().all(quoted) {
        return Quoting::Necessary;
    }
    let fields = split_unquoted(data, separator);
    if data.is_empty() || fields.iter().all(quoted) {
        return Quoting::Always;
    }
    let numeric = |f: &&[u8]| std::str::from_utf8(f).is_ok_and(|t| t.parse::<f64>().is_ok());
    if fields.iter().filter(|f| !quoted(f)).all(numeric) {
        Quoting::NonNumeric
    } else {
        Quoting::Necessary
    }
}

/// Whether the file's last byte is a line feed (an empty file counts as ending with one).
fn ends_with_newline(file: &mut File) -> std::io::Result<bool> {
    if file.metadata()?.len() == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// Streams `reader` and tells whether all of it is valid UTF-8.
fn is_utf8(reader: &mut impl Read) -> std::io::Result<bool> {
    let mut buf = vec![0u8; 1 << 20];
    let mut carry = 0usize;
    loop {
        let n = reader.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(carry == 0);
        }
        let filled = carry + n;
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                // A multi-byte sequence cut by the buffer end: keep its bytes for the next read.
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

struct FirstLine<'a> {
    bytes: &'a [u8],
    crlf: bool,
}

/// The first record's bytes (newlines inside quotes do not end it) and its line ending.
fn first_line(body: &[u8]) -> FirstLine<'_> {
    let mut quoted = false;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => {
                let crlf = i > 0 && body[i - 1] == b'\r';
                let end = if crlf { i - 1 } else { i };
                return FirstLine { bytes: &body[..end], crlf };
            }
            _ => {}
        }
    }
    FirstLine { bytes: body, crlf: false }
}

/// Picks the candidate separator that occurs most often outside quotes (ties: `;` `,` tab `|`).
fn sniff_separator(line: &[u8]) -> u8 {
    let candidates = [b';', b',', b'\t', b'|'];
    let mut best = (b',', 0usize);
    for sep in candidates {
        let count = split_unquoted(line, sep).len() - 1;
        if count > best.1 {
            best = (sep, count);
        }
    }
    best.0
}

fn split_unquoted(line: &[u8], sep: u8) -> Vec<&[u8]> {
    let mut fields = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, &b) in line.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == sep && !quoted {
            fields.push(&line[start..i]);
            start = i + 1;
        }
    }
    fields.push(&line[start..]);
    fields
}

/// Reads a CSV file in batches of raw byte records.
pub struct CsvSource {
    path: PathBuf,
    reader: csv::Reader<QuoteCheck<BufReader<Box<dyn Read + Send>>>>,
    format: CsvFormat,
    header: Vec<String>,
    records: u64,
    /// Physical line (1-based) where the last record read starts; blank lines before it and
    /// newlines inside quotes count.
    start_line: u64,
    /// The lowest line the next record can start on.
    next_line: u64,
    /// The first record of a header-less file (read for its width), its line and byte offset.
    pending: Option<(ByteRecord, u64, u64)>,
    /// The record being read.
    scratch: ByteRecord,
}

impl CsvSource {
    /// Opens `path` with `format`, reading the header (or naming columns `column_1`... without one).
    pub fn open(path: &Path, format: CsvFormat) -> Result<CsvSource, IoError> {
        let mut file = File::open(path).map_err(|source| IoError::Open { path: path.into(), source })?;
        if format.bom {
            file.seek(SeekFrom::Start(UTF8_BOM.len() as u64))
                .map_err(|source| IoError::Read { path: path.into(), source })?;
        }
        CsvSource::from_reader(path, Box::new(file), format)
    }

    /// Reads records of `format` from `input` (a stream: standard input), after any BOM; `name`
    /// names it in errors.
    pub fn from_reader(name: &Path, input: Box<dyn Read + Send>, format: CsvFormat) -> Result<CsvSource, IoError> {
        let path = name;
        let reader = csv::ReaderBuilder::new()
            .delimiter(format.separator)
            .has_headers(false)
            .flexible(false)
            .buffer_capacity(1 << 20)
            .from_reader(QuoteCheck::new(BufReader::with_capacity(1 << 20, input), format.separator));
        let mut source = CsvSource {
            path: path.into(),
            reader,
            format,
            header: Vec::new(),
            records: 0,
            start_line: 1,
            next_line: 1,
            pending: None,
            scratch: ByteRecord::new(),
        };
        let mut first = ByteRecord::new();
        if !source.read_record(&mut first)? {
            return Err(IoError::Empty { path: path.into() });
        }
        if source.format.header {
            source.header = first
                .iter()
                .map(|f| source.format.decode(f).map(|s| s.into_owned()))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| IoError::HeaderEncoding {
                    path: path.into(),
                    encoding: source.format.encoding_name(),
                })?;
            if let Some(name) = source.header.first_mut() {
                // A BOM the mapping's explicit encoding made us miss must not stick to the name.
                if let Some(stripped) = name.strip_prefix('\u{feff}') {
                    *name = stripped.to_string();
                }
            }
            if let Some(field) = super::header::data_in_header(&source.header) {
                return Err(IoError::DataInHeader { path: path.into(), field });
            }
            source.records = 0;
        } else {
            source.header = (1..=first.len()).map(|i| format!("column_{i}")).collect();
            let offset = first.position().map_or(0, |p| p.byte());
            source.pending = Some((first, source.start_line, offset));
        }
        Ok(source)
    }

    /// Column names, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The file's format.
    pub fn format(&self) -> &CsvFormat {
        &self.format
    }

    /// Reads the next record into `record`; `false` at the end of the file.
    fn read_record(&mut self, record: &mut ByteRecord) -> Result<bool, IoError> {
        match self.reader.read_byte_record(record) {
            Ok(more) => {
                if more {
                    self.records += 1;
                    self.place(record);
                    // The header of a UTF-8 file; data records are checked a batch at a time.
                    if self.header.is_empty()
                        && self.format.encoding == Encoding::Utf8
                        && std::str::from_utf8(record.as_slice()).is_err()
                    {
                        return Err(IoError::HeaderEncoding { path: self.path.clone(), encoding: "UTF-8" });
                    }
                }
                Ok(more)
            }
            Err(e) => {
                if let csv::ErrorKind::UnequalLengths { .. } = e.kind() {
                    // The whole record was read: its line is known as a good one's.
                    self.place(record);
                }
                Err(self.malformed(&e))
            }
        }
    }

    /// Works out the line the record just read starts on. The reader counts the line feeds it
    /// has passed, those of the blank lines it skips too: the record started as many lines
    /// before where it stopped as it holds line feeds, and one more when its own line ending was
    /// a feed the reader passed (an LF; not the CR of a CRLF, whose LF the next read passes, nor
    /// the end of a file without a last line ending). A record starts below the one before,
    /// whatever ends its lines (a lone CR counts as a line ending here, not for the reader).
    fn place(&mut self, record: &ByteRecord) {
        let feeds = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
        let end = self.reader.position();
        let own = match end.byte().checked_sub(1).and_then(|last| self.reader.get_ref().byte_at(last)) {
            Some(byte) => byte == b'\n',
            // Not among the bytes held (never seen): as the first line ends.
            None => !self.format.crlf,
        };
        self.start_line = end.line().saturating_sub(feeds + u64::from(own)).max(self.next_line);
        self.next_line = self.start_line + 1 + feeds;
    }

    /// The error for a record of a UTF-8 file with bytes that are not UTF-8: line and column.
    fn not_utf8(&self, batch: &Records, row: usize) -> IoError {
        let field = batch.record(row).position(|f| std::str::from_utf8(f).is_err()).unwrap_or(0);
        let column = self.header.get(field).cloned().unwrap_or_else(|| format!("column_{}", field + 1));
        IoError::Encoding { path: self.path.clone(), line: batch.line(row), column, encoding: "UTF-8" }
    }

    fn malformed(&self, e: &csv::Error) -> IoError {
        if let csv::ErrorKind::Io(err) = e.kind() {
            if let Some(fault) = err.get_ref().and_then(|e| e.downcast_ref::<QuoteFault>()) {
                return IoError::Quoting { path: self.path.clone(), line: fault.line, problem: fault.problem };
            }
        }
        let (line, problem) = match e.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                (self.start_line, format!("{len} fields where the header has {expected_len}"))
            }
            csv::ErrorKind::Io(err) => (0, format!("read error: {}", err.kind())),
            _ => (e.position().map_or(0, |p| p.line()), "unreadable record".to_string()),
        };
        IoError::Malformed { path: self.path.clone(), line, record: self.records + 1, problem }
    }

    /// Fills `batch` with up to `max` records (reusing its allocations); returns how many were
    /// read. A UTF-8 file (declared, or detected by a check of every byte) is held to it in
    /// every field, kept ones too, which are copied without being decoded.
    pub fn next_batch(&mut self, batch: &mut Records, max: usize) -> Result<usize, IoError> {
        batch.clear();
        if let Some((first, line, offset)) = self.pending.take() {
            batch.push(&first, line, offset);
        }
        let mut record = std::mem::take(&mut self.scratch);
        while batch.len() < max {
            match self.read_record(&mut record) {
                Ok(true) => batch.push(&record, self.start_line, record.position().map_or(0, |p| p.byte())),
                Ok(false) => break,
                Err(e) => {
                    // A record before the broken one that is not UTF-8 comes first.
                    batch.seal(self.format.encoding).map_err(|row| self.not_utf8(batch, row))?;
                    return Err(e);
                }
            }
        }
        self.scratch = record;
        batch.seal(self.format.encoding).map_err(|row| self.not_utf8(batch, row))?;
        Ok(batch.len())
    }

    /// Number of data records read so far.
    pub fn records(&self) -> u64 {
        self.records
    }
}

/// A stream reader that records whether the last byte it passed on was a line feed (the stream's
/// `final_newline`, which a stream cannot tell in advance).
pub struct LastByte<R> {
    inner: R,
    newline: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<R: Read> LastByte<R> {
    pub fn new(inner: R, newline: std::sync::Arc<std::sync::atomic::AtomicBool>) -> LastByte<R> {
        LastByte { inner, newline }
    }
}

impl<R: Read> Read for LastByte<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.newline.store(buf[n - 1] == b'\n', std::sync::atomic::Ordering::SeqCst);
        }
        Ok(n)
    }
}

/// Writes CSV records in a given format (separator, encoding, BOM, line ending, quoting).
pub struct CsvSink {
    path: PathBuf,
    writer: Box<csv::Writer<SinkOut>>,
    format: CsvFormat,
    records: u64,
}

/// Where a sink writes: a file of the run, or a stream (standard output) whose last record
/// terminator is held back until the end, to drop it when the input had none.
enum SinkOut {
    File(BufWriter<File>),
    Stream(HeldTail),
}

impl Write for SinkOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            SinkOut::File(out) => out.write(buf),
            SinkOut::Stream(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            SinkOut::File(out) => out.flush(),
            SinkOut::Stream(out) => out.flush(),
        }
    }
}

/// A stream that passes everything on but its last two bytes (a record terminator), which
/// `finish` writes or drops. Dropped unfinished (an error), it writes them: the records written
/// so far stay whole.
pub struct HeldTail {
    inner: Option<Box<dyn Write + Send>>,
    tail: Vec<u8>,
    /// Set by the reader of the input stream once it saw the input's last byte: whether it was
    /// a line feed (the output then ends with its terminator too).
    input_ends_with_newline: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

const HELD: usize = 2;

impl HeldTail {
    pub fn new(
        inner: Box<dyn Write + Send>,
        input_ends_with_newline: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> HeldTail {
        HeldTail { inner: Some(inner), tail: Vec::with_capacity(HELD), input_ends_with_newline }
    }

    /// Writes the held bytes but the last `drop` ones, flushes, and gives the stream back.
    fn finish(mut self, drop: usize) -> std::io::Result<Box<dyn Write + Send>> {
        let mut inner = self.inner.take().expect("finished once");
        let keep = self.tail.len().saturating_sub(drop);
        inner.write_all(&self.tail[..keep])?;
        inner.flush()?;
        Ok(inner)
    }
}

impl Write for HeldTail {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let inner = self.inner.as_mut().expect("not finished");
        if buf.len() >= HELD {
            // Cleared before anything else can fail: never written twice (by `Drop`). Copied to
            // the stack, not reallocated: this runs for every block the CSV writer flushes.
            let mut held = [0u8; HELD];
            let n = self.tail.len();
            held[..n].copy_from_slice(&self.tail);
            self.tail.clear();
            inner.write_all(&held[..n])?;
            inner.write_all(&buf[..buf.len() - HELD])?;
            self.tail.extend_from_slice(&buf[buf.len() - HELD..]);
        } else {
            self.tail.extend_from_slice(buf);
            let over = self.tail.len().saturating_sub(HELD);
            inner.write_all(&self.tail[..over])?;
            self.tail.drain(..over);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.as_mut().map_or(Ok(()), |i| i.flush())
    }
}

impl Drop for HeldTail {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.as_mut() {
            let _ = inner.write_all(&self.tail);
            let _ = inner.flush();
        }
    }
}

impl CsvSink {
    /// Creates `path` (a temporary file of the run) and writes the BOM if the format has one.
    pub fn create(path: &Path, format: CsvFormat) -> Result<CsvSink, IoError> {
        let file = File::create(path).map_err(|source| IoError::Write { path: path.into(), source })?;
        CsvSink::with_out(path, SinkOut::File(BufWriter::with_capacity(1 << 20, file)), format)
    }

    /// Writes records of `format` to `output` (a stream: standard output); `name` names it in
    /// errors. Nothing is synced; `finish` flushes.
    /// Whether the output ends with a line ending follows `input_ends_with_newline`, known only
    /// once the input stream ended (see `LastByte`).
    pub fn stream(
        name: &Path,
        output: Box<dyn Write + Send>,
        format: CsvFormat,
        input_ends_with_newline: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> Result<CsvSink, IoError> {
        CsvSink::with_out(name, SinkOut::Stream(HeldTail::new(output, input_ends_with_newline)), format)
    }

    fn with_out(path: &Path, mut out: SinkOut, format: CsvFormat) -> Result<CsvSink, IoError> {
        if format.bom {
            out.write_all(UTF8_BOM).map_err(|source| IoError::Write { path: path.into(), source })?;
        }
        let writer = csv::WriterBuilder::new()
            .delimiter(format.separator)
            .terminator(if format.crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .quote_style(match format.quoting {
                Quoting::Necessary => QuoteStyle::Necessary,
                Quoting::Always => QuoteStyle::Always,
                Quoting::NonNumeric => QuoteStyle::NonNumeric,
            })
            .from_writer(out);
        Ok(CsvSink { path: path.into(), writer: Box::new(writer), format, records: 0 })
    }

    /// The format written.
    pub fn format(&self) -> &CsvFormat {
        &self.format
    }

    /// Writes one record of already-encoded fields.
    pub fn write_fields<'a>(&mut self, fields: impl IntoIterator<Item = &'a [u8]>) -> Result<(), IoError> {
        self.records += 1;
        self.writer.write_record(fields).map_err(|e| self.write_error(e))
    }

    /// Flushes everything to disk and syncs the file.
    pub fn finish(self) -> Result<(), IoError> {
        let path = self.path.clone();
        let out = self
            .writer
            .into_inner()
            .map_err(|e| IoError::Write { path: path.clone(), source: std::io::Error::other(e.to_string()) })?;
        let write_err = |source| IoError::Write { path: path.clone(), source };
        let terminator = if self.format.crlf { 2 } else { 1 };
        let file = match out {
            SinkOut::File(out) => {
                out.into_inner().map_err(|e| IoError::Write { path: path.clone(), source: e.into_error() })?
            }
            SinkOut::Stream(out) => {
                let newline = out.input_ends_with_newline.load(std::sync::atomic::Ordering::SeqCst);
                let drop = if !newline && self.records > 0 { terminator } else { 0 };
                out.finish(drop).map_err(write_err)?;
                return Ok(());
            }
        };
        if !self.format.final_newline && self.records > 0 {
            // The input's last line had no line ending: drop the one written after the last record.
            let terminator = if self.format.crlf { 2 } else { 1 };
            let len = file.metadata().map_err(write_err)?.len();
            file.set_len(len.saturating_sub(terminator)).map_err(write_err)?;
        }
        file.sync_all().map_err(write_err)
    }

    fn write_error(&self, e: csv::Error) -> IoError {
        let source = match e.into_kind() {
            csv::ErrorKind::Io(io) => io,
            _ => std::io::Error::other("CSV encoding error"),
        };
        IoError::Write { path: self.path.clone(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_separator_outside_quotes() {
        assert_eq!(sniff_separator(b"a;b;c"), b';');
        assert_eq!(sniff_separator(b"a,b,c"), b',');
        assert_eq!(sniff_separator(b"\"x;y\",b,c"), b',');
        assert_eq!(sniff_separator(b"a\tb"), b'\t');
        assert_eq!(sniff_separator(b"a|b|c"), b'|');
        assert_eq!(sniff_separator(b"single"), b',');
    }

    #[test]
    fn sniffs_the_quoting_style() {
        assert_eq!(sniff_quoting(b"a;b", b"1;x", b';'), Quoting::Necessary);
        assert_eq!(sniff_quoting(b"\"a\";\"b\"", b"\"1\";\"x\"", b';'), Quoting::Always);
        assert_eq!(sniff_quoting(b"\"a\";\"b\"", b"1.5;\"x\"", b';'), Quoting::NonNumeric);
        assert_eq!(sniff_quoting(b"\"a\";\"b\"", b"", b';'), Quoting::Always);
    }

    #[test]
    fn first_line_skips_quoted_newlines_and_sees_crlf() {
        let line = first_line(b"\"a\r\nb\";c\r\n1;2\r\n");
        assert_eq!(line.bytes, b"\"a\r\nb\";c");
        assert!(line.crlf);
        assert!(!first_line(b"a;b\n1;2\n").crlf);
    }

    #[test]
    fn utf8_check_handles_sequences_cut_at_buffer_ends() {
        let mut text = "é".repeat(1 << 20).into_bytes();
        assert!(is_utf8(&mut &text[..]).unwrap());
        text.push(0xE9); // Windows-1252 é: not UTF-8.
        assert!(!is_utf8(&mut &text[..]).unwrap());
        assert!(!is_utf8(&mut &b"caf\xe9"[..]).unwrap());
    }

    #[test]
    fn windows_1252_round_trips_and_marks_unmappable_characters() {
        let format = CsvFormat { encoding: Encoding::Windows1252, ..CsvFormat::plain() };
        assert_eq!(format.decode(b"\x80 12,50 caf\xe9").unwrap(), "€ 12,50 café");
        assert_eq!(&*format.encode("€ café"), b"\x80 caf\xe9");
        assert_eq!(&*format.encode("Łódź"), b"?\xf3d?");
    }

    /// The line of each record of `text` read as a CSV file with a header, batches of `max`.
    fn record_lines(text: &str, max: usize) -> Result<Vec<u64>, IoError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines.csv");
        std::fs::write(&path, text).unwrap();
        let format = CsvFormat::detect(&path, &CsvOptions { header: true, ..CsvOptions::default() })?;
        let mut source = CsvSource::open(&path, format)?;
        let (mut batch, mut lines) = (Records::default(), Vec::new());
        while source.next_batch(&mut batch, max)? > 0 {
            lines.extend((0..batch.len()).map(|row| batch.line(row)));
        }
        Ok(lines)
    }

    #[test]
    fn records_know_their_physical_line_after_blank_lines_and_quoted_newlines() {
        // Lines: 1 header, 2 record, 3 blank, 4 record, 5-6 one quoted record, 7-8 blank,
        // 9 record, 10 blank (a CRLF one), 11 record with a quoted CRLF, 13 record.
        for crlf in [false, true] {
            let text = "a,b\n1,2\n\n3,4\n\"x\ny\",5\n\n\n6,7\n\n\"p\r\nq\",8\n9,9\n";
            let text = if crlf { text.replace("\n", "\r\n").replace("\r\r\n", "\r\n") } else { text.to_string() };
            assert_eq!(record_lines(&text, 100).unwrap(), [2, 4, 5, 9, 11, 13], "crlf {crlf}");
            // Without the last line ending, after blank lines.
            let nl = if crlf { "\r\n" } else { "\n" };
            let cut = format!("{}{nl}{nl}2,2", text.trim_end());
            assert_eq!(record_lines(&cut, 100).unwrap(), [2, 4, 5, 9, 11, 13, 15], "crlf {crlf}, no final line ending");
            // The same, the last record with one field too many and no line ending.
            match record_lines(&format!("a,b{nl}1,2{nl}{nl}3,4,5"), 100) {
                Err(IoError::Malformed { line, .. }) => assert_eq!(line, 4, "crlf {crlf}, no final line ending"),
                other => panic!("crlf {crlf}: {:?}", other.map_err(|e| e.to_string())),
            }
            // A record with one field too many, after blank lines, is named by its own line.
            match record_lines(&format!("a,b{nl}1,2{nl}{nl}{nl}3,4,5{nl}6,7{nl}"), 100) {
                Err(IoError::Malformed { line, record, .. }) => assert_eq!((line, record), (5, 2), "crlf {crlf}"),
                other => panic!("crlf {crlf}: {:?}", other.map_err(|e| e.to_string())),
            }
        }
    }

    #[test]
    fn record_lines_hold_over_megabytes_of_mixed_line_endings_and_blank_lines() {
        // Every line ending is LF or CRLF at random, blank lines in between; the lines where
        // records start are worked out from the text itself (no quotes: a non-blank line is a
        // record), and must match across the reader's 1 MiB chunks and small batches.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut text = String::new();
        let mut expected = Vec::new();
        let mut line = 1u64;
        let ending = |r: u64| if r % 2 == 0 { "\n" } else { "\r\n" };
        text.push_str("a,b");
        text.push_str(ending(next()));
        line += 1;
        for i in 0..60_000u64 {
            while next() % 5 == 0 {
                text.push_str(ending(next()));
                line += 1;
            }
            expected.push(line);
            text.push_str(&format!("{i},{}", "x".repeat((next() % 60) as usize)));
            text.push_str(ending(next()));
            line += 1;
        }
        for crlf_first in [false, true] {
            let text =
                if crlf_first { text.replacen("a,b\n", "a,b\r\n", 1) } else { text.replacen("a,b\r\n", "a,b\n", 1) };
            assert!(text.len() > 2 << 20, "the text spans several chunks");
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("mixed.csv"), &text).unwrap();
            let format = CsvFormat::detect(&dir.path().join("mixed.csv"), &CsvOptions::default()).unwrap();
            assert_eq!(format.crlf, crlf_first);
            let lines = record_lines(&text, 777).unwrap();
            assert_eq!(lines, expected, "first line CRLF: {crlf_first}");
        }
    }
}
