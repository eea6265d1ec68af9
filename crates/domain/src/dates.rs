//! Calendar arithmetic shared by the rules.

use chrono::{Datelike, NaiveDate};

/// `d` plus `n` calendar years; 29 February becomes 28 February in a common year
/// (subsidies.md: "a 29 Feb registration ends on 28 Feb").
pub fn add_years(d: NaiveDate, n: i32) -> NaiveDate {
    let y = d.year() + n;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d)
}

/// Whole years from `start` to `on` (0 when `on` is before `start`).
pub fn full_years(start: NaiveDate, on: NaiveDate) -> i32 {
    let mut y = on.year() - start.year();
    if (on.month(), on.day()) < (start.month(), start.day()) {
        y -= 1;
    }
    y.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_leap_day_plus_two_years_is_the_28th_of_february() {
        assert_eq!(add_years(d(2020, 2, 29), 2), d(2022, 2, 28));
        assert_eq!(add_years(d(2020, 2, 29), 4), d(2024, 2, 29));
    }

    #[test]
    fn full_years_count_anniversaries() {
        assert_eq!(full_years(d(2020, 3, 1), d(2023, 3, 1)), 3);
        assert_eq!(full_years(d(2020, 3, 2), d(2023, 3, 1)), 2);
        assert_eq!(full_years(d(2024, 1, 1), d(2023, 3, 1)), 0);
    }
}
