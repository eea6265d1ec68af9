//! `/api/v1/calls`: calls for purchased services (政府购买服务). The
//! purchaser (bureau, or a sub-district for its area) creates, edits and
//! steps a call (`publish`, `cancel`, `open`, `award`, `fail`, `sign`);
//! an organisation hands in its sealed bid; the bureau draws the panel; an
//! expert declares conflicts and scores. Amounts in fen, times in RFC 3339.
//! Refusals are 409 with the reason's code in `fields` (e.g. `bid.late`,
//! `call.sealed`, `review.recused`, `call.state`).

use super::ApiJson;
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use gongyi_app::calls::{CallFilter, CallPage, CallRow};
use gongyi_domain::calls::{CallInput, CallStatus};
use gongyi_domain::Fen;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct CriterionBody {
    #[serde(default)]
    pub name: String,
    /// 1–100; the weights of a call sum to 100.
    #[serde(default)]
    pub weight: serde_json::Value,
}

/// A call as typed.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct CallBody {
    #[serde(default)]
    pub title: String,
    /// The catalogue item's id.
    #[serde(default)]
    pub item: serde_json::Value,
    /// The sub-district served (a sub-district purchaser: its own).
    #[serde(default)]
    pub subdistrict: String,
    /// Residents' committees or the place, free text.
    #[serde(default)]
    pub place: String,
    #[serde(default, deserialize_with = "super::whole::opt_i64")]
    pub budget_fen: Option<i64>,
    #[serde(default)]
    pub requirements: String,
    #[serde(default)]
    pub criteria: Vec<CriterionBody>,
    /// RFC 3339, or `2026-12-20 17:00` in Shanghai time.
    #[serde(default)]
    pub enquiries_until: String,
    #[serde(default)]
    pub bids_until: String,
    #[serde(default)]
    pub standstill_days: serde_json::Value,
    /// On edits: the version read.
    pub version: Option<i64>,
}

fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

impl CallBody {
    fn input(&self) -> Result<CallInput, ApiError> {
        let get = super::fields_of(self);
        let budget = match self.budget_fen {
            Some(f) if f >= 0 => Fen(f).to_yuan_string(),
            Some(_) => "-1".into(),
            None => String::new(),
        };
        let (item, standstill) = (text(&self.item), text(&self.standstill_days));
        let criteria: Vec<(String, String)> = self
            .criteria
            .iter()
            .map(|c| (c.name.clone(), text(&c.weight)))
            .collect();
        Ok(CallInput::validate(
            |k| match k {
                "budget" => budget.clone(),
                "item" => item.clone(),
                "standstill_days" => standstill.clone(),
                other => get(other),
            },
            &criteria,
        )
        .map_err(gongyi_app::AppError::from)?)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionView {
    pub name: String,
    pub weight: i64,
}

/// A call as the API returns it; `status` is the status now, with the
/// steps due by time taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallView {
    pub id: i64,
    pub title: String,
    pub item_id: i64,
    pub item: String,
    /// The purchasing sub-district's code; `null` for the bureau.
    pub buyer_subdistrict: Option<String>,
    pub subdistrict: String,
    pub place: Option<String>,
    pub budget_fen: i64,
    pub requirements: String,
    pub enquiries_until: DateTime<Utc>,
    pub bids_until: DateTime<Utc>,
    pub standstill_days: i64,
    /// `DRAFT`, `ENQUIRIES`, `TENDERING`, `EVALUATING`, `STANDSTILL`,
    /// `CONTRACTED`, `CANCELLED`, `UNSUCCESSFUL`.
    pub status: String,
    pub bids: i64,
    pub opened_at: Option<DateTime<Utc>>,
    pub awarded_bid: Option<i64>,
    pub awarded_at: Option<DateTime<Utc>>,
    pub version: i64,
}

fn call_view(c: &CallRow, status: CallStatus) -> CallView {
    CallView {
        id: c.id,
        title: c.title.clone(),
        item_id: c.item_id,
        item: format!("{} · {}", c.item_series, c.item_name),
        buyer_subdistrict: c.buyer_subdistrict.clone(),
        subdistrict: c.subdistrict_code.clone(),
        place: c.place.clone(),
        budget_fen: c.budget_fen,
        requirements: c.requirements.clone(),
        enquiries_until: c.enquiries_until,
        bids_until: c.bids_until,
        standstill_days: c.standstill_days,
        status: status.code().into(),
        bids: c.bids,
        opened_at: c.opened_at,
        awarded_bid: c.awarded_bid,
        awarded_at: c.awarded_at,
        version: c.version,
    }
}

/// A bid after the opening.
#[derive(Debug, Serialize, ToSchema)]
pub struct BidView {
    pub id: i64,
    pub org_credit_code: String,
    pub org_name: String,
    pub submitted_at: DateTime<Utc>,
    pub price_fen: Option<i64>,
    pub qualified: bool,
    pub disqualified_reason: Option<String>,
    /// The purchaser and the panel only.
    pub proposal: Option<String>,
    pub team: Option<String>,
}

/// The calling organisation's own bid: when, never what.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnBidView {
    pub id: i64,
    pub submitted_at: DateTime<Utc>,
    pub replaced: i64,
}

