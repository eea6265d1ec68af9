//! The bureau's policy pages: `/policy` lists the parameters of the version
//! in force with their clauses; `/policy/simulate` takes changed values and
//! compares the payments per rule and sub-district (nothing is stored); and
//! the "可申请的扶持" section of the organisation page.

use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{refused, FormPairs};
use askama::Template;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use gongyi_app::policy::{
    is_in_force, params_in_force, window_of, Eligibility, ParamRow, Simulation, SimulationRow,
};
use gongyi_app::{AppError, Registry};
use gongyi_domain::Fen;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "policy/params.html")]
struct ParamsPage {
    period: String,
    params: Vec<ParamRow>,
}

pub async fn params() -> Result<Response, PageError> {
    let (period, params) = params_in_force();
    Ok(render(StatusCode::OK, &ParamsPage { period, params }))
}

/// One parameter's input: the value in force and the value typed.
struct ParamInput {
    row: ParamRow,
    value: String,
    error: String,
    changed: bool,
}

struct SimRowView {
    clause: String,
    title: String,
    subdistrict: String,
    base: String,
    simulated: String,
    difference: String,
    gained: u64,
    lost: u64,
    /// A rule's total (bold) rather than a sub-district's line.
    is_rule_total: bool,
    changed: bool,
}

struct SimResultView {
    window: String,
    overrides: Vec<String>,
    rows: Vec<SimRowView>,
    total: SimRowView,
}

#[derive(Template)]
#[template(path = "policy/simulate.html")]
struct SimulatePage {
    year: String,
    year_error: String,
    notice: String,
    params: Vec<ParamInput>,
    result: Option<SimResultView>,
}

fn yuan(f: Fen) -> String {
    f.grouped()
}

fn signed(f: Fen) -> String {
    if f > Fen::ZERO {
        format!("+{}", f.grouped())
    } else {
        f.grouped()
    }
}

fn row_view(r: &SimulationRow) -> SimRowView {
    SimRowView {
        clause: r
            .rule
            .map_or_else(|| "合计".to_string(), |x| x.clause().to_string()),
        title: r.rule.map_or_else(String::new, |x| x.title().to_string()),
        subdistrict: r.subdistrict.clone().unwrap_or_else(|| "全区".into()),
        base: yuan(r.base),
        simulated: yuan(r.simulated),
        difference: signed(r.difference()),
        gained: r.gained,
        lost: r.lost,
        is_rule_total: r.subdistrict.is_none(),
        changed: r.base != r.simulated || r.gained > 0 || r.lost > 0,
    }
}

fn result_view(s: &Simulation) -> SimResultView {
    let rows = params_in_force().1;
    SimResultView {
        window: format!("{} 至 {}", s.window.from, s.window.to),
        overrides: s
            .overrides
            .iter()
            .map(|(k, v)| {
                let label = rows
                    .iter()
                    .find(|r| r.name == k)
                    .map_or(k.as_str(), |r| r.label);
                format!("{label}调整为 {v}")
            })
            .collect(),
        rows: s.rows.iter().map(row_view).collect(),
        total: row_view(&s.total),
    }
}

/// Last year: the latest whole year of records.
fn default_year(r: &Registry) -> String {
    use chrono::Datelike;
    (r.clock.today().year() - 1).to_string()
}

fn inputs(typed: &HashMap<String, String>, errors: &HashMap<String, String>) -> Vec<ParamInput> {
    params_in_force()
        .1
        .into_iter()
        .map(|row| {
            let value = typed
                .get(row.name)
                .cloned()
                .unwrap_or_else(|| row.value.clone());
            ParamInput {
                error: errors.get(row.name).cloned().unwrap_or_default(),
                changed: !is_in_force(row.name, &value),
                value,
                row,
            }
        })
        .collect()
}

