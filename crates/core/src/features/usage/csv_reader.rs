//! Streaming reader of usage report files (`csv_v2_0`, docs/platform-calls.md, docs/behaviour.md
//! §F.4). A 100,000-tenant report is millions of rows, so the file is never held in memory: a
//! second thread reads and gunzips it into fixed-size chunks (recycled through a return channel,
//! so memory stays bounded) while this thread parses records straight out of the chunk bytes,
//! with no per-row allocation on the common path.

use crate::infra::error::{Error, Result};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, SyncSender};

/// Size of one decoded chunk handed from the decoder thread to the parser.
const CHUNK: usize = 256 * 1024;
/// Chunks in flight between the threads (bounds memory to a few MB).
const IN_FLIGHT: usize = 4;
/// Longest record accepted before an unterminated quote is cut at its line break.
const MAX_RECORD: usize = 4 * 1024 * 1024;

/// The 16 required header columns, in the order the reference reports them.
pub const REQUIRED: [&str; 16] = [
    "application.id",
    "infra.backend_type",
    "infra.id",
    "infra.owner_id",
    "name",
    "tenant.id",
    "tenant.kind",
    "usage.absolute.production",
    "usage.absolute.total",
    "usage.absolute.trial",
    "usage.delta.production",
    "usage.delta.total",
    "usage.delta.trial",
    "usage.effective.production",
    "usage.effective.total",
    "usage.effective.trial",
];
/// Optional column; rows get [`DEFAULT_EDITION`] when the header lacks it.
pub const EDITION: &str = "edition";
pub const DEFAULT_EDITION: &str = "standard";

const APP: usize = 0;
const BACKEND: usize = 1;
const INFRA: usize = 2;
const OWNER: usize = 3;
const NAME: usize = 4;
const TENANT: usize = 5;
const KIND: usize = 6;
const FIRST_USAGE: usize = 7;
const EDITION_SLOT: usize = 16;
/// Columns that must hold a non-empty value (checked in `REQUIRED` order).
const NON_EMPTY: [usize; 3] = [APP, NAME, TENANT];

/// `production` / `trial` / `total` counters of one usage family.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counters {
    pub production: f64,
    pub trial: f64,
    pub total: f64,
}

/// One valid data row; text borrows the reader's buffers and lives for the callback only.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// Physical line (1-based, header = 1) where the record starts.
    pub line: u64,
    pub tenant_id: &'a str,
    pub tenant_kind: &'a str,
    pub application_id: &'a str,
    pub name: &'a str,
    pub edition: &'a str,
    /// `None` when the cell is empty (the reference's `"" → null`).
    pub infra_id: Option<&'a str>,
    pub infra_owner_id: Option<&'a str>,
    pub backend_type: Option<&'a str>,
    pub absolute: Counters,
    pub delta: Counters,
    pub effective: Counters,
}

/// A rejected data row: skipped and counted, never fatal for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRow {
    pub line: u64,
    /// The F.4 message (without the line number).
    pub message: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Line {}: {}", self.line, self.message)
    }
}

/// Counts of one read. Blank lines and the header are in neither count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub rows: u64,
    pub bad_rows: u64,
}

