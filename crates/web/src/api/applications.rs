//! `/api/v1/applications`: submit (attachments as base64), read one with its
//! audit and payment, list, and take a workflow step. Refusals are 409 with
//! `code: "refused"` and the reason's own code in `fields`.

use super::{ApiJson, PageBody};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::form::nonblank;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use gongyi_app::applications::{ActionInput, ActorInput, ApplicationPage, AttachmentInput};
use gongyi_app::applications::{ApplicationFilter, ApplicationRow};
use gongyi_app::AppError;
use gongyi_domain::applications::ApplicationInput;
use gongyi_domain::{Fen, Invalid};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

fn rules() -> utoipa::openapi::Object {
    super::one_of(gongyi_domain::applications::SubsidyRule::ALL.map(|r| r.code()))
}

/// A file attached to a new application.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachmentBody {
    pub file_name: String,
    /// e.g. `application/pdf`; blank to infer from the file name.
    #[serde(default)]
    pub content_type: String,
    /// The file, base64 (standard alphabet, padded). At most 1 MiB decoded.
    pub content_base64: String,
}

/// A new application.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplicationBody {
    /// `R2` … `R11`.
    #[schema(schema_with = rules)]
    pub rule: String,
    /// Credit code (organisation rules) or person number / key `P00000012` (R9–R11).
    pub beneficiary_id: String,
    /// The event the entitlement is for: a date (R2, R4, R11), a month `YYYY-MM`
    /// (R3, R9), `title|YYYY` (R5), a project id (R6, R7), a year (R10), free text (R8).
    pub event_key: String,
    /// In fen, a whole positive number.
    #[serde(deserialize_with = "super::whole::i64")]
    #[schema(minimum = 1)]
    pub requested_fen: i64,
    /// Ignored: the signed-in account is the actor.
    #[serde(default)]
    pub actor_name: String,
    /// Ignored: the account's role is the actor's role.
    #[serde(default)]
    pub actor_role: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
}

/// A workflow step.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ActionBody {
    /// Ignored: the signed-in account is the actor.
    #[serde(default)]
    pub actor_name: String,
    /// Ignored: the account's role is the actor's role.
    #[serde(default)]
    pub actor_role: String,
    /// Required to return or refuse.
    #[serde(default)]
    pub reason: String,
    /// Approve only: a lower amount than the entitlement, in fen.
    #[serde(default, deserialize_with = "super::whole::opt_i64")]
    pub approved_fen: Option<i64>,
    /// The version that was read; a newer one is 409 `conflict`.
    #[serde(default, deserialize_with = "super::whole::opt_i64")]
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// `submit`, `review`, `approve`, `pay`, `return`, `refuse`, `resubmit`.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor_name: String,
    pub actor_role: String,
    pub reason: Option<String>,
    pub amount_fen: Option<i64>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentView {
    pub amount_fen: i64,
    pub budget_year: i64,
    pub payer_name: String,
    pub paid_at: DateTime<Utc>,
}

/// A step someone could take now, and the role that may.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenAction {
    pub action: String,
    pub role: String,
}

