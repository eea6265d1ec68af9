//! Finance pages: the ledger of payments (totals by rule, sub-district and
//! year, with an xlsx export) and the budget lines (one amount per rule and
//! year, with what each has given away).

use super::{FormState, Opt};
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{refused_as_typed, FormPairs};
use askama::Template;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::applications::{ActorInput, BudgetInput};
use gongyi_app::applications::{BudgetStatusRow, LedgerRow, PayeeLedgerRow};
use gongyi_app::AppError;
use gongyi_domain::applications::SubsidyRule;
use gongyi_domain::policy::BeneficiaryKind;
use gongyi_domain::Fen;
use serde::Deserialize;
use std::collections::BTreeMap;

fn money(fen: i64) -> String {
    Fen(fen).grouped()
}

#[derive(Debug, Default, Deserialize)]
pub struct YearParams {
    pub year: Option<String>,
    pub saved: Option<String>,
}

impl YearParams {
    fn year(&self) -> Option<i32> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok())
    }
}

/// A row of one of the ledger's tables.
pub struct Line {
    pub cells: Vec<String>,
    pub payments: i64,
    pub total: String,
}

/// Sums rows by a key, keeping the key's order.
fn totals<K: Ord>(rows: &[LedgerRow], key: impl Fn(&LedgerRow) -> (K, Vec<String>)) -> Vec<Line> {
    let mut m: BTreeMap<K, (Vec<String>, i64, i64)> = BTreeMap::new();
    for r in rows {
        let (k, cells) = key(r);
        let e = m.entry(k).or_insert((cells, 0, 0));
        e.1 += r.payments;
        e.2 += r.total_fen;
    }
    m.into_values()
        .map(|(cells, payments, total)| Line {
            cells,
            payments,
            total: money(total),
        })
        .collect()
}

fn subdistrict(r: &LedgerRow) -> String {
    r.subdistrict_name
        .clone()
        .unwrap_or_else(|| "未归属街道".into())
}

/// One payee's payments under one rule; the payee's total on its first row.
pub struct PayeeLine {
    pub name: String,
    pub href: String,
    pub rule: String,
    pub payments: i64,
    pub total: String,
}

fn payee_lines(rows: &[PayeeLedgerRow]) -> Vec<PayeeLine> {
    rows.iter()
        .map(|r| PayeeLine {
            name: r.beneficiary_name.clone(),
            href: match (&r.beneficiary_kind, &r.credit_code) {
                (BeneficiaryKind::Organisation, Some(code)) => format!("/orgs/{code}"),
                _ => format!("/people/{}", r.beneficiary_ref),
            },
            rule: r.rule.label(),
            payments: r.payments,
            total: money(r.total_fen),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "finance/ledger.html")]
struct LedgerPage {
    by_payee: Vec<PayeeLine>,
    year: String,
    years: Vec<String>,
    detail: Vec<Line>,
    by_rule: Vec<Line>,
    by_subdistrict: Vec<Line>,
    by_year: Vec<Line>,
    payments: i64,
    total: String,
    export: String,
}

pub async fn ledger(Ctx(s): Ctx, Query(p): Query<YearParams>) -> Result<Response, PageError> {
    let year = p.year();
    let rows = s.registry.ledger(year).await?;
    let payees = s.registry.payee_ledger(year).await?;
    let all_years = s.registry.budgets(None).await?;
    let mut years: Vec<String> = all_years.iter().map(|b| b.year.to_string()).collect();
    years.dedup();
    let view = LedgerPage {
        by_payee: payee_lines(&payees),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        years,
        detail: totals(&rows, |r| {
            (
                (r.year, r.rule, subdistrict(r)),
                vec![r.year.to_string(), r.rule.label(), subdistrict(r)],
            )
        }),
        by_rule: totals(&rows, |r| (r.rule, vec![r.rule.label()])),
        by_subdistrict: totals(&rows, |r| (subdistrict(r), vec![subdistrict(r)])),
        by_year: totals(&rows, |r| (r.year, vec![format!("{} 年", r.year)])),
        payments: rows.iter().map(|r| r.payments).sum(),
        total: money(rows.iter().map(|r| r.total_fen).sum()),
        export: match year {
            Some(y) => format!("/finance/ledger.xlsx?year={y}"),
            None => "/finance/ledger.xlsx".into(),
        },
    };
    Ok(render(StatusCode::OK, &view))
}

pub async fn ledger_xlsx(Ctx(s): Ctx, Query(p): Query<YearParams>) -> Result<Response, PageError> {
    let year = p.year();
    let bytes = s.registry.ledger_xlsx(year).await?;
    let name = match year {
        Some(y) => format!("ledger-{y}.xlsx"),
        None => "ledger.xlsx".into(),
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A budget line as shown.
pub struct BudgetItem {
    pub year: i64,
    pub rule: String,
    pub amount: String,
    pub approved: String,
    pub paid: String,
    pub remaining: String,
    pub updated_by: String,
}

impl From<&BudgetStatusRow> for BudgetItem {
    fn from(b: &BudgetStatusRow) -> Self {
        BudgetItem {
            year: b.year,
            rule: b.rule.label(),
            amount: money(b.amount_fen),
            approved: money(b.approved_fen),
            paid: money(b.paid_fen),
            remaining: money(b.remaining_fen()),
            updated_by: b.updated_by.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "finance/budgets.html")]
struct BudgetsPage {
    year: String,
    lines: Vec<BudgetItem>,
    rules: Vec<Opt>,
    form: FormState,
    notice: String,
}

async fn budgets_page(
    s: &crate::auth::Scoped,
    year: Option<i32>,
    form: FormState,
    notice: String,
) -> Result<BudgetsPage, AppError> {
    let lines = s.registry.budgets(year).await?;
    Ok(BudgetsPage {
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        lines: lines.iter().map(BudgetItem::from).collect(),
        rules: SubsidyRule::ALL
            .iter()
            .map(|r| Opt {
                value: r.code().into(),
                label: r.label(),
            })
            .collect(),
        form,
        notice,
    })
}

pub async fn budgets(Ctx(s): Ctx, Query(p): Query<YearParams>) -> Result<Response, PageError> {
    let notice = if p.saved.is_some() {
        "预算额度已保存。".to_string()
    } else {
        String::new()
    };
    let mut form = FormState::default();
    form.values.insert("actor_role".into(), "bureau".into());
    if let Some(y) = p.year() {
        form.values.insert("year".into(), y.to_string());
    }
    let page = budgets_page(&s, p.year(), form, notice).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn set_budget(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let input = BudgetInput {
        rule: f.get("rule"),
        year: f.get("year"),
        amount: f.get("amount"),
        actor: ActorInput {
            name: f.get("actor_name"),
            role: f.get("actor_role"),
        },
    };
    match s.registry.set_budget(&input).await {
        Ok(line) => Ok(
            Redirect::to(&format!("/finance/budgets?year={}&saved=1", line.year)).into_response(),
        ),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let year = form.v("year").trim().parse().ok();
            let page = budgets_page(&s, year, form, String::new()).await?;
            Ok(render(status, &page))
        }
    }
}
