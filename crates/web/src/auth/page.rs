//! What the session layer does to every HTML page it serves to a signed-in
//! caller: the CSRF token goes into each POST form ([`super::csrf::embed`]),
//! and navigation links marked `data-cap="…"` are dropped when the caller's
//! role does not grant that capability, so nobody is shown a way into a 403.
//! A visitor without a session gets none of the menu ([`signed_out`]).

use axum::body::{to_bytes, Body};
use axum::http::header;
use axum::response::Response;
use gongyi_domain::access::{grants, Capability, Role};
use std::sync::OnceLock;

/// The GET routes and who may use them, as the route table built them (the
/// same table for every router), so a link without `data-cap` still follows
/// the table.
static PAGES: OnceLock<Vec<(Vec<String>, super::Access)>> = OnceLock::new();

/// Called by [`crate::routes::routes`] with the whole table.
pub fn remember_routes(specs: &[crate::RouteSpec]) {
    PAGES.get_or_init(|| {
        specs
            .iter()
            .filter(|r| r.method == axum::http::Method::GET)
            .map(|r| (r.path.split('/').map(str::to_string).collect(), r.access))
            .collect()
    });
}

/// Who may follow a link to `href` by the route table (literal segments
/// before parameters, as the router picks); `None` when no route matches.
fn access_of(href: &str) -> Option<super::Access> {
    let path = href.split(['?', '#']).next().unwrap_or(href);
    if !path.starts_with('/') || path.starts_with("//") {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    PAGES
        .get()?
        .iter()
        .filter(|(route, _)| {
            route.len() == segments.len()
                && route
                    .iter()
                    .zip(&segments)
                    .all(|(r, s)| r == s || (r.starts_with('{') && !s.is_empty()))
        })
        .max_by_key(|(route, _)| route.iter().filter(|r| !r.starts_with('{')).count())
        .map(|(_, access)| *access)
}

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
    let page = trim_links(&page, Some(role))
        .replace(MENU_START, "")
        .replace(MENU_END, "");
    let out = super::csrf::embed(&page, csrf);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

/// Where the signed-in menu starts and ends in `base.html`.
const MENU_START: &str = "<!--signed-in-->";
const MENU_END: &str = "<!--/signed-in-->";

/// The page as a visitor without a session sees it: no menu, no account
/// links, no logout (the login page, error pages of anonymous visitors).
pub fn signed_out(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(i) = rest.find(MENU_START) {
        let Some(j) = rest[i..].find(MENU_END) else {
            break;
        };
        out.push_str(&rest[..i]);
        rest = &rest[i + j + MENU_END.len()..];
    }
    out.push_str(rest);
    out
}

/// Outermost on the router: an HTML page that still carries the signed-in
/// menu was not served to a session (an error page of a visitor, say), so the
/// menu goes.
pub async fn anonymous_pages(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let res = next.run(req).await;
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
    if !page.contains(MENU_START) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(signed_out(&page)))
}

/// Removes each `<a … data-cap="X">…</a>` whose capability `role` lacks
/// (an unknown code counts as lacking: deny by default; no role lacks all);
/// with `data-or-text` the link's text stays, unlinked. A link without
/// `data-cap` follows the route table: its text stays when it is refused.
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
        let keep = match cap {
            Some(c) => Capability::from_code(c).is_some_and(|c| role.is_some_and(|r| grants(r, c))),
            None => tag
                .split("href=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(access_of)
                .is_none_or(|a| a == super::Access::Public || role.is_some_and(|r| a.allows(r))),
        };
        match (keep, rest[i..].find("</a>")) {
            (false, Some(close)) => {
                out.push_str(&rest[..i]);
                // A name stays readable, only the way in goes.
                if cap.is_none() || tag.contains(" data-or-text") {
                    out.push_str(&rest[i + tag_end + 1..i + close]);
                }
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
        let name = r#"<td><a href="/orgs/1" data-cap="read-registry" data-or-text>某协会</a></td>"#;
        assert_eq!(trim_links(name, Some(Role::Reviewer)), "<td>某协会</td>");
        assert_eq!(trim_links(name, Some(Role::Bureau)), name);
    }

    #[test]
    fn a_visitor_without_a_session_gets_no_menu() {
        let page = "<header><a href=\"/\">首页</a><!--signed-in--><nav><a href=\"/account\">我的账号</a></nav><!--/signed-in--></header><main>正文</main>";
        assert_eq!(
            signed_out(page),
            "<header><a href=\"/\">首页</a></header><main>正文</main>"
        );
    }
}
