//! Calls for purchased services (政府购买服务): the list (drafts only to
//! their purchaser), the form for a new call or a draft, and one call's page
//! with only the acts the caller may take now: the purchaser's steps, an
//! organisation's sealed bid, the bureau's panel draw, an expert's conflict
//! declarations and scores, the purchaser's finding of an unqualified bid.
//! Also the public list and page (no login).

use super::applications::shanghai;
use super::{FormState, Opt};
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{refused_as_typed, FormPairs};
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::calls::{status_at, CallFilter, CallPage, CallRow};
use gongyi_domain::access::{grants, Capability};
use gongyi_domain::calls::{self as dc, CallInput, CallStatus, Step};
use gongyi_domain::Fen;
use serde::Deserialize;

/// A call in a list.
pub struct CallItem {
    pub id: i64,
    pub title: String,
    pub item: String,
    pub buyer: String,
    pub place: String,
    pub budget: String,
    pub bids_until: String,
    pub status: &'static str,
}

fn buyer(c: &CallRow) -> String {
    match &c.buyer_name {
        Some(n) => n.clone(),
        None if c.buyer_subdistrict.is_some() => c.buyer_subdistrict.clone().unwrap_or_default(),
        None => "区民政局".into(),
    }
}

fn item_of(c: &CallRow, status: CallStatus) -> CallItem {
    CallItem {
        id: c.id,
        title: c.title.clone(),
        item: format!("{} · {}", c.item_series, c.item_name),
        buyer: buyer(c),
        place: c.subdistrict_name.clone().unwrap_or_default(),
        budget: Fen(c.budget_fen).shown(),
        bids_until: dc::local(c.bids_until),
        status: status.label(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub subdistrict: Option<String>,
    pub item: Option<String>,
    pub year: Option<String>,
    pub page: Option<i64>,
}

impl ListParams {
    fn filter(&self) -> CallFilter {
        CallFilter {
            drafts_of: None,
            subdistrict: crate::form::nonblank(&self.subdistrict),
            item: self.item.as_deref().and_then(|i| i.trim().parse().ok()),
            year: self.year.as_deref().and_then(|y| y.trim().parse().ok()),
        }
    }
}

#[derive(Template)]
#[template(path = "calls/list.html")]
struct ListPage {
    items: Vec<CallItem>,
    total: i64,
    can_create: bool,
    subdistricts: Vec<Opt>,
    subdistrict: String,
}

pub async fn list(Ctx(s): Ctx, Query(p): Query<ListParams>) -> Result<Response, PageError> {
    let page = s.registry.calls(p.filter(), p.page, Some(100)).await?;
    let now = s.registry.clock.now();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            items: page
                .items
                .iter()
                .map(|c| item_of(c, status_at(c, now)))
                .collect(),
            total: page.total,
            can_create: grants(s.session.principal.role, Capability::ManageCalls),
            subdistricts: subdistrict_opts(&s.registry).await?,
            subdistrict: p.subdistrict.unwrap_or_default(),
        },
    ))
}

