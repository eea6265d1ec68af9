//! What the public is shown of an organisation's duty to report: one line per
//! year it owed an annual inspection, so that a missing report reads as
//! missing — never as a blank or a zero (二(三), 四(一)).

use crate::history::InspectionResult;
use chrono::{Datelike, NaiveDate};

/// The state of one year's annual inspection, as disclosed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionStatus {
    /// On record with this result (未参检 is a recorded result too).
    Recorded(InspectionResult),
    /// Due and not on record.
    NotReported,
    /// Not due yet: the year's report may still be filed.
    Pending,
}

impl InspectionStatus {
    pub fn label(self) -> &'static str {
        match self {
            InspectionStatus::Recorded(r) => r.label(),
            InspectionStatus::NotReported => "未报送",
            InspectionStatus::Pending => "尚在年检期内",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            InspectionStatus::Recorded(r) => r.code(),
            InspectionStatus::NotReported => "NOT_REPORTED",
            InspectionStatus::Pending => "PENDING",
        }
    }
}

/// The last day (month, day) of the year after the work year by which its
/// inspection is due; reports are filed in the first half of the next year.
pub const INSPECTION_DUE: (u32, u32) = (6, 30);

/// Every year from registration to the last one owed on `today` (or until
/// deregistration), newest first, with its status.
pub fn inspection_years(
    registered: NaiveDate,
    deregistered: Option<NaiveDate>,
    today: NaiveDate,
    recorded: &[(i32, InspectionResult)],
) -> Vec<(i32, InspectionStatus)> {
    let last_work_year =
        deregistered.map_or(today.year() - 1, |d| (d.year() - 1).min(today.year() - 1));
    let mut out = Vec::new();
    for year in (registered.year()..=last_work_year).rev() {
        let status = match recorded.iter().find(|(y, _)| *y == year) {
            Some((_, r)) => InspectionStatus::Recorded(*r),
            None => {
                let due = NaiveDate::from_ymd_opt(year + 1, INSPECTION_DUE.0, INSPECTION_DUE.1);
                if due.is_some_and(|due| today <= due) {
                    InspectionStatus::Pending
                } else {
                    InspectionStatus::NotReported
                }
            }
        };
        out.push((year, status));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_missing_year_reads_as_not_reported_and_the_current_one_as_pending() {
        let got = inspection_years(
            d(2021, 5, 1),
            None,
            d(2025, 3, 1),
            &[
                (2021, InspectionResult::Qualified),
                (2023, InspectionResult::BasicallyQualified),
            ],
        );
        assert_eq!(
            got,
            vec![
                (2024, InspectionStatus::Pending),
                (
                    2023,
                    InspectionStatus::Recorded(InspectionResult::BasicallyQualified)
                ),
                (2022, InspectionStatus::NotReported),
                (
                    2021,
                    InspectionStatus::Recorded(InspectionResult::Qualified)
                ),
            ]
        );
    }

    #[test]
    fn a_deregistered_organisation_owes_nothing_after_it_ended() {
        let got = inspection_years(d(2019, 1, 1), Some(d(2021, 3, 1)), d(2025, 8, 1), &[]);
        assert_eq!(
            got.iter().map(|(y, _)| *y).collect::<Vec<_>>(),
            vec![2020, 2019]
        );
        assert!(got.iter().all(|(_, s)| *s == InspectionStatus::NotReported));
    }

    #[test]
    fn an_organisation_registered_this_year_owes_nothing_yet() {
        assert!(inspection_years(d(2025, 2, 1), None, d(2025, 8, 1), &[]).is_empty());
    }
}
