//! Logging in and out, and one's own account: password change (forced after
//! an administrator's reset or expiry) and the second factor.

use crate::auth::{self, client_addr, Ctx, SESSION_COOKIE};
use crate::error::{render, PageError};
use crate::form::FormPairs;
use crate::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongyi_app::security::{totp, Caller};
use gongyi_app::AppError;
use serde::Deserialize;

/// The cookie that carries the login form's CSRF token (there is no session
/// yet): the form's field must equal it and be a token this server issued
/// (`Registry::login_form_token`).
const LOGIN_COOKIE: &str = "gongyi_login";

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage {
    next: String,
    name: String,
    error: String,
    csrf: String,
    /// The lock in force, from the security settings.
    lockout: String,
}

fn lockout(s: &AppState) -> String {
    let st = &s.registry.settings;
    format!(
        "连续 {} 次输错后账号锁定 {} 分钟",
        st.lockout_failures, st.lockout_minutes
    )
}

#[derive(Debug, Deserialize)]
pub struct NextParam {
    pub next: Option<String>,
}

/// Only a path on this site: never an address elsewhere (open redirect).
/// Browsers drop tabs and line breaks and read `\\` as `/`, so `/\t/evil`
/// or `/\\evil` would leave the site; and a `Location` must be a valid
/// header. So: visible ASCII only, one leading `/`, no backslash, and a
/// relative reference without scheme or authority. Anything else means the
/// start page.
fn safe_next(next: &str) -> Option<String> {
    let plain = next.bytes().all(|b| b.is_ascii_graphic()) && !next.contains('\\');
    if !plain || !next.starts_with('/') || next.starts_with("//") {
        return None;
    }
    let uri: axum::http::Uri = next.parse().ok()?;
    (uri.scheme().is_none() && uri.authority().is_none() && uri.path().starts_with('/'))
        .then(|| next.to_string())
}