async fn subdistrict_opts(r: &gongyi_app::Registry) -> Result<Vec<Opt>, PageError> {
    Ok(r.subdistricts()
        .await?
        .into_iter()
        .map(|x| Opt {
            value: x.code,
            label: x.name,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "calls/form.html")]
struct FormPage {
    /// `None` for a new call.
    id: Option<i64>,
    version: i64,
    items: Vec<Opt>,
    subdistricts: Vec<Opt>,
    form: FormState,
}

async fn form_page(
    s: &crate::auth::Scoped,
    id: Option<i64>,
    version: i64,
    form: FormState,
) -> Result<FormPage, PageError> {
    let (items, _) = s.registry.catalogue().await?;
    Ok(FormPage {
        id,
        version,
        items: items
            .into_iter()
            .map(|i| Opt {
                value: i.id.to_string(),
                label: format!("{} · {}", i.series, i.name),
            })
            .collect(),
        subdistricts: subdistrict_opts(&s.registry).await?,
        form,
    })
}

pub async fn new(Ctx(s): Ctx) -> Result<Response, PageError> {
    let mut form = FormState::default();
    form.values.insert("standstill_days".into(), "5".into());
    form.values.insert(
        "criteria".into(),
        "服务方案 40\n项目团队 30\n报价 30".into(),
    );
    if let gongyi_domain::access::Scope::Subdistrict(code) = &s.session.principal.scope {
        form.values.insert("subdistrict".into(), code.clone());
    }
    Ok(render(StatusCode::OK, &form_page(&s, None, 0, form).await?))
}

fn call_input(f: &FormPairs) -> Result<CallInput, gongyi_app::AppError> {
    Ok(CallInput::validate(
        |k| f.get(k),
        &dc::criteria_lines(&f.get("criteria")),
    )?)
}

pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = match call_input(&f) {
        Ok(c) => s.registry.create_call(&c).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(c) => Ok(Redirect::to(&format!("/calls/{}", c.id)).into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            Ok(render(status, &form_page(&s, None, 0, form).await?))
        }
    }
}

pub async fn edit(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let p = s.registry.call_page(id).await?;
    if !p.is_purchaser || p.status != CallStatus::Draft {
        return Ok(Redirect::to(&format!("/calls/{id}")).into_response());
    }
    let c = &p.call;
    let mut form = FormState::default();
    for (k, v) in [
        ("title", c.title.clone()),
        ("item", c.item_id.to_string()),
        ("subdistrict", c.subdistrict_code.clone()),
        ("place", c.place.clone().unwrap_or_default()),
        ("budget", Fen(c.budget_fen).to_yuan_string()),
        ("requirements", c.requirements.clone()),
        ("criteria", dc::criteria_text(&p.criteria)),
        ("enquiries_until", dc::local_input(c.enquiries_until)),
        ("bids_until", dc::local_input(c.bids_until)),
        ("standstill_days", c.standstill_days.to_string()),
    ] {
        form.values.insert(k.into(), v);
    }
    Ok(render(
        StatusCode::OK,
        &form_page(&s, Some(id), c.version, form).await?,
    ))
}

pub async fn update(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = match (call_input(&f), f.version()) {
        (Ok(c), Ok(v)) => s.registry.update_call(id, v, &c).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/calls/{id}")).into_response()),
        Err(e) => {
            let version = f.get("version").parse().unwrap_or(0);
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            Ok(render(
                status,
                &form_page(&s, Some(id), version, form).await?,
            ))
        }
    }
}

/// A bid on the call's page.
pub struct BidLine {
    pub id: i64,
    pub org: String,
    pub price: String,
    pub qualified: bool,
    pub disqualified_reason: String,
    pub mean: String,
    pub scored: String,
    pub proposal: String,
    pub team: String,
    /// The calling expert: recused from it, and its own marks by criterion.
    pub recused: bool,
    pub mine: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "calls/show.html")]
struct ShowPage {
    c: CallItem,
    requirements: String,
    place: String,
    enquiries_until: String,
    standstill: String,
    criteria: Vec<(String, i64)>,
    bids_count: i64,
    opened: bool,
    awarded: String,
    steps: Vec<(&'static str, &'static str, bool)>,
    can_edit: bool,
    can_bid: bool,
    own_bid: String,
    can_draw_panel: bool,
    panel: Vec<String>,
    on_panel: bool,
    is_purchaser: bool,
    bids: Vec<BidLine>,
    events: Vec<(String, String, String)>,
    form: FormState,
    notice: String,
}

