//! `GET /api/v1/organizations/{code}/eligibility`: the support-rule
//! decisions about an organisation's recorded events, paid or refused, with
//! stable codes and Chinese messages.

use crate::auth::Ctx;
use crate::error::ApiError;
use axum::extract::Path;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// One decision of one rule about one recorded event.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionBody {
    /// `R2`…`R7`.
    pub rule: String,
    /// The clause of the action plan, e.g. `三(一)2`.
    pub clause: String,
    pub title: String,
    /// The event as the contract names it (application date, month, project id…).
    pub event_key: String,
    /// `granted` or `refused`.
    pub outcome: String,
    pub amount_fen: Option<i64>,
    /// Stable refusal code, e.g. `startup.first_inspection_not_qualified`.
    pub code: Option<String>,
    /// Why, in Chinese.
    pub message: String,
}

/// A condition on the organisation itself that closes rules to new claims.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObstacleBody {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EligibilityBody {
    pub credit_code: String,
    pub policy_version: String,
    /// The events considered: from the policy's start to today.
    pub from: Option<String>,
    pub to: Option<String>,
    pub decisions: Vec<DecisionBody>,
    pub obstacles: Vec<ObstacleBody>,
}

/// What an organisation may claim under the policy in force, and why not.
#[utoipa::path(get, path = "/api/v1/organizations/{code}/eligibility",
    params(("code" = String, Path, description = "统一社会信用代码")),
    responses((status = 200, body = EligibilityBody)),
    tag = "policy")]
pub async fn eligibility(
    Ctx(s): Ctx,
    Path(code): Path<String>,
) -> Result<Json<EligibilityBody>, ApiError> {
    let e = s.registry.org_eligibility(code.trim()).await?;
    Ok(Json(EligibilityBody {
        credit_code: e.credit_code.clone(),
        policy_version: gongyi_app::policy::VERSION_IN_FORCE.into(),
        from: e.window.map(|w| w.from.to_string()),
        to: e.window.map(|w| w.to.to_string()),
        decisions: e
            .items
            .iter()
            .map(|i| DecisionBody {
                rule: i.rule.code().into(),
                clause: i.clause.into(),
                title: i.title.into(),
                event_key: i.event_key.clone(),
                outcome: if i.granted { "granted" } else { "refused" }.into(),
                amount_fen: i.amount.map(|f| f.get()),
                code: i.code.map(String::from),
                message: i.message.clone(),
            })
            .collect(),
        obstacles: e
            .obstacles
            .iter()
            .map(|o| ObstacleBody {
                code: o.code.into(),
                message: o.message.clone(),
            })
            .collect(),
    }))
}
