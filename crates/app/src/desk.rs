//! The desk (工作台): what waits for the signed-in account in its role and
//! scope, each line a task the role may take, counted in the store (one
//! `COUNT` per line). The web turns each [`Task`] into a label and a link.

use crate::annual_report::ReportRow;
use crate::{Registry, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use gongyi_domain::access::Role;
use gongyi_domain::annual_report::ReportStatus;
use gongyi_domain::applications::Status;
use gongyi_store::budgets::BudgetStatusRow;

/// A kind of work that waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Sub-district: reports submitted in its area, for 初审.
    ReportsToReview,
    /// Bureau: reports past 初审, for the conclusion.
    ReportsToConclude,
    /// Sub-district: applications of community organisations to review.
    ApplicationsToReview,
    /// Bureau: applications the sub-district reviewed, to approve.
    ApplicationsReviewed,
    /// Bureau: applications that need no sub-district review, to approve.
    ApplicationsToApprove,
    /// Finance: approved applications to pay.
    PaymentsToMake,
    /// Organisation: its applications returned for mending.
    ApplicationsReturned,
    /// Organisation: its applications under way (waiting for others).
    ApplicationsUnderWay,
    /// Bureau: claims on registered people to resolve.
    ClaimsToResolve,
    // Declarations of facts (another part of the work): a line
    // `DeclarationsToVerify` goes here, counted like the others.
}

/// One line of the desk.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub task: Task,
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// An organisation's report of the year now being filed.
#[derive(Debug, Clone)]
pub struct FilingYear {
    pub year: i32,
    pub deadline: NaiveDate,
    /// `None`: not yet begun.
    pub report: Option<ReportRow>,
    /// 未报送: the deadline passed and the report was never submitted.
    pub overdue: bool,
}

/// Filing progress of the year for the bureau and sub-districts.
#[derive(Debug, Clone, Default)]
pub struct FilingTotals {
    pub year: i32,
    pub due: i64,
    pub submitted: i64,
    pub concluded: i64,
    pub late: i64,
    /// 未报送 (after the deadline).
    pub overdue: i64,
}

/// Everything a desk shows.
#[derive(Debug, Clone)]
pub struct Desk {
    pub name: String,
    pub role: Option<Role>,
    pub waiting: Vec<Waiting>,
    /// Organisation: the report of the year being filed, and earlier ones.
    pub filing: Option<FilingYear>,
    /// Bureau and sub-district: how the year's filing goes.
    pub progress: Option<FilingTotals>,
    /// Finance: budget lines of this year with less than a tenth left.
    pub budgets_near_limit: Vec<BudgetStatusRow>,
    /// Declarations of facts waiting (filled in once declarations exist).
    pub declarations_waiting: Option<i64>,
}

impl Registry {
    /// The caller's desk.
    pub async fn desk(&self) -> Result<Desk> {
        let role = self.caller.role();
        let scope = &self.caller.scope;
        let today = self.clock.today();
        let year = today.year() - 1;
        let mut waiting = Vec::new();
        let apps = |status, needs| self.db.applications_waiting(scope, status, needs);
        let mut push = |task, (count, oldest): (i64, Option<DateTime<Utc>>)| {
            waiting.push(Waiting {
                task,
                count,
                oldest,
            })
        };
        let mut filing = None;
        let mut progress = None;
        let mut budgets_near_limit = Vec::new();
        match role {
            Some(Role::Organisation) => {
                let own = self.own_reports().await?;
                let report = own.into_iter().find(|r| r.year == i64::from(year));
                let submitted = report
                    .as_ref()
                    .is_some_and(|r| r.status != ReportStatus::Draft);
                filing = Some(FilingYear {
                    year,
                    deadline: self.report_deadline(year),
                    overdue: !submitted && self.report_overdue(year),
                    report,
                });
                push(
                    Task::ApplicationsReturned,
                    apps(Status::Returned, None).await?,
                );
                let (a, oa) = apps(Status::Submitted, None).await?;
                let (b, ob) = apps(Status::SubdistrictReviewed, None).await?;
                let (c, oc) = apps(Status::Approved, None).await?;
                push(
                    Task::ApplicationsUnderWay,
                    (a + b + c, [oa, ob, oc].into_iter().flatten().min()),
                );
            }
            Some(Role::Subdistrict) => {
                push(
                    Task::ReportsToReview,
                    self.reports_waiting(ReportStatus::Submitted).await?,
                );
                push(
                    Task::ApplicationsToReview,
                    apps(Status::Submitted, Some(true)).await?,
                );
                progress = Some(self.filing_totals(year).await?);
            }
            Some(Role::Bureau) => {
                push(
                    Task::ReportsToConclude,
                    self.reports_waiting(ReportStatus::Reviewed).await?,
                );
                push(
                    Task::ApplicationsReviewed,
                    apps(Status::SubdistrictReviewed, None).await?,
                );
                push(
                    Task::ApplicationsToApprove,
                    apps(Status::Submitted, Some(false)).await?,
                );
                let claims = self.person_claims().await?;
                push(Task::ClaimsToResolve, (claims.len() as i64, None));
                progress = Some(self.filing_totals(year).await?);
            }
            Some(Role::Finance) => {
                push(Task::PaymentsToMake, apps(Status::Approved, None).await?);
                budgets_near_limit = self
                    .budgets(Some(today.year()))
                    .await?
                    .into_iter()
                    .filter(|b| {
                        let left = b.amount_fen - b.approved_fen - b.paid_fen;
                        left * 10 < b.amount_fen
                    })
                    .collect();
            }
            _ => {}
        }
        Ok(Desk {
            name: self.caller.name.clone(),
            role,
            waiting,
            filing,
            progress,
            budgets_near_limit,
            declarations_waiting: None,
        })
    }

    async fn filing_totals(&self, year: i32) -> Result<FilingTotals> {
        let mut t = FilingTotals {
            year,
            ..FilingTotals::default()
        };
        for l in self.report_progress(year).await? {
            t.due += l.due;
            t.late += l.late;
            t.overdue += l.overdue;
            for (s, n) in &l.by_status {
                if *s != ReportStatus::Draft {
                    t.submitted += n;
                }
                if *s == ReportStatus::Concluded {
                    t.concluded += n;
                }
            }
        }
        Ok(t)
    }
}
