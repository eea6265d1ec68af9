//! Sessions, CSRF, login throttling, the audit chain and escaping, attacked
//! from outside through the real router, on both databases.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::{NaiveDate, Utc};
use gongyi_app::security::audit::Verdict;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_testkit::Db;
use gongyi_web::{AppState, WebConfig};

use common::Reply;

async fn send(app: &Router, req: Request<Body>) -> Reply {
    common::send(app, "security", req).await
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn is_login_redirect(r: &Reply) -> bool {
    r.status == StatusCode::SEE_OTHER
        && r.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"))
}

async fn site(db: Db) -> (Router, Registry) {
    let registry = Registry::new(
        db,
        Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
    );
    registry
        .load_demo(12, Some(6), 5, &|_, _| {})
        .await
        .unwrap();
    let config = WebConfig {
        login_rate_limit: None,
        ..WebConfig::default()
    };
    let app = gongyi_web::router_with(AppState::new(registry.clone()), &config);
    (app, registry)
}

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            sqlx::query(sql).execute(p).await.unwrap();
        }
    }
}

#[tokio::test]
async fn forged_expired_and_replayed_session_cookies_are_refused() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db.clone()).await;
        let s = common::sign_in(&registry, "cookie-bureau", Role::Bureau, "", "").await;
        assert_eq!(
            send(&app, get("/orgs", &s.cookie)).await.status,
            StatusCode::OK,
            "{url}"
        );

        let forged = format!("gongyi_session={}", "ab".repeat(32));
        assert!(
            is_login_redirect(&send(&app, get("/orgs", &forged)).await),
            "{url}: forged"
        );
        assert!(is_login_redirect(
            &send(&app, get("/orgs", "gongyi_session=../../x")).await
        ));
        let api = send(&app, get("/api/v1/organizations", &forged)).await;
        assert_eq!(api.status, StatusCode::UNAUTHORIZED, "{url}: {}", api.body);

        // Idle past 30 minutes.
        let idle = common::sign_in(&registry, "idle-bureau", Role::Bureau, "", "").await;
        let t = (Utc::now() - chrono::Duration::minutes(31)).to_rfc3339();
        exec(&db, &format!(
            "UPDATE sessions SET last_seen_at = '{t}' WHERE account_id = (SELECT id FROM accounts WHERE name = 'idle-bureau')"
        )).await;
        assert!(
            is_login_redirect(&send(&app, get("/orgs", &idle.cookie)).await),
            "{url}: idle"
        );

        // Older than 8 hours, however busy.
        let old = common::sign_in(&registry, "old-bureau", Role::Bureau, "", "").await;
        let t = (Utc::now() - chrono::Duration::hours(9)).to_rfc3339();
        exec(&db, &format!(
            "UPDATE sessions SET created_at = '{t}' WHERE account_id = (SELECT id FROM accounts WHERE name = 'old-bureau')"
        )).await;
        assert!(
            is_login_redirect(&send(&app, get("/orgs", &old.cookie)).await),
            "{url}: absolute"
        );

        // An administrator idles out after 15 minutes.
        let admin = common::sign_in(&registry, "idle-audit", Role::AuditAdmin, "", "").await;
        let t = (Utc::now() - chrono::Duration::minutes(16)).to_rfc3339();
        exec(&db, &format!(
            "UPDATE sessions SET last_seen_at = '{t}' WHERE account_id = (SELECT id FROM accounts WHERE name = 'idle-audit')"
        )).await;
        assert!(
            is_login_redirect(&send(&app, get("/audit", &admin.cookie)).await),
            "{url}: admin idle"
        );

        // Replayed after logout.
        let out = send(
            &app,
            common::with_session(Request::post("/logout").body(Body::empty()).unwrap(), &s),
        )
        .await;
        assert_eq!(
            out.status,
            StatusCode::SEE_OTHER,
            "{url}: logout {}",
            out.body
        );
        assert!(
            is_login_redirect(&send(&app, get("/orgs", &s.cookie)).await),
            "{url}: replay"
        );
    }
}

#[tokio::test]
async fn a_state_changing_request_without_the_csrf_token_is_refused() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let s = common::sign_in(&registry, "csrf-bureau", Role::Bureau, "", "").await;
        let code = registry.store().org_by_id(1).await.unwrap().credit_code;
        let uri = format!("/orgs/{code}/history/honours");
        let body = "title=%E7%A4%BA%E8%8C%83&level=DISTRICT&date=2025-01-01";
        let without = send(&app, form(&uri, &s.cookie, body)).await;
        assert_eq!(
            without.status,
            StatusCode::FORBIDDEN,
            "{url}: {}",
            without.body
        );
        let wrong = send(
            &app,
            form(&uri, &s.cookie, &format!("{body}&_csrf={}", "0".repeat(64))),
        )
        .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN, "{url}");
        let api = send(
            &app,
            Request::post("/api/v1/people")
                .header(header::COOKIE, &s.cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
        assert_eq!(api.status, StatusCode::FORBIDDEN, "{url}: {}", api.body);
        assert!(api.body.contains("\"csrf\""), "{}", api.body);
        assert!(registry
            .org_page(&code)
            .await
            .unwrap()
            .history
            .honours
            .is_empty());

        // The token the page embedded in its form is accepted.
        let page = send(&app, get(&format!("/orgs/{code}"), &s.cookie)).await;
        let token = page
            .body
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .expect("the page's forms carry the token")
            .to_string();
        let ok = send(
            &app,
            form(&uri, &s.cookie, &format!("{body}&_csrf={token}")),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{url}: {}", ok.body);
    }
}

#[tokio::test]
async fn five_failures_lock_an_account_and_the_answer_never_tells_whether_it_exists() {
    for (db, url) in gongyi_testkit::databases().await {
        let (_app, registry) = site(db).await;
        common::sign_in(&registry, "lock-me", Role::Finance, "", "").await;
        let unknown = registry
            .login("no-such-account", "Whatever#2026", "")
            .await
            .unwrap_err();
        let mut messages = vec![unknown.to_string()];
        for _ in 0..5 {
            messages.push(
                registry
                    .login("lock-me", "Wrong#Pass2026", "")
                    .await
                    .unwrap_err()
                    .to_string(),
            );
        }
        // The right password is refused while locked, with the same words.
        messages.push(
            registry
                .login("lock-me", common::TEST_PASSWORD, "")
                .await
                .unwrap_err()
                .to_string(),
        );
        assert!(
            messages.windows(2).all(|w| w[0] == w[1]),
            "{url}: {messages:?}"
        );
        // The security administrator unlocks it.
        registry.unlock("lock-me", false).await.unwrap();
        assert!(
            registry
                .login("lock-me", common::TEST_PASSWORD, "")
                .await
                .is_ok(),
            "{url}"
        );
    }
}

#[tokio::test]
async fn audit_verify_names_the_first_record_edited_deleted_or_reordered() {
    for (db, url) in gongyi_testkit::databases().await {
        let (_app, registry) = site(db.clone()).await;
        for i in 0..6 {
            common::sign_in(&registry, &format!("audit-{i}"), Role::Reviewer, "", "").await;
        }
        let Verdict::Intact { records, .. } = registry.verify_audit().await.unwrap() else {
            panic!("{url}: an untouched chain is intact");
        };
        assert!(records >= 18, "{url}: {records}");

        exec(
            &db,
            "UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = 5",
        )
        .await;
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Broken { seq: 5, .. }
            ),
            "{url}: edited"
        );
        exec(&db, "UPDATE audit_log SET actor_name = (SELECT name FROM accounts WHERE id = 1) WHERE seq = 5").await;
    }
    for (db, url) in gongyi_testkit::databases().await {
        let (_app, registry) = site(db.clone()).await;
        for i in 0..4 {
            common::sign_in(&registry, &format!("audit-{i}"), Role::Reviewer, "", "").await;
        }
        exec(&db, "DELETE FROM audit_log WHERE seq = 7").await;
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Broken { seq: 7, .. }
            ),
            "{url}: deleted"
        );
    }
    for (db, url) in gongyi_testkit::databases().await {
        let (_app, registry) = site(db.clone()).await;
        for i in 0..4 {
            common::sign_in(&registry, &format!("audit-{i}"), Role::Reviewer, "", "").await;
        }
        // Swap the contents of records 3 and 4, keeping the sequence numbers.
        exec(&db, "UPDATE audit_log SET seq = -3 WHERE seq = 3").await;
        exec(&db, "UPDATE audit_log SET seq = 3 WHERE seq = 4").await;
        exec(&db, "UPDATE audit_log SET seq = 4 WHERE seq = -3").await;
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Broken { seq: 3, .. }
            ),
            "{url}: reordered"
        );
    }
    for (db, url) in gongyi_testkit::databases().await {
        let (_app, registry) = site(db.clone()).await;
        common::sign_in(&registry, "audit-last", Role::Reviewer, "", "").await;
        let head = registry.store().audit_head().await.unwrap();
        exec(
            &db,
            &format!("DELETE FROM audit_log WHERE seq = {}", head.seq),
        )
        .await;
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Broken { .. }
            ),
            "{url}: the last record deleted"
        );
    }
}