/// Reads the report at `path` (gzip detected by its magic bytes, else plain text).
/// `on_row` gets every valid row, `on_bad` every skipped row. Errors: unreadable file, missing
/// header columns (nothing was read), corrupt or truncated gzip (rows before the damage were
/// already delivered: the caller must not bill them).
pub fn read_report(
    path: &Path,
    on_row: &mut dyn FnMut(&Row<'_>),
    on_bad: &mut dyn FnMut(&BadRow),
) -> Result<ReadStats> {
    let file = std::fs::File::open(path).map_err(|e| {
        Error::validation(format!(
            "The usage report file {} cannot be read: {e}.",
            path.display()
        ))
    })?;
    read_stream(file, on_row, on_bad)
}

/// [`read_report`] over any byte source (tests, in-memory downloads).
pub fn read_stream<R: Read + Send>(
    source: R,
    on_row: &mut dyn FnMut(&Row<'_>),
    on_bad: &mut dyn FnMut(&BadRow),
) -> Result<ReadStats> {
    let (tx, rx) = mpsc::sync_channel::<std::result::Result<Vec<u8>, String>>(IN_FLIGHT);
    let (back_tx, back_rx) = mpsc::sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
    std::thread::scope(|scope| {
        scope.spawn(move || decode(source, &tx, &back_rx));
        let mut parser = Parser::default();
        let result = parser.run(&rx, &back_tx, on_row, on_bad);
        // Unblock the decoder if the parser stopped early (missing header).
        drop(rx);
        result.map(|()| parser.stats)
    })
}

/// Decoder thread: plain or gzip bytes → chunks on `tx`; an error ends the stream.
fn decode<R: Read>(
    source: R,
    tx: &SyncSender<std::result::Result<Vec<u8>, String>>,
    back: &Receiver<Vec<u8>>,
) {
    let mut buffered = BufReader::with_capacity(CHUNK, source);
    let gzip = match buffered.fill_buf() {
        Ok(head) => head.starts_with(&[0x1f, 0x8b]),
        Err(e) => {
            let _ = tx.send(Err(e.to_string()));
            return;
        }
    };
    if gzip {
        pump(
            &mut flate2::bufread::MultiGzDecoder::new(buffered),
            tx,
            back,
        );
    } else {
        pump(&mut buffered, tx, back);
    }
}

fn pump(
    reader: &mut dyn Read,
    tx: &SyncSender<std::result::Result<Vec<u8>, String>>,
    back: &Receiver<Vec<u8>>,
) {
    loop {
        let mut chunk = back.try_recv().unwrap_or_default();
        chunk.clear();
        chunk.reserve(CHUNK);
        // `read_to_end` keeps what was read before an error and retries `Interrupted`.
        let failed = reader
            .take(CHUNK as u64)
            .read_to_end(&mut chunk)
            .err()
            .map(|e| e.to_string());
        let filled = chunk.len();
        if filled > 0 && tx.send(Ok(chunk)).is_err() {
            return;
        }
        if let Some(e) = failed {
            let _ = tx.send(Err(e));
            return;
        }
        if filled < CHUNK {
            return;
        }
    }
}

/// PHP `trim()` characters.
fn is_trim(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0 | 0x0b)
}

fn trim_span(base: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && base.get(s).copied().is_some_and(is_trim) {
        s += 1;
    }
    while e > s && base.get(e - 1).copied().is_some_and(is_trim) {
        e -= 1;
    }
    (s, e)
}

/// One record with quotes found in the buffer.
struct Found {
    /// Bytes of the record without its line terminator.
    len: usize,
    /// Bytes to consume (record plus `\n`).
    consumed: usize,
    /// Physical lines the record spans.
    lines: u64,
}

/// Locates the end of a record that has quotes (a line break inside quotes belongs to the
/// value); `None` when it may continue in data not read yet.
fn find_record(data: &[u8], eof: bool) -> Option<Found> {
    let mut in_quotes = false;
    let mut lines = 1;
    for (i, &b) in data.iter().enumerate() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                return Some(Found {
                    len: i,
                    consumed: i + 1,
                    lines,
                });
            }
            b'\n' => lines += 1,
            _ => {}
        }
    }
    (eof && !data.is_empty()).then_some(Found {
        len: data.len(),
        consumed: data.len(),
        lines,
    })
}

/// Splits an unquoted record into trimmed field spans of `rec`.
fn split_plain(rec: &[u8], spans: &mut Vec<(usize, usize)>) {
    spans.clear();
    let mut start = 0;
    for (i, &b) in rec.iter().enumerate() {
        if b == b',' {
            spans.push(trim_span(rec, start, i));
            start = i + 1;
        }
    }
    spans.push(trim_span(rec, start, rec.len()));
}

