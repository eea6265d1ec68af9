//! Reference data the bureau edits (sub-districts, service fields): public
//! knowledge, read by every form and filter, so no scope applies.

use crate::{Registry, Result};
use gongyi_domain::access::Scope;

pub use gongyi_store::reference::RefRow;

impl Registry {
    /// The district's sub-districts (街道), in the bureau's order.
    pub async fn subdistricts(&self) -> Result<Vec<RefRow>> {
        Ok(self.db.subdistricts().await?)
    }

    /// The service fields (服务领域) organisations are filed under.
    pub async fn service_fields(&self) -> Result<Vec<RefRow>> {
        Ok(self.db.service_fields().await?)
    }

    /// What a scope covers, in words: 全区, the sub-district's name, or the
    /// organisation's name (a code when the record has gone).
    pub async fn scope_name(&self, scope: &Scope) -> Result<String> {
        Ok(match scope {
            Scope::District => "全区".to_string(),
            Scope::Subdistrict(code) => self
                .subdistricts()
                .await?
                .into_iter()
                .find(|r| &r.code == code)
                .map_or_else(|| code.clone(), |r| r.name),
            Scope::Organisation(id) => self
                .org_by_id(*id)
                .await
                .map_or_else(|_| id.to_string(), |o| o.name),
            Scope::Nothing => "—".to_string(),
        })
    }
}