/// An application as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub rule: String,
    pub rule_title: String,
    /// `organisation` or `person`.
    pub beneficiary_kind: String,
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub subdistrict_code: Option<String>,
    pub subdistrict_name: Option<String>,
    /// A community organisation's application goes through its sub-district.
    pub needs_review: bool,
    pub event_key: String,
    pub requested_fen: i64,
    pub approved_fen: Option<i64>,
    pub budget_year: Option<i64>,
    /// `SUBMITTED`, `SUBDISTRICT_REVIEWED`, `APPROVED`, `PAID`, `RETURNED`, `REFUSED`.
    pub status: String,
    pub status_label: String,
    /// The reason of the last return or refusal.
    pub reason: Option<String>,
    pub applicant_name: String,
    pub applicant_role: String,
    pub reviewer_name: Option<String>,
    pub approver_name: Option<String>,
    pub payer_name: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&ApplicationRow> for ApplicationView {
    fn from(a: &ApplicationRow) -> Self {
        ApplicationView {
            id: a.id,
            rule: a.rule.code().into(),
            rule_title: a.rule.title().into(),
            beneficiary_kind: a.beneficiary_kind.code().into(),
            beneficiary_id: a.beneficiary_id.clone(),
            beneficiary_name: a.beneficiary_name.clone(),
            subdistrict_code: a.subdistrict_code.clone(),
            subdistrict_name: a.subdistrict_name.clone(),
            needs_review: a.needs_review,
            event_key: a.event_key.clone(),
            requested_fen: a.requested_fen,
            approved_fen: a.approved_fen,
            budget_year: a.budget_year,
            status: a.status.code().into(),
            status_label: a.status.label().into(),
            reason: a.reason.clone(),
            applicant_name: a.applicant_name.clone(),
            applicant_role: a.applicant_role.code().into(),
            reviewer_name: a.reviewer_name.clone(),
            approver_name: a.approver_name.clone(),
            payer_name: a.payer_name.clone(),
            submitted_at: a.submitted_at,
            approved_at: a.approved_at,
            paid_at: a.paid_at,
            version: a.version,
        }
    }
}

/// One application with its audit, attachments, payment and open steps.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDetail {
    pub application: ApplicationView,
    pub events: Vec<EventView>,
    pub attachments: Vec<AttachmentView>,
    pub payment: Option<PaymentView>,
    pub open_actions: Vec<OpenAction>,
}

impl From<&ApplicationPage> for ApplicationDetail {
    fn from(p: &ApplicationPage) -> Self {
        ApplicationDetail {
            application: ApplicationView::from(&p.application),
            events: p
                .events
                .iter()
                .map(|e| EventView {
                    action: e.action.code().into(),
                    from_status: e.from_status.map(|s| s.code().into()),
                    to_status: e.to_status.code().into(),
                    actor_name: e.actor_name.clone(),
                    actor_role: e.actor_role.code().into(),
                    reason: e.reason.clone(),
                    amount_fen: e.amount_fen,
                    note: e.note.clone(),
                    at: e.at,
                })
                .collect(),
            attachments: p
                .attachments
                .iter()
                .map(|f| AttachmentView {
                    id: f.id,
                    file_name: f.file_name.clone(),
                    content_type: f.content_type.clone(),
                    size_bytes: f.size_bytes,
                })
                .collect(),
            payment: p.payment.as_ref().map(|x| PaymentView {
                amount_fen: x.amount_fen,
                budget_year: x.budget_year,
                payer_name: x.payer_name.clone(),
                paid_at: x.paid_at,
            }),
            open_actions: p
                .open_actions
                .iter()
                .map(|(a, r)| OpenAction {
                    action: a.code().into(),
                    role: r.code().into(),
                })
                .collect(),
        }
    }
}

/// Field names of the API in errors (the use cases speak in yuan).
fn rename(f: &str) -> &str {
    match f {
        "requested" => "requested_fen",
        "amount" => "approved_fen",
        other => other,
    }
}

fn api_fields(e: AppError) -> AppError {
    match e {
        AppError::Invalid(i) => AppError::Invalid(Invalid(
            i.0.into_iter()
                .map(|f| {
                    let name = rename(&f.field).to_string();
                    f.for_field(name)
                })
                .collect(),
        )),
        AppError::Refused {
            field,
            code,
            message,
        } => AppError::Refused {
            field: rename(field),
            code,
            message,
        },
        other => other,
    }
}

fn fen_text(fen: i64) -> String {
    Fen(fen).to_yuan_string()
}

/// Submits an application.
#[utoipa::path(post, path = "/api/v1/applications", request_body = ApplicationBody,
    responses((status = 201, body = ApplicationDetail)),
    tag = "applications")]
