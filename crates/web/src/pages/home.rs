//! The start page: the desk (工作台) of the signed-in account — its name and
//! role, the work that waits for it in its scope (each line a link to the page
//! that does it, only work the role may take) — then counts and claims.

use super::applications::shanghai;
use crate::auth::Ctx;
use crate::error::{render, PageError};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use gongyi_app::desk::{Desk, Task};
use gongyi_domain::access::Role;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    desk: DeskView,
    dashboard: bool,
    orgs: i64,
    people: i64,
    /// Open claims on registered people (the bureau's; empty for others).
    claims: Vec<ClaimLine>,
}

/// A claim to register a person already registered, as the bureau sees it.
pub struct ClaimLine {
    pub id: i64,
    pub person_id: i64,
    pub person: String,
    pub resident_id: String,
    pub claimed_name: String,
    pub claimant: String,
    pub at: String,
}

/// One line of the desk.
pub struct DeskLine {
    pub label: &'static str,
    pub count: i64,
    pub href: String,
    pub oldest: String,
}

/// The desk as the page shows it.
pub struct DeskView {
    pub name: String,
    pub role: String,
    pub lines: Vec<DeskLine>,
    /// Organisation: its report of the year being filed.
    pub filing: Option<(i32, String, String, String)>,
    /// Organisation: the sections returned for mending, with reasons.
    pub returned: Vec<(&'static str, String)>,
    /// Organisation: (rule title and clause, amount, the filled-in form) it
    /// could apply for.
    pub supports: Vec<(String, String, String)>,
    /// Reviewer: nothing can be assigned yet.
    pub reviewer: bool,
    /// Bureau and sub-district: (year, due, filed, concluded, late, 未报送).
    pub progress: Option<(i32, i64, i64, i64, i64, i64)>,
    pub budgets: Vec<(String, String)>,
    /// The administrators' duties: (label, link).
    pub duties: Vec<(&'static str, &'static str)>,
}

fn task_line(t: Task) -> (&'static str, String) {
    match t {
        Task::ReportsToReview => ("待初审的年报", "/annual-reports?status=SUBMITTED".into()),
        Task::ReportsToConclude => (
            "待作出年检结论的年报",
            "/annual-reports?status=REVIEWED".into(),
        ),
        Task::DeclarationsToVerify => ("待核实的申报", "/declarations?status=PENDING".into()),
        Task::ApplicationsToReview => (
            "待街道审核的补贴申请",
            "/applications?status=SUBMITTED".into(),
        ),
        Task::ApplicationsReviewed => (
            "街道已审核、待批准的补贴申请",
            "/applications?status=SUBDISTRICT_REVIEWED".into(),
        ),
        Task::ApplicationsToApprove => {
            ("待批准的补贴申请", "/applications?status=SUBMITTED".into())
        }
        Task::PaymentsToMake => ("已批准待拨付的补贴", "/applications?status=APPROVED".into()),
        Task::ApplicationsReturned => (
            "被退回待补正的补贴申请",
            "/applications?status=RETURNED".into(),
        ),
        Task::ApplicationsAwaitingReview => (
            "等待街道审核的补贴申请",
            "/applications?status=SUBMITTED".into(),
        ),
        Task::ApplicationsAwaitingApproval => (
            "等待民政局批准的补贴申请",
            "/applications?status=SUBDISTRICT_REVIEWED".into(),
        ),
        Task::ApplicationsAwaitingPayment => (
            "已批准、等待拨付的补贴申请",
            "/applications?status=APPROVED".into(),
        ),
        Task::DeclarationsPending => ("等待核实的申报", "/declarations?status=PENDING".into()),
        Task::DeclarationsReturned => (
            "被退回的申报(可修改后重新申报)",
            "/declarations?status=RETURNED".into(),
        ),
        Task::ClaimsToResolve => ("待核实的重复登记", "#claims".into()),
    }
}

fn desk_view(d: Desk) -> DeskView {
    let role = d.role;
    let returned = d
        .filing
        .as_ref()
        .map(|f| {
            f.returned
                .iter()
                .map(|(s, r)| (s.label(), r.clone()))
                .collect()
        })
        .unwrap_or_default();
    DeskView {
        returned,
        supports: d
            .supports
            .iter()
            .map(|s| {
                (
                    format!("{}({})", s.title, s.clause),
                    s.amount.map(|a| a.shown()).unwrap_or_default(),
                    super::applications::apply_href(s.rule, &s.credit_code, &s.event_key, s.amount),
                )
            })
            .collect(),
        reviewer: role == Some(Role::Reviewer),
        name: d.name,
        role: role.map(|r| r.label().to_string()).unwrap_or_default(),
        lines: d
            .waiting
            .iter()
            .map(|w| {
                let (label, href) = task_line(w.task);
                DeskLine {
                    label,
                    count: w.count,
                    href,
                    oldest: w.oldest.map(shanghai).unwrap_or_default(),
                }
            })
            .collect(),
        filing: d.filing.map(|f| match f.report {
            Some(r) => (
                f.year,
                if f.overdue {
                    format!(
                        "{}(草稿未提交)",
                        gongyi_domain::annual_report::UNFILED_LABEL
                    )
                } else {
                    format!(
                        "{}{}",
                        r.status.label(),
                        if r.late { "(逾期报送)" } else { "" }
                    )
                },
                f.deadline.to_string(),
                format!("/annual-reports/{}", r.id),
            ),
            None => (
                f.year,
                if f.overdue {
                    gongyi_domain::annual_report::UNFILED_LABEL.to_string()
                } else {
                    "尚未填报".to_string()
                },
                f.deadline.to_string(),
                "/annual-reports#new".to_string(),
            ),
        }),
        progress: d
            .progress
            .map(|p| (p.year, p.due, p.submitted, p.concluded, p.late, p.overdue)),
        budgets: d
            .budgets_near_limit
            .iter()
            .map(|b| {
                (
                    format!("{} 年 {}", b.year, b.rule.label()),
                    format!(
                        "已占用 {}%,余额 {}",
                        (b.approved_fen + b.paid_fen) * 100 / b.amount_fen.max(1),
                        gongyi_domain::Fen(b.amount_fen - b.approved_fen - b.paid_fen).shown()
                    ),
                )
            })
            .collect(),
        duties: match role {
            Some(Role::SystemAdmin) => {
                vec![("账号管理:新建、停用账号,重置密码", "/admin/accounts")]
            }
            Some(Role::SecurityAdmin) => vec![("角色与安全:解锁账号、安全策略", "/admin/security")],
            Some(Role::AuditAdmin) => vec![
                ("审计日志:检索与导出", "/audit"),
                ("审计链校验", "/audit/verify"),
            ],
            Some(Role::Reviewer) => vec![("补贴申请(只读)", "/applications")],
            Some(Role::Finance) => vec![
                ("拨付台账", "/finance/ledger"),
                ("预算额度", "/finance/budgets"),
            ],
            _ => Vec::new(),
        },
    }
}

/// Every role starts here; the counts of the registry only where granted.
pub async fn show(Ctx(s): Ctx) -> Result<Response, PageError> {
    let role = s.session.principal.role;
    let desk = desk_view(s.registry.desk().await?);
    let dashboard =
        gongyi_domain::access::grants(role, gongyi_domain::access::Capability::Dashboard);
    if !dashboard {
        return Ok(render(
            StatusCode::OK,
            &Home {
                desk,
                dashboard,
                orgs: 0,
                people: 0,
                claims: Vec::new(),
            },
        ));
    }
    let orgs = s.registry.count_orgs().await?;
    let people = s.registry.people_count().await?;
    let claims = s
        .registry
        .person_claims()
        .await?
        .into_iter()
        .map(|c| ClaimLine {
            id: c.id,
            person_id: c.person_id,
            person: c.person_name,
            resident_id: c.resident_id_masked,
            claimed_name: c.claimed_name,
            claimant: format!("{}({})", c.claimant_name, Role::label_of(&c.claimant_role)),
            at: (c.claimed_at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &Home {
            desk,
            dashboard,
            orgs,
            people,
            claims,
        },
    ))
}