/// Splits a record with quotes (`""` doubling, quoted commas and newlines) into `out`,
/// unescaped, with trimmed field spans of `out`.
fn split_quoted(rec: &[u8], out: &mut Vec<u8>, spans: &mut Vec<(usize, usize)>) {
    out.clear();
    spans.clear();
    let mut i = 0;
    let mut field_start = 0;
    let mut at_field_start = true;
    let mut in_quotes = false;
    while let Some(&b) = rec.get(i) {
        if in_quotes {
            if b == b'"' {
                if rec.get(i + 1) == Some(&b'"') {
                    out.push(b'"');
                    i += 1;
                } else {
                    in_quotes = false;
                }
            } else {
                out.push(b);
            }
        } else if at_field_start && b == b'"' {
            // Whitespace before an opening quote is not part of the value.
            out.truncate(field_start);
            in_quotes = true;
            at_field_start = false;
        } else if b == b',' {
            spans.push(trim_span(out, field_start, out.len()));
            field_start = out.len();
            at_field_start = true;
        } else {
            out.push(b);
            if !matches!(b, b' ' | b'\t') {
                at_field_start = false;
            }
        }
        i += 1;
    }
    spans.push(trim_span(out, field_start, out.len()));
}

/// PHP `is_numeric()` (after trimming) and the value, without allocating.
pub fn parse_number(b: &[u8]) -> Option<f64> {
    if b.is_empty() {
        return None;
    }
    if b.len() <= 18 && b.iter().all(u8::is_ascii_digit) {
        let n = b
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d.wrapping_sub(b'0')));
        return Some(n as f64);
    }
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    std::str::from_utf8(b).ok()?.parse::<f64>().ok()
}

/// Column positions of the header: `REQUIRED` order, then `edition` (`usize::MAX` = absent).
#[derive(Debug, Clone)]
struct Columns {
    index: [usize; 17],
    names: Vec<String>,
}

impl Columns {
    fn from_header(record: &Record<'_>) -> Result<Columns> {
        let names: Vec<String> = (0..record.spans.len())
            .map(|i| {
                let raw = record.field(i).unwrap_or_default();
                let raw = if i == 0 {
                    raw.strip_prefix('\u{feff}').unwrap_or(raw)
                } else {
                    raw
                };
                raw.trim().to_string()
            })
            .collect();
        let position = |col: &str| names.iter().position(|n| n == col);
        let mut index = [usize::MAX; 17];
        let mut missing = Vec::new();
        for (slot, col) in index.iter_mut().zip(REQUIRED.iter()) {
            match position(col) {
                Some(p) => *slot = p,
                None => missing.push(*col),
            }
        }
        if !missing.is_empty() {
            return Err(Error::validation(format!(
                "Column names ({}) must be present in CSV file.",
                missing.join(", ")
            )));
        }
        if let (Some(slot), Some(p)) = (index.get_mut(EDITION_SLOT), position(EDITION)) {
            *slot = p;
        }
        Ok(Columns { index, names })
    }

    fn at(&self, slot: usize) -> usize {
        self.index.get(slot).copied().unwrap_or(usize::MAX)
    }
}