fn show_page(p: &CallPage, me: &str, form: FormState, notice: String) -> ShowPage {
    let c = &p.call;
    let ranked = |id: i64| p.ranked.iter().find(|r| r.bid == id);
    let mut bids: Vec<BidLine> = p
        .bids
        .iter()
        .map(|b| {
            let r = ranked(b.id);
            let content = p.contents.get(&b.id);
            BidLine {
                id: b.id,
                org: b.org_name.clone(),
                price: b.price_fen.map(|f| Fen(f).shown()).unwrap_or_default(),
                qualified: b.qualified,
                disqualified_reason: b.disqualified_reason.clone().unwrap_or_default(),
                mean: r.map(|r| r.mean_shown()).unwrap_or_else(|| "—".into()),
                scored: r
                    .map(|r| format!("{}/{}", r.scored, r.due))
                    .unwrap_or_default(),
                proposal: content.map(|x| x.proposal.clone()).unwrap_or_default(),
                team: content.map(|x| x.team.clone()).unwrap_or_default(),
                recused: p
                    .conflicts
                    .iter()
                    .any(|k| k.bid_id == b.id && k.expert_name == me),
                mine: p
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(i, cr)| {
                        let m = p.marks.iter().find(|m| {
                            m.bid_id == b.id && m.expert_name == me && m.position == i as i64
                        });
                        (
                            cr.name.clone(),
                            m.map(|m| format!("{} 分:{}", m.points, m.reason))
                                .unwrap_or_default(),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    // Best-scored first once scores exist.
    bids.sort_by_key(|b| {
        p.ranked
            .iter()
            .position(|r| r.bid == b.id)
            .unwrap_or(usize::MAX)
    });
    let awarded = c
        .awarded_bid
        .and_then(|a| p.bids.iter().find(|b| b.id == a))
        .map(|b| {
            format!(
                "{}({})",
                b.org_name,
                b.price_fen.map(|f| Fen(f).shown()).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    ShowPage {
        c: item_of(c, p.status),
        requirements: c.requirements.clone(),
        place: c.place.clone().unwrap_or_default(),
        enquiries_until: dc::local(c.enquiries_until),
        standstill: match p.standstill_ends {
            Some(e) => format!("{} 天,至 {}", c.standstill_days, dc::local(e)),
            None => format!("{} 天", c.standstill_days),
        },
        criteria: p
            .criteria
            .iter()
            .map(|x| (x.name.clone(), x.weight))
            .collect(),
        bids_count: c.bids,
        opened: c.opened_at.is_some(),
        awarded,
        steps: p
            .steps
            .iter()
            .map(|s| {
                (
                    s.code(),
                    s.label(),
                    matches!(s, Step::Cancel | Step::Fail),
                )
            })
            .collect(),
        can_edit: p.is_purchaser && p.status == CallStatus::Draft,
        can_bid: p.can_bid,
        own_bid: p
            .own_bid
            .as_ref()
            .map(|b| {
                format!(
                    "本组织已于 {} 投标{};投标内容已加密,截止后开标前任何人都不能查看。截止前可重新提交以替换。",
                    shanghai(b.submitted_at),
                    if b.replaced > 0 { "(已替换)" } else { "" }
                )
            })
            .unwrap_or_default(),
        can_draw_panel: p.can_draw_panel,
        panel: p.panel.clone(),
        on_panel: p.on_panel,
        is_purchaser: p.is_purchaser,
        bids,
        events: p
            .events
            .iter()
            .map(|e| {
                let what = Step::ALL
                    .iter()
                    .find(|s| s.code() == e.action)
                    .map(|s| s.label())
                    .unwrap_or(match e.action.as_str() {
                        "create" => "建立草稿",
                        "bid" => "收到投标",
                        "replace_bid" => "投标被替换",
                        "panel" => "抽取评审专家",
                        other => other,
                    });
                (
                    shanghai(e.at),
                    format!("{what} → {}", e.to_status.label()),
                    gongyi_domain::access::Role::label_of(&e.actor_role),
                )
            })
            .collect(),
        form,
        notice,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    pub done: Option<String>,
}

pub async fn show(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowParams>,
) -> Result<Response, PageError> {
    let p = s.registry.call_page(id).await?;
    let notice = if q.done.is_some() {
        "已办理。".to_string()
    } else {
        String::new()
    };
    Ok(render(
        StatusCode::OK,
        &show_page(&p, &s.session.principal.name, FormState::default(), notice),
    ))
}

/// After an act: back to the page, or the page with the refusal as typed.
async fn after<T>(
    s: &crate::auth::Scoped,
    id: i64,
    f: FormPairs,
    r: gongyi_app::Result<T>,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/calls/{id}?done=1")).into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let p = s.registry.call_page(id).await?;
            Ok(render(
                status,
                &show_page(&p, &s.session.principal.name, form, String::new()),
            ))
        }
    }
}

pub async fn step(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = s
        .registry
        .call_step(id, &f.get("step"), &f.get("note"))
        .await;
    after(&s, id, f, r).await
}

pub async fn bid(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = s.registry.submit_bid(id, |k| f.get(k)).await;
    after(&s, id, f, r).await
}

pub async fn panel(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = s.registry.draw_panel(id, &f.get("size")).await;
    after(&s, id, f, r).await
}

pub async fn conflict(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = s
        .registry
        .declare_conflict(id, &f.get("bid"), &f.get("reason"))
        .await;
    after(&s, id, f, r).await
}

pub async fn score(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = s.registry.score_bid(id, &f.get("bid"), |k| f.get(k)).await;
    after(&s, id, f, r).await
}

pub async fn disqualify(
    Ctx(s): Ctx,
    Path((id, bid)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = s.registry.disqualify_bid(id, bid, &f.get("reason")).await;
    after(&s, id, f, r).await
}

#[derive(Template)]
#[template(path = "calls/public_list.html")]
struct PublicListPage {
    items: Vec<CallItem>,
    total: i64,
    subdistricts: Vec<Opt>,
    subdistrict: String,
}

/// `/public/calls`: published calls, filterable by sub-district.
pub async fn public_list(
    State(s): State<AppState>,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let page = s.registry.public_calls(p.filter(), p.page).await?;
    Ok(render(
        StatusCode::OK,
        &PublicListPage {
            items: page.items.iter().map(|(c, st)| item_of(c, *st)).collect(),
            total: page.total,
            subdistricts: subdistrict_opts(&s.registry).await?,
            subdistrict: p.subdistrict.unwrap_or_default(),
        },
    ))
}

#[derive(Template)]
#[template(path = "calls/public_show.html")]
struct PublicShowPage {
    c: CallItem,
    ocid: String,
    requirements: String,
    place: String,
    enquiries_until: String,
    criteria: Vec<(String, i64)>,
    opened: bool,
    bids: Vec<(String, String, String)>,
    awarded: String,
}

/// `/public/calls/{call}`: a published call, its bidders and prices after
/// the opening, and the award.
pub async fn public_show(
    State(s): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let p = s.registry.public_call(id).await?;
    let c = &p.call;
    let price =
        |b: &gongyi_app::calls::BidRow| b.price_fen.map(|f| Fen(f).shown()).unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &PublicShowPage {
            c: item_of(c, p.status),
            ocid: p.ocid(),
            requirements: c.requirements.clone(),
            place: c.place.clone().unwrap_or_default(),
            enquiries_until: dc::local(c.enquiries_until),
            criteria: p
                .criteria
                .iter()
                .map(|x| (x.name.clone(), x.weight))
                .collect(),
            opened: c.opened_at.is_some(),
            bids: p
                .bids
                .iter()
                .map(|b| (b.org_name.clone(), b.credit_code.clone(), price(b)))
                .collect(),
            awarded: c
                .awarded_bid
                .and_then(|a| p.bids.iter().find(|b| b.id == a))
                .map(|b| format!("{}({})", b.org_name, price(b)))
                .unwrap_or_default(),
        },
    ))
}
