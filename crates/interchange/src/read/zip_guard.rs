//! The compression-bomb check that runs before calamine sees an xlsx.
//!
//! A zip's central directory declares each part's sizes, so the cheap first
//! pass refuses a workbook that *says* it unpacks to too much or compresses
//! absurdly well. Declared sizes can lie, and neither the zip crate nor
//! calamine stops at the declared size, so a second pass unpacks every part
//! into a sink, counting, and refuses a part that outgrows its declaration.
//! That pass costs at most `max_uncompressed_bytes` of inflating and no
//! memory beyond a copy buffer. It does not judge whether the parts are
//! well-formed XML; calamine does that.

use std::io::{self, Cursor, Read};

use zip::result::ZipError;
use zip::ZipArchive;

use crate::error::mib;
use crate::{ReadError, ReadLimits};

/// Refuses bombs and zips without a workbook; `Ok` means calamine may parse.
pub(crate) fn inspect(bytes: &[u8], limits: &ReadLimits) -> Result<(), ReadError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    if archive.len() > limits.max_zip_entries {
        return Err(suspicious(format!(
            "包含 {} 个部件,超过上限 {}",
            archive.len(),
            limits.max_zip_entries
        )));
    }

    let mut declared_total: u64 = 0;
    let mut has_workbook = false;
    for index in 0..archive.len() {
        let part = archive.by_index_raw(index).map_err(zip_error)?;
        // calamine looks the workbook up case-insensitively, so do we.
        has_workbook |= part.name().eq_ignore_ascii_case("xl/workbook.xml");
        let size = part.size();
        declared_total = declared_total.saturating_add(size);
        if declared_total > limits.max_uncompressed_bytes {
            return Err(suspicious(format!(
                "解压后超过 {}",
                mib(limits.max_uncompressed_bytes)
            )));
        }
        let ratio = size / part.compressed_size().max(1);
        if size > limits.ratio_check_from_bytes && ratio > limits.max_compression_ratio {
            return Err(suspicious(format!(
                "部件 {} 的压缩比为 {ratio}:1,超过上限 {}:1",
                part.name(),
                limits.max_compression_ratio
            )));
        }
    }
    if !has_workbook {
        // A .docx, .pptx, .ods or any other zip: not something we read.
        return Err(ReadError::NotASpreadsheet);
    }

    let mut actual_total: u64 = 0;
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).map_err(zip_error)?;
        let declared = part.size();
        // One byte past the declaration is enough to catch a liar.
        let unpacked = io::copy(&mut (&mut part).take(declared + 1), &mut io::sink())
            .map_err(|e| ReadError::malformed(format!("解压失败:{e}")))?;
        if unpacked > declared {
            return Err(suspicious(format!(
                "部件 {} 解压后比声明的 {declared} 字节更大",
                part.name()
            )));
        }
        actual_total += unpacked;
        if actual_total > limits.max_uncompressed_bytes {
            return Err(suspicious(format!(
                "解压后超过 {}",
                mib(limits.max_uncompressed_bytes)
            )));
        }
    }
    Ok(())
}

fn suspicious(reason: String) -> ReadError {
    ReadError::SuspiciousCompression { reason }
}

fn zip_error(e: ZipError) -> ReadError {
    match e {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            ReadError::Encrypted
        }
        other => ReadError::malformed(format!("压缩包结构损坏:{other}")),
    }
}
