//! gongyi's tabular layer: spreadsheets (xlsx and csv) in and out, safely.
//!
//! This crate turns uploaded bytes into a [`Table`] of trimmed strings, maps
//! its header row onto the columns an importer expects ([`map_columns`]),
//! gathers every bad row into one report ([`RowErrors`]), and writes tables
//! back out as csv or xlsx. What the columns *mean* is decided elsewhere: the
//! code that maps columns to organisations, people and history records lives
//! in the app, and parses every cell through the domain's constructors.
//!
//! # Conventions every caller relies on
//!
//! * **Cells are trimmed strings.** Dates stored as Excel dates read as
//!   `YYYY-MM-DD` (`YYYY-MM-DD HH:MM:SS` when they carry a time), whole numbers
//!   read without `.0` and never in scientific notation. Text is kept as
//!   written, so a code that a spreadsheet already mangled into the *text*
//!   `5.23101E+17` stays that way and the validator can say so.
//! * **Row numbers are the spreadsheet's.** A [`Row`] knows its 1-based row
//!   number as Excel shows it (the header is normally row 1), so
//!   "第 5 行" points at the row the user sees. Blank rows are skipped but
//!   keep the numbering.
//! * **Formula injection is neutralised on export and undone on import.** A
//!   value that a spreadsheet could take for a formula (it starts with `=`,
//!   `+`, `-`, `@`, tab or CR and is not a plain number such as `-5`) is
//!   written to csv with a leading `'`. In xlsx it is written as a string cell
//!   (never a formula) with Excel's "quote prefix" style, so Excel shows the
//!   value without a visible `'` and still refuses to evaluate it even after
//!   the user edits the cell. On import, a leading `'` followed by such a
//!   value is removed (also from xlsx, because a csv export opened in Excel
//!   and saved as xlsx carries the `'` in the text). The exporter adds
//!   exactly the quotes the importer removes, so an export re-imports
//!   unchanged; see [`formula`].
//! * **Reading is bounded.** Input size, the declared *and actual*
//!   uncompressed size of an xlsx, compression ratios, rows, columns and cells
//!   all have limits ([`ReadLimits`]), checked before or while parsing, so a
//!   hostile upload costs at most a bounded amount of memory and time.
//!
//! # What is deliberately absent
//!
//! * No `.xls` (Excel 97-2003): its reader builds a dense grid sized by the
//!   furthest cell, which a tiny file can make gigabytes large; such files get
//!   [`ReadError::LegacyXls`] asking the user to save as xlsx.
//! * No formulas are ever written, and none are evaluated on read: a formula
//!   cell reads as the value Excel cached for it.
//! * No knowledge of the domain's columns, except the policy report's
//!   ([`policy`]), whose shape the vectors' contract fixes; no I/O besides
//!   the writer or path the caller hands in.

#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        reason = "a test should fail loudly on an unexpected error"
    )
)]

pub mod columns;
pub mod error;
pub mod formula;
pub mod policy;
pub mod read;
pub mod report;
pub mod table;
pub mod write;

pub use columns::{map_columns, validate_specs, ColumnError, ColumnMap, ColumnSpec};
pub use error::{ReadError, WriteError};
pub use read::{
    read_table, read_table_chunked, sniff_format, ReadLimits, ReadOptions, SourceFormat,
};
pub use report::{RowError, RowErrors};
pub use table::{Row, Table};
pub use write::{
    write_csv, write_xlsx_to_path, write_xlsx_to_vec, CsvOptions, XlsxOptions, XLSX_MAX_CELL_CHARS,
    XLSX_MAX_DATA_ROWS,
};
