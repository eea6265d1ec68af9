//! What the session layer does to every HTML page it serves to a signed-in
//! caller: the CSRF token goes into each POST form ([`super::csrf::embed`]),
//! and navigation links marked `data-cap="…"` are dropped when the caller's
//! role does not grant that capability, so nobody is shown a way into a 403.

use axum::body::{to_bytes, Body};
use axum::http::header;
use axum::response::Response;
use gongyi_domain::access::{grants, Capability, Role};

/// Pages are small; this only bounds a runaway body.
const READ_LIMIT: usize = 16 * 1024 * 1024;

pub async fn finish(res: Response, csrf: &str, role: Role) -> Response {
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, READ_LIMIT).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let page = String::from_utf8_lossy(&bytes);
    let out = super::csrf::embed(&trim_links(&page, Some(role)), csrf);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// Removes each `<a … data-cap="X">…</a>` whose capability `role` lacks
/// (an unknown code counts as lacking: deny by default; no role lacks all).
pub fn trim_links(page: &str, role: Option<Role>) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(i) = rest.find("<a ") {
        let Some(tag_end) = rest[i..].find('>') else {
            break;
        };
        let tag = &rest[i..i + tag_end];
        let cap = tag
            .split("data-cap=\"")
            .nth(1)
            .and_then(|r| r.split('"').next());
        let keep = cap.is_none_or(|c| {
            Capability::from_code(c).is_some_and(|c| role.is_some_and(|r| grants(r, c)))
        });
        match (keep, rest[i..].find("</a>")) {
            (false, Some(close)) => {
                out.push_str(&rest[..i]);
                rest = &rest[i + close + "</a>".len()..];
            }
            _ => {
                out.push_str(&rest[..i + tag_end + 1]);
                rest = &rest[i + tag_end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_the_role_may_not_follow_are_dropped_and_others_kept() {
        let nav = r#"<a href="/">首页</a> <a href="/orgs" data-cap="read-registry">社会组织</a> <a href="/audit" data-cap="read-audit">审计</a> <a href="/x" data-cap="no-such">?</a>"#;
        assert_eq!(
            trim_links(nav, Some(Role::Bureau)),
            r#"<a href="/">首页</a> <a href="/orgs" data-cap="read-registry">社会组织</a>  "#
        );
        assert_eq!(
            trim_links(nav, Some(Role::AuditAdmin)),
            r#"<a href="/">首页</a>  <a href="/audit" data-cap="read-audit">审计</a> "#
        );
        assert_eq!(trim_links(nav, None), r#"<a href="/">首页</a>   "#);
    }
}