/// A bid's place in the panel's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RankView {
    pub bid: i64,
    /// The mean weighted score in hundredths of a point (8735 = 87.35).
    pub mean: Option<i64>,
    pub experts_due: usize,
    pub experts_scored: usize,
    pub qualified: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkView {
    pub bid: i64,
    pub expert: String,
    /// The criterion's position (0-based).
    pub criterion: i64,
    pub points: i64,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallDetail {
    pub call: CallView,
    pub criteria: Vec<CriterionView>,
    /// `publish`, `cancel`, `open`, `award`, `fail`, `sign`: what the caller may do now.
    pub steps: Vec<String>,
    pub can_bid: bool,
    pub own_bid: Option<OwnBidView>,
    pub bids: Vec<BidView>,
    pub ranked: Vec<RankView>,
    pub panel: Vec<String>,
    /// (bid, expert) pairs of declared conflicts.
    pub recusals: Vec<(i64, String)>,
    pub marks: Vec<MarkView>,
    pub standstill_ends: Option<DateTime<Utc>>,
}

impl From<&CallPage> for CallDetail {
    fn from(p: &CallPage) -> Self {
        CallDetail {
            call: call_view(&p.call, p.status),
            criteria: p
                .criteria
                .iter()
                .map(|c| CriterionView {
                    name: c.name.clone(),
                    weight: c.weight,
                })
                .collect(),
            steps: p.steps.iter().map(|s| s.code().to_string()).collect(),
            can_bid: p.can_bid,
            own_bid: p.own_bid.as_ref().map(|b| OwnBidView {
                id: b.id,
                submitted_at: b.submitted_at,
                replaced: b.replaced,
            }),
            bids: p
                .bids
                .iter()
                .map(|b| {
                    let c = p.contents.get(&b.id);
                    BidView {
                        id: b.id,
                        org_credit_code: b.credit_code.clone(),
                        org_name: b.org_name.clone(),
                        submitted_at: b.submitted_at,
                        price_fen: b.price_fen,
                        qualified: b.qualified,
                        disqualified_reason: b.disqualified_reason.clone(),
                        proposal: c.map(|c| c.proposal.clone()),
                        team: c.map(|c| c.team.clone()),
                    }
                })
                .collect(),
            ranked: p
                .ranked
                .iter()
                .map(|r| RankView {
                    bid: r.bid,
                    mean: r.mean(),
                    experts_due: r.due,
                    experts_scored: r.scored,
                    qualified: r.qualified,
                })
                .collect(),
            panel: p.panel.clone(),
            recusals: p
                .conflicts
                .iter()
                .map(|c| (c.bid_id, c.expert_name.clone()))
                .collect(),
            marks: p
                .marks
                .iter()
                .map(|m| MarkView {
                    bid: m.bid_id,
                    expert: m.expert_name.clone(),
                    criterion: m.position,
                    points: m.points,
                    reason: m.reason.clone(),
                })
                .collect(),
            standstill_ends: p.standstill_ends,
        }
    }
}

async fn detail(s: &crate::auth::Scoped, id: i64) -> Result<Json<CallDetail>, ApiError> {
    Ok(Json(CallDetail::from(&s.registry.call_page(id).await?)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    /// Sub-district code of the place served.
    pub subdistrict: Option<String>,
    /// Catalogue item id.
    pub item: Option<i64>,
    pub year: Option<i32>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl CallQuery {
    pub fn filter(&self) -> CallFilter {
        CallFilter {
            drafts_of: None,
            subdistrict: self.subdistrict.clone().filter(|s| !s.trim().is_empty()),
            item: self.item,
            year: self.year,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/calls", params(CallQuery),
    responses((status = 200, body = super::PageBody<CallView>)), tag = "calls")]
pub async fn list(
    Ctx(s): Ctx,
    Query(q): Query<CallQuery>,
) -> Result<Json<super::PageBody<CallView>>, ApiError> {
    let (page, per_page) = super::paging(q.page, q.per_page, 30)?;
    let p = s
        .registry
        .calls(q.filter(), Some(page), Some(per_page))
        .await?;
    let now = s.registry.clock.now();
    Ok(Json(super::PageBody {
        items: p
            .items
            .iter()
            .map(|c| call_view(c, gongyi_app::calls::status_at(c, now)))
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

#[utoipa::path(post, path = "/api/v1/calls", request_body = CallBody,
    responses((status = 201, body = CallDetail), (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn create(
    Ctx(s): Ctx,
    ApiJson(b): ApiJson<CallBody>,
) -> Result<(StatusCode, Json<CallDetail>), ApiError> {
    let c = s.registry.create_call(&b.input()?).await?;
    Ok((StatusCode::CREATED, detail(&s, c.id).await?))
}

#[utoipa::path(get, path = "/api/v1/calls/{call}", params(("call" = i64, Path)),
    responses((status = 200, body = CallDetail), (status = 404, body = ErrorBody)),
    tag = "calls")]
pub async fn get(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Json<CallDetail>, ApiError> {
    detail(&s, id).await
}

#[utoipa::path(put, path = "/api/v1/calls/{call}", params(("call" = i64, Path)),
    request_body = CallBody,
    responses((status = 200, body = CallDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn update(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CallBody>,
) -> Result<Json<CallDetail>, ApiError> {
    let input = b.input()?;
    let version = match b.version {
        Some(v) => v,
        None => s.registry.call_page(id).await?.call.version,
    };
    s.registry.update_call(id, version, &input).await?;
    detail(&s, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StepBody {
    /// `publish`, `cancel`, `open`, `award`, `fail`, `sign`.
    #[serde(default)]
    pub step: String,
    /// Required for `cancel` and `fail`.
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/calls/{call}/steps", params(("call" = i64, Path)),
    request_body = StepBody,
    responses((status = 200, body = CallDetail), (status = 404, body = ErrorBody),
        (status = 409, description = "the step is not allowed now (code in `fields`)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn step(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<StepBody>,
) -> Result<Json<CallDetail>, ApiError> {
    s.registry.call_step(id, &b.step, &b.note).await?;
    detail(&s, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct BidBody {
    #[serde(default, deserialize_with = "super::whole::opt_i64")]
    pub price_fen: Option<i64>,
    #[serde(default)]
    pub proposal: String,
    #[serde(default)]
    pub team: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BidReceipt {
    pub bid: i64,
    /// Whether it replaced the organisation's earlier bid.
    pub replaced: bool,
    pub call: CallDetail,
}

#[utoipa::path(post, path = "/api/v1/calls/{call}/bid", params(("call" = i64, Path)),
    request_body = BidBody,
    responses((status = 200, body = BidReceipt), (status = 404, body = ErrorBody),
        (status = 409, description = "late (`bid.late`) or not open for bids", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn bid(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<BidBody>,
) -> Result<Json<BidReceipt>, ApiError> {
    let price = match b.price_fen {
        Some(f) if f >= 0 => Fen(f).to_yuan_string(),
        Some(_) => "-1".into(),
        None => String::new(),
    };
    let (bid, replaced) = s
        .registry
        .submit_bid(id, |k| match k {
            "price" => price.clone(),
            "proposal" => b.proposal.clone(),
            "team" => b.team.clone(),
            _ => String::new(),
        })
        .await?;
    Ok(Json(BidReceipt {
        bid,
        replaced,
        call: detail(&s, id).await?.0,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PanelBody {
    /// How many experts to draw (1–15).
    #[serde(default)]
    pub size: serde_json::Value,
}

#[utoipa::path(post, path = "/api/v1/calls/{call}/panel", params(("call" = i64, Path)),
    request_body = PanelBody,
    responses((status = 200, body = CallDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn panel(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PanelBody>,
) -> Result<Json<CallDetail>, ApiError> {
    s.registry.draw_panel(id, &text(&b.size)).await?;
    detail(&s, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ConflictBody {
    #[serde(default)]
    pub bid: serde_json::Value,
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/calls/{call}/conflicts", params(("call" = i64, Path)),
    request_body = ConflictBody,
    responses((status = 200, body = CallDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn conflict(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ConflictBody>,
) -> Result<Json<CallDetail>, ApiError> {
    s.registry
        .declare_conflict(id, &text(&b.bid), &b.reason)
        .await?;
    detail(&s, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MarkBody {
    #[serde(default)]
    pub points: serde_json::Value,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ScoreBody {
    #[serde(default)]
    pub bid: serde_json::Value,
    /// One per criterion, in the call's order.
    #[serde(default)]
    pub scores: Vec<MarkBody>,
}

#[utoipa::path(post, path = "/api/v1/calls/{call}/scores", params(("call" = i64, Path)),
    request_body = ScoreBody,
    responses((status = 200, body = CallDetail), (status = 404, body = ErrorBody),
        (status = 409, description = "recused (`review.recused`), not on the panel, or not opened", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn score(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ScoreBody>,
) -> Result<Json<CallDetail>, ApiError> {
    let get = |k: &str| {
        let (kind, n) = k.split_once('_').unwrap_or((k, ""));
        let i = n.parse::<usize>().ok().and_then(|n| n.checked_sub(1));
        match (kind, i.and_then(|i| b.scores.get(i))) {
            ("score", Some(m)) => text(&m.points),
            ("reason", Some(m)) => m.reason.clone(),
            _ => String::new(),
        }
    };
    s.registry.score_bid(id, &text(&b.bid), get).await?;
    detail(&s, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DisqualifyBody {
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/calls/{call}/bids/{bid}/disqualify",
    params(("call" = i64, Path), ("bid" = i64, Path)), request_body = DisqualifyBody,
    responses((status = 200, body = CallDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "calls")]
pub async fn disqualify(
    Ctx(s): Ctx,
    Path((id, bid)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<DisqualifyBody>,
) -> Result<Json<CallDetail>, ApiError> {
    s.registry.disqualify_bid(id, bid, &b.reason).await?;
    detail(&s, id).await
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list, create, get, update, step, bid, panel, conflict, score, disqualify
    ),
    components(schemas(
        CriterionBody,
        CallBody,
        CriterionView,
        CallView,
        BidView,
        OwnBidView,
        RankView,
        MarkView,
        CallDetail,
        StepBody,
        BidBody,
        BidReceipt,
        PanelBody,
        ConflictBody,
        MarkBody,
        ScoreBody,
        DisqualifyBody
    ))
)]
pub struct CallsApi;
