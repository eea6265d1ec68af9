//! 社工人才 (social-work talent): people, their qualifications, employments,
//! training and performance.

use crate::error::{FieldError, Invalid};
use crate::policy::facts::Score;
use crate::resident_id::ResidentId;
use crate::text::{self, limits, parse_phone};
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;

vocabulary! {
    QualificationLevel, "社工资格等级" {
        Assistant => "ASSISTANT", "助理社会工作师";
        Intermediate => "INTERMEDIATE", "社会工作师";
        Senior => "SENIOR", "高级社会工作师";
    }
}

vocabulary! {
    PerformanceRating, "年度考核结果" {
        Excellent => "EXCELLENT", "优秀";
        Good => "GOOD", "良好";
        Qualified => "QUALIFIED", "合格";
        Unqualified => "UNQUALIFIED", "不合格";
    }
}

#[derive(Debug, Clone, Default)]
pub struct PersonInput {
    pub name: String,
    pub resident_id: String,
    pub phone: String,
    pub social_work_start_date: String,
    pub supervisor: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDraft {
    pub name: String,
    pub resident_id: ResidentId,
    pub phone: Option<String>,
    pub social_work_start_date: Option<NaiveDate>,
    pub supervisor: bool,
}

impl PersonInput {
    pub fn validate(&self, today: NaiveDate) -> Result<PersonDraft, Invalid> {
        let mut e = Invalid::default();
        let name = e.take(text::bounded(
            "name",
            "姓名",
            &self.name,
            limits::PERSON_NAME,
            true,
        ));
        let resident_id = e.take(ResidentId::parse(&self.resident_id, today));
        let phone = e.take(parse_phone("phone", &self.phone));
        let start = e.take(text::optional_date(
            "social_work_start_date",
            "从事社会工作起始日期",
            &self.social_work_start_date,
        ));
        let supervisor = e.take(text::flag("supervisor", "是否督导", &self.supervisor));
        let (Some(name), Some(resident_id), Some(phone), Some(start), Some(supervisor)) =
            (name, resident_id, phone, start, supervisor)
        else {
            return Err(e);
        };
        if let Some(s) = start {
            if s < resident_id.birth_date() || s > today {
                return Err(Invalid::one(
                    "social_work_start_date",
                    "person.start_out_of_range",
                    "从事社会工作起始日期不能早于出生日期或晚于今天",
                ));
            }
        }
        Ok(PersonDraft {
            name,
            resident_id,
            phone,
            social_work_start_date: start,
            supervisor,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct QualificationInput {
    pub level: String,
    pub certificate_no: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qualification {
    pub level: QualificationLevel,
    pub certificate_no: String,
    pub date: NaiveDate,
}

impl QualificationInput {
    pub fn validate(&self, birth: NaiveDate, today: NaiveDate) -> Result<Qualification, Invalid> {
        let mut e = Invalid::default();
        let level = e.take(QualificationLevel::parse("level", &self.level));
        let cert = e.take(text::bounded(
            "certificate_no",
            "证书编号",
            &self.certificate_no,
            50,
            true,
        ));
        let date = e.take(text::date("date", "取得日期", &self.date));
        let (Some(level), Some(certificate_no), Some(date)) = (level, cert, date) else {
            return Err(e);
        };
        if date < birth || date > today {
            return Err(Invalid::one(
                "date",
                "qualification.date_out_of_range",
                "取得日期不能早于出生日期或晚于今天",
            ));
        }
        Ok(Qualification {
            level,
            certificate_no,
            date,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct EmploymentInput {
    pub org_credit_code: String,
    pub start_date: String,
    pub end_date: String,
    pub labour_contract: String,
    pub full_time: String,
    pub position: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employment {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub labour_contract: bool,
    pub full_time: bool,
    pub position: Option<String>,
}

impl Employment {
    /// Active on `d`: started, and not ended before `d` (the end is the last working day).
    pub fn active_on(&self, d: NaiveDate) -> bool {
        self.start_date <= d && self.end_date.is_none_or(|e| d <= e)
    }

    fn overlaps(&self, o: &Employment) -> bool {
        let end_a = self.end_date.unwrap_or(NaiveDate::MAX);
        let end_b = o.end_date.unwrap_or(NaiveDate::MAX);
        self.start_date <= end_b && o.start_date <= end_a
    }
}

impl EmploymentInput {
    /// Validates the spell itself; the organisation code is resolved by the store.
    pub fn validate(&self) -> Result<Employment, Invalid> {
        let mut e = Invalid::default();
        let start = e.take(text::date("start_date", "入职日期", &self.start_date));
        let end = e.take(text::optional_date("end_date", "离职日期", &self.end_date));
        let labour = e.take(text::flag(
            "labour_contract",
            "是否签订劳动合同",
            &self.labour_contract,
        ));
        let full = e.take(text::flag("full_time", "是否全职", &self.full_time));
        let position = e.take(text::optional("position", "岗位", &self.position, 50));
        let (
            Some(start_date),
            Some(end_date),
            Some(labour_contract),
            Some(full_time),
            Some(position),
        ) = (start, end, labour, full, position)
        else {
            return Err(e);
        };
        text::date_order("end_date", start_date, end_date)?;
        Ok(Employment {
            start_date,
            end_date,
            labour_contract,
            full_time,
            position,
        })
    }
}

/// R10: the supervisor review (督导评审) of a year: score and supervision hours.
#[derive(Debug, Clone, Default)]
pub struct SupervisorReviewInput {
    pub year: String,
    /// A decimal with at most one fractional digit, e.g. `97.5`.
    pub score: String,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisorReview {
    pub year: i32,
    pub score: Score,
    pub hours: u32,
}

/// The highest review score.
const MAX_SCORE: Score = Score(1000);

impl SupervisorReviewInput {
    pub fn validate(&self) -> Result<SupervisorReview, Invalid> {
        let mut e = Invalid::default();
        let year = e.take(text::year("year", "评审年度", &self.year));
        let score = e.take(Score::parse("score", &self.score).and_then(|s| {
            if s > MAX_SCORE {
                Err(Invalid::one(
                    "score",
                    "score.range",
                    format!("评审分数 {s} 超过满分 100 分"),
                ))
            } else {
                Ok(s)
            }
        }));
        let hours = e.take(text::count("hours", "督导时长", &self.hours).and_then(|h| {
            u32::try_from(h).map_err(|_| Invalid::one("hours", "count.too_large", "督导时长过大"))
        }));
        match (year, score, hours) {
            (Some(year), Some(score), Some(hours)) => Ok(SupervisorReview { year, score, hours }),
            _ => Err(e),
        }
    }
}

/// R11: a reviewer's recorded decision on the senior social worker award.
#[derive(Debug, Clone, Default)]
pub struct SeniorAwardInput {
    pub decision_date: String,
    pub innovative_contribution: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeniorAward {
    pub decision_date: NaiveDate,
    pub innovative_contribution: bool,
    /// The reviewer's words, kept for the file; the rules do not read them.
    pub reason: Option<String>,
}

impl SeniorAwardInput {
    pub fn validate(&self, birth: NaiveDate, today: NaiveDate) -> Result<SeniorAward, Invalid> {
        let mut e = Invalid::default();
        let date = e.take(text::date(
            "decision_date",
            "评审决定日期",
            &self.decision_date,
        ));
        let innovative = e.take(text::flag(
            "innovative_contribution",
            "有创新性贡献",
            &self.innovative_contribution,
        ));
        let reason = e.take(text::optional(
            "reason",
            "评审意见",
            &self.reason,
            limits::REASON,
        ));
        let (Some(decision_date), Some(innovative_contribution), Some(reason)) =
            (date, innovative, reason)
        else {
            return Err(e);
        };
        if decision_date < birth || decision_date > today {
            return Err(Invalid::one(
                "decision_date",
                "senior_award.date_out_of_range",
                "评审决定日期不能早于出生日期或晚于今天",
            ));
        }
        Ok(SeniorAward {
            decision_date,
            innovative_contribution,
            reason,
        })
    }
}

/// A person cannot hold two full-time employments at once.
pub fn check_no_overlapping_full_time(
    new: &Employment,
    existing: &[Employment],
) -> Result<(), Invalid> {
    if !new.full_time {
        return Ok(());
    }
    match existing.iter().find(|o| o.full_time && o.overlaps(new)) {
        Some(o) => Err(FieldError::new(
            "start_date",
            "employment.full_time_overlap",
            format!(
                "与已有的全职任职({} 起)时间重叠,同一时间只能有一份全职工作",
                o.start_date
            ),
        )
        .into()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn job(start: NaiveDate, end: Option<NaiveDate>, full_time: bool) -> Employment {
        Employment {
            start_date: start,
            end_date: end,
            labour_contract: true,
            full_time,
            position: None,
        }
    }

    #[test]
    fn two_overlapping_full_time_employments_are_refused() {
        let a = job(d(2020, 1, 1), Some(d(2022, 12, 31)), true);
        assert!(check_no_overlapping_full_time(
            &job(d(2022, 12, 31), None, true),
            std::slice::from_ref(&a)
        )
        .is_err());
        assert!(check_no_overlapping_full_time(
            &job(d(2023, 1, 1), None, true),
            std::slice::from_ref(&a)
        )
        .is_ok());
        assert!(check_no_overlapping_full_time(&job(d(2021, 1, 1), None, false), &[a]).is_ok());
    }

    #[test]
    fn an_employment_ending_before_it_starts_is_refused() {
        let i = EmploymentInput {
            start_date: "2024-05-01".into(),
            end_date: "2024-04-30".into(),
            ..Default::default()
        };
        assert_eq!(i.validate().unwrap_err().0[0].field, "end_date");
    }

    #[test]
    fn the_end_date_is_the_last_working_day() {
        let j = job(d(2024, 1, 1), Some(d(2024, 3, 1)), false);
        assert!(j.active_on(d(2024, 3, 1)));
        assert!(!j.active_on(d(2024, 3, 2)));
    }

    #[test]
    fn a_person_with_a_bad_resident_id_is_refused_naming_the_field() {
        let p = PersonInput {
            name: "李明".into(),
            resident_id: "110105194912310021".into(),
            ..Default::default()
        };
        assert_eq!(
            p.validate(d(2026, 1, 1)).unwrap_err().0[0].field,
            "resident_id"
        );
    }

    #[test]
    fn a_supervisor_review_score_has_one_decimal_at_most_and_no_more_than_100() {
        let r = |score: &str| SupervisorReviewInput {
            year: "2024".into(),
            score: score.into(),
            hours: "12".into(),
        };
        assert_eq!(r("97.5").validate().expect("ok").score, Score(975));
        assert_eq!(r("97.55").validate().unwrap_err().0[0].code, "score.format");
        assert_eq!(r("100.1").validate().unwrap_err().0[0].code, "score.range");
    }

    #[test]
    fn a_senior_award_decision_cannot_be_in_the_future() {
        let a = SeniorAwardInput {
            decision_date: "2026-02-01".into(),
            innovative_contribution: "是".into(),
            reason: String::new(),
        };
        assert_eq!(
            a.validate(d(1980, 1, 1), d(2026, 1, 1)).unwrap_err().0[0].field,
            "decision_date"
        );
        assert!(a.validate(d(1980, 1, 1), d(2026, 3, 1)).is_ok());
    }
}

/// One year of a person's development record: training hours and the annual
/// performance rating (年度考核), which R9 reads for the following year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualReview {
    pub year: i32,
    pub training_hours: i64,
    pub performance: Option<PerformanceRating>,
}
