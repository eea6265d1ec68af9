//! Open-contracting data (OCDS 1.1, 四(一) disclosure): one release package
//! per published call at `/api/v1/public/ocds/{ocid}`, the `ocid` carrying
//! the configured prefix. The release is the call as it stands: the tender
//! with its periods and criteria, the tenderers and prices after the opening,
//! the award once made, the contract once signed. Organisations are named by
//! the `CN-USCI` scheme (统一社会信用代码).
//!
//! Amounts are yuan as JSON numbers (the standard's `Value.amount`), written
//! from fen at this edge only.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use gongyi_app::calls::PublicCall;
use gongyi_domain::calls::CallStatus;
use serde_json::{json, Value};

fn amount(fen: i64) -> Value {
    // Exact for every amount below 2^53 fen; printed shortest, e.g. 1234.56.
    json!({"amount": fen as f64 / 100.0, "currency": "CNY"})
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn org_id(credit_code: &str) -> String {
    format!("CN-USCI-{credit_code}")
}

/// The release package of one call.
pub fn release_package(p: &PublicCall, now: DateTime<Utc>) -> Value {
    let c = &p.call;
    let ocid = p.ocid();
    let (buyer_id, buyer_name) = match (&c.buyer_subdistrict, &c.buyer_name) {
        (Some(code), name) => (
            format!("{}-buyer-{code}", p.settings.ocid_prefix),
            format!("杨浦区{}", name.clone().unwrap_or_else(|| code.clone())),
        ),
        (None, _) => (
            format!("{}-buyer-bureau", p.settings.ocid_prefix),
            p.settings.publisher.clone(),
        ),
    };
    let buyer = json!({"id": buyer_id, "name": buyer_name});
    let mut parties = vec![json!({
        "id": buyer_id, "name": buyer_name, "roles": ["buyer", "procuringEntity"],
    })];
    let awarded = c
        .awarded_bid
        .and_then(|a| p.bids.iter().find(|b| b.id == a));
    for b in &p.bids {
        let mut roles = vec!["tenderer"];
        if awarded.is_some_and(|a| a.id == b.id) {
            roles.push("supplier");
        }
        parties.push(json!({
            "id": org_id(&b.credit_code), "name": b.org_name,
            "identifier": {"scheme": "CN-USCI", "id": b.credit_code, "legalName": b.org_name},
            "roles": roles,
        }));
    }
    let tender_status = match p.status {
        CallStatus::Draft => "planning",
        CallStatus::Enquiries | CallStatus::Tendering | CallStatus::Evaluating => "active",
        CallStatus::Standstill | CallStatus::Contracted => "complete",
        CallStatus::Cancelled => "cancelled",
        CallStatus::Unsuccessful => "unsuccessful",
    };
    let criteria: Vec<String> = p
        .criteria
        .iter()
        .map(|x| format!("{} {}%", x.name, x.weight))
        .collect();
    let start = c.published_at.unwrap_or(c.created_at);
    let mut tender = json!({
        "id": format!("{ocid}-tender"),
        "title": c.title,
        "description": c.requirements,
        "status": tender_status,
        "value": amount(c.budget_fen),
        "procurementMethod": "open",
        "procurementMethodDetails": "政府购买服务 · 公开竞争性评审",
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": criteria.join(";"),
        "enquiryPeriod": {"startDate": time(start), "endDate": time(c.enquiries_until)},
        "tenderPeriod": {"startDate": time(start), "endDate": time(c.bids_until)},
        "procuringEntity": buyer,
        "items": [{
            "id": "1",
            "description": format!("{} · {}", c.item_series, c.item_name),
            "deliveryLocation": {"description": format!("{}{}",
                c.subdistrict_name.clone().unwrap_or_default(),
                c.place.as_deref().map(|x| format!(" {x}")).unwrap_or_default())},
        }],
    });
    if c.opened_at.is_some() {
        tender["numberOfTenderers"] = json!(p.bids.len());
        tender["tenderers"] = Value::Array(
            p.bids
                .iter()
                .map(|b| json!({"id": org_id(&b.credit_code), "name": b.org_name}))
                .collect(),
        );
    }
    let mut tag = vec!["tender"];
    let mut release = json!({
        "ocid": ocid,
        "id": format!("{ocid}-{}", c.updated_at.timestamp()),
        "date": time(c.updated_at),
        "initiationType": "tender",
        "language": "zh",
        "parties": parties,
        "buyer": buyer,
        "tender": tender,
    });
    if let (Some(b), Some(at)) = (awarded, c.awarded_at) {
        tag.push("award");
        let award_id = format!("{ocid}-award-{}", b.id);
        release["awards"] = json!([{
            "id": award_id,
            "title": c.title,
            "status": if p.status == CallStatus::Contracted { "active" } else { "pending" },
            "date": time(at),
            "value": amount(b.price_fen.unwrap_or(0)),
            "suppliers": [{"id": org_id(&b.credit_code), "name": b.org_name}],
        }]);
        if p.status == CallStatus::Contracted {
            tag.push("contract");
            let signed = c.closed_at.unwrap_or(at);
            release["contracts"] = json!([{
                "id": format!("{ocid}-contract-1"),
                "awardID": award_id,
                "title": c.title,
                "status": "active",
                "value": amount(b.price_fen.unwrap_or(0)),
                "dateSigned": time(signed),
            }]);
        }
    }
    if p.status == CallStatus::Cancelled {
        tag = vec!["tenderCancellation"];
    }
    release["tag"] = json!(tag);
    json!({
        "uri": format!("{}/api/v1/public/ocds/{ocid}", p.settings.public_url.trim_end_matches('/')),
        "version": "1.1",
        "publishedDate": time(now),
        "publisher": {"name": p.settings.publisher},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": format!("{}/public/data", p.settings.public_url.trim_end_matches('/')),
        "releases": [release],
    })
}

/// `GET /api/v1/public/ocds/{ocid}`: the release package of a published
/// call; another prefix, a draft or no such call is 404.
#[utoipa::path(get, path = "/api/v1/public/ocds/{ocid}", params(("ocid" = String, Path)),
    responses((status = 200, description = "OCDS 1.1 release package", content_type = "application/json"),
        (status = 404, body = crate::error::ErrorBody)),
    tag = "public")]
pub async fn package(
    State(s): State<AppState>,
    Path(ocid): Path<String>,
) -> Result<Response, ApiError> {
    let id = s
        .registry
        .call_of_ocid(&ocid)
        .ok_or(gongyi_app::AppError::NotFound)?;
    let call = s.registry.public_call(id).await?;
    let body = release_package(&call, s.registry.clock.now());
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, super::CACHE_CONTROL),
        ],
        body.to_string(),
    )
        .into_response())
}
