//! CSRF tokens: one per session, required on every state-changing request —
//! as the `X-CSRF-Token` header (API, scripts) or a `_csrf` form field
//! (pages). Pages need not remember it: [`embed`] adds the hidden field to
//! every POST form of every page a session is served (see `auth::page`), so
//! no form can lack it.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header;

/// Form bodies are read whole to find the token; the router's body limit
/// bounds them first.
const READ_LIMIT: usize = 16 * 1024 * 1024;

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Passes the request on when it carries `expected`, with its body intact.
pub async fn check(req: Request, expected: &str) -> Result<Request, ()> {
    if let Some(v) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if same(v.trim(), expected) {
            Ok(req)
        } else {
            Err(())
        };
    }
    // The media type is case-insensitive, its boundary parameter is not.
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let media = ctype.to_ascii_lowercase();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, READ_LIMIT).await.map_err(|_| ())?;
    let found = if media.starts_with("application/x-www-form-urlencoded") {
        form_field(&bytes)
    } else if media.starts_with("multipart/form-data") {
        multipart_field(&ctype, bytes.clone()).await
    } else {
        None
    };
    match found {
        Some(t) if same(&t, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(()),
    }
}

fn form_field(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v)
}

/// The `_csrf` part of a multipart body, read with the parser axum's
/// `Multipart` uses (files before it are skipped, not kept).
async fn multipart_field(ctype: &str, body: axum::body::Bytes) -> Option<String> {
    let boundary = multer::parse_boundary(ctype).ok()?;
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
    let mut parts = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = parts.next_field().await {
        if field.name() == Some("_csrf") {
            return field.text().await.ok().map(|t| t.trim().to_string());
        }
    }
    None
}

/// Adds `<input type="hidden" name="_csrf">` to each POST form of a page.
pub fn embed(page: &str, token: &str) -> String {
    let field = format!(r#"<input type="hidden" name="_csrf" value="{token}">"#);
    let mut out = String::with_capacity(page.len() + 1024);
    let mut rest: &str = page;
    while let Some(i) = rest.find("<form") {
        let Some(end) = rest[i..].find('>') else {
            break;
        };
        let tag = &rest[i..i + end + 1];
        out.push_str(&rest[..i + end + 1]);
        if tag.to_ascii_lowercase().contains("method=\"post\"") {
            out.push_str(&field);
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tokens_are_found_in_forms_and_multipart_bodies() {
        assert_eq!(form_field(b"a=1&_csrf=abc&b=2").as_deref(), Some("abc"));
        let body: &[u8] = b"--XX\r\nContent-Disposition: form-data; name=\"rule\"\r\n\r\nR3\r\n--XX\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc\r\n--XX--\r\n";
        assert_eq!(
            multipart_field("multipart/form-data; boundary=XX", body.into())
                .await
                .as_deref(),
            Some("abc")
        );
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }

    /// Chromium and WebKit (WeChat) send mixed-case boundaries such as
    /// `----WebKitFormBoundaryAbC123`; the boundary is case-sensitive.
    #[tokio::test]
    async fn a_mixed_case_boundary_as_browsers_send_it_is_read_as_sent() {
        let b = "----WebKitFormBoundaryQ3xZ9aBcD";
        let body = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 --{b} lookalike\r\n--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--{b}--\r\n"
        );
        let ctype = format!("multipart/form-data; boundary={b}");
        assert_eq!(
            multipart_field(&ctype, body.into_bytes().into())
                .await
                .as_deref(),
            Some("tok")
        );
    }

    #[test]
    fn every_post_form_gets_the_token_and_get_forms_do_not() {
        let out = embed(
            r#"<form method="get"></form><form method="post" action="/x"><input></form>"#,
            "tok",
        );
        assert_eq!(
            out,
            r#"<form method="get"></form><form method="post" action="/x"><input type="hidden" name="_csrf" value="tok"><input></form>"#
        );
    }
}
