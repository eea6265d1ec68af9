//! No full resident ID or phone number leaves the system unasked: every GET
//! route of the route table is fetched by every role (and the public) for
//! several organisations and people, together with every export the operator
//! makes without `--unmasked`, the audit trail, and everything logged while
//! doing so; each text is scanned for every full number the database holds.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request};
use chrono::NaiveDate;
use gongyi_app::transfer::RecordKind;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_interchange::{read_table, ReadOptions};
use gongyi_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// Everything logged during the test, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The full numbers in the database, read the way only an unmasked export may.
async fn secrets(registry: &Registry) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for kind in [
        RecordKind::People,
        RecordKind::Organizations,
        RecordKind::Employments,
    ] {
        let cols: Vec<usize> = kind
            .columns()
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.key, "resident_id" | "phone" | "contact_phone"))
            .map(|(i, _)| i)
            .collect();
        let mut found = Vec::new();
        registry
            .export_rows(kind, true, &mut |rows| {
                for r in rows {
                    for &i in &cols {
                        if let Some(v) = r.get(i) {
                            found.push(v.clone());
                        }
                    }
                }
                Ok(())
            })
            .await
            .unwrap();
        out.extend(
            found
                .into_iter()
                .filter(|v| v.len() >= 11 && !v.contains('*')),
        );
    }
    out
}

/// The text of a response: xlsx sheets are read back, everything else as UTF-8.
fn text_of(bytes: &[u8], name: &str) -> String {
    if bytes.starts_with(b"PK\x03\x04") {
        let t = read_table(bytes, name, &ReadOptions::default()).unwrap();
        let mut s = t.headers.join(",");
        for r in t.rows {
            s.push('\n');
            s.push_str(&r.cells.join(","));
        }
        s
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

fn leaks(text: &str, secrets: &BTreeSet<String>) -> Vec<String> {
    secrets
        .iter()
        .filter(|s| text.contains(s.as_str()))
        .cloned()
        .collect()
}

#[tokio::test]
async fn no_page_api_answer_export_audit_record_or_log_line_holds_a_full_id_or_phone() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut every_secret = BTreeSet::new();
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        );
        registry
            .load_demo(30, Some(40), 9, &|_, _| {})
            .await
            .unwrap();
        let secrets = secrets(&registry).await;
        every_secret.extend(secrets.iter().cloned());
        assert!(
            secrets.len() > 40,
            "{url}: the demo people have numbers to hide: {}",
            secrets.len()
        );
        let config = WebConfig {
            public_rate_limit: None,
            public_download_limit: None,
            download_cache: None,
            api_rate_limit: None,
            login_rate_limit: None,
            secure_cookies: false,
        };
        let (app, specs) = gongyi_web::routes(AppState::new(registry.clone()), &config);
        let org = registry.store().org_by_id(1).await.unwrap();

        let mut sessions = vec![None];
        for role in Role::ALL {
            let sub = if *role == Role::Subdistrict {
                org.subdistrict_code.as_str()
            } else {
                ""
            };
            let code = if *role == Role::Organisation {
                org.credit_code.as_str()
            } else {
                ""
            };
            sessions.push(Some(
                common::sign_in(
                    &registry,
                    &format!("scan-{}", role.code()),
                    *role,
                    sub,
                    code,
                )
                .await,
            ));
        }

        let mut uris = BTreeSet::new();
        let mut codes = Vec::new();
        for i in 1..=5 {
            if let Ok(o) = registry.store().org_by_id(i).await {
                codes.push(o.credit_code);
            }
        }
        for spec in specs.iter().filter(|s| s.method == Method::GET) {
            for code in &codes {
                for id in 1..=12 {
                    uris.insert(
                        spec.path
                            .replace("{code}", code)
                            .replace("{id}", &id.to_string())
                            .replace(
                                "{file}",
                                if spec.path.starts_with("/public") {
                                    "orgs.csv"
                                } else {
                                    "1"
                                },
                            ),
                    );
                }
            }
        }
        for extra in [
            "/public/orgs.xlsx",
            "/public/orgs.jsonl",
            "/people?per_page=200",
            "/api/v1/people?per_page=200",
            "/orgs?per_page=200",
            "/api/v1/organizations?per_page=200",
            "/audit.csv",
        ] {
            uris.insert(extra.to_string());
        }

        let mut found = Vec::new();
        let mut fetched = 0;
        for uri in &uris {
            for s in &sessions {
                let mut req = Request::get(uri.as_str()).body(Body::empty()).unwrap();
                if let Some(s) = s {
                    req = common::with_session(req, s);
                }
                let res = app.clone().oneshot(req).await.unwrap();
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                fetched += 1;
                for l in leaks(&text_of(&bytes, uri), &secrets) {
                    found.push(format!(
                        "{uri} as {:?}: {l}",
                        s.as_ref().map(|s| s.name.clone())
                    ));
                }
            }
        }
        assert!(fetched > 1000, "{url}: {fetched} responses");

        // The operator's exports without --unmasked.
        for kind in RecordKind::ALL {
            let mut text = String::new();
            registry
                .export_rows(*kind, false, &mut |rows| {
                    for r in rows {
                        text.push_str(&r.join(","));
                        text.push('\n');
                    }
                    Ok(())
                })
                .await
                .unwrap();
            for l in leaks(&text, &secrets) {
                found.push(format!("export {}: {l}", kind.name()));
            }
        }

        // The audit trail.
        let (rows, _) = registry
            .audit_search(&Default::default(), 1, 200)
            .await
            .unwrap();
        for r in rows {
            for l in leaks(&format!("{r:?}"), &secrets) {
                found.push(format!("audit #{}: {l}", r.seq));
            }
        }
        assert!(
            found.is_empty(),
            "{url}: full numbers leaked:\n{}",
            found.join("\n")
        );
    }
    let logged = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(!logged.is_empty(), "the log was captured");
    let leaked = leaks(&logged, &every_secret);
    assert!(leaked.is_empty(), "logged: {leaked:?}");
}