pub async fn simulate_form(Ctx(s): Ctx) -> Result<Response, PageError> {
    let page = SimulatePage {
        year: default_year(&s.registry),
        year_error: String::new(),
        notice: String::new(),
        params: inputs(&HashMap::new(), &HashMap::new()),
        result: None,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Runs the simulation for the values that differ from those in force.
pub async fn simulate(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let typed: HashMap<String, String> = f.0.iter().cloned().collect();
    let year_text = f.get("year");
    let overrides: Vec<(String, String)> = params_in_force()
        .1
        .into_iter()
        .filter_map(|row| {
            typed
                .get(row.name)
                .map(|v| v.trim().to_string())
                .filter(|v| !is_in_force(row.name, v))
                .map(|v| (row.name.to_string(), v))
        })
        .collect();
    let outcome = match year_text.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => match window_of(Some(y), None, None) {
            Ok(w) => s.registry.simulate_policy(w, overrides).await,
            Err(e) => Err(e),
        },
        _ => Err(AppError::Invalid(gongyi_domain::Invalid::one(
            "year",
            "year.format",
            format!("年度“{}”无效,应为四位数字,如 2024", year_text.trim()),
        ))),
    };
    match outcome {
        Ok(sim) => {
            let page = SimulatePage {
                year: year_text,
                year_error: String::new(),
                notice: if sim.overrides.is_empty() {
                    "没有修改任何参数,模拟结果与现行政策相同。".into()
                } else {
                    String::new()
                },
                params: inputs(&typed, &HashMap::new()),
                result: Some(result_view(&sim)),
            };
            Ok(render(StatusCode::OK, &page))
        }
        Err(e) => {
            let Some((status, refused)) = refused(&e) else {
                return Err(e.into());
            };
            let (errors, notice) = (refused.errors, refused.notice);
            let page = SimulatePage {
                year_error: errors.get("year").cloned().unwrap_or_default(),
                year: year_text,
                notice,
                params: inputs(&typed, &errors),
                result: None,
            };
            Ok(render(status, &page))
        }
    }
}

/// One line of the organisation page's "可申请的扶持" section.
pub struct SupportItem {
    pub title: &'static str,
    pub clause: &'static str,
    pub event_key: String,
    pub amount: String,
    pub message: String,
    /// The new-application form filled in for this item; empty where the
    /// caller may not apply or the item pays nothing.
    pub apply: String,
}

/// The "可申请的扶持" section; empty until loaded.
#[derive(Default)]
pub struct SupportView {
    pub loaded: bool,
    pub window: String,
    pub granted: Vec<SupportItem>,
    pub refused: Vec<SupportItem>,
    pub obstacles: Vec<String>,
    /// Set when the facts could not be read; the rest of the page still shows.
    pub error: String,
}

/// `applicant` is the beneficiary's credit code when the caller may apply.
fn item(i: &gongyi_app::policy::EligibilityItem, applicant: Option<&str>) -> SupportItem {
    SupportItem {
        title: i.title,
        clause: i.clause,
        event_key: i.event_key.clone(),
        amount: i.amount.map(yuan).unwrap_or_default(),
        message: i.message.clone(),
        apply: match (applicant, i.amount) {
            (Some(code), Some(_)) => {
                super::applications::apply_href(i.rule.code(), code, &i.event_key, i.amount)
            }
            _ => String::new(),
        },
    }
}

impl SupportView {
    /// The section; `applicant` (the organisation's credit code) when the
    /// caller may apply for it, so each payable item links to the form.
    pub fn of(e: &Eligibility, applicant: Option<&str>) -> SupportView {
        SupportView {
            loaded: true,
            window: e
                .window
                .map(|w| format!("{} 至 {}", w.from, w.to))
                .unwrap_or_default(),
            granted: e.granted().map(|i| item(i, applicant)).collect(),
            refused: e.refused().map(|i| item(i, None)).collect(),
            obstacles: e.obstacles.iter().map(|o| o.message.clone()).collect(),
            error: String::new(),
        }
    }

    /// The section for the organisation `code`; a failure is shown in the
    /// section instead of failing the page.
    pub async fn load(r: &Registry, code: &str, may_apply: bool) -> SupportView {
        match r.org_eligibility(code).await {
            Ok(e) => SupportView::of(&e, may_apply.then_some(code)),
            Err(e) => {
                tracing::error!(error = %e, "eligibility failed");
                SupportView {
                    loaded: true,
                    error: "暂时无法计算可申请的扶持。".into(),
                    ..SupportView::default()
                }
            }
        }
    }
}
