//! The desk (工作台): what waits for the signed-in account in its role and
//! scope, each line a task the role may take, counted in the store (one
//! `COUNT` per line). The web turns each [`Task`] into a label and a link.

use crate::annual_report::ReportRow;
use crate::applications::ApplicationFilter;
use crate::{Registry, Result};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use gongyi_domain::access::{Role, WHO_STATES};
use gongyi_domain::annual_report::{ReportStatus, Section};
use gongyi_domain::applications::Status;
use gongyi_domain::facts::{DeclarationStatus, FactKind};
use gongyi_domain::Fen;
use gongyi_store::budgets::BudgetStatusRow;

/// A kind of work that waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Sub-district: reports submitted in its area, for 初审.
    ReportsToReview,
    /// Bureau: reports past 初审, for the conclusion.
    ReportsToConclude,
    /// Sub-district and bureau: declarations of the kinds it verifies,
    /// stated by others in its scope.
    DeclarationsToVerify,
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
    /// Organisation: its applications waiting for the sub-district's review.
    ApplicationsAwaitingReview,
    /// Organisation: its applications waiting for the bureau's approval.
    ApplicationsAwaitingApproval,
    /// Organisation: its approved applications waiting for payment.
    ApplicationsAwaitingPayment,
    /// Organisation: its declarations waiting for verification.
    DeclarationsPending,
    /// Organisation: its declarations returned, to mend and declare again.
    DeclarationsReturned,
    /// Bureau: claims on registered people to resolve.
    ClaimsToResolve,
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
    /// The sections returned for mending, with their reasons.
    pub returned: Vec<(Section, String)>,
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

/// A support the organisation's recorded facts back today and it has not
/// yet applied for.
#[derive(Debug, Clone)]
pub struct Support {
    pub rule: &'static str,
    pub credit_code: String,
    pub event_key: String,
    pub clause: &'static str,
    pub title: &'static str,
    pub amount: Option<Fen>,
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
    /// Finance: budget lines of this year at least 90% committed.
    pub budgets_near_limit: Vec<BudgetStatusRow>,
    /// Organisation: supports it could apply for.
    pub supports: Vec<Support>,
}

/// The kinds of declarations `role` verifies.
fn verified_by(role: Role) -> Vec<FactKind> {
    WHO_STATES
        .iter()
        .filter(|r| r.verifiers.contains(&role))
        .map(|r| r.kind)
        .collect()
}

/// The share of a budget line, in per cent, from which finance's desk
/// lists it (the page says 九成).
pub const NEAR_LIMIT_PERCENT: i64 = 90;

/// Whether a budget line is at least [`NEAR_LIMIT_PERCENT`] committed
/// (approved or paid).
pub fn near_limit(b: &BudgetStatusRow) -> bool {
    b.amount_fen > 0 && (b.approved_fen + b.paid_fen) * 100 >= b.amount_fen * NEAR_LIMIT_PERCENT
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
        let decls = |status, kinds: Option<Vec<FactKind>>, not_by: Option<String>| async move {
            self.db
                .declarations_waiting(scope, status, kinds.as_deref(), not_by.as_deref())
                .await
        };
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
        let mut supports = Vec::new();
        let me = Some(self.caller.name.clone());
        match role {
            Some(Role::Organisation) => {
                let own = self.own_reports().await?;
                let report = own.into_iter().find(|r| r.year == i64::from(year));
                let submitted = report
                    .as_ref()
                    .is_some_and(|r| r.status != ReportStatus::Draft);
                let returned = match &report {
                    Some(r) if r.status == ReportStatus::Returned => {
                        self.report_page(r.id).await?.returned
                    }
                    _ => Vec::new(),
                };
                filing = Some(FilingYear {
                    year,
                    deadline: self.report_deadline(year),
                    overdue: !submitted && self.report_overdue(year),
                    report,
                    returned,
                });
                push(
                    Task::ApplicationsReturned,
                    apps(Status::Returned, None).await?,
                );
                push(
                    Task::ApplicationsAwaitingReview,
                    apps(Status::Submitted, Some(true)).await?,
                );
                let (a, oa) = apps(Status::Submitted, Some(false)).await?;
                let (b, ob) = apps(Status::SubdistrictReviewed, None).await?;
                push(
                    Task::ApplicationsAwaitingApproval,
                    (a + b, oa.into_iter().chain(ob).min()),
                );
                push(
                    Task::ApplicationsAwaitingPayment,
                    apps(Status::Approved, None).await?,
                );
                push(
                    Task::DeclarationsPending,
                    decls(DeclarationStatus::Pending, None, None).await?,
                );
                push(
                    Task::DeclarationsReturned,
                    decls(DeclarationStatus::Returned, None, None).await?,
                );
                supports = self.supports_open().await?;
            }
            Some(Role::Subdistrict) => {
                push(
                    Task::ReportsToReview,
                    self.reports_waiting(ReportStatus::Submitted).await?,
                );
                push(
                    Task::DeclarationsToVerify,
                    decls(
                        DeclarationStatus::Pending,
                        Some(verified_by(Role::Subdistrict)),
                        me,
                    )
                    .await?,
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
                push(
                    Task::DeclarationsToVerify,
                    decls(
                        DeclarationStatus::Pending,
                        Some(verified_by(Role::Bureau)),
                        me,
                    )
                    .await?,
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
                    .filter(near_limit)
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
            supports,
        })
    }

    /// The supports the caller organisation's recorded facts back today,
    /// less those it has applied for (an application not refused).
    async fn supports_open(&self) -> Result<Vec<Support>> {
        let org_id = self.own_org()?;
        let org = self.db.org_by_id(org_id).await?;
        let e = self.eligibility_of_org(&org).await?;
        if !e.obstacles.is_empty() {
            return Ok(Vec::new());
        }
        let (applied, _) = self
            .application_queue(&ApplicationFilter::default(), 1, gongyi_store::MAX_PER_PAGE)
            .await?;
        Ok(e.granted()
            .filter(|i| {
                !applied.items.iter().any(|a| {
                    a.rule.code() == i.rule.code()
                        && a.event_key == i.event_key
                        && a.status != Status::Refused
                })
            })
            .map(|i| Support {
                rule: i.rule.code(),
                credit_code: org.credit_code.clone(),
                event_key: i.event_key.clone(),
                clause: i.clause,
                title: i.title,
                amount: i.amount,
            })
            .collect())
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

#[cfg(test)]
mod tests {
    use super::*;
    use gongyi_domain::applications::SubsidyRule;

    fn line(amount: i64, approved: i64, paid: i64) -> BudgetStatusRow {
        BudgetStatusRow {
            rule: SubsidyRule::R2,
            year: 2025,
            amount_fen: amount,
            approved_fen: approved,
            paid_fen: paid,
            id: 1,
            updated_by: "finance".into(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn a_budget_line_is_near_its_limit_from_ninety_percent_committed() {
        assert!(near_limit(&line(1000, 900, 0)));
        assert!(near_limit(&line(1000, 400, 500)));
        assert!(!near_limit(&line(1000, 899, 0)));
        assert!(!near_limit(&line(0, 0, 0)));
    }
}
