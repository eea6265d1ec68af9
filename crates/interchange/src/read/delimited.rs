//! Reading csv (and tab- or semicolon-separated) text into a [`Table`].
//!
//! Excel on Chinese Windows saves "CSV" as GB18030/GBK without a BOM and
//! "CSV UTF-8" with one; "Unicode text" is UTF-16LE with a BOM and tabs.
//! All of these read here. Text that still cannot be decoded is refused
//! rather than imported with replacement characters in people's names.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};

use crate::table::{clean_cell, TableBuilder};
use crate::{ReadError, ReadLimits, Table};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";
/// How much of the start of a file the binary check looks at.
const SNIFF_BYTES: usize = 64 * 1024;

pub(crate) fn read(bytes: &[u8], limits: &ReadLimits) -> Result<Table, ReadError> {
    let mut all = None;
    read_chunked(bytes, limits, usize::MAX, &mut |t| {
        all = Some(t);
        Ok(())
    })?;
    all.ok_or(ReadError::Empty)
}

/// Reads `bytes`, handing out tables of `chunk_rows` rows (the last one may
/// be shorter, or empty when the file has a header and no data).
pub(crate) fn read_chunked(
    bytes: &[u8],
    limits: &ReadLimits,
    chunk_rows: usize,
    on_chunk: &mut dyn FnMut(Table) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let text = decode(bytes)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let delimiter = detect_delimiter(text);

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(READ_BUFFER)
        .from_reader(Bounded::new(text.as_bytes(), limits.max_record_bytes));
    let mut table = TableBuilder::new(limits);
    let mut record = csv::StringRecord::new();
    let mut rows = RowCounter::new(text.as_bytes());
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) if reader.get_ref().tripped.get() => {
                return Err(ReadError::RecordTooLong {
                    row: rows.last + 1,
                    limit_bytes: limits.max_record_bytes as u64,
                });
            }
            Err(e) => return Err(ReadError::malformed(e)),
        }
        // The next record may take max_record_bytes from where this one ended.
        reader
            .get_ref()
            .allow_from(usize::try_from(reader.position().byte()).unwrap_or(usize::MAX));
        let number = rows.number_of(record.position().map(|p| p.byte()));
        let mut cells = Vec::new();
        for (index, raw) in record.iter().enumerate() {
            rows.inside_cell(raw);
            let cell = clean_cell(raw);
            // Empty cells are only materialised up to a non-empty one, so a
            // line of a million commas costs nothing.
            if !cell.is_empty() {
                table.check_column(index)?;
                cells.resize(index, String::new());
                cells.push(cell);
            }
        }
        table.push(number, cells)?;
        if let Some(chunk) = table.take_chunk(chunk_rows) {
            on_chunk(chunk)?;
        }
    }
    on_chunk(table.finish()?)
}

/// The csv reader's buffer; a record may overrun its limit by this much
/// before the reader notices.
const READ_BUFFER: usize = 64 * 1024;

/// The text handed to the csv reader, refusing to hand out more than
/// `max_record` bytes past the end of the last record read: the reader
/// buffers a whole record, so a record without end would otherwise be
/// copied into memory whole.
struct Bounded<'t> {
    text: &'t [u8],
    pos: usize,
    max_record: usize,
    /// Where the current record started (the end of the one before).
    record_start: std::cell::Cell<usize>,
    /// Set when a read was refused, to tell that error from others.
    tripped: std::cell::Cell<bool>,
}

impl<'t> Bounded<'t> {
    fn new(text: &'t [u8], max_record: usize) -> Self {
        Self {
            text,
            pos: 0,
            max_record,
            record_start: std::cell::Cell::new(0),
            tripped: std::cell::Cell::new(false),
        }
    }

    fn allow_from(&self, record_start: usize) {
        self.record_start.set(record_start);
    }
}

