//! The plan's targets (一(二)): by the end of 2025 more than 1,000
//! registered social organisations in the district and more than 700
//! certified social workers working in them. How they are counted, and how
//! far a count is from its target; the counts come from the registry's
//! verified facts (`store::targets`).
//!
//! Counted as the plan means, at the end of each year:
//! - an organisation registered in the district on or before 31 December and
//!   neither deregistered by then nor revoked (a revocation carries no date
//!   in the registry, so a revoked organisation counts in no year);
//! - a certified social worker: a person holding a social-work
//!   qualification obtained on or before 31 December and employed on that
//!   day by such an organisation; counted once in the district, and once in
//!   each sub-district where an employer of theirs is.

use chrono::NaiveDate;

/// The first year of the plan (2021–2025).
pub const FIRST_YEAR: i32 = 2021;

/// One target of 一(二).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub label: &'static str,
    /// "以上": the count must exceed this.
    pub more_than: i64,
    pub unit: &'static str,
    /// The year by whose end it is due.
    pub year: i32,
}

/// 登记社会组织达到 1000 家以上.
pub const ORGANISATIONS: Target = Target {
    label: "登记社会组织",
    more_than: 1000,
    unit: "家",
    year: 2025,
};

/// 社会组织中的持证社工达到 700 人以上.
pub const SOCIAL_WORKERS: Target = Target {
    label: "社会组织中的持证社工",
    more_than: 700,
    unit: "人",
    year: 2025,
};

/// The day whose state a year's count describes.
pub fn year_end(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

/// The years a picture shows on `today`: from the plan's first year to
/// today's, each counted at its end (the current year as of its end so far).
pub fn years_until(today: NaiveDate) -> std::ops::RangeInclusive<i32> {
    use chrono::Datelike;
    FIRST_YEAR..=today.year().max(FIRST_YEAR)
}

impl Target {
    /// Whether `count` meets the target ("以上": more than the figure).
    pub fn met(&self, count: i64) -> bool {
        count > self.more_than
    }

    /// How much of the target `count` is, in whole per cent (rounded down).
    pub fn percent(&self, count: i64) -> i64 {
        if self.more_than <= 0 {
            return 100;
        }
        count.max(0) * 100 / self.more_than
    }

    /// What is still missing to meet it (0 once met).
    pub fn missing(&self, count: i64) -> i64 {
        (self.more_than + 1 - count).max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_means_more_than() {
        assert!(!ORGANISATIONS.met(1000));
        assert!(ORGANISATIONS.met(1001));
        assert_eq!(ORGANISATIONS.missing(1000), 1);
        assert_eq!(ORGANISATIONS.missing(1200), 0);
        assert_eq!(SOCIAL_WORKERS.percent(350), 50);
        assert_eq!(SOCIAL_WORKERS.percent(699), 99);
        assert_eq!(SOCIAL_WORKERS.percent(-3), 0);
    }

    #[test]
    fn years_run_from_the_plan_to_today() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(years_until(d(2026, 12, 8)), 2021..=2026);
        assert_eq!(years_until(d(2020, 1, 1)), 2021..=2021);
        assert_eq!(year_end(2024), Some(d(2024, 12, 31)));
    }
}
