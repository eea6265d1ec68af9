//! gongyi's pure core: validated value types, the registry's entities and the
//! rules of the Yangpu action plan (2021–2025).
//!
//! Nothing here does I/O, async work or logging; every rule returns a decision
//! with its reasons so that pages, the API and tests can explain it.

pub mod access;
pub mod annual_report;
pub mod applications;
pub mod calls;
pub mod catalogue;
pub mod credit_code;
pub mod dates;
pub mod disclosure;
pub mod error;
pub mod facts;
pub mod history;
pub mod money;
pub mod orgs;
pub mod password;
pub mod people;
pub mod policy;
pub mod resident_id;
pub mod search;
pub mod targets;
pub mod text;
pub mod vocabulary;

pub use credit_code::CreditCode;
pub use error::{FieldError, Invalid};
pub use money::Fen;
pub use resident_id::ResidentId;
