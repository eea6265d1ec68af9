//! No full resident ID or phone number leaves the system unasked: every GET
//! route of the route table is fetched by every role (and the public) for
//! several organisations and people, together with every export the operator
//! makes without `--unmasked`, the audit trail, and everything logged while
//! doing so; each text is scanned for every full number the database holds.
//!
//! Nor can one be put together (security issue 11, finding 1): for every
//! role, everything it was shown of a person — the characters of every mask
//! that fits the number, a birth date or year and the address code beside
//! the person's name, the sex — must leave at least eight characters of the
//! number unknown; and for people registered with an address code and birth
//! date found nowhere else, neither appears in any answer to anyone.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request};
use chrono::NaiveDate;
use gongyi_app::transfer::RecordKind;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_domain::resident_id::{birth_date_of, ResidentId};
use gongyi_interchange::{read_table, ReadOptions};
use gongyi_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use std::collections::{BTreeMap, BTreeSet};
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

/// A person's number, as only the unmasked export and the test know it.
struct Person {
    name: String,
    number: String,
    birth: NaiveDate,
}

impl Person {
    /// The ways a birth date is written.
    fn birth_forms(&self) -> Vec<String> {
        let d = self.birth;
        vec![
            d.format("%Y%m%d").to_string(),
            d.format("%Y-%m-%d").to_string(),
            d.format("%Y/%m/%d").to_string(),
            d.format("%Y年%m月%d日").to_string(),
            d.format("%Y年%-m月%-d日").to_string(),
        ]
    }

    /// Whether `mask` (an 18-character run holding `*`) fits the number.
    fn fits(&self, mask: &str) -> bool {
        mask.len() == 18
            && mask
                .bytes()
                .zip(self.number.bytes())
                .all(|(m, n)| m == b'*' || m == n)
    }
}

/// Every masked number in a text: runs of exactly 18 of `0-9`, `X`, `*`
/// holding at least one `*`.
fn masks_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || c == 'X' || c == '*' {
            run.push(c);
        } else {
            if run.len() == 18 && run.contains('*') {
                out.push(run.clone());
            }
            run.clear();
        }
    }
    out
}

/// Whether `needle` stands alone in `text`: not part of a longer run of
/// letters, digits or `*` (a credit code holds an address code, too).
fn stands_alone(text: &str, needle: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '*');
    text.match_indices(needle).any(|(i, _)| {
        !word(text[..i].chars().next_back()) && !word(text[i + needle.len()..].chars().next())
    })
}

/// What each viewer (a role, an export) has learned of each person's number:
/// the positions (0–17) it knows.
#[derive(Default)]
struct Knowledge(BTreeMap<(String, usize), BTreeSet<usize>>);

impl Knowledge {
    fn observe(&mut self, viewer: &str, text: &str, people: &[Person]) {
        let masks = masks_in(text);
        if masks.is_empty() {
            return;
        }
        for (i, p) in people.iter().enumerate() {
            let fitting: Vec<&String> = masks.iter().filter(|m| p.fits(m)).collect();
            if fitting.is_empty() {
                continue;
            }
            let known = self.0.entry((viewer.to_string(), i)).or_default();
            for m in fitting {
                known.extend(m.char_indices().filter(|(_, c)| *c != '*').map(|(i, _)| i));
            }
            // Sex is the parity of position 17; counted as the whole digit.
            known.insert(16);
            if text.contains(&p.name) {
                if p.birth_forms().iter().any(|f| stands_alone(text, f)) {
                    known.extend(6..14);
                }
                if stands_alone(text, &p.birth.format("%Y").to_string()) {
                    known.extend(6..10);
                }
                if stands_alone(text, &p.number[..6]) {
                    known.extend(0..6);
                }
            }
        }
    }
}

fn leaks(text: &str, secrets: &BTreeSet<String>) -> Vec<String> {
    secrets
        .iter()
        .filter(|s| text.contains(s.as_str()))
        .cloned()
        .collect()
}

/// Every person with the full number, from the unmasked export.
async fn people_of(registry: &Registry) -> Vec<Person> {
    let cols = RecordKind::People.columns();
    let at = |key: &str| cols.iter().position(|c| c.key == key).unwrap();
    let (name, rid) = (at("name"), at("resident_id"));
    let mut out = Vec::new();
    registry
        .export_rows(RecordKind::People, true, &mut |rows| {
            for r in rows {
                out.push(Person {
                    name: r[name].clone(),
                    birth: birth_date_of(&r[rid]).unwrap(),
                    number: r[rid].clone(),
                });
            }
            Ok(())
        })
        .await
        .unwrap();
    out
}

