//! 扶持政策 (section 三 of the action plan) as versioned, explainable rules.
//!
//! `../shared/policy/subsidies.md` is the canonical reading; each rule module
//! names its clause. Amounts, caps and dates are parameters of a policy
//! version, never literals in the rules.

pub mod registration;
