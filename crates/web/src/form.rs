//! Urlencoded forms read as key/value pairs, so that repeated keys (check
//! boxes) work and a refused form can be shown again exactly as typed.

use axum::body::Bytes;
use std::collections::HashMap;

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

/// Field errors by field name, for showing next to each input.
pub fn errors_by_field(e: &gongyi_app::AppError) -> (HashMap<String, String>, String) {
    match e {
        gongyi_app::AppError::Invalid(i) => {
            let mut m = HashMap::new();
            for f in &i.0 {
                m.entry(f.field.clone())
                    .or_insert_with(|| f.message.clone());
            }
            (m, "请修改标红的内容后重新提交。".into())
        }
        other => (HashMap::new(), other.to_string()),
    }
}