fn login_page(status: StatusCode, page: LoginPage, secure: bool) -> Response {
    let cookie = format!(
        "{LOGIN_COOKIE}={}; Path=/login; HttpOnly; SameSite=Strict{}",
        page.csrf,
        if secure { "; Secure" } else { "" }
    );
    // Not signed in: the navigation shows none of the signed-in parts.
    let mut res = match page.render() {
        Ok(html) => (status, Html(auth::page::signed_out(&html))).into_response(),
        Err(_) => render(status, &page),
    };
    if let Ok(v) = cookie.parse() {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn login_form(State(s): State<AppState>, Query(q): Query<NextParam>) -> Response {
    login_page(
        StatusCode::OK,
        LoginPage {
            next: q.next.as_deref().and_then(safe_next).unwrap_or_default(),
            name: String::new(),
            error: String::new(),
            csrf: s.registry.login_form_token(),
            lockout: lockout(&s),
        },
        s.secure_cookies,
    )
}

/// The registry acting for an anonymous caller at this client address.
pub fn anonymous_at(s: &AppState, ext: &axum::http::Extensions) -> gongyi_app::Registry {
    s.registry.acting(Caller {
        client_addr: client_addr(ext),
        ..Caller::anonymous()
    })
}

pub async fn login(
    State(s): State<AppState>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, crate::routes::LOGIN_BODY_LIMIT)
        .await
        .map_err(|_| {
            AppError::Invalid(gongyi_domain::Invalid::one(
                "body",
                "body.too_large",
                "请求过大",
            ))
        })?;
    let f = FormPairs::parse(&body);
    let expected = auth::cookie(&parts.headers, LOGIN_COOKIE).unwrap_or("");
    let next = safe_next(&f.get("next")).unwrap_or_default();
    let again = |error: &str| {
        login_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            LoginPage {
                next: next.clone(),
                name: f.get("name"),
                error: error.into(),
                csrf: s.registry.login_form_token(),
                lockout: lockout(&s),
            },
            s.secure_cookies,
        )
    };
    let token = f.get("_csrf");
    if token != expected || !s.registry.login_form_token_ok(&token) {
        return Ok(again("页面已过期,请重新输入后登录"));
    }
    let registry = anonymous_at(&s, &parts.extensions);
    match registry
        .login(&f.get("name"), &f.get("password"), &f.get("code"))
        .await
    {
        Ok(opened) => {
            let session = registry.session(&opened.token).await?;
            let to = match &session {
                Some(_) if opened.needs_second_factor => "/account/totp".to_string(),
                Some(x) if x.must_change_password => "/account/password".to_string(),
                Some(x) if next.is_empty() => auth::home_of(x.principal.role).to_string(),
                _ => next.clone(),
            };
            let mut res = Redirect::to(&to).into_response();
            for c in [
                auth::session_cookie(&opened.token, s.secure_cookies),
                format!("{LOGIN_COOKIE}=; Path=/login; Max-Age=0"),
            ] {
                if let Ok(v) = c.parse() {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            Ok(res)
        }
        Err(e @ AppError::Refused { .. }) => Ok(again(&e.to_string())),
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(Ctx(s): Ctx, State(app): State<AppState>) -> Result<Response, PageError> {
    s.registry.logout(&s.session).await?;
    let mut res = Redirect::to("/login").into_response();
    if let Ok(v) = auth::clear_cookie(SESSION_COOKIE, app.secure_cookies).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage {
    name: String,
    role: String,
    scope: String,
    has_totp: bool,
}

pub async fn show(Ctx(s): Ctx) -> Result<Response, PageError> {
    let p = &s.session.principal;
    let scope = s.registry.scope_name(&p.scope).await?;
    Ok(render(
        StatusCode::OK,
        &AccountPage {
            name: p.name.clone(),
            role: p.role.label().into(),
            scope,
            has_totp: s.session.has_totp,
        },
    ))
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    forced: bool,
    errors: Vec<String>,
    /// The password policy in force, in a sentence.
    rules: String,
}

pub async fn password_form(Ctx(s): Ctx) -> Response {
    render(
        StatusCode::OK,
        &PasswordPage {
            forced: s.session.must_change_password,
            errors: vec![],
            rules: s.registry.settings.password.describe(),
        },
    )
}

pub async fn change_password(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let errors = if f.get("password") != f.get("confirm") {
        vec!["两次输入的新密码不一致".to_string()]
    } else {
        match s
            .registry
            .change_password(&s.session, &f.get("current"), &f.get("password"))
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(auth::home_of(s.session.principal.role)).into_response())
            }
            Err(AppError::Invalid(i)) => i.0.into_iter().map(|e| e.message).collect(),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &PasswordPage {
            forced: s.session.must_change_password,
            errors,
            rules: s.registry.settings.password.describe(),
        },
    ))
}

#[derive(Template)]
#[template(path = "account/totp.html")]
struct TotpPage {
    /// Setting up: the new secret and its address; checking: empty.
    secret: String,
    uri: String,
    error: String,
}

pub async fn totp_form(Ctx(s): Ctx) -> Response {
    let secret = if s.session.has_totp {
        String::new()
    } else {
        totp::new_secret()
    };
    let uri = if secret.is_empty() {
        String::new()
    } else {
        totp::uri(&secret, &s.session.principal.name)
    };
    render(
        StatusCode::OK,
        &TotpPage {
            secret,
            uri,
            error: String::new(),
        },
    )
}

pub async fn totp(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let secret = f.get("secret");
    let r = if s.session.has_totp {
        s.registry.verify_totp(&s.session, &f.get("code")).await
    } else {
        s.registry
            .enrol_totp(&s.session, &secret, &f.get("code"))
            .await
    };
    match r {
        Ok(()) => Ok(Redirect::to(auth::home_of(s.session.principal.role)).into_response()),
        Err(AppError::Invalid(i)) => {
            let uri = if secret.is_empty() {
                String::new()
            } else {
                totp::uri(&secret, &s.session.principal.name)
            };
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &TotpPage {
                    secret,
                    uri,
                    error: i.first_message().to_string(),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_path_on_this_site_or_nothing() {
        for good in ["/", "/orgs?page=2&q=%E6%9D%A8", "/people/3/edit", "/a:b"] {
            assert_eq!(safe_next(good).as_deref(), Some(good), "{good}");
        }
        for bad in [
            "",
            "//evil.example",
            "/\t/evil.example",
            "/\n/x",
            "/\r\nSet-Cookie:x",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "evil.example",
            "/ space",
            "/组织",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