/// People registered through the API as the bureau, with address codes and
/// birth dates nothing else in the registry holds, employed (now, or once
/// and now elsewhere) by the organisations the scoped roles act for.
async fn register_unusual(
    app: &axum::Router,
    bureau: &common::Signed,
    registry: &Registry,
    on: &str,
) -> Vec<(i64, Person)> {
    let today = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let one = registry.store().org_by_id(1).await.unwrap().credit_code;
    let two = registry.store().org_by_id(2).await.unwrap().credit_code;
    let mut out = Vec::new();
    for (name, body, jobs) in [
        (
            "边远甲",
            "65010219520819003",
            vec![(&one, "2020-01-01", "")],
        ),
        (
            "边远乙",
            "54010219541123004",
            vec![(&one, "2019-03-01", "2025-06-30"), (&two, "2025-07-01", "")],
        ),
        (
            "边远丙",
            "15010219500506005",
            vec![(&two, "2021-05-01", "")],
        ),
    ] {
        let number = ResidentId::from_body(body, today).unwrap();
        let req = common::json_req(
            Method::POST,
            "/api/v1/people",
            &serde_json::json!({"name": name, "resident_id": number.as_str(), "phone": "13511112222"})
                .to_string(),
        );
        let r = common::send(app, on, common::with_session(req, bureau)).await;
        assert_eq!(r.status.as_u16(), 201, "{on}: {}", r.seen());
        let id = r.json()["id"].as_i64().unwrap();
        for (code, start, end) in jobs {
            let req = common::json_req(
                Method::POST,
                &format!("/api/v1/people/{id}/employments"),
                &serde_json::json!({"org_credit_code": code, "start_date": start, "end_date": end})
                    .to_string(),
            );
            let r = common::send(app, on, common::with_session(req, bureau)).await;
            assert_eq!(r.status.as_u16(), 201, "{on}: {}", r.seen());
        }
        out.push((
            id,
            Person {
                name: name.into(),
                number: number.as_str().into(),
                birth: number.birth_date(),
            },
        ));
    }
    out
}

/// The birth dates and address codes of the unusual people found in `text`:
/// none may be, anywhere, for anyone.
fn unusual_parts(text: &str, unusual: &[(i64, Person)]) -> Vec<String> {
    let mut out = Vec::new();
    for (id, p) in unusual {
        for part in p
            .birth_forms()
            .into_iter()
            .chain([p.number[..6].to_string()])
        {
            if text.contains(&part) {
                out.push(format!("person {id}: {part}"));
            }
        }
    }
    out
}

#[tokio::test]
async fn no_page_api_answer_export_audit_record_or_log_line_holds_a_full_id_or_phone_or_enough_to_complete_one(
) {
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
        let bureau = sessions
            .iter()
            .flatten()
            .find(|s| s.name == format!("scan-{}", Role::Bureau.code()))
            .unwrap()
            .clone();
        let unusual = register_unusual(&app, &bureau, &registry, &url).await;

        let secrets = secrets(&registry).await;
        every_secret.extend(secrets.iter().cloned());
        assert!(
            secrets.len() > 40,
            "{url}: the demo people have numbers to hide: {}",
            secrets.len()
        );
        let people = people_of(&registry).await;
        assert!(people.len() > 40, "{url}: {} people", people.len());
        let mut knowledge = Knowledge::default();

        let mut ids: Vec<i64> = (1..=12).collect();
        ids.extend(unusual.iter().map(|(id, _)| *id));
        let mut uris = BTreeSet::new();
        let mut codes = Vec::new();
        for i in 1..=5 {
            if let Ok(o) = registry.store().org_by_id(i).await {
                codes.push(o.credit_code);
            }
        }
        for spec in specs.iter().filter(|s| s.method == Method::GET) {
            for code in &codes {
                for id in &ids {
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
                let text = text_of(&bytes, uri);
                let viewer = s.as_ref().map_or("anonymous", |s| s.name.as_str());
                for l in leaks(&text, &secrets) {
                    found.push(format!("{uri} as {viewer}: {l}"));
                }
                for l in unusual_parts(&text, &unusual) {
                    found.push(format!("{uri} as {viewer}: {l}"));
                }
                knowledge.observe(viewer, &text, &people);
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
            for l in unusual_parts(&text, &unusual) {
                found.push(format!("export {}: {l}", kind.name()));
            }
            knowledge.observe("export", &text, &people);
        }

        // The audit trail.
        let (rows, _) = registry
            .audit_search(&Default::default(), 1, 200)
            .await
            .unwrap();
        for r in rows {
            let text = format!("{r:?}");
            for l in leaks(&text, &secrets) {
                found.push(format!("audit #{}: {l}", r.seq));
            }
            for l in unusual_parts(&text, &unusual) {
                found.push(format!("audit #{}: {l}", r.seq));
            }
            knowledge.observe("audit", &text, &people);
        }

        // No viewer can complete a number from what it was shown.
        for ((viewer, i), known) in &knowledge.0 {
            let unknown = 18 - known.len();
            if unknown < 8 {
                found.push(format!(
                    "{viewer} knows {known:?} of {}'s number: only {unknown} unknown",
                    people[*i].name
                ));
            }
        }
        // The scan saw the people at all: the bureau met each unusual
        // person's mask and their birth year on their page.
        for (id, p) in &unusual {
            let i = people.iter().position(|q| q.number == p.number).unwrap();
            let seen = knowledge.0.get(&(bureau.name.clone(), i));
            assert!(
                seen.is_some_and(|k| k.contains(&0) && k.contains(&17) && k.contains(&6)),
                "{url}: person {id}: the bureau saw {seen:?}"
            );
        }
        assert!(
            knowledge
                .0
                .keys()
                .filter(|(v, _)| *v == bureau.name)
                .count()
                >= 40,
            "{url}: the bureau met the masks of the demo people"
        );
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
