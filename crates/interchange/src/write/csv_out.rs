//! csv export: UTF-8 (with a BOM by default, so Excel on Chinese Windows
//! opens it correctly), CRLF line ends, and a `'` before any value a
//! spreadsheet would take for a formula.

use std::io::Write;

use super::collect_row;
use crate::formula::guard_csv;
use crate::WriteError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// Start the file with a UTF-8 BOM. Excel needs it to read UTF-8 instead
    /// of the system's GBK; leave it on unless a machine reads the file.
    pub bom: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self { bom: true }
    }
}

/// Writes `headers` and then each row to `out`, one row in memory at a time,
/// and returns the number of data rows written.
///
/// Every row must have exactly one value per header.
pub fn write_csv<W, H, I, R>(
    mut out: W,
    headers: &[H],
    rows: I,
    options: &CsvOptions,
) -> Result<u64, WriteError>
where
    W: Write,
    H: AsRef<str>,
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    if options.bom {
        out.write_all(UTF8_BOM)?;
    }
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(headers.iter().map(|h| guard_csv(h.as_ref()).into_owned()))?;
    let mut written: u64 = 0;
    for (i, row) in rows.into_iter().enumerate() {
        let values = collect_row(row, headers.len(), i + 2)?;
        for value in &values {
            writer.write_field(guard_csv(value.as_ref()).as_bytes())?;
        }
        writer.write_record(std::iter::empty::<&[u8]>())?;
        written += 1;
    }
    writer.flush()?;
    Ok(written)
}
