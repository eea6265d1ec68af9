//! How one xlsx cell value becomes text: dates as `YYYY-MM-DD`, whole numbers
//! without `.0`, no scientific notation, text untouched.

use calamine::{DataRef, ExcelDateTime};
use chrono::{Duration, NaiveDate, Timelike};

/// The text of one cell, before trimming and unguarding.
pub(crate) fn cell_text(value: DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s,
        DataRef::SharedString(s) => s.to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(f),
        DataRef::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_owned(),
        DataRef::DateTime(dt) => date_text(&dt),
        DataRef::DateTimeIso(s) => iso_date_text(&s),
        DataRef::DurationIso(s) => s,
        DataRef::Error(e) => e.to_string(),
    }
}

/// Numbers as a person reads them in Excel: `42`, not `42.0`; every digit of
/// `523101000000000000`, not `5.23101E+17`; and fractions rounded to Excel's
/// 15 significant digits, so a computed `0.30000000000000004` reads `0.3`.
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f == 0.0 {
        // Also turns -0.0 into "0".
        return "0".to_owned();
    }
    if f.fract() == 0.0 {
        if f.abs() < 1e15 {
            // `{:.0}` prints every integer digit and never uses an exponent.
            return format!("{f:.0}");
        }
        return big_integer_text(f);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    // Display for f64 never uses an exponent either: 1e-7 prints 0.0000001.
    rounded.to_string()
}

/// A whole number of 16 or more digits as Excel shows it with format `0`:
/// 15 significant digits, then zeros. An 18-digit ID number typed as a
/// number so reads `110101199001011000`, not the binary float's
/// `110101199001011008`, and the validator can tell it was truncated.
fn big_integer_text(f: f64) -> String {
    let scientific = format!("{:.14e}", f.abs());
    let Some((mantissa, exponent)) = scientific.split_once('e') else {
        return format!("{f:.0}");
    };
    let Ok(exponent) = exponent.parse::<usize>() else {
        return format!("{f:.0}");
    };
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < exponent + 1 {
        digits.extend(std::iter::repeat_n('0', exponent + 1 - digits.len()));
    }
    if f < 0.0 {
        digits.insert(0, '-');
    }
    digits
}

fn date_text(dt: &ExcelDateTime) -> String {
    if dt.is_duration() {
        return duration_text(dt.as_f64());
    }
    let Some(moment) = dt.as_datetime() else {
        return number_text(dt.as_f64());
    };
    // calamine keeps milliseconds; people mean whole seconds.
    let moment = moment + Duration::milliseconds(500);
    let moment = moment.with_nanosecond(0).unwrap_or(moment);
    let has_time = moment.time().num_seconds_from_midnight() != 0;
    // Serials below 1 are times of day without a date; they land in 1899.
    let time_only = NaiveDate::from_ymd_opt(1900, 1, 1).is_some_and(|d| moment.date() < d);
    if time_only {
        moment.format("%H:%M:%S").to_string()
    } else if has_time {
        moment.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        moment.format("%Y-%m-%d").to_string()
    }
}

fn duration_text(days: f64) -> String {
    let total = (days * 86_400.0).round() as i64;
    let sign = if total < 0 { "-" } else { "" };
    let total = total.abs();
    format!(
        "{sign}{}:{:02}:{:02}",
        total / 3600,
        total / 60 % 60,
        total % 60
    )
}

/// Cells of type `d` carry ISO text; a date at midnight reads as just the date.
fn iso_date_text(s: &str) -> String {
    let s = s.trim();
    for midnight in ["T00:00:00", "T00:00:00.000", "T00:00:00Z"] {
        if let Some(date) = s.strip_suffix(midnight) {
            return date.to_owned();
        }
    }
    s.replacen('T', " ", 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    fn date(serial: f64) -> String {
        date_text(&ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            false,
        ))
    }

    #[test]
    fn whole_numbers_read_without_a_decimal_point() {
        assert_eq!(number_text(42.0), "42");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(-0.0), "0");
    }

    #[test]
    fn large_integers_never_turn_into_scientific_notation() {
        assert_eq!(number_text(523_101_000_000_000_000.0), "523101000000000000");
        assert_eq!(number_text(1e20), "100000000000000000000");
        assert_eq!(number_text(91_310_000_000_000.0), "91310000000000");
        assert_eq!(number_text(110_101_199_001_011_234.0), "110101199001011000");
        assert_eq!(number_text(-1_234_567_890_123_456.0), "-1234567890123460");
    }

    #[test]
    fn fractions_read_as_excel_shows_them() {
        assert_eq!(number_text(1234.56), "1234.56");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(1e-7), "0.0000001");
    }

    #[test]
    fn excel_date_serials_become_iso_dates() {
        assert_eq!(date(45292.0), "2024-01-01");
        assert_eq!(date(1.0), "1900-01-01");
        assert_eq!(date(45292.5), "2024-01-01 12:00:00");
        assert_eq!(date(0.75), "18:00:00");
        // 23:59:59.9 rounds to the next whole second, which is the next day.
        assert_eq!(date(45292.0 + 86_399.9 / 86_400.0), "2024-01-02");
    }

    #[test]
    fn the_1904_date_system_lands_on_the_same_calendar_day() {
        let dt = ExcelDateTime::new(43830.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(date_text(&dt), "2024-01-01");
    }

    #[test]
    fn iso_dates_at_midnight_read_as_plain_dates() {
        assert_eq!(iso_date_text("2024-03-05T00:00:00"), "2024-03-05");
        assert_eq!(iso_date_text("2024-03-05T08:30:00"), "2024-03-05 08:30:00");
    }

    #[test]
    fn durations_read_as_hours_minutes_seconds() {
        assert_eq!(duration_text(1.5), "36:00:00");
        assert_eq!(duration_text(-0.5 / 24.0), "-0:30:00");
    }
}
