//! Recording policy facts straight into storage, for tests of what approval
//! and eligibility do with them (app and HTTP tests alike). Only with the
//! `test-support` feature; the running system records facts through its use
//! cases. Bad input panics: these are fixtures.

#![allow(clippy::expect_used, reason = "fixtures fail loudly")]

use crate::Registry;
use chrono::NaiveDate;
use gongyi_domain::history::{
    Honour, HonourLevel, Inspection, InspectionResult, Rating, RatingLevel,
};
use gongyi_domain::people::{
    AnnualReview, Employment, PerformanceRating, Qualification, QualificationLevel,
};
use gongyi_domain::policy::facts::{CompetitionLevel, Score};
use gongyi_domain::policy::YearMonth;
use gongyi_domain::Fen;
use gongyi_store::policy_facts::{CompetitionWinRecord, SeniorAwardRecord};
use gongyi_store::{Db, Tx};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date YYYY-MM-DD")
}

fn yuan(s: &str) -> Fen {
    Fen::parse_yuan("yuan", s).expect("an amount in yuan")
}

/// Writes facts of the registry of `r`, each in its own transaction.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a>(pub &'a Registry);

impl Record<'_> {
    async fn write<T>(&self, f: impl AsyncFnOnce(&Db, &mut Tx) -> gongyi_store::Result<T>) -> T {
        let db = self.0.store();
        let mut tx = db.begin().await.expect("begin");
        let v = f(db, &mut tx).await.expect("a fact the store accepts");
        tx.commit().await.expect("commit");
        v
    }

    /// The table id of the organisation with `credit_code`.
    pub async fn org_id(&self, credit_code: &str) -> i64 {
        self.0
            .store()
            .org_by_code(credit_code)
            .await
            .expect("a registered organisation")
            .id
    }

    /// R2: an application for the start-up subsidy.
    pub async fn startup_application(&self, org: i64, date: &str, requested: &str) {
        self.write(async |db, tx| {
            db.insert_startup_application(tx, org, day(date), yuan(requested))
                .await
        })
        .await;
    }

    /// An annual inspection of `year` with its result, concluded on `date`.
    pub async fn inspection(&self, org: i64, year: i32, result: InspectionResult, date: &str) {
        let i = Inspection {
            year,
            result,
            date: Some(day(date)),
        };
        self.write(async |db, tx| db.insert_inspection(tx, org, &i).await)
            .await;
    }

    /// R3: the rent paid for `month` (`YYYY-MM`).
    pub async fn lease(&self, org: i64, month: &str, rent: &str) {
        let m = YearMonth::parse("month", month).expect("a month YYYY-MM");
        self.write(async |db, tx| db.insert_lease(tx, org, m, yuan(rent)).await)
            .await;
    }

    /// R4: a rating obtained on `date`.
    pub async fn rating(&self, org: i64, level: RatingLevel, date: &str) {
        let x = Rating {
            level,
            date: day(date),
        };
        self.write(async |db, tx| db.insert_rating(tx, org, &x).await)
            .await;
    }

    /// R5: an honour received on `date`.
    pub async fn honour(&self, org: i64, title: &str, level: HonourLevel, date: &str) {
        let x = Honour {
            title: title.into(),
            level,
            date: day(date),
        };
        self.write(async |db, tx| db.insert_honour(tx, org, &x).await)
            .await;
    }

    /// R6: a project selected in the venture philanthropy round.
    pub async fn venture(&self, org: i64, project: &str, amount: &str, selected: &str) {
        self.write(async |db, tx| {
            db.insert_venture_project(tx, org, project, yuan(amount), day(selected))
                .await
        })
        .await;
    }

    /// R7: a prize in a start-up competition serving the district.
    pub async fn competition_win(
        &self,
        org: i64,
        project: &str,
        level: CompetitionLevel,
        place: Option<u32>,
        amount: &str,
        date: &str,
    ) {
        let w = CompetitionWinRecord {
            project_id: project.into(),
            level,
            prize_place: place,
            amount: yuan(amount),
            serves_district: true,
            date: day(date),
        };
        self.write(async |db, tx| db.insert_competition_win(tx, org, &w).await)
            .await;
    }

    /// A social-work qualification awarded on `date`.
    pub async fn qualification(&self, person: i64, level: QualificationLevel, date: &str) {
        let q = Qualification {
            level,
            certificate_no: format!("TEST-{}", level.code()),
            date: day(date),
        };
        self.write(async |db, tx| db.insert_qualification(tx, person, &q).await)
            .await;
    }

    /// An employment under a labour contract from `start` (to `end`, inclusive).
    pub async fn contract(&self, person: i64, org: i64, start: &str, end: Option<&str>) {
        let e = Employment {
            start_date: day(start),
            end_date: end.map(day),
            labour_contract: true,
            full_time: true,
            position: None,
        };
        self.write(async |db, tx| db.insert_employment(tx, person, org, &e).await)
            .await;
    }

    /// The annual performance rating of `year`.
    pub async fn performance(&self, person: i64, year: i32, rating: PerformanceRating) {
        let r = AnnualReview {
            year,
            training_hours: 0,
            performance: Some(rating),
        };
        self.write(async |db, tx| db.insert_review(tx, person, &r).await)
            .await;
    }

    /// R10: the supervisor review of `year` (score as "97.5").
    pub async fn supervisor_review(&self, person: i64, year: i32, score: &str, hours: u32) {
        let s = Score::parse("score", score).expect("a score");
        self.write(async |db, tx| {
            db.insert_supervisor_review(tx, person, year, s, hours)
                .await
        })
        .await;
    }

    /// R11: a reviewer's decision on the senior social worker award.
    pub async fn senior_award_decision(&self, person: i64, date: &str, innovative: bool) {
        let d = SeniorAwardRecord {
            decision_date: day(date),
            innovative_contribution: innovative,
            reason: Some("牵头社区治理创新项目".into()),
        };
        self.write(async |db, tx| db.insert_senior_award_decision(tx, person, &d).await)
            .await;
    }
}
