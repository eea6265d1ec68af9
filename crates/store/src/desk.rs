//! Counts behind the desks (工作台): how many applications wait for a step,
//! and since when, within a scope. One `COUNT` per line, on indexed columns.

use crate::query::{bind_all, Bind};
use crate::{on_db, Db, Result};
use chrono::{DateTime, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::applications::Status;
use gongyi_domain::facts::{DeclarationStatus, FactKind};

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

    /// Declarations of `scope` in `status`, of the `kinds` given (all when
    /// `None`), not stated by `not_by` (four eyes), with the oldest statement.
    pub async fn declarations_waiting(
        &self,
        scope: &Scope,
        status: DeclarationStatus,
        kinds: Option<&[FactKind]>,
        not_by: Option<&str>,
    ) -> Result<(i64, Option<DateTime<Utc>>)> {
        let mut b = vec![Bind::Text(status.code().into())];
        let mut w = String::from("d.status = $1");
        if let Some(c) = crate::orgs::org_scope_condition(scope, &mut b) {
            w.push_str(&format!(" AND {c}"));
        }
        if let Some(kinds) = kinds {
            if kinds.is_empty() {
                return Ok((0, None));
            }
            let mut marks = Vec::new();
            for k in kinds {
                b.push(Bind::Text(k.code().into()));
                marks.push(format!("${}", b.len()));
            }
            w.push_str(&format!(" AND d.kind IN ({})", marks.join(", ")));
        }
        if let Some(name) = not_by {
            b.push(Bind::Text(name.into()));
            w.push_str(&format!(" AND d.stated_by <> ${}", b.len()));
        }
        let sql = format!(
            "SELECT COUNT(*), MIN(d.stated_at) FROM declarations d
             JOIN organizations o ON o.id = d.org_id WHERE {w}"
        );
        Ok(
            on_db!(self, p => bind_all!(sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(&sql), &b).fetch_one(p).await?),
        )
    }
}