/// Outcome of scanning for an unquoted record.
enum Scan {
    /// A record of `len` bytes (without `\n`), `consumed` bytes with it; spans are filled.
    Plain { len: usize, consumed: usize },
    /// The record has a quote: use the quote-aware path.
    Quoted,
    /// The record may continue in data not read yet.
    Incomplete,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Bytes of `w` equal to 0 get their high bit set; the LOWEST set bit is always exact.
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// Offset of the first `,`, `\n` or `"` in the 8 bytes of `w` (little endian), if any.
fn first_special(w: u64) -> Option<usize> {
    let m = zero_bytes(w ^ (ONES * u64::from(b',')))
        | zero_bytes(w ^ (ONES * u64::from(b'\n')))
        | zero_bytes(w ^ (ONES * u64::from(b'"')));
    (m != 0).then(|| (m.trailing_zeros() / 8) as usize)
}

/// One pass over an unquoted record: finds its end and splits it into trimmed field spans
/// at the same time (the common case of every report row). Eight bytes are tested at once
/// (SWAR), so long ids cost one step per word.
fn scan_plain(data: &[u8], eof: bool, spans: &mut Vec<(usize, usize)>) -> Scan {
    spans.clear();
    let mut start = 0;
    let mut i = 0;
    loop {
        if let Some(word) = data.get(i..i + 8) {
            let w = u64::from_le_bytes(<[u8; 8]>::try_from(word).unwrap_or_default());
            match first_special(w) {
                None => {
                    i += 8;
                    continue;
                }
                Some(k) => i += k,
            }
        }
        let Some(&b) = data.get(i) else {
            break;
        };
        match b {
            b',' => {
                spans.push(trim_span(data, start, i));
                start = i + 1;
            }
            b'\n' => {
                spans.push(trim_span(data, start, i));
                return Scan::Plain {
                    len: i,
                    consumed: i + 1,
                };
            }
            b'"' => return Scan::Quoted,
            _ => {}
        }
        i += 1;
    }
    if eof && !data.is_empty() {
        spans.push(trim_span(data, start, data.len()));
        Scan::Plain {
            len: data.len(),
            consumed: data.len(),
        }
    } else {
        Scan::Incomplete
    }
}

/// Parser state kept across chunks; the scratch buffers are reused for every record.
#[derive(Default)]
struct Parser {
    columns: Option<Columns>,
    spans: Vec<(usize, usize)>,
    unquoted: Vec<u8>,
    lossy: Vec<u8>,
    stats: ReadStats,
}

/// The record being turned into a [`Row`]: its text and the field spans in it.
struct Record<'a> {
    text: &'a str,
    spans: &'a [(usize, usize)],
}

impl<'a> Record<'a> {
    fn field(&self, i: usize) -> Option<&'a str> {
        let &(s, e) = self.spans.get(i)?;
        self.text.get(s..e)
    }

    /// `{"<header name>": value|null, …}` as the reference prints a row in its messages.
    fn json(&self, columns: &Columns) -> String {
        let mut map = Map::new();
        for (i, name) in columns.names.iter().enumerate() {
            let v = self
                .field(i)
                .map_or(Value::Null, |s| Value::String(s.to_string()));
            map.insert(name.clone(), v);
        }
        Value::Object(map).to_string()
    }
}

/// Appends the reader thread's next chunk to `buf` (and hands the chunk's buffer back for
/// reuse); `false` at the end of the file. A decompression error ends the parse.
fn receive(
    rx: &Receiver<std::result::Result<Vec<u8>, String>>,
    back: &SyncSender<Vec<u8>>,
    buf: &mut Vec<u8>,
) -> Result<bool> {
    match rx.recv() {
        Ok(Ok(chunk)) => {
            buf.extend_from_slice(&chunk);
            let _ = back.try_send(chunk);
            Ok(true)
        }
        Ok(Err(e)) => Err(Error::validation(format!(
            "The usage report file is not a valid gzip stream or is truncated: {e}."
        ))),
        Err(_) => Ok(false),
    }
}

/// What a record turned out to be.
enum Outcome {
    Header(Columns),
    Row,
    Bad(String),
}

