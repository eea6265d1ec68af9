//! Free text with a length limit, the limits themselves, and the small
//! parsers every form shares (dates, years, counts, flags, phone numbers).

use crate::error::Invalid;
use chrono::NaiveDate;

/// Trims `input`; refuses it when empty (if `required`) or longer than `max` characters.
pub fn bounded(
    field: &str,
    label: &str,
    input: &str,
    max: usize,
    required: bool,
) -> Result<String, Invalid> {
    let s = input.trim();
    if s.is_empty() && required {
        return Err(Invalid::one(
            field,
            "text.required",
            format!("请填写{label}"),
        ));
    }
    let n = s.chars().count();
    if n > max {
        return Err(Invalid::one(
            field,
            "text.too_long",
            format!("{label}不能超过 {max} 个字符(现为 {n} 个)"),
        ));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::one(
            field,
            "text.control_character",
            format!("{label}含有不可见的控制字符"),
        ));
    }
    Ok(s.to_string())
}

/// Optional text: `None` when blank.
pub fn optional(
    field: &str,
    label: &str,
    input: &str,
    max: usize,
) -> Result<Option<String>, Invalid> {
    bounded(field, label, input, max, false).map(|s| (!s.is_empty()).then_some(s))
}

/// A date as people type it: `2024-03-01`, `2024/3/1`, `2024.3.1`, `2024年3月1日`, `20240301`.
pub fn date(field: &str, label: &str, input: &str) -> Result<NaiveDate, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Invalid::one(
            field,
            "date.required",
            format!("请填写{label}"),
        ));
    }
    parse_date_loose(s).ok_or_else(|| {
        Invalid::one(
            field,
            "date.format",
            format!("{label}“{s}”不是有效日期(格式如 2024-03-01)"),
        )
    })
}

/// Optional date: `None` when blank.
pub fn optional_date(field: &str, label: &str, input: &str) -> Result<Option<NaiveDate>, Invalid> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        date(field, label, input).map(Some)
    }
}

fn parse_date_loose(s: &str) -> Option<NaiveDate> {
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let norm: String = s
        .trim_end_matches('日')
        .chars()
        .map(|c| {
            if matches!(c, '/' | '.' | '年' | '月') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let mut it = norm.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A year between 1949 and 2100.
pub fn year(field: &str, label: &str, input: &str) -> Result<i32, Invalid> {
    let s = input.trim();
    s.parse::<i32>()
        .ok()
        .filter(|y| (1949..=2100).contains(y))
        .ok_or_else(|| Invalid::one(field, "year.format", format!("{label}“{s}”不是有效年份")))
}

/// A non-negative whole number (counts of people, hours).
pub fn count(field: &str, label: &str, input: &str) -> Result<i64, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(0);
    }
    match s.parse::<i64>() {
        Ok(v) if v >= 0 => Ok(v),
        Ok(_) => Err(Invalid::one(
            field,
            "count.negative",
            format!("{label}不能为负数"),
        )),
        Err(_) => Err(Invalid::one(
            field,
            "count.format",
            format!("{label}“{s}”应为整数"),
        )),
    }
}

/// A boolean as typed in forms and spreadsheets: 是/否, 1/0, true/false, Y/N.
pub fn flag(field: &str, label: &str, input: &str) -> Result<bool, Invalid> {
    match input.trim().to_lowercase().as_str() {
        "" | "0" | "否" | "false" | "n" | "no" | "off" => Ok(false),
        "1" | "是" | "true" | "y" | "yes" | "on" => Ok(true),
        other => Err(Invalid::one(
            field,
            "flag.format",
            format!("{label}应填“是”或“否”,而非“{other}”"),
        )),
    }
}

/// Refuses `end` before `start`.
pub fn date_order(field: &str, start: NaiveDate, end: Option<NaiveDate>) -> Result<(), Invalid> {
    match end {
        Some(e) if e < start => Err(Invalid::one(
            field,
            "date.end_before_start",
            format!("结束日期 {e} 早于开始日期 {start}"),
        )),
        _ => Ok(()),
    }
}

/// A mobile (11 digits starting with 1) or a landline (digits, optional area
/// code and extension with `-`).
pub fn parse_phone(field: &str, input: &str) -> Result<Option<String>, Invalid> {
    let s: String = input.trim().chars().filter(|c| *c != ' ').collect();
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let shape_ok = s
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == '+');
    let mobile = s.len() == 11 && s.starts_with('1') && digits == 11;
    let landline = shape_ok && (7..=15).contains(&digits) && !s.starts_with('1');
    if shape_ok && (mobile || landline || (s.starts_with("+86") && digits == 13)) {
        Ok(Some(s))
    } else {
        Err(Invalid::one(
            field,
            "phone.format",
            format!("联系电话“{}”格式不正确", input.trim()),
        ))
    }
}

/// Limits on free text, shared by forms, API and imports.
pub mod limits {
    pub const NAME: usize = 100;
    pub const ADDRESS: usize = 200;
    pub const PERSON_NAME: usize = 50;
    pub const PHONE: usize = 20;
    pub const REASON: usize = 500;
    pub const TITLE: usize = 200;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_people_type() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
        for s in [
            "2024-03-01",
            "2024/3/1",
            "2024.3.1",
            "2024年3月1日",
            "20240301",
            " 2024-3-01 ",
        ] {
            assert_eq!(date("d", "日期", s), Ok(d), "{s}");
        }
        assert!(date("d", "日期", "2023-02-29").is_err());
        assert!(date("d", "日期", "01/03/2024").is_err());
    }

    #[test]
    fn over_long_text_is_refused_naming_the_field() {
        let e = bounded("name", "名称", &"字".repeat(101), 100, true).unwrap_err();
        assert_eq!(e.0[0].field, "name");
        assert_eq!(e.0[0].code, "text.too_long");
        assert_eq!(bounded("name", "名称", "  a ", 100, true), Ok("a".into()));
        assert_eq!(
            bounded("name", "名称", "  ", 100, true).unwrap_err().0[0].code,
            "text.required"
        );
    }

    #[test]
    fn an_end_before_its_start_is_refused() {
        let a = NaiveDate::from_ymd_opt(2024, 3, 1).expect("date");
        let b = NaiveDate::from_ymd_opt(2024, 2, 1).expect("date");
        assert!(date_order("end_date", a, Some(b)).is_err());
        assert!(date_order("end_date", b, Some(a)).is_ok());
        assert!(date_order("end_date", a, Some(a)).is_ok());
    }
}