pub async fn create(
    Ctx(s): Ctx,
    ApiJson(b): ApiJson<ApplicationBody>,
) -> Result<(StatusCode, Json<ApplicationDetail>), ApiError> {
    let mut files = Vec::new();
    let mut bad = Invalid::default();
    for (i, a) in b.attachments.iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(a.content_base64.trim()) {
            Ok(bytes) => files.push(AttachmentInput {
                file_name: a.file_name.clone(),
                content_type: a.content_type.clone(),
                bytes,
            }),
            Err(_) => bad.push(gongyi_domain::FieldError::new(
                format!("attachments[{i}]"),
                "attachment.base64",
                format!("附件“{}”的内容不是有效的 base64", a.file_name),
            )),
        }
    }
    if !bad.is_empty() {
        return Err(AppError::Invalid(bad).into());
    }
    let input = ApplicationInput {
        rule: b.rule,
        beneficiary_id: b.beneficiary_id,
        event_key: b.event_key,
        requested: fen_text(b.requested_fen),
    };
    let actor = ActorInput {
        name: b.actor_name,
        role: b.actor_role,
    };
    let a = s
        .registry
        .apply(&input, files, &actor)
        .await
        .map_err(api_fields)?;
    let page = s.registry.application_page(a.id).await?;
    Ok((StatusCode::CREATED, Json(ApplicationDetail::from(&page))))
}

/// One application.
#[utoipa::path(get, path = "/api/v1/applications/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationDetail)),
    tag = "applications")]
pub async fn get(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Json<ApplicationDetail>, ApiError> {
    let page = s.registry.application_page(id).await?;
    Ok(Json(ApplicationDetail::from(&page)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// `SUBMITTED`, `SUBDISTRICT_REVIEWED`, `APPROVED`, `PAID`, `RETURNED`, `REFUSED`.
    pub status: Option<String>,
    /// `R2` … `R11`.
    pub rule: Option<String>,
    /// Sub-district code.
    pub subdistrict: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The queue, newest first.
#[utoipa::path(get, path = "/api/v1/applications", params(QueueQuery),
    responses((status = 200, body = PageBody<ApplicationView>)), tag = "applications")]
pub async fn list(
    Ctx(s): Ctx,
    Query(q): Query<QueueQuery>,
) -> Result<Json<PageBody<ApplicationView>>, ApiError> {
    let (page, per_page) = super::paging(q.page, q.per_page, 30)?;
    let f = ApplicationFilter {
        status: nonblank(&q.status),
        rule: nonblank(&q.rule),
        subdistrict: nonblank(&q.subdistrict),
        ..Default::default()
    };
    let (list, _) = s.registry.application_queue(&f, page, per_page).await?;
    Ok(Json(PageBody {
        items: list.items.iter().map(ApplicationView::from).collect(),
        total: list.total,
        page: list.page,
        per_page: list.per_page,
    }))
}

/// Takes a workflow step: `review`, `approve`, `pay`, `return`, `refuse`,
/// `resubmit`.
#[utoipa::path(post, path = "/api/v1/applications/{id}/{action}",
    params(("id" = i64, Path), ("action" = String, Path, description = "review · approve · pay · return · refuse · resubmit")),
    request_body = ActionBody,
    responses((status = 200, body = ApplicationDetail)),
    tag = "applications")]
pub async fn act(
    Ctx(s): Ctx,
    Path((id, action)): Path<(i64, String)>,
    ApiJson(b): ApiJson<ActionBody>,
) -> Result<Json<ApplicationDetail>, ApiError> {
    let input = ActionInput {
        actor: ActorInput {
            name: b.actor_name,
            role: b.actor_role,
        },
        reason: b.reason,
        amount: b.approved_fen.map(fen_text).unwrap_or_default(),
        version: b.version,
    };
    s.registry
        .act(id, &action, &input)
        .await
        .map_err(api_fields)?;
    let page = s.registry.application_page(id).await?;
    Ok(Json(ApplicationDetail::from(&page)))
}

#[derive(OpenApi)]
#[openapi(
    paths(create, get, list, act),
    components(schemas(
        ApplicationBody,
        AttachmentBody,
        ActionBody,
        ApplicationView,
        ApplicationDetail,
        EventView,
        AttachmentView,
        PaymentView,
        OpenAction,
    ))
)]
pub struct ApplicationsApi;
