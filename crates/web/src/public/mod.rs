//! Public disclosure (公开): pages without login, the open-data API under
//! `/api/v1/public`, and bulk downloads of exactly what a filter shows.
//!
//! Only public fields ever reach these views: no resident ID, phone number or
//! salary; of people, only the legal representative's name.

pub mod api;
pub mod checkpoint;
pub mod downloads;
pub mod limit;
pub mod ocds;
pub mod pages;
pub mod views;

use std::hash::{Hash, Hasher};

/// A strong validator for a response body; stable across processes of the
/// same build (the std hasher's keys are fixed), so every instance agrees.
pub fn etag_of(body: &[u8]) -> String {
    let mut h = std::hash::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}-{:x}\"", h.finish(), body.len())
}

/// How long clients and proxies may reuse public responses.
pub const CACHE_CONTROL: &str = "public, max-age=300";
