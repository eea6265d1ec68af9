//! The audit administrator's pages: search the trail, export it, verify its chain.

use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::nonblank;
use askama::Template;
use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use gongyi_app::security::accounts::People;
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

/// A record as shown: time in Shanghai, who by name and role, the action
/// and the record in Chinese with a link, changes as 字段:前 → 后.
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    /// The person's name; the account name is in `account`.
    pub actor: String,
    pub account: String,
    pub role: String,
    pub action: String,
    pub entity: String,
    /// The record's page, where it has one.
    pub link: String,
    pub changes: Vec<String>,
    pub client_addr: String,
    pub request_id: String,
}

/// What an action code of the trail says in Chinese (the code where no
/// label is known, so nothing is hidden).
fn action_label(code: &str) -> String {
    if let Some(a) = gongyi_domain::applications::Action::from_code(code) {
        return a.label().to_string();
    }
    match code {
        "create" => "新建",
        "update" => "修改",
        "submit" => "提交申请",
        "add_history" => "添加记录",
        "add_record" => "添加记录",
        "deregister" => "注销登记",
        "reveal" => "查看完整个人信息",
        "claim" => "重复登记提示",
        "resolve_claim" => "处理重复登记",
        "login" => "登录",
        "login_failed" => "登录失败",
        "logout" => "退出",
        "change_password" => "修改密码",
        "reset_password" => "重置密码",
        "enrol_totp" => "开通动态口令",
        "unlock" => "解锁",
        "set_role" => "设定角色",
        "disable" => "停用账号",
        "enable" => "启用账号",
        "set_budget" => "设定预算额度",
        "import" => "导入",
        "export_unmasked" => "导出(未脱敏)",
        "merge_bundle" => "导入测试向量",
        "seal" => "加密存储",
        "purge" => "清理过期日志",
        "demo" => "写入演示数据",
        other => other,
    }
    .to_string()
}

/// The kind of record in Chinese, and its page.
fn entity_of(kind: &str, id: &str) -> (String, String) {
    let (label, link) = match kind {
        "organization" => ("社会组织", format!("/orgs/{id}")),
        "person" => ("人员", format!("/people/{id}")),
        "application" => ("申请", format!("/applications/{id}")),
        "account" => ("账号", String::new()),
        "budget_line" => ("预算额度", String::new()),
        "audit_log" | "audit_head" => ("审计日志", String::new()),
        "policy_facts" => ("扶持政策事实", String::new()),
        "registry" => ("数据库", String::new()),
        other => match gongyi_app::transfer::RecordKind::parse(other) {
            Some(k) => (k.label(), String::new()),
            None => (other, String::new()),
        },
    };
    let link = if id.is_empty() { String::new() } else { link };
    (format!("{label} {id}").trim().to_string(), link)
}

/// A field of the trail in Chinese: the column labels of the import/export
/// files where the field is one, else the few notes the use cases add.
fn field_label(key: &str) -> String {
    let from_columns = gongyi_app::transfer::RecordKind::ALL
        .iter()
        .flat_map(|k| k.columns().iter())
        .find(|c| c.key == key)
        .map(|c| c.label.to_string());
    from_columns.unwrap_or_else(|| {
        match key {
            "version" => "版本",
            "org_id" => "组织内部编号",
            "record" => "记录类型",
            "record_id" => "记录编号",
            "reason" => "理由",
            "note" => "说明",
            "amount_fen" => "金额",
            "registered_capital_fen" => "注册资金",
            "rows" => "行数",
            "imported" => "新增",
            "updated" => "更新",
            "unchanged" => "未改动",
            "skipped" => "跳过",
            "file" => "文件",
            "field" => "字段",
            "role" => "角色",
            "actor" => "经办人",
            "actor_role" => "经办人角色",
            "contact_phone_changed" => "联系电话已更换",
            "claimed_name" => "登记姓名",
            "status" => "状态",
            other => other,
        }
        .to_string()
    })
}

/// A role by name; `system` is the operator at the server's console.
fn role_label(code: &str) -> String {
    match code {
        "system" => "服务器控制台".into(),
        "anonymous" | "" => "未登录".into(),
        other => gongyi_domain::access::Role::label_of(other),
    }
}

/// A stored value as shown: amounts (fields in fen) in 元, roles by name.
fn value_text(key: &str, v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::Null => return "无".into(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if key.ends_with("_fen") {
        if let Ok(fen) = text.parse::<i64>() {
            return crate::views::money(fen);
        }
    }
    if key.ends_with("role") {
        return role_label(&text);
    }
    match text.as_str() {
        "true" => "是".into(),
        "false" => "否".into(),
        _ => text,
    }
}

/// `{"name": ["旧", "新"], "reason": "…"}` as lines 字段:前 → 后.
fn changes_of(json: &str) -> Vec<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return if json.trim().is_empty() || json == "{}" {
            vec![]
        } else {
            vec![json.to_string()]
        };
    };
    map.iter()
        .map(|(k, v)| {
            let label = field_label(k);
            match v {
                serde_json::Value::Array(pair) if pair.len() == 2 => format!(
                    "{label}:{} → {}",
                    value_text(k, &pair[0]),
                    value_text(k, &pair[1])
                ),
                other => format!("{label}:{}", value_text(k, other)),
            }
        })
        .collect()
}

fn line(r: AuditRow, people: &People) -> AuditLine {
    let (entity, link) = entity_of(&r.entity_kind, &r.entity_id);
    AuditLine {
        seq: r.seq,
        at: (r.at + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        actor: people.name_of(&r.actor_name).to_string(),
        account: r.actor_name,
        role: role_label(&r.actor_role),
        action: action_label(&r.action),
        entity,
        link,
        changes: changes_of(&r.changes),
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
    let people = s.registry.display_names().await?;
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
            rows: rows.into_iter().map(|r| line(r, &people)).collect(),
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
    let people = s.registry.display_names().await?;
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
                for r in rows.into_iter().map(|r| line(r, &people)) {
                    let seq = r.seq.to_string();
                    let _ = w.write_record([
                        seq.as_str(),
                        &r.at,
                        &r.actor,
                        &r.role,
                        &r.action,
                        &r.entity,
                        &r.changes.join(";"),
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