#[tokio::test]
async fn script_in_a_name_or_address_renders_as_text() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let s = common::sign_in(&registry, "xss-bureau", Role::Bureau, "", "").await;
        let org = registry.store().org_by_id(1).await.unwrap();
        let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>";
        let body = serde_json::json!({
            "credit_code": org.credit_code,
            "name": format!("上海市杨浦区{payload}服务中心"),
            "kind": org.kind.code(),
            "subdistrict": org.subdistrict_code,
            "registration_date": org.registration_date.to_string(),
            "registered_capital_fen": org.registered_capital_fen,
            "address": payload,
            "version": org.version,
        });
        let put = send(
            &app,
            common::with_session(
                Request::builder()
                    .method(Method::PUT)
                    .uri(format!("/api/v1/organizations/{}", org.credit_code))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
                &s,
            ),
        )
        .await;
        assert_eq!(put.status, StatusCode::OK, "{url}: {}", put.body);
        for uri in [
            format!("/orgs/{}", org.credit_code),
            format!("/orgs?q={}", "%E6%9D%A8%E6%B5%A6"),
            format!("/public/orgs/{}", org.credit_code),
        ] {
            let page = send(&app, get(&uri, &s.cookie)).await;
            assert_eq!(page.status, StatusCode::OK, "{url} {uri}");
            assert!(
                !page.body.contains("<script>alert"),
                "{url} {uri}: script not escaped"
            );
            assert!(
                !page.body.contains("<img src=x"),
                "{url} {uri}: tag not escaped"
            );
            let csp = page
                .headers
                .get(header::CONTENT_SECURITY_POLICY)
                .unwrap()
                .to_str()
                .unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
            assert_eq!(
                page.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
                "nosniff"
            );
            assert!(page.headers.get(header::REFERRER_POLICY).is_some());
        }
    }
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_anything_else() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        common::sign_in(&registry, "reset-me", Role::Bureau, "", "").await;
        let issued = registry.reset_password("reset-me").await.unwrap();
        let opened = registry
            .login("reset-me", &issued.one_time_password, "")
            .await
            .unwrap();
        let cookie = format!("gongyi_session={}", opened.token);
        let r = send(&app, get("/orgs", &cookie)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{url}");
        assert_eq!(
            r.headers.get(header::LOCATION).unwrap(),
            "/account/password"
        );
        let api = send(&app, get("/api/v1/organizations", &cookie)).await;
        assert_eq!(api.status, StatusCode::FORBIDDEN, "{url}: {}", api.body);
        assert!(
            api.body.contains("password_change_required"),
            "{}",
            api.body
        );
        // A weak new password is refused with its reasons.
        let weak = send(
            &app,
            form(
                "/account/password",
                &cookie,
                &format!(
                    "current={}&password=reset-me1&confirm=reset-me1&_csrf={}",
                    common::url(&issued.one_time_password),
                    opened.csrf
                ),
            ),
        )
        .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(weak.body.contains("不得包含账号名"), "{}", weak.body);
        let ok = send(
            &app,
            form(
                "/account/password",
                &cookie,
                &format!(
                    "current={}&password=Shanghai%232026x&confirm=Shanghai%232026x&_csrf={}",
                    common::url(&issued.one_time_password),
                    opened.csrf
                ),
            ),
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{url}: {}", ok.body);
        assert_eq!(
            send(&app, get("/orgs", &cookie)).await.status,
            StatusCode::OK,
            "{url}"
        );
    }
}

#[tokio::test]
async fn at_level_three_administrators_and_bureau_staff_need_a_second_factor() {
    use gongyi_app::security::accounts::SecuritySettings;
    use gongyi_app::security::totp;
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        )
        .with_settings(SecuritySettings {
            level: 3,
            ..SecuritySettings::default()
        });
        let app = gongyi_web::router(AppState::new(registry.clone()));
        common::sign_in(&registry, "l3-bureau", Role::Bureau, "", "").await;
        let opened = registry
            .login("l3-bureau", common::TEST_PASSWORD, "")
            .await
            .unwrap();
        assert!(opened.needs_second_factor, "{url}");
        let cookie = format!("gongyi_session={}", opened.token);
        let r = send(&app, get("/orgs", &cookie)).await;
        assert_eq!(
            r.headers.get(header::LOCATION).unwrap(),
            "/account/totp",
            "{url}"
        );
        // Set up: the page shows a secret; a code from it completes the login.
        let page = send(&app, get("/account/totp", &cookie)).await;
        let secret = page
            .body
            .split("name=\"secret\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_string();
        let code = totp::code_at(&secret, Utc::now().timestamp()).unwrap();
        let done = send(
            &app,
            form(
                "/account/totp",
                &cookie,
                &format!("secret={secret}&code={code}&_csrf={}", opened.csrf),
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{url}: {}", done.body);
        assert_eq!(
            send(&app, get("/orgs", &cookie)).await.status,
            StatusCode::OK,
            "{url}"
        );
        // From now on the password alone is not enough.
        assert!(
            registry
                .login("l3-bureau", common::TEST_PASSWORD, "")
                .await
                .is_err(),
            "{url}"
        );
        assert!(registry
            .login("l3-bureau", common::TEST_PASSWORD, "000000")
            .await
            .is_err());
        let code = totp::code_at(&secret, Utc::now().timestamp()).unwrap();
        assert!(
            registry
                .login("l3-bureau", common::TEST_PASSWORD, &code)
                .await
                .is_ok(),
            "{url}"
        );
        // A finance officer needs none.
        common::sign_in(&registry, "l3-finance", Role::Finance, "", "").await;
        let f = registry
            .login("l3-finance", common::TEST_PASSWORD, "")
            .await
            .unwrap();
        assert!(!f.needs_second_factor);
    }
}

#[tokio::test]
async fn login_attempts_and_api_calls_beyond_the_limit_get_429_with_retry_after() {
    use gongyi_web::RateLimit;
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::system());
        let per_minute = |requests| {
            Some(RateLimit {
                requests,
                window: std::time::Duration::from_secs(60),
            })
        };
        let config = WebConfig {
            login_rate_limit: per_minute(3),
            api_rate_limit: per_minute(5),
            ..WebConfig::default()
        };
        let app = gongyi_web::router_with(AppState::new(registry.clone()), &config);
        let login = || {
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"name":"nobody","password":"Wrong#2026x"}"#))
                .unwrap()
        };
        for _ in 0..3 {
            let r = send(&app, login()).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{url}: {}", r.body);
        }
        let limited = send(&app, login()).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{url}");
        assert!(limited.headers.get(header::RETRY_AFTER).is_some(), "{url}");

        let s = common::sign_in(&registry, "busy-bureau", Role::Bureau, "", "").await;
        let mut last = StatusCode::OK;
        for _ in 0..6 {
            last = send(&app, get("/api/v1/organizations", &s.cookie))
                .await
                .status;
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "{url}");
    }
}