impl Parser {
    fn run(
        &mut self,
        rx: &Receiver<std::result::Result<Vec<u8>, String>>,
        back: &SyncSender<Vec<u8>>,
        on_row: &mut dyn FnMut(&Row<'_>),
        on_bad: &mut dyn FnMut(&BadRow),
    ) -> Result<()> {
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK * 2);
        let mut line: u64 = 1;
        let mut eof = false;
        loop {
            let mut start = self.records(&buf, eof, &mut line, on_row, on_bad)?;
            if eof {
                break;
            }
            let pending = buf.get(start..).unwrap_or_default();
            if pending.len() > MAX_RECORD {
                start += self.cut_oversized(pending, &mut line, on_row, on_bad)?;
            }
            buf.drain(..start);
            eof = !receive(rx, back, &mut buf)?;
        }
        if self.columns.is_none() {
            // An empty file has no header: every required column is missing.
            Columns::from_header(&Record {
                text: "",
                spans: &[],
            })?;
        }
        Ok(())
    }

    /// Parses the complete records at the start of `data`; returns the bytes consumed (an
    /// incomplete last record waits for the next chunk, unless `eof`).
    fn records(
        &mut self,
        data: &[u8],
        eof: bool,
        line: &mut u64,
        on_row: &mut dyn FnMut(&Row<'_>),
        on_bad: &mut dyn FnMut(&BadRow),
    ) -> Result<usize> {
        let mut start = 0;
        loop {
            let rest = data.get(start..).unwrap_or_default();
            match scan_plain(rest, eof, &mut self.spans) {
                Scan::Plain { len, consumed } => {
                    let rec = rest.get(..len).unwrap_or_default();
                    self.plain(rec, *line, on_row, on_bad)?;
                    start += consumed;
                    *line += 1;
                }
                Scan::Quoted => match find_record(rest, eof) {
                    Some(found) => {
                        let rec = rest.get(..found.len).unwrap_or_default();
                        self.quoted(rec, *line, on_row, on_bad)?;
                        start += found.consumed;
                        *line += found.lines;
                    }
                    None => return Ok(start),
                },
                Scan::Incomplete => return Ok(start),
            }
        }
    }

    /// A pending record longer than any valid one: an unbalanced quote would otherwise
    /// swallow the rest of the file, so the record ends at its first line break (or is the
    /// whole oversized line). Returns the bytes consumed.
    fn cut_oversized(
        &mut self,
        pending: &[u8],
        line: &mut u64,
        on_row: &mut dyn FnMut(&Row<'_>),
        on_bad: &mut dyn FnMut(&BadRow),
    ) -> Result<usize> {
        let len = pending
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(pending.len());
        self.quoted(
            pending.get(..len).unwrap_or_default(),
            *line,
            on_row,
            on_bad,
        )?;
        *line += 1;
        Ok((len + 1).min(pending.len()))
    }

    /// A record without quotes; `self.spans` already holds its fields.
    fn plain(
        &mut self,
        rec: &[u8],
        line: u64,
        on_row: &mut dyn FnMut(&Row<'_>),
        on_bad: &mut dyn FnMut(&BadRow),
    ) -> Result<()> {
        if matches!(self.spans.as_slice(), [(s, e)] if s == e) {
            return Ok(()); // blank line (J.2 #17)
        }
        let outcome = match std::str::from_utf8(rec) {
            Ok(text) => self.outcome(text, line, on_row),
            Err(_) => {
                // Rare: invalid UTF-8 is read lossily (U+FFFD has no comma to move fields).
                let lossy = String::from_utf8_lossy(rec).into_owned();
                split_plain(lossy.as_bytes(), &mut self.spans);
                self.outcome(&lossy, line, on_row)
            }
        };
        self.apply(outcome, line, on_bad)
    }

    /// A record with quotes (doubling, quoted commas and line breaks).
    fn quoted(
        &mut self,
        rec: &[u8],
        line: u64,
        on_row: &mut dyn FnMut(&Row<'_>),
        on_bad: &mut dyn FnMut(&BadRow),
    ) -> Result<()> {
        let rec = if std::str::from_utf8(rec).is_ok() {
            rec
        } else {
            self.lossy = String::from_utf8_lossy(rec).into_owned().into_bytes();
            &self.lossy
        };
        split_quoted(rec, &mut self.unquoted, &mut self.spans);
        // Unquoting removes ASCII quotes only, so the text stays valid UTF-8.
        let unquoted = std::mem::take(&mut self.unquoted);
        let outcome = self.outcome(
            std::str::from_utf8(&unquoted).unwrap_or_default(),
            line,
            on_row,
        );
        self.unquoted = unquoted;
        self.apply(outcome, line, on_bad)
    }

    fn outcome(&self, text: &str, line: u64, on_row: &mut dyn FnMut(&Row<'_>)) -> Outcome {
        let record = Record {
            text,
            spans: &self.spans,
        };
        match &self.columns {
            None => match Columns::from_header(&record) {
                Ok(c) => Outcome::Header(c),
                Err(e) => Outcome::Bad(e.to_string()),
            },
            Some(columns) => match build_row(&record, columns, line, on_row) {
                Ok(()) => Outcome::Row,
                Err(m) => Outcome::Bad(m),
            },
        }
    }

    fn apply(
        &mut self,
        outcome: Outcome,
        line: u64,
        on_bad: &mut dyn FnMut(&BadRow),
    ) -> Result<()> {
        match outcome {
            Outcome::Header(c) => self.columns = Some(c),
            Outcome::Row => self.stats.rows += 1,
            Outcome::Bad(message) if self.columns.is_none() => {
                return Err(Error::validation(message));
            }
            Outcome::Bad(message) => {
                self.stats.bad_rows += 1;
                on_bad(&BadRow { line, message });
            }
        }
        Ok(())
    }
}

/// Validates the record (F.4 order: short row, empty value, non-numeric) and hands the row on.
fn build_row(
    rec: &Record<'_>,
    columns: &Columns,
    line: u64,
    on_row: &mut dyn FnMut(&Row<'_>),
) -> std::result::Result<(), String> {
    let mut cells = [""; 17];
    for (slot, cell) in cells.iter_mut().enumerate().take(REQUIRED.len()) {
        match rec.field(columns.at(slot)) {
            Some(v) => *cell = v,
            None => {
                let col = REQUIRED.get(slot).copied().unwrap_or_default();
                return Err(format!(
                    "Column \"{col}\" is not set in row \"{}\".",
                    rec.json(columns)
                ));
            }
        }
    }
    let cell = |slot: usize| cells.get(slot).copied().unwrap_or_default();
    for slot in NON_EMPTY {
        if cell(slot).is_empty() {
            let col = REQUIRED.get(slot).copied().unwrap_or_default();
            return Err(format!(
                "Column {col} has empty value in row {}.",
                rec.json(columns)
            ));
        }
    }
    let mut usage = [0.0f64; 9];
    for (k, v) in usage.iter_mut().enumerate() {
        let raw = cell(FIRST_USAGE + k);
        *v = parse_number(raw.as_bytes())
            .ok_or_else(|| format!("Given value \"{raw}\" is not numeric as expected."))?;
    }
    let nullable = |slot: usize| Some(cell(slot)).filter(|s| !s.is_empty());
    let counters = |k: usize| Counters {
        production: usage.get(k).copied().unwrap_or_default(),
        total: usage.get(k + 1).copied().unwrap_or_default(),
        trial: usage.get(k + 2).copied().unwrap_or_default(),
    };
    on_row(&Row {
        line,
        tenant_id: cell(TENANT),
        tenant_kind: cell(KIND),
        application_id: cell(APP),
        name: cell(NAME),
        infra_id: nullable(INFRA),
        infra_owner_id: nullable(OWNER),
        backend_type: nullable(BACKEND),
        edition: rec
            .field(columns.at(EDITION_SLOT))
            .unwrap_or(DEFAULT_EDITION),
        absolute: counters(0),
        delta: counters(3),
        effective: counters(6),
    });
    Ok(())
}