impl std::io::Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let limit = self
            .record_start
            .get()
            .saturating_add(self.max_record)
            .saturating_add(READ_BUFFER);
        let end = self.text.len().min(limit);
        if self.pos >= end && self.pos < self.text.len() {
            self.tripped.set(true);
            return Err(std::io::Error::other("record too long"));
        }
        let n = buf.len().min(end - self.pos);
        buf[..n].copy_from_slice(&self.text[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Works out Excel's row number for each record. The csv reader skips blank
/// lines and reports where the previous record ended, while Excel counts
/// every line break except those inside quoted cells; so this counts line
/// breaks up to each record's first character and subtracts the ones that
/// were inside cells.
struct RowCounter<'t> {
    text: &'t [u8],
    scanned_to: usize,
    breaks: u64,
    breaks_inside_cells: u64,
    last: usize,
}

impl<'t> RowCounter<'t> {
    fn new(text: &'t [u8]) -> Self {
        Self {
            text,
            scanned_to: 0,
            breaks: 0,
            breaks_inside_cells: 0,
            last: 0,
        }
    }

    /// The row number of a record whose reported position is `byte`.
    fn number_of(&mut self, byte: Option<u64>) -> usize {
        let Some(byte) = byte else {
            self.last += 1;
            return self.last;
        };
        // Blank lines and the LF of a CRLF sit between the reported position
        // and the record's first character.
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.scanned_to {
            self.breaks += count_breaks(&self.text[self.scanned_to..start]);
            self.scanned_to = start;
        }
        let number = (1 + self.breaks.saturating_sub(self.breaks_inside_cells)) as usize;
        self.last = number.max(self.last + 1);
        self.last
    }

    fn inside_cell(&mut self, cell: &str) {
        self.breaks_inside_cells += count_breaks(cell.as_bytes());
    }
}

/// Line breaks as Excel sees them: LF, CRLF, or a lone CR.
fn count_breaks(bytes: &[u8]) -> u64 {
    let mut breaks = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            breaks += 1;
        }
    }
    breaks
}

/// Turns the bytes into text: BOMs first, then UTF-8, then GB18030.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, ReadError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return std::str::from_utf8(rest)
            .map(Cow::Borrowed)
            .map_err(|_| ReadError::BadEncoding);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16LE_BOM) {
        return decode_strict(UTF_16LE, rest);
    }
    if let Some(rest) = bytes.strip_prefix(UTF16BE_BOM) {
        return decode_strict(UTF_16BE, rest);
    }
    if looks_binary(&bytes[..bytes.len().min(SNIFF_BYTES)]) {
        return Err(ReadError::NotASpreadsheet);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        // GB18030 is a superset of GBK and GB2312, so one decoder covers
        // every "ANSI" file from Chinese Windows.
        Err(_) => decode_strict(GB18030, bytes),
    }
}

fn decode_strict<'a>(
    encoding: &'static Encoding,
    bytes: &'a [u8],
) -> Result<Cow<'a, str>, ReadError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(ReadError::BadEncoding)
}

/// Text files never contain NUL, and hardly any other control characters;
/// pictures, archives and executables are full of them.
fn looks_binary(head: &[u8]) -> bool {
    let suspicious = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | 0x1A))
        .count();
    head.contains(&0) || suspicious * 100 > head.len()
}

/// Picks `,`, tab or `;` by counting them in the header line outside quotes;
/// a comma wins ties because it is what everyone means by csv.
fn detect_delimiter(text: &str) -> u8 {
    let header = text.split('\n').next().unwrap_or("");
    let (mut commas, mut tabs, mut semicolons) = (0, 0, 0);
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            '\t' if !quoted => tabs += 1,
            ';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if tabs > commas && tabs >= semicolons {
        b'\t'
    } else if semicolons > commas && semicolons > tabs {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delimiter_is_read_from_the_header_line() {
        assert_eq!(detect_delimiter("名称,代码\n"), b',');
        assert_eq!(detect_delimiter("名称\t代码\t备注\n1,2,3"), b'\t');
        assert_eq!(detect_delimiter("名称;代码\n"), b';');
        assert_eq!(detect_delimiter("\"a,b\";c;d\n"), b';');
        assert_eq!(detect_delimiter("名称\n"), b',');
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!looks_binary("名称,代码\r\n甲,1\r\n".as_bytes()));
    }

    #[test]
    fn a_utf8_bom_that_lies_is_an_encoding_error() {
        assert_eq!(decode(b"\xEF\xBB\xBF\xC4\xFA"), Err(ReadError::BadEncoding));
    }
}
