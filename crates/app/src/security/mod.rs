//! Who is calling, and what they leave behind: the caller every use case runs
//! as, accounts and sessions, passwords and the second factor, the keys that
//! seal personal data, and the hash-chained audit trail.

pub mod accounts;
pub mod audit;
pub mod checkpoint;
pub mod keys;
pub mod passwords;
pub mod totp;

use gongyi_domain::access::{Principal, Role, Scope};

/// The role recorded for the command-line operator, who has no account.
const OPERATOR_ROLE: &str = "system";

/// The caller a [`crate::Registry`] acts for: whose name goes into the audit
/// trail, and the area its lists are cut to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account_id: Option<i64>,
    pub name: String,
    /// A [`Role`] code, or `system` for the operator's command line.
    pub role: String,
    pub scope: Scope,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
}

impl Caller {
    /// The operator at the command line (and tests): the whole district.
    pub fn system(name: &str) -> Caller {
        Caller {
            account_id: None,
            name: name.to_string(),
            role: OPERATOR_ROLE.into(),
            scope: Scope::District,
            client_addr: None,
            request_id: None,
        }
    }

    /// Nobody: a request without a session sees no scoped record.
    pub fn anonymous() -> Caller {
        Caller {
            account_id: None,
            name: "anonymous".into(),
            role: "anonymous".into(),
            scope: Scope::Nothing,
            client_addr: None,
            request_id: None,
        }
    }

    pub fn signed_in(
        p: &Principal,
        client_addr: Option<String>,
        request_id: Option<String>,
    ) -> Caller {
        Caller {
            account_id: Some(p.account_id),
            name: p.name.clone(),
            role: p.role.code().to_string(),
            scope: p.scope.clone(),
            client_addr,
            request_id,
        }
    }

    /// The command-line operator (and tests), who names the actor of a
    /// workflow step itself.
    pub fn is_operator(&self) -> bool {
        self.account_id.is_none() && self.role == OPERATOR_ROLE
    }

    pub fn role(&self) -> Option<Role> {
        Role::parse("role", &self.role).ok()
    }
}