#[tokio::test]
async fn a_full_number_is_shown_only_for_a_reason_and_the_read_is_audited() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let s = common::sign_in(&registry, "reveal-bureau", Role::Bureau, "", "").await;
        let reveal = |body: &str| {
            common::with_session(
                Request::post("/api/v1/people/1/reveal")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
                &s,
            )
        };
        let without = send(&app, reveal(r#"{"field":"resident_id"}"#)).await;
        assert_eq!(
            without.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            without.body
        );
        assert!(without.body.contains("\"reason\""), "{}", without.body);

        let shown = send(
            &app,
            reveal(r#"{"field":"resident_id","reason":"核对补贴申请"}"#),
        )
        .await;
        assert_eq!(shown.status, StatusCode::OK, "{url}: {}", shown.body);
        assert_eq!(
            shown.headers.get(header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        let v: serde_json::Value = serde_json::from_str(&shown.body).unwrap();
        let full = v["value"].as_str().unwrap().to_string();
        assert!(
            gongyi_domain::ResidentId::parse(&full, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
                .is_ok(),
            "{url}: a whole, valid number: {full}"
        );
        // The person's own page still shows it masked.
        let page = send(&app, get("/people/1", &s.cookie)).await;
        assert!(!page.body.contains(&full), "{url}");

        let f = gongyi_testkit::store::audit::AuditFilter {
            action: Some("reveal".into()),
            ..Default::default()
        };
        let (rows, total) = registry.audit_search(&f, 1, 10).await.unwrap();
        assert_eq!(total, 1, "{url}: one audited read");
        assert_eq!(rows[0].actor_name, "reveal-bureau");
        assert!(
            rows[0].changes.contains("核对补贴申请"),
            "{}",
            rows[0].changes
        );
        assert!(
            !rows[0].changes.contains(&full),
            "the audit record holds no number"
        );
    }
}

#[tokio::test]
async fn administrators_are_kept_apart_and_do_not_administer_themselves() {
    use gongyi_app::security::accounts::AccountInput;
    use gongyi_app::security::Caller;
    use gongyi_domain::access::{Principal, Scope};
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::system());
        let sys = registry
            .create_account(&AccountInput {
                name: "sys".into(),
                role: "system-admin".into(),
                ..AccountInput::default()
            })
            .await
            .unwrap();
        let as_sys = registry.acting(Caller::signed_in(
            &Principal {
                account_id: sys.account_id,
                name: "sys".into(),
                role: Role::SystemAdmin,
                scope: Scope::District,
            },
            None,
            None,
        ));
        // The system administrator creates business accounts, not administrators.
        assert!(
            as_sys
                .create_account(&AccountInput {
                    name: "clerk".into(),
                    role: "bureau".into(),
                    ..AccountInput::default()
                })
                .await
                .is_ok(),
            "{url}"
        );
        let refused = as_sys
            .create_account(&AccountInput {
                name: "auditor".into(),
                role: "audit-admin".into(),
                ..AccountInput::default()
            })
            .await
            .unwrap_err();
        assert!(
            format!("{refused:?}").contains("account.admin_role"),
            "{url}: {refused:?}"
        );
        // Nor resets or disables his own account.
        assert!(as_sys.reset_password("sys").await.is_err(), "{url}");
        assert!(as_sys.set_disabled("sys", true).await.is_err(), "{url}");
        assert!(as_sys.reset_password("clerk").await.is_ok(), "{url}");
    }
}

#[tokio::test]
async fn the_security_administrator_sees_the_policy_in_force() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::system());
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let s = common::sign_in(&registry, "sec", Role::SecurityAdmin, "", "").await;
        let page = send(&app, get("/admin/security", &s.cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        assert!(
            page.body.contains("连续 5 次,锁定 15 分钟"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("30 分钟(管理员 15 分钟)"),
            "{}",
            page.body
        );
    }
}

#[tokio::test]
async fn the_navigation_offers_each_role_only_what_it_may_open() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::system());
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let reviewer = common::sign_in(&registry, "nav-reviewer", Role::Reviewer, "", "").await;
        let page = send(&app, get("/applications", &reviewer.cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        assert!(page.body.contains(r#"href="/applications""#), "{url}");
        assert!(
            !page.body.contains(r#"href="/orgs""#),
            "{url}: a reviewer is not offered the registry"
        );
        assert!(!page.body.contains(r#"href="/audit""#), "{url}");
        let auditor = common::sign_in(&registry, "nav-audit", Role::AuditAdmin, "", "").await;
        let page = send(&app, get("/audit", &auditor.cookie)).await;
        assert!(page.body.contains(r#"href="/audit""#), "{url}");
        assert!(
            !page.body.contains(r#"href="/people""#),
            "{url}: no business data for the auditor"
        );
        // An officer's account page names the sub-district, not a code.
        let sub = registry.store().subdistricts().await.unwrap().remove(0);
        let officer =
            common::sign_in(&registry, "nav-officer", Role::Subdistrict, &sub.code, "").await;
        let page = send(&app, get("/account", &officer.cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        assert!(page.body.contains(&sub.name), "{url}: {}", page.body);
        let login = send(&app, get("/login", "")).await;
        assert!(
            !login.body.contains(r#"href="/orgs""#),
            "{url}: the login page offers nothing signed-in"
        );
    }
}

#[tokio::test]
async fn no_administrator_resets_unlocks_disables_or_re_roles_another_administrator() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::system());
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let sys = common::sign_in(&registry, "sep-sys", Role::SystemAdmin, "", "").await;
        let sec = common::sign_in(&registry, "sep-sec", Role::SecurityAdmin, "", "").await;
        let aud = common::sign_in(&registry, "sep-audit", Role::AuditAdmin, "", "").await;
        common::sign_in(&registry, "sep-clerk", Role::Bureau, "", "").await;

        // The system administrator's page offers nothing on administrator accounts…
        let page = send(&app, get("/admin/accounts", &sys.cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        assert!(
            page.body.contains("/admin/accounts/sep-clerk/reset"),
            "{url}: business accounts keep their buttons"
        );
        for admin in ["sep-sec", "sep-audit"] {
            assert!(
                !page.body.contains(&format!("/admin/accounts/{admin}/")),
                "{url}: a button on {admin}"
            );
        }
        assert!(!page.body.contains(r#"value="audit-admin""#), "{url}");
        // …and a forged form is refused without a new password.
        for action in ["reset", "disable"] {
            let r = send(
                &app,
                form(
                    &format!("/admin/accounts/sep-audit/{action}"),
                    &sys.cookie,
                    &format!("_csrf={}", sys.csrf),
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url} {action}");
            assert!(r.body.contains("服务器控制台"), "{url}: {}", r.body);
            assert!(
                !r.body.contains("的一次性密码"),
                "{url}: a password was issued"
            );
        }
        assert_eq!(
            send(&app, get("/audit", &aud.cookie)).await.status,
            StatusCode::OK,
            "{url}: the audit administrator is still signed in"
        );
        assert!(registry
            .login("sep-audit", common::TEST_PASSWORD, "")
            .await
            .is_ok());

        // The security administrator neither.
        let page = send(&app, get("/admin/security", &sec.cookie)).await;
        assert!(
            page.body.contains("/admin/security/sep-clerk/role"),
            "{url}"
        );
        assert!(!page.body.contains("/admin/security/sep-sys/"), "{url}");
        assert!(!page.body.contains(r#"value="system-admin""#), "{url}");
        for target in ["sep-sys", "sep-audit"] {
            for (action, body) in [
                ("unlock", String::new()),
                ("clear-totp", String::new()),
                ("role", "role=bureau&".to_string()),
            ] {
                let r = send(
                    &app,
                    form(
                        &format!("/admin/security/{target}/{action}"),
                        &sec.cookie,
                        &format!("{body}_csrf={}", sec.csrf),
                    ),
                )
                .await;
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{url}: {action} {target}"
                );
                assert!(r.body.contains("服务器控制台"), "{url}: {}", r.body);
            }
        }
        // Nor makes a business account an administrator.
        let r = send(
            &app,
            form(
                "/admin/security/sep-clerk/role",
                &sec.cookie,
                &format!("role=audit-admin&_csrf={}", sec.csrf),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        let clerk = registry.store().account_by_name("sep-clerk").await.unwrap();
        assert_eq!(clerk.role, "bureau", "{url}");

        // The console operator can, and it is audited.
        registry.reset_password("sep-audit").await.unwrap();
        let f = gongyi_testkit::store::audit::AuditFilter {
            action: Some("reset_password".into()),
            entity_id: Some("sep-audit".into()),
            ..Default::default()
        };
        let (rows, total) = registry.audit_search(&f, 1, 10).await.unwrap();
        assert_eq!(total, 1, "{url}");
        assert_eq!(rows[0].actor_role, "system", "{url}");
    }
}

/// The login form's anti-forgery token: (cookie value, form field value).
async fn login_token(app: &Router, uri: &str) -> (String, String, Reply) {
    let page = send(app, get(uri, "")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let cookie = page
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("gongyi_login="))
        .and_then(|v| v.split(';').next())
        .expect("the login page sets its token cookie")
        .to_string();
    let field = hidden(&page.body, "_csrf");
    (cookie, field, page)
}

/// The value of hidden input `name` in a page.
fn hidden(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no field {name} in {body}"))
        .to_string()
}

/// Signs in through the HTML form, as a browser does: the page first, then the post.
async fn form_login(app: &Router, name: &str, password: &str, next: &str) -> Reply {
    let (cookie, token, _) = login_token(app, "/login").await;
    send(
        app,
        form(
            "/login",
            &format!("gongyi_login={cookie}"),
            &format!(
                "_csrf={}&next={}&name={}&password={}&code=",
                common::url(&token),
                common::url(next),
                common::url(name),
                common::url(password)
            ),
        ),
    )
    .await
}

fn location(r: &Reply) -> &str {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn session_cookie_of(r: &Reply) -> Option<String> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gongyi_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

#[tokio::test]
async fn the_login_form_signs_in_and_then_goes_only_to_a_path_on_this_site() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        common::sign_in(&registry, "form-bureau", Role::Bureau, "", "").await;

        // A safe next: signed in, and there.
        let ok = form_login(&app, "form-bureau", common::TEST_PASSWORD, "/orgs?page=2").await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{url}: {}", ok.body);
        assert_eq!(location(&ok), "/orgs?page=2", "{url}");
        let cookie = session_cookie_of(&ok).expect("a session cookie");
        assert_eq!(
            send(&app, get("/orgs?page=2", &cookie)).await.status,
            StatusCode::OK,
            "{url}"
        );

        // Unsafe ones: signed in all the same, but sent to the start page.
        for next in [
            "/\t/evil.example",
            "/\n/x",
            "/\nx",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "/\r\nSet-Cookie: a=b",
        ] {
            let r = form_login(&app, "form-bureau", common::TEST_PASSWORD, next).await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "{url} {next:?}: {}",
                r.body
            );
            assert_eq!(location(&r), "/", "{url} {next:?}");
            assert!(session_cookie_of(&r).is_some(), "{url} {next:?}");
        }

        // The form itself does not carry an unsafe next along.
        let (_, _, page) = login_token(&app, "/login?next=/%09/evil.example").await;
        assert_eq!(hidden(&page.body, "next"), "", "{url}");
        let (_, _, page) = login_token(&app, "/login?next=/orgs%3Fq%3D1").await;
        assert_eq!(hidden(&page.body, "next"), "/orgs?q=1", "{url}");
    }
}

#[tokio::test]
async fn a_login_token_this_server_did_not_issue_is_refused_even_when_cookie_and_field_agree() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db.clone()).await;
        common::sign_in(&registry, "token-bureau", Role::Bureau, "", "").await;
        let post = |token: &str| {
            form(
                "/login",
                &format!("gongyi_login={token}"),
                &format!(
                    "_csrf={}&name=token-bureau&password={}",
                    common::url(token),
                    common::url(common::TEST_PASSWORD)
                ),
            )
        };
        // Made up; issued by a server with another key; tampered with.
        let other = Registry::new(db.clone(), Clock::system()).login_form_token();
        let (_, real, _) = login_token(&app, "/login").await;
        let (body, _) = real.rsplit_once('.').unwrap();
        let tampered = format!("{body}.{}", "0".repeat(64));
        let (_, rand) = body.split_once('.').unwrap();
        let old = format!("{}.{rand}", Utc::now().timestamp() - 3 * 3600);
        let stale = format!("{old}.{}", real.rsplit_once('.').unwrap().1);
        for token in ["abc", "", other.as_str(), tampered.as_str(), stale.as_str()] {
            let r = send(&app, post(token)).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{url}: {token:?} accepted"
            );
            assert!(r.body.contains("页面已过期"), "{url}: {}", r.body);
            assert!(session_cookie_of(&r).is_none(), "{url}: {token:?}");
        }
        // Cookie and field must also agree.
        let (cookie, field, _) = login_token(&app, "/login").await;
        let (_, field2, _) = login_token(&app, "/login").await;
        assert_ne!(field, field2);
        let r = send(
            &app,
            form(
                "/login",
                &format!("gongyi_login={cookie}"),
                &format!(
                    "_csrf={}&name=token-bureau&password={}",
                    common::url(&field2),
                    common::url(common::TEST_PASSWORD)
                ),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        // The token the page issued works.
        let r = send(&app, post(&real)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{url}: {}", r.body);
    }
}

#[tokio::test]
async fn an_anonymous_caller_cannot_make_the_audit_trail_large() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let before = registry.store().audit_head().await.unwrap().seq;
        // A 1.9 MB name is refused before it is read, on both login routes.
        let big = "a".repeat(1_900_000);
        let api_body = serde_json::json!({"name": big, "password": "x"}).to_string();
        let r = send(
            &app,
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::CONTENT_LENGTH, api_body.len())
                .body(Body::from(api_body))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{url}");
        let form_body = format!("name={big}&password=x");
        let r = send(
            &app,
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, form_body.len())
                .body(Body::from(form_body))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{url}");
        // Without a length the body is cut off while it is read.
        let r = send(
            &app,
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({"name": big, "password": "x"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{url}");
        assert!(r.body.contains("body.too_large"), "{url}: {}", r.body);
        assert_eq!(
            registry.store().audit_head().await.unwrap().seq,
            before,
            "{url}: nothing recorded"
        );

        // A long name within the limit is recorded as its hash.
        let long = "b".repeat(5_000);
        let r = send(
            &app,
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({"name": long, "password": "x"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{url}");
        let f = gongyi_testkit::store::audit::AuditFilter {
            action: Some("login_failed".into()),
            ..Default::default()
        };
        let (rows, _) = registry.audit_search(&f, 1, 1).await.unwrap();
        assert!(
            rows[0].entity_id.starts_with("sha256:") && rows[0].entity_id.len() < 80,
            "{url}: {}",
            rows[0].entity_id
        );

        // Any other field that reaches the trail is capped where records are
        // appended: here a signed-in officer's 1.2 MB reason for reading a number.
        let s = common::sign_in(&registry, "flood-bureau", Role::Bureau, "", "").await;
        let reason = "理由".repeat(200_000);
        let r = send(
            &app,
            common::with_session(
                Request::post("/api/v1/people/1/reveal")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        serde_json::json!({"field": "resident_id", "reason": reason}).to_string(),
                    ))
                    .unwrap(),
                &s,
            ),
        )
        .await;
        assert!(r.status.is_success(), "{url}: {} {}", r.status, r.body);
        let f = gongyi_testkit::store::audit::AuditFilter {
            action: Some("reveal".into()),
            ..Default::default()
        };
        let (rows, _) = registry.audit_search(&f, 1, 1).await.unwrap();
        assert!(
            rows[0].changes.len() <= gongyi_app::security::audit::MAX_CHANGES_BYTES,
            "{url}: {} bytes",
            rows[0].changes.len()
        );
        assert!(rows[0].changes.contains("截断"), "{url}");
        assert!(matches!(
            registry.verify_audit().await.unwrap(),
            Verdict::Intact { .. }
        ));
    }
}

#[tokio::test]
async fn changing_or_resetting_a_password_ends_every_other_session_of_the_account() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let first = common::sign_in(&registry, "two-sessions", Role::Bureau, "", "").await;
        let second = form_login(&app, "two-sessions", common::TEST_PASSWORD, "").await;
        let second = session_cookie_of(&second).expect("a second session");
        assert_eq!(
            send(&app, get("/orgs", &second)).await.status,
            StatusCode::OK,
            "{url}"
        );
        let changed = send(
            &app,
            form(
                "/account/password",
                &first.cookie,
                &format!(
                    "current={}&password=Another%232026y&confirm=Another%232026y&_csrf={}",
                    common::url(common::TEST_PASSWORD),
                    first.csrf
                ),
            ),
        )
        .await;
        assert_eq!(
            changed.status,
            StatusCode::SEE_OTHER,
            "{url}: {}",
            changed.body
        );
        assert_eq!(
            send(&app, get("/orgs", &first.cookie)).await.status,
            StatusCode::OK,
            "{url}: the session that changed it stays"
        );
        assert!(
            is_login_redirect(&send(&app, get("/orgs", &second)).await),
            "{url}: the other session ended"
        );

        // An administrator's reset ends them all.
        let sys = common::sign_in(&registry, "reset-sys", Role::SystemAdmin, "", "").await;
        let r = send(
            &app,
            form(
                "/admin/accounts/two-sessions/reset",
                &sys.cookie,
                &format!("_csrf={}", sys.csrf),
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
        assert!(r.body.contains("的一次性密码"), "{url}");
        assert!(
            is_login_redirect(&send(&app, get("/orgs", &first.cookie)).await),
            "{url}: reset"
        );
    }
}

/// Runs `sql` with text binds `$1…` on either backend.
async fn exec_with(db: &Db, sql: &str, binds: &[&str]) {
    match db {
        Db::Sqlite(p) => {
            let mut q = sqlx::query(sql);
            for b in binds {
                q = q.bind(*b);
            }
            q.execute(p).await.unwrap();
        }
        Db::Postgres(p) => {
            let mut q = sqlx::query(sql);
            for b in binds {
                q = q.bind(*b);
            }
            q.execute(p).await.unwrap();
        }
    }
}

/// The MAC a head row must carry, computed as the application does (for a
/// forger who holds the key).
fn keyed_head_mac(registry: &Registry, seq: i64, mac: &str, anchor: (i64, &str)) -> String {
    registry.keys.audit_mac(
        &[
            "audit_head",
            &seq.to_string(),
            mac,
            &anchor.0.to_string(),
            anchor.1,
        ]
        .join("\u{1f}"),
    )
}

fn is_broken(v: &Verdict) -> bool {
    matches!(v, Verdict::Broken { .. })
}

/// A registry whose checkpoints go to a fresh file.
fn with_checkpoints(db: Db) -> (Registry, std::path::PathBuf) {
    use gongyi_app::security::accounts::SecuritySettings;
    let file = std::env::temp_dir().join(format!(
        "gongyi-checkpoints-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let registry = Registry::new(db, Clock::system()).with_settings(SecuritySettings {
        audit_checkpoint_file: Some(file.clone()),
        ..SecuritySettings::default()
    });
    (registry, file)
}

#[tokio::test]
async fn cutting_the_chains_tail_and_moving_the_head_back_without_the_key_is_noticed() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db.clone()).await;
        let auditor = common::sign_in(&registry, "tail-audit", Role::AuditAdmin, "", "").await;
        for i in 0..3 {
            common::sign_in(&registry, &format!("tail-{i}"), Role::Reviewer, "", "").await;
        }
        let page = send(&app, get("/audit/verify", &auditor.cookie)).await;
        assert!(page.body.contains("审计链完整"), "{url}: {}", page.body);
        // The last three records go, and the head is moved to the new last one.
        let head = registry.store().audit_head().await.unwrap();
        let keep = head.seq - 3;
        exec(&db, &format!("DELETE FROM audit_log WHERE seq > {keep}")).await;
        exec(&db, &format!(
            "UPDATE audit_head SET seq = {keep}, mac = (SELECT mac FROM audit_log WHERE seq = {keep})"
        ))
        .await;
        let verdict = registry.verify_audit().await.unwrap();
        assert!(is_broken(&verdict), "{url}: {verdict:?}");
        let page = send(&app, get("/audit/verify", &auditor.cookie)).await;
        assert!(page.body.contains("断开"), "{url}: {}", page.body);

        // All of them, with the head back at its start but its MAC kept.
        exec(&db, "DELETE FROM audit_log").await;
        exec(
            &db,
            "UPDATE audit_head SET seq = 0, mac = '', anchor_seq = 0, anchor_mac = ''",
        )
        .await;
        let verdict = registry.verify_audit().await.unwrap();
        assert!(is_broken(&verdict), "{url}: all deleted: {verdict:?}");
        // The head's MAC cannot be cleared to pass as never written either.
        exec(&db, "UPDATE audit_head SET seq = 3, head_mac = ''").await;
        assert!(is_broken(&registry.verify_audit().await.unwrap()), "{url}");
    }
}

#[tokio::test]
async fn a_tail_cut_with_the_key_in_hand_is_caught_by_the_checkpoint() {
    for (db, url) in gongyi_testkit::databases().await {
        let (registry, file) = with_checkpoints(db.clone());
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let auditor = common::sign_in(&registry, "cp-audit", Role::AuditAdmin, "", "").await;
        for i in 0..3 {
            common::sign_in(&registry, &format!("cp-{i}"), Role::Reviewer, "", "").await;
        }
        let cp = registry.checkpoint_audit().await.unwrap();
        assert_eq!(cp.seq, registry.store().audit_head().await.unwrap().seq);
        for i in 3..5 {
            common::sign_in(&registry, &format!("cp-{i}"), Role::Reviewer, "", "").await;
        }
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Intact { checkpoint: Some(s), .. } if s == cp.seq
            ),
            "{url}"
        );

        // Published for anyone to write down.
        let public = send(&app, get("/public/audit-checkpoint", "")).await;
        assert_eq!(public.status, StatusCode::OK, "{url}");
        assert!(public.body.contains("审计链公示"), "{url}");
        assert!(public.body.contains(&cp.mac), "{url}: {}", public.body);
        assert!(
            public.body.contains(&format!("<dd>{}</dd>", cp.seq)),
            "{url}"
        );

        // Records up to two before the checkpoint go; the head is moved back
        // and MACed with the key, so the chain in the database is consistent.
        let keep = cp.seq - 2;
        exec(&db, &format!("DELETE FROM audit_log WHERE seq > {keep}")).await;
        let kept = registry
            .store()
            .audit_batch(keep - 1, 1)
            .await
            .unwrap()
            .remove(0);
        let head = registry.store().audit_head().await.unwrap();
        let head_mac = keyed_head_mac(
            &registry,
            keep,
            &kept.mac,
            (head.anchor_seq, &head.anchor_mac),
        );
        exec_with(
            &db,
            &format!("UPDATE audit_head SET seq = {keep}, mac = $1, head_mac = $2"),
            &[&kept.mac, &head_mac],
        )
        .await;
        assert!(
            matches!(
                registry.verify_audit_against(None).await.unwrap(),
                Verdict::Intact { .. }
            ),
            "{url}: without the checkpoint the forgery would pass"
        );
        match registry.verify_audit().await.unwrap() {
            Verdict::Broken { reason, .. } => assert!(reason.contains("检查点"), "{url}: {reason}"),
            v => panic!("{url}: the checkpoint did not catch it: {v:?}"),
        }
        let page = send(&app, get("/audit/verify", &auditor.cookie)).await;
        assert!(
            page.body.contains("断开") && page.body.contains("检查点"),
            "{url}: {}",
            page.body
        );
        // No new checkpoint vouches for the cut chain.
        assert!(registry.checkpoint_audit().await.is_err(), "{url}");

        // Everything deleted and the head back at its start: caught too.
        exec(&db, "DELETE FROM audit_log").await;
        exec(
            &db,
            "UPDATE audit_head SET seq = 0, mac = '', anchor_seq = 0, anchor_mac = '', head_mac = ''",
        )
        .await;
        assert!(is_broken(&registry.verify_audit().await.unwrap()), "{url}");

        // A checkpoint line edited in the file is refused.
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, text.replace(&format!("{}\t", cp.seq), "1\t")).unwrap();
        match registry.verify_audit().await.unwrap() {
            Verdict::Broken { reason, .. } => {
                assert!(reason.contains("签名不符"), "{url}: {reason}")
            }
            v => panic!("{url}: {v:?}"),
        }
        let _ = std::fs::remove_file(&file);
    }
}

#[tokio::test]
async fn a_chain_recomputed_without_the_key_as_plain_sha256_is_caught() {
    use sha2::{Digest, Sha256};
    for (db, url) in gongyi_testkit::databases().await {
        let (_app, registry) = site(db.clone()).await;
        for i in 0..3 {
            common::sign_in(&registry, &format!("sha-{i}"), Role::Reviewer, "", "").await;
        }
        // A forger edits record 2 and rebuilds every MAC after it the way an
        // unkeyed chain would be built: SHA-256 over the content and the
        // previous MAC. Record 1 keeps its real MAC.
        exec(
            &db,
            "UPDATE audit_log SET actor_name = 'forger' WHERE seq = 2",
        )
        .await;
        let rows = registry.store().audit_batch(0, 10_000).await.unwrap();
        let mut prev = rows[0].mac.clone();
        for r in &rows[1..] {
            let text = [
                r.seq.to_string(),
                r.at.timestamp_micros().to_string(),
                r.actor_id.map(|i| i.to_string()).unwrap_or_default(),
                r.actor_name.clone(),
                r.actor_role.clone(),
                r.action.clone(),
                r.entity_kind.clone(),
                r.entity_id.clone(),
                r.changes.clone(),
                r.client_addr.clone().unwrap_or_default(),
                r.request_id.clone().unwrap_or_default(),
                prev.clone(),
            ]
            .join("\u{1f}");
            let mac: String = Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            exec_with(
                &db,
                &format!(
                    "UPDATE audit_log SET prev_mac = $1, mac = $2 WHERE seq = {}",
                    r.seq
                ),
                &[&prev, &mac],
            )
            .await;
            prev = mac;
        }
        let head_mac: String = Sha256::digest(prev.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        exec_with(
            &db,
            "UPDATE audit_head SET mac = $1, head_mac = $2",
            &[&prev, &head_mac],
        )
        .await;
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Broken { seq: 2, .. }
            ),
            "{url}: an unkeyed chain passed"
        );
    }
}

/// Re-MACs every record and the head with the registry's key, as the
/// application would have (to stage records older than retention).
async fn rechain_with_key(db: &Db, registry: &Registry) {
    let head = registry.store().audit_head().await.unwrap();
    let rows = registry
        .store()
        .audit_batch(i64::MIN, 100_000)
        .await
        .unwrap();
    let mut prev = head.anchor_mac.clone();
    for r in &rows {
        let text = [
            r.seq.to_string(),
            r.at.timestamp_micros().to_string(),
            r.actor_id.map(|i| i.to_string()).unwrap_or_default(),
            r.actor_name.clone(),
            r.actor_role.clone(),
            r.action.clone(),
            r.entity_kind.clone(),
            r.entity_id.clone(),
            r.changes.clone(),
            r.client_addr.clone().unwrap_or_default(),
            r.request_id.clone().unwrap_or_default(),
            prev.clone(),
        ]
        .join("\u{1f}");
        let mac = registry.keys.audit_mac(&text);
        exec_with(
            db,
            &format!(
                "UPDATE audit_log SET prev_mac = $1, mac = $2 WHERE seq = {}",
                r.seq
            ),
            &[&prev, &mac],
        )
        .await;
        prev = mac;
    }
    let head_mac = keyed_head_mac(
        registry,
        head.seq,
        &prev,
        (head.anchor_seq, &head.anchor_mac),
    );
    exec_with(
        db,
        "UPDATE audit_head SET mac = $1, head_mac = $2",
        &[&prev, &head_mac],
    )
    .await;
}

#[tokio::test]
async fn a_purge_moves_the_anchor_under_the_heads_mac_and_nobody_else_can() {
    for (db, url) in gongyi_testkit::databases().await {
        let (registry, file) = with_checkpoints(db.clone());
        for i in 0..3 {
            common::sign_in(&registry, &format!("purge-{i}"), Role::Reviewer, "", "").await;
        }
        // The first four records are 200 days old.
        let old = (Utc::now() - chrono::Duration::days(200)).to_rfc3339();
        exec(
            &db,
            &format!("UPDATE audit_log SET at = '{old}' WHERE seq <= 4"),
        )
        .await;
        rechain_with_key(&db, &registry).await;
        let cp = registry.checkpoint_audit().await.unwrap();
        assert_eq!(registry.purge_audit(180).await.unwrap(), 4, "{url}");
        let head = registry.store().audit_head().await.unwrap();
        assert_eq!(head.anchor_seq, 4, "{url}");
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Intact { checkpoint: Some(s), .. } if s == cp.seq
            ),
            "{url}"
        );
        // Moving the anchor on to hide the deletion of the next records
        // needs the key.
        let six = registry.store().audit_batch(5, 1).await.unwrap().remove(0);
        exec(&db, "DELETE FROM audit_log WHERE seq IN (5, 6)").await;
        exec_with(
            &db,
            "UPDATE audit_head SET anchor_seq = 6, anchor_mac = $1",
            &[&six.mac],
        )
        .await;
        assert!(
            is_broken(&registry.verify_audit().await.unwrap()),
            "{url}: the anchor moved"
        );
        let _ = std::fs::remove_file(&file);
    }
}

#[tokio::test]
async fn a_head_written_before_heads_had_a_mac_is_sealed_once_and_only_when_its_chain_checks() {
    for (db, url) in gongyi_testkit::databases().await {
        let (_app, registry) = site(db.clone()).await;
        common::sign_in(&registry, "legacy", Role::Reviewer, "", "").await;
        exec(&db, "UPDATE audit_head SET head_mac = ''").await;
        assert!(is_broken(&registry.verify_audit().await.unwrap()), "{url}");
        assert!(registry.seal_audit_head().await.unwrap(), "{url}");
        assert!(!registry.seal_audit_head().await.unwrap(), "{url}: once");
        assert!(
            matches!(
                registry.verify_audit().await.unwrap(),
                Verdict::Intact { .. }
            ),
            "{url}"
        );
        // A chain that does not check is not sealed.
        exec(&db, "UPDATE audit_head SET head_mac = ''").await;
        exec(&db, "DELETE FROM audit_log WHERE seq = 2").await;
        assert!(!registry.seal_audit_head().await.unwrap(), "{url}");
        assert!(is_broken(&registry.verify_audit().await.unwrap()), "{url}");
    }
}

#[tokio::test]
async fn a_page_number_of_i64_max_is_clamped_on_pages_and_refused_by_the_api_never_wrapped() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let bureau = common::sign_in(&registry, "page-bureau", Role::Bureau, "", "").await;
        let auditor = common::sign_in(&registry, "page-audit", Role::AuditAdmin, "", "").await;
        let max = i64::MAX;
        for (uri, cookie) in [
            (format!("/orgs?page={max}"), &bureau.cookie),
            (format!("/people?page={max}"), &bureau.cookie),
            (format!("/applications?page={max}"), &bureau.cookie),
            (format!("/api/v1/organizations?page={max}"), &bureau.cookie),
            (
                format!("/api/v1/organizations?page={max}&per_page={max}"),
                &bureau.cookie,
            ),
            (format!("/api/v1/people?page={max}"), &bureau.cookie),
            (format!("/api/v1/applications?page={max}"), &bureau.cookie),
            (format!("/audit?page={max}"), &auditor.cookie),
            (format!("/public/orgs?page={max}"), &String::new()),
            (
                format!("/api/v1/public/organizations?page={max}"),
                &String::new(),
            ),
        ] {
            let r = send(&app, get(&uri, cookie)).await;
            if uri.starts_with("/api/") {
                // The API declares its bounds (1 ..= MAX_PAGE) and keeps them.
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{url} {uri}: {}",
                    r.body
                );
                let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                assert_eq!(v["fields"][0]["field"], "page", "{url} {uri}: {}", r.body);
            } else {
                assert_eq!(r.status, StatusCode::OK, "{url} {uri}: {}", r.body);
            }
        }
    }
}

#[tokio::test]
async fn a_password_over_128_characters_is_refused_in_chinese_before_it_is_hashed() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let s = common::sign_in(&registry, "long-pass", Role::Bureau, "", "").await;
        let change = |current: &str, new: &str| {
            form(
                "/account/password",
                &s.cookie,
                &format!(
                    "current={}&password={}&confirm={}&_csrf={}",
                    common::url(current),
                    common::url(new),
                    common::url(new),
                    s.csrf
                ),
            )
        };
        let long = format!("Aa1#{}", "x".repeat(125));
        let r = send(&app, change(common::TEST_PASSWORD, &long)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(
            r.body.contains("密码不得超过 128 个字符"),
            "{url}: {}",
            r.body
        );
        let r = send(&app, change(&"y".repeat(100_000), "Shanghai#2026z")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(r.body.contains("当前密码不正确"), "{url}");
        // Exactly 128 is accepted.
        let r = send(&app, change(common::TEST_PASSWORD, &long[..128])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{url}: {}", r.body);
        // Logging in with a longer one is a failed login, not a hash of it.
        let r = send(
            &app,
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({"name": "long-pass", "password": format!("{long}z")})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{url}");
    }
}

#[tokio::test]
async fn an_attachment_named_with_a_right_to_left_override_is_refused() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let s = common::sign_in(&registry, "rlo-bureau", Role::Bureau, "", "").await;
        let org = registry.store().org_by_id(1).await.unwrap();
        let r = send(
            &app,
            common::with_session(
                Request::post("/api/v1/applications")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        serde_json::json!({
                            "rule": "R6", "beneficiary_id": org.credit_code,
                            "event_key": "VP-RLO", "requested_fen": 100_000,
                            "attachments": [{
                                "file_name": "invoice\u{202E}fdp.exe",
                                "content_base64": "JVBERi0xLjc="
                            }]
                        })
                        .to_string(),
                    ))
                    .unwrap(),
                &s,
            ),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{url}: {}",
            r.body
        );
        assert!(
            r.body.contains("attachment.name_chars"),
            "{url}: {}",
            r.body
        );
        assert!(
            !r.body.contains('\u{202E}'),
            "{url}: the name is not echoed"
        );
    }
}

fn resident_id(body: &str) -> String {
    gongyi_domain::ResidentId::from_body(body, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
        .unwrap()
        .as_str()
        .to_string()
}

#[tokio::test]
async fn registering_a_number_known_outside_the_callers_scope_answers_as_a_new_one_and_flags_it() {
    use gongyi_app::security::Caller;
    use gongyi_domain::access::{Principal, Scope};
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;
        let bureau = common::sign_in(&registry, "dup-bureau", Role::Bureau, "", "").await;
        let sub = registry
            .store()
            .org_by_id(1)
            .await
            .unwrap()
            .subdistrict_code;
        let officer = common::sign_in(&registry, "dup-officer", Role::Subdistrict, &sub, "").await;
        let post = |who: &common::Signed, rid: &str, name: &str| {
            common::with_session(
                Request::post("/api/v1/people")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        serde_json::json!({"name": name, "resident_id": rid}).to_string(),
                    ))
                    .unwrap(),
                who,
            )
        };
        // The bureau registers someone (no employment: outside every officer's scope).
        let known = resident_id("31011019850101003");
        let r = send(&app, post(&bureau, &known, "王芳")).await;
        assert_eq!(r.status, StatusCode::CREATED, "{url}: {}", r.body);
        let total = || async { registry.people_count().await.unwrap() };
        let before = total().await;

        // The officer: the known number and a new one get the same answer.
        let dup = send(&app, post(&officer, &known, "王芳")).await;
        let fresh = send(
            &app,
            post(&officer, &resident_id("31011019850101011"), "李强"),
        )
        .await;
        assert_eq!(dup.status, StatusCode::ACCEPTED, "{url}: {}", dup.body);
        assert_eq!(
            (dup.status, &dup.body),
            (fresh.status, &fresh.body),
            "{url}"
        );
        assert!(!dup.body.contains("已登记"), "{url}");
        assert_eq!(total().await, before + 1, "{url}: no second 王芳");
        // The same through the form.
        let page = |rid: &str| {
            form(
                "/people/new",
                &officer.cookie,
                &format!(
                    "name=%E7%8E%8B%E8%8A%B3&resident_id={rid}&_csrf={}",
                    officer.csrf
                ),
            )
        };
        let a = send(&app, page(&known)).await;
        let b = send(&app, page(&resident_id("31011019850101020"))).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{url}: {}", a.body);
        assert_eq!(location(&a), location(&b), "{url}");
        assert_eq!(location(&a), "/people?submitted=1", "{url}");

        // A number inside the officer's own scope is named as a duplicate.
        let as_officer = registry.acting(Caller::signed_in(
            &Principal {
                account_id: 0,
                name: "x".into(),
                role: Role::Subdistrict,
                scope: Scope::Subdistrict(sub.clone()),
            },
            None,
            None,
        ));
        let inside = resident_id("31011019850101038");
        registry
            .create_person(&gongyi_domain::people::PersonInput {
                name: "赵敏".into(),
                resident_id: inside.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        let code = registry.store().org_by_id(1).await.unwrap().credit_code;
        let employment =
            gongyi_app::people::PersonRecordInput::from_fields("employments", |k| match k {
                "org_credit_code" => code.clone(),
                "start_date" => "2024-01-01".into(),
                "full_time" => "1".into(),
                "labour_contract" => "1".into(),
                _ => String::new(),
            })
            .unwrap();
        registry
            .add_person_record(&inside, &employment)
            .await
            .unwrap();
        assert!(
            !as_officer
                .people(&Default::default(), 1, 200)
                .await
                .unwrap()
                .items
                .is_empty(),
            "{url}: 赵敏 is inside the area"
        );
        let r = send(&app, post(&officer, &inside, "赵敏")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(r.body.contains("已登记"), "{url}: {}", r.body);

        // The bureau sees the two claims on 王芳 and resolves them.
        let home = send(&app, get("/", &bureau.cookie)).await;
        assert!(home.body.contains("待核实的重复登记"), "{url}");
        assert!(home.body.contains("dup-officer"), "{url}");
        let ids: Vec<String> = home
            .body
            .split("/people/claims/")
            .skip(1)
            .filter_map(|r| r.split('/').next().map(str::to_string))
            .collect();
        assert_eq!(ids.len(), 2, "{url}");
        for id in &ids {
            let r = send(
                &app,
                form(
                    &format!("/people/claims/{id}/resolve"),
                    &bureau.cookie,
                    &format!("_csrf={}", bureau.csrf),
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{url}: {}", r.body);
        }
        let home = send(&app, get("/", &bureau.cookie)).await;
        assert!(!home.body.contains("id=\"claims\""), "{url}");
        assert!(!home.body.contains("/people/claims/"), "{url}");
        // The officer's start page never shows claims (its declarations to
        // verify are another matter).
        let own = send(&app, get("/", &officer.cookie)).await;
        assert!(!own.body.contains("id=\"claims\""), "{url}");
        assert!(!own.body.contains("/people/claims/"), "{url}");
    }
}

/// One text column of every row `sql` returns, read straight from the database.
async fn column(db: &Db, sql: &str) -> Vec<String> {
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

#[tokio::test]
async fn the_database_holds_no_session_token_password_or_second_factor_in_clear() {
    use gongyi_app::security::accounts::SecuritySettings;
    use gongyi_app::security::totp;
    use sha2::{Digest, Sha256};
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db.clone(), Clock::system()).with_settings(SecuritySettings {
            level: 3,
            ..SecuritySettings::default()
        });
        let app = gongyi_web::router(AppState::new(registry.clone()));
        common::sign_in(&registry, "raw-bureau", Role::Bureau, "", "").await;
        // A session opened through the API, its second factor set up through the page.
        let r = send(
            &app,
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    serde_json::json!({"name": "raw-bureau", "password": common::TEST_PASSWORD})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
        let cookie = session_cookie_of(&r).unwrap();
        let token = cookie.trim_start_matches("gongyi_session=").to_string();
        let csrf = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["csrf_token"]
            .as_str()
            .unwrap()
            .to_string();
        let page = send(&app, get("/account/totp", &cookie)).await;
        let secret = hidden(&page.body, "secret");
        let code = totp::code_at(&secret, Utc::now().timestamp()).unwrap();
        let done = send(
            &app,
            form(
                "/account/totp",
                &cookie,
                &format!("secret={secret}&code={code}&_csrf={csrf}"),
            ),
        )
        .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{url}: {}", done.body);

        // Sessions: only the SHA-256 of each token.
        let hashes = column(&db, "SELECT token_hash FROM sessions").await;
        assert!(!hashes.is_empty());
        assert!(!hashes.contains(&token), "{url}: a token in clear");
        let mine: String = Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(hashes.contains(&mine), "{url}");
        assert!(
            hashes
                .iter()
                .all(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
            "{url}: {hashes:?}"
        );
        // Passwords: Argon2id PHC strings, never the password.
        let passwords = column(&db, "SELECT password_hash FROM accounts").await;
        assert!(
            passwords.iter().all(|h| h.starts_with("$argon2id$")),
            "{url}: {passwords:?}"
        );
        assert!(!passwords.iter().any(|h| h.contains(common::TEST_PASSWORD)));
        // The TOTP secret: sealed, opening only with the key.
        let sealed = column(
            &db,
            "SELECT totp_secret FROM accounts WHERE name = 'raw-bureau'",
        )
        .await
        .remove(0);
        assert!(sealed.starts_with("v1:"), "{url}: {sealed}");
        assert!(!sealed.contains(&secret), "{url}");
        assert_eq!(registry.keys.open(&sealed).unwrap(), secret, "{url}");
        let other = gongyi_app::security::keys::Keys::from_hex(
            &gongyi_app::security::keys::Keys::generate_hex(),
        )
        .unwrap();
        assert!(other.open(&sealed).is_err(), "{url}");
    }
}

/// The security administrator's page starts every role form from the role
/// held, offers unlock and second-factor reset only where they apply, and
/// changes a role only after a confirmation; the system administrator's
/// form keeps what was typed after a refusal, and accounts show their
/// sub-district and organisation by name.
#[tokio::test]
async fn the_account_pages_start_from_what_is_held_and_confirm_role_changes() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::system());
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let sec = common::sign_in(&registry, "ui-sec", Role::SecurityAdmin, "", "").await;
        let sys = common::sign_in(&registry, "ui-sys", Role::SystemAdmin, "", "").await;
        let sub = registry.store().subdistricts().await.unwrap().remove(0);
        common::sign_in(&registry, "ui-officer", Role::Subdistrict, &sub.code, "").await;
        common::sign_in(&registry, "ui-clerk", Role::Bureau, "", "").await;

        let page = send(&app, get("/admin/security", &sec.cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        let row = page
            .body
            .split("<tr>")
            .find(|r| r.contains("/admin/security/ui-officer/role"))
            .unwrap();
        assert!(
            row.contains(r#"<option value="subdistrict" selected>"#),
            "{url}: {row}"
        );
        assert!(
            row.contains(&format!(r#"<option value="{}" selected>"#, sub.code)),
            "{url}: {row}"
        );
        assert!(row.contains(&sub.name), "{url}");
        assert!(
            !row.contains(&format!("<td>{}</td>", sub.code)),
            "{url}: a code on screen"
        );
        assert!(
            !page.body.contains("/admin/security/ui-officer/unlock")
                && !page.body.contains("/admin/security/ui-officer/clear-totp"),
            "{url}: unlock and second-factor reset offered where they do not apply"
        );
        // A role change asks first, and changes nothing until confirmed.
        let body = format!("role=bureau&subdistrict=&org=&_csrf={}", sec.csrf);
        let r = send(
            &app,
            form("/admin/security/ui-officer/role", &sec.cookie, &body),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(r.body.contains("确认修改角色"), "{url}: {}", r.body);
        let officer = registry
            .store()
            .account_by_name("ui-officer")
            .await
            .unwrap();
        assert_eq!(
            officer.role, "subdistrict",
            "{url}: changed before confirming"
        );
        let body = format!("role=bureau&subdistrict=&org=&confirm=1&_csrf={}", sec.csrf);
        let r = send(
            &app,
            form("/admin/security/ui-officer/role", &sec.cookie, &body),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
        let officer = registry
            .store()
            .account_by_name("ui-officer")
            .await
            .unwrap();
        assert_eq!(officer.role, "bureau", "{url}");

        // A refused account form comes back as typed.
        let body = format!(
            "name=ui-new&display_name=张三&role=organisation&subdistrict=&org=not-a-code&_csrf={}",
            sys.csrf
        );
        let r = send(&app, form("/admin/accounts", &sys.cookie, &body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(
            r.body.contains(r#"value="ui-new""#),
            "{url}: the name was lost"
        );
        assert!(
            r.body.contains(r#"value="张三""#),
            "{url}: the display name was lost"
        );
        assert!(r.body.contains(r#"value="not-a-code""#), "{url}");
        assert!(
            r.body.contains(r#"<option value="organisation" selected>"#),
            "{url}: the role was lost"
        );
        // 停用 does not look like 重置密码.
        let page = send(&app, get("/admin/accounts", &sys.cookie)).await;
        assert!(page.body.contains(r#"class="danger">停用"#), "{url}");
        assert!(page.body.contains(r#"class="secondary">重置密码"#), "{url}");
    }
}

/// The audit page reads as Chinese: action and record named, a link to the
/// record, changes as 字段:前 → 后 with amounts in 元; no JSON, no codes.
#[tokio::test]
async fn the_audit_page_reads_as_chinese_with_links_and_amounts_in_yuan() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::system());
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let org = "TX000042";
        let check = gongyi_domain::credit_code::org_code_check(org.as_bytes()).unwrap();
        let code = gongyi_domain::CreditCode::from_body(&format!("52310110{org}{check}"))
            .unwrap()
            .as_str()
            .to_string();
        registry
            .create_org(&gongyi_domain::orgs::OrgInput {
                credit_code: code.clone(),
                name: "杨浦区审计页测试服务中心".into(),
                kind: "民办非企业单位".into(),
                subdistrict: "310110021".into(),
                registration_date: "2024-03-01".into(),
                registered_capital: "120000".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let aud = common::sign_in(&registry, "read-audit", Role::AuditAdmin, "", "").await;
        let page = send(&app, get("/audit", &aud.cookie)).await;
        assert_eq!(page.status, StatusCode::OK, "{url}");
        let row = page
            .body
            .split("<tr>")
            .find(|r| r.contains(&code))
            .unwrap_or_else(|| panic!("{url}: no row for the organisation"));
        assert!(row.contains("新建"), "{url}: {row}");
        assert!(
            row.contains(&format!(r#"href="/orgs/{code}""#)),
            "{url}: {row}"
        );
        assert!(
            row.contains("组织名称:无 → 杨浦区审计页测试服务中心"),
            "{url}: {row}"
        );
        assert!(row.contains("注册资金:无 → 120,000.00 元"), "{url}: {row}");
        assert!(row.contains("服务器控制台"), "{url}: {row}");
        for raw in [
            "{&quot;",
            "{\"",
            ">create<",
            "registered_capital_fen",
            "12000000",
        ] {
            assert!(!row.contains(raw), "{url}: {raw} on screen: {row}");
        }
    }
}
