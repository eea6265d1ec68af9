//! Counts behind the desks (工作台): how many applications wait for a step,
//! and since when, within a scope. One `COUNT` per line, on indexed columns.

use crate::query::{bind_all, Bind};
use crate::{on_db, Db, Result};
use chrono::{DateTime, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::applications::Status;

impl Db {
    /// Applications of `scope` in `status` (and, when given, whose
    /// sub-district review is or is not needed), with the oldest change.
    pub async fn applications_waiting(
        &self,
        scope: &Scope,
        status: Status,
        needs_review: Option<bool>,
    ) -> Result<(i64, Option<DateTime<Utc>>)> {
        let mut b = vec![Bind::Text(status.code().into())];
        let mut w = String::from("a.status = $1");
        match scope {
            Scope::District => {}
            Scope::Subdistrict(code) => {
                b.push(Bind::Text(code.clone()));
                w.push_str(&format!(" AND a.subdistrict_code = ${}", b.len()));
            }
            Scope::Organisation(id) => {
                b.push(Bind::Int(*id));
                w.push_str(&format!(" AND a.beneficiary_org_id = ${}", b.len()));
            }
            Scope::Nothing => w.push_str(" AND 1 = 0"),
        }
        if let Some(n) = needs_review {
            b.push(Bind::Bool(n));
            w.push_str(&format!(" AND a.needs_review = ${}", b.len()));
        }
        let sql = format!("SELECT COUNT(*), MIN(a.updated_at) FROM applications a WHERE {w}");
        Ok(
            on_db!(self, p => bind_all!(sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(&sql), &b).fetch_one(p).await?),
        )
    }
}
