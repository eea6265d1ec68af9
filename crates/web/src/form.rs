//! Urlencoded forms read as key/value pairs, so that repeated keys (check
//! boxes) work and a refused form can be shown again exactly as typed.

use crate::pages::FormState;
use axum::body::Bytes;
use axum::http::StatusCode;
use gongyi_app::AppError;

#[derive(Debug, Default, Clone)]
pub struct FormPairs(pub Vec<(String, String)>);

impl FormPairs {
    pub fn parse(body: &Bytes) -> FormPairs {
        FormPairs(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }

    /// The first value of `key`, or "".
    pub fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The record version the form was opened at. A form without one was not
    /// made by our edit page; it is refused naming the field rather than
    /// taken as version 0 (which would read as someone else saving first).
    pub fn version(&self) -> Result<i64, AppError> {
        self.get("version").trim().parse::<i64>().map_err(|_| {
            AppError::Invalid(gongyi_domain::Invalid::one(
                "version",
                "version.required",
                "表单缺少版本信息，请重新打开修改页面",
            ))
        })
    }

    /// Every value of `key`.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// A check box: "1" when present.
    pub fn flag(&self, key: &str) -> String {
        if self
            .0
            .iter()
            .any(|(k, v)| k == key && !v.is_empty() && v != "0")
        {
            "1".into()
        } else {
            "0".into()
        }
    }
}

/// A query parameter that was given and is not blank, trimmed.
pub fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

/// A refusal the person can mend on the same form: bad input, a workflow or
/// budget refusal (shown under its field), or a stale version. Any other
/// error goes to the error page.
pub fn refused(e: &AppError) -> Option<(StatusCode, FormState)> {
    let status = match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Refused { .. } | AppError::Conflict => StatusCode::CONFLICT,
        _ => return None,
    };
    let mut form = FormState::default();
    match e {
        AppError::Invalid(i) => {
            for f in &i.0 {
                form.errors
                    .entry(f.field.clone())
                    .or_insert_with(|| f.message.clone());
            }
            form.notice = "请修改标红的内容后重新提交。".into();
        }
        AppError::Refused { field, message, .. } => {
            form.errors.insert((*field).to_string(), message.clone());
            form.notice = message.clone();
        }
        other => form.notice = other.to_string(),
    }
    Some((status, form))
}

/// [`refused`], with the form's values as typed.
pub fn refused_as_typed(e: &AppError, typed: FormPairs) -> Option<(StatusCode, FormState)> {
    refused(e).map(|(status, mut form)| {
        form.values = typed.0.into_iter().collect();
        (status, form)
    })
}
