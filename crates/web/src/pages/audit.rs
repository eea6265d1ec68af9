//! The audit administrator's pages: search the trail, export it, verify its chain.

use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::nonblank;
use askama::Template;
use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use gongyi_app::security::audit::{AuditFilter, AuditRow};
use gongyi_app::security::audit::{Verdict, MAX_PAGE, PAGE_SIZE};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct AuditParams {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub from: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub until: Option<String>,
    pub page: Option<i64>,
}

fn day(s: &Option<String>, plus: i64) -> Option<chrono::DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(nonblank(s)?.as_str(), "%Y-%m-%d").ok()?;
    let start = d.and_hms_opt(0, 0, 0)? - chrono::Duration::hours(8);
    Some(Utc.from_utc_datetime(&start) + chrono::Duration::days(plus))
}

impl AuditParams {
    fn filter(&self) -> AuditFilter {
        AuditFilter {
            actor: nonblank(&self.actor),
            action: nonblank(&self.action),
            entity_kind: nonblank(&self.entity_kind),
            entity_id: nonblank(&self.entity_id),
            from: day(&self.from, 0),
            until: day(&self.until, 1),
        }
    }
}

/// A record as shown: time in Shanghai.
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub entity: String,
    pub changes: String,
    pub client_addr: String,
    pub request_id: String,
}

fn line(r: AuditRow) -> AuditLine {
    AuditLine {
        seq: r.seq,
        at: (r.at + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        actor: r.actor_name,
        role: r.actor_role,
        action: r.action,
        entity: format!("{} {}", r.entity_kind, r.entity_id),
        changes: r.changes,
        client_addr: r.client_addr.unwrap_or_default(),
        request_id: r.request_id.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    p: AuditParams,
    rows: Vec<AuditLine>,
    total: i64,
    page: i64,
    /// Whether a later page exists.
    more: bool,
    query: String,
}

fn v(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

impl AuditPage {
    fn v<'a>(&self, s: &'a Option<String>) -> &'a str {
        v(s)
    }
}

pub async fn search(Ctx(s): Ctx, Query(p): Query<AuditParams>) -> Result<Response, PageError> {
    let page = p.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let (rows, total) = s
        .registry
        .audit_search(&p.filter(), page, PAGE_SIZE)
        .await?;
    let query = serde_urlencoded::to_string([
        ("actor", v(&p.actor)),
        ("action", v(&p.action)),
        ("entity_kind", v(&p.entity_kind)),
        ("entity_id", v(&p.entity_id)),
        ("from", v(&p.from)),
        ("until", v(&p.until)),
    ])
    .unwrap_or_default();
    Ok(render(
        StatusCode::OK,
        &AuditPage {
            rows: rows.into_iter().map(line).collect(),
            total,
            page,
            more: page * PAGE_SIZE < total,
            query,
            p,
        },
    ))
}

/// The matching records as CSV (UTF-8 with BOM for Excel), newest first.
pub async fn export(Ctx(s): Ctx, Query(p): Query<AuditParams>) -> Result<Response, PageError> {
    let f = p.filter();
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record([
            "序号",
            "时间",
            "操作人",
            "角色",
            "操作",
            "对象",
            "变更",
            "地址",
            "请求",
        ]);
        s.registry
            .audit_export(&f, &mut |rows| {
                for r in rows.into_iter().map(line) {
                    let seq = r.seq.to_string();
                    let _ = w.write_record([
                        seq.as_str(),
                        &r.at,
                        &r.actor,
                        &r.role,
                        &r.action,
                        &r.entity,
                        &r.changes,
                        &r.client_addr,
                        &r.request_id,
                    ]);
                }
            })
            .await?;
        let _ = w.flush();
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "audit/verify.html")]
struct VerifyPage {
    intact: bool,
    message: String,
}

pub async fn verify(Ctx(s): Ctx) -> Result<Response, PageError> {
    let (intact, message) = match s.registry.verify_audit().await? {
        Verdict::Intact {
            records,
            last_seq,
            checkpoint,
        } => (
            true,
            format!(
                "审计链完整:共 {records} 条,最后一条为第 {last_seq} 条;{}",
                checkpoint.map_or("尚无检查点可核对".to_string(), |c| format!(
                    "与检查点(第 {c} 条)相符"
                ))
            ),
        ),
        Verdict::Broken { seq, reason } => (false, format!("审计链在第 {seq} 条断开:{reason}")),
    };
    Ok(render(StatusCode::OK, &VerifyPage { intact, message }))
}
