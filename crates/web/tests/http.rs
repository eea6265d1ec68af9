//! The web application through its real router, on both databases: pages
//! (directory, search, facets, an organisation's timeline, people with their
//! personal data masked), forms that keep what was typed and explain the
//! error in Chinese, the JSON API and its error shape, and escaping.
//!
//! Each test builds `gongyi_web::router` over a fresh database per backend
//! (with demo data where it needs some) and drives it with `oneshot`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use common::Reply;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::search::pinyin_keys;
use gongyi_domain::CreditCode;
use gongyi_testkit::store::orgs::OrgRow;
use serde_json::{json, Value};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// The router over one database, with the registry for looking behind it.
struct Site {
    app: Router,
    registry: Registry,
    backend: &'static str,
}

/// A site per backend with `orgs` demo organisations and 10 people.
async fn sites(orgs: usize) -> Vec<Site> {
    let mut v = Vec::new();
    for (db, _url) in gongyi_testkit::databases().await {
        let backend = common::backend_name(&db);
        let registry = Registry::new(db, Clock::fixed(today()));
        if orgs > 0 {
            registry
                .load_demo(orgs, Some(10), 7, &|_, _| {})
                .await
                .unwrap_or_else(|e| panic!("{backend}: demo data did not load: {e:?}"));
        }
        let app = common::bureau_app(&registry).await;
        v.push(Site {
            app,
            registry,
            backend,
        });
    }
    v
}

impl Site {
    async fn send(&self, req: Request<Body>) -> Reply {
        common::send(&self.app, self.backend, req).await
    }

    async fn get(&self, uri: &str) -> Reply {
        self.send(common::get_req(uri)).await
    }

    /// GET that must answer 200.
    async fn page(&self, uri: &str) -> String {
        let r = self.get(uri).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}: GET {uri}: {}",
            self.backend,
            r.seen()
        );
        r.body
    }

    async fn api(&self, method: Method, uri: &str, body: &str) -> Reply {
        self.send(common::json_req(method, uri, body)).await
    }

    async fn form(&self, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        self.send(common::form_req(uri, pairs)).await
    }

    async fn orgs(&self) -> Vec<OrgRow> {
        self.registry.store().orgs_after("", 10_000).await.unwrap()
    }
}

/// HTML-escapes as askama does (numeric character references).
fn escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

fn query(key: &str, value: &str) -> String {
    serde_urlencoded::to_string([(key, value)]).unwrap()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let to = s[from..].find(end)? + from;
    Some(&s[from..to])
}

/// "共 N 家" of the directory.
fn directory_total(html: &str) -> i64 {
    between(html, "<small class=\"count\">共 ", " 家</small>")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no total in the directory:\n{html}"))
}

/// Result rows of the directory (links to organisation pages in the table).
fn directory_rows(html: &str) -> usize {
    html.matches("<tr><td><a href=\"/orgs/").count()
}

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// A valid API body for a community 民办非企业单位.
fn org_body(code: &str, name: &str) -> Value {
    json!({
        "credit_code": code,
        "name": name,
        "kind": "PRIVATE_NON_ENTERPRISE",
        "community": true,
        "subdistrict": "310110021",
        "registration_date": "2024-03-01",
        "registered_capital_fen": 6_000_000,
        "service_fields": ["SOCIAL_SERVICE", "卫生"],
        "address": "上海市杨浦区长海路 1 号",
        "legal_representative": "王芳",
        "contact_phone": "13812345678",
        "stage": "STARTUP"
    })
}

#[tokio::test]
async fn the_start_page_counts_organisations_and_people() {
    for s in sites(20).await {
        let html = s.page("/").await;
        for needle in ["<b>20</b>家社会组织", "<b>10</b>名社工人才"] {
            assert!(
                html.contains(needle),
                "{}: no {needle} in\n{html}",
                s.backend
            );
        }
    }
}

#[tokio::test]
async fn the_directory_lists_every_organisation_with_its_name_and_code() {
    for s in sites(20).await {
        let html = s.page("/orgs").await;
        assert_eq!(directory_total(&html), 20, "{}", s.backend);
        assert_eq!(directory_rows(&html), 20, "{}: {html}", s.backend);
        for o in s.orgs().await {
            for needle in [
                escape(&o.name),
                format!("<a href=\"/orgs/{}\">", o.credit_code),
            ] {
                assert!(
                    html.contains(&needle),
                    "{}: no {needle} in\n{html}",
                    s.backend
                );
            }
        }
    }
}

#[tokio::test]
async fn two_chinese_characters_of_a_name_find_exactly_the_organisations_containing_them() {
    for s in sites(20).await {
        let orgs = s.orgs().await;
        // The two characters after 杨浦区 (or any two from the middle).
        let name = &orgs[3].name;
        let chars: Vec<char> = name.chars().collect();
        let at = name
            .find("区")
            .map(|b| name[..b].chars().count() + 1)
            .unwrap_or(2);
        let q: String = chars[at..at + 2].iter().collect();
        let expected: Vec<&OrgRow> = orgs.iter().filter(|o| o.name.contains(&q)).collect();
        let html = s.page(&format!("/orgs?{}", query("q", &q))).await;
        assert_eq!(
            directory_total(&html),
            expected.len() as i64,
            "{}: q={q} should find {:?}",
            s.backend,
            expected.iter().map(|o| &o.name).collect::<Vec<_>>()
        );
        for o in &expected {
            assert!(
                html.contains(&escape(&o.name)),
                "{}: q={q} lost {}",
                s.backend,
                o.name
            );
        }
        assert!(
            html.contains(&format!("value=\"{q}\"")),
            "{}: the search box forgot {q}",
            s.backend
        );
    }
}

#[tokio::test]
async fn pinyin_initials_find_the_organisation_whatever_their_case() {
    for s in sites(20).await {
        let orgs = s.orgs().await;
        let target = &orgs[5];
        let (_, initials) = pinyin_keys(&target.name);
        let expected = orgs
            .iter()
            .filter(|o| {
                let (full, ini) = pinyin_keys(&o.name);
                ini.contains(&initials) || full.contains(&initials)
            })
            .count();
        for q in [initials.clone(), initials.to_uppercase()] {
            let html = s.page(&format!("/orgs?{}", query("q", &q))).await;
            assert!(
                html.contains(&escape(&target.name)),
                "{}: q={q} did not find {}:\n{html}",
                s.backend,
                target.name
            );
            assert_eq!(
                directory_total(&html),
                expected as i64,
                "{}: q={q}",
                s.backend
            );
        }
    }
}

#[tokio::test]
async fn a_search_for_like_wildcards_finds_nothing_instead_of_everything() {
    for s in sites(20).await {
        for q in ["%", "_", "\\"] {
            let html = s.page(&format!("/orgs?{}", query("q", q))).await;
            assert_eq!(directory_total(&html), 0, "{}: q={q:?}", s.backend);
        }
    }
}

/// Facet links of the directory: (group title, label, count, href).
fn facet_links(html: &str) -> Vec<(String, String, i64, String)> {
    let aside = between(html, "<aside class=\"facets\"", "</aside>").unwrap_or("");
    let mut out = Vec::new();
    for section in aside.split("<section>").skip(1) {
        let title = between(section, "<h2 class=\"facet-title\">", "</h2>")
            .unwrap_or("")
            .to_string();
        for li in section.split("<li>").skip(1) {
            let href = unescape(between(li, "<a href=\"", "\"").unwrap());
            let label = between(li, "<span>", "</span>").unwrap().to_string();
            let count = between(li, "<span class=\"count\">", "</span>")
                .unwrap()
                .parse()
                .unwrap();
            out.push((title.clone(), label, count, href));
        }
    }
    out
}

#[tokio::test]
async fn every_facet_link_leads_to_as_many_organisations_as_it_promises_and_back() {
    for s in sites(20).await {
        let html = s.page("/orgs").await;
        let links = facet_links(&html);
        let groups: std::collections::BTreeSet<&str> =
            links.iter().map(|(g, ..)| g.as_str()).collect();
        assert_eq!(
            groups.len(),
            6,
            "{}: facet groups {groups:?} in\n{html}",
            s.backend
        );
        // Two filters at once: within one sub-district, every other facet's
        // links combine with it and still count right.
        let (_, first_label, _, first_href) = &links[0];
        let within = s.page(first_href).await;
        let combined: Vec<_> = facet_links(&within)
            .into_iter()
            .filter(|(.., href)| href.contains('&'))
            .collect();
        assert!(
            !combined.is_empty(),
            "{}: no combined links within {first_label}:\n{within}",
            s.backend
        );
        for (group, label, count, href) in &combined {
            assert_eq!(
                directory_total(&s.page(href).await),
                *count,
                "{}: {first_label} + {group} {label} promised {count} at {href}",
                s.backend
            );
        }
        for (group, label, count, href) in &links {
            let filtered = s.page(href).await;
            assert_eq!(
                directory_total(&filtered),
                *count,
                "{}: {group} {label} promised {count} at {href}",
                s.backend
            );
            // The chosen value is shown as a chip whose link removes it.
            let chips = between(&filtered, "<p class=\"chips\">", "</p>")
                .unwrap_or_else(|| panic!("{}: no chip for {group} {label} at {href}", s.backend));
            assert!(chips.contains(&escape(label)), "{}: {chips}", s.backend);
            let back = unescape(between(chips, "<a href=\"", "\"").unwrap());
            assert_eq!(
                directory_total(&s.page(&back).await),
                20,
                "{}: removing {group} {label} via {back}",
                s.backend
            );
        }
    }
}

#[tokio::test]
async fn an_organisation_page_shows_its_facts_and_its_whole_timeline() {
    for s in sites(20).await {
        let mut shown = 0;
        for o in s.orgs().await {
            let p = s.registry.org_page(&o.credit_code).await.unwrap();
            if p.history.inspections.is_empty() {
                continue;
            }
            let html = s.page(&format!("/orgs/{}", o.credit_code)).await;
            let timeline = between(&html, "<ol class=\"timeline\">", "</ol>")
                .unwrap_or_else(|| panic!("{}: no timeline in\n{html}", s.backend));
            let expected = gongyi_app::timeline::timeline(&p);
            assert_eq!(
                timeline.matches("<li class=").count(),
                expected.len(),
                "{}: {} timeline entries, expected {expected:#?}\n{timeline}",
                s.backend,
                o.credit_code
            );
            for e in &expected {
                let needle = format!("<b>{}</b>", escape(&e.title));
                assert!(
                    timeline.contains(&needle),
                    "{}: {needle} missing from\n{timeline}",
                    s.backend
                );
            }
            for i in &p.history.inspections {
                assert!(
                    timeline.contains(&format!("{} 年度年检", i.year)),
                    "{}",
                    s.backend
                );
            }
            assert!(
                html.contains(&format!("<h1>{}</h1>", escape(&o.name)))
                    && html.contains(&o.credit_code)
                    && html.contains("成立登记"),
                "{}: {}",
                s.backend,
                html
            );
            shown += 1;
        }
        assert!(shown > 0, "{}: no organisation has inspections", s.backend);
    }
}

#[tokio::test]
async fn an_unknown_organisation_is_a_chinese_not_found_page() {
    for s in sites(0).await {
        let r = s.get(&format!("/orgs/{}", credit_code(999))).await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(r.body.contains("未找到"), "{}: {}", s.backend, r.seen());
    }
}

#[tokio::test]
async fn people_pages_and_the_api_never_show_a_full_resident_id_or_phone() {
    for s in sites(20).await {
        let people = s.registry.store().people_after(0, 100).await.unwrap();
        assert!(!people.is_empty(), "{}", s.backend);
        let open = |x: &Option<String>| x.as_deref().map(|v| s.registry.keys.open(v).unwrap());
        let plain: Vec<String> = s
            .registry
            .store()
            .people_sealed_after(0, 100)
            .await
            .unwrap()
            .iter()
            .flat_map(|p| [open(&p.resident_id_sealed), open(&p.phone_sealed)])
            .flatten()
            .collect();
        assert!(plain.len() >= people.len(), "{}", s.backend);
        let secrets: Vec<&str> = plain.iter().map(String::as_str).collect();
        let list = s.page("/people").await;
        let api_list = s.get("/api/v1/people?per_page=200").await;
        assert_eq!(api_list.status, StatusCode::OK, "{}", s.backend);
        let mut seen = vec![
            ("/people".to_string(), list),
            ("/api/v1/people".into(), api_list.body),
        ];
        for p in &people {
            let masked = p.resident_id_masked.clone();
            let html = s.page(&format!("/people/{}", p.id)).await;
            assert!(
                html.contains(&escape(&p.name)) && html.contains(&masked),
                "{}: person {} page lacks name or {masked}:\n{html}",
                s.backend,
                p.id
            );
            let api = s.get(&format!("/api/v1/people/{}", p.id)).await;
            assert_eq!(api.status, StatusCode::OK, "{}: {}", s.backend, api.seen());
            assert_eq!(
                api.json()["person"]["resident_id"],
                json!(masked),
                "{}",
                s.backend
            );
            seen.push((format!("/people/{}", p.id), html));
            seen.push((format!("/api/v1/people/{}", p.id), api.body));
            seen.push((
                format!("/people/{}/edit", p.id),
                s.page(&format!("/people/{}/edit", p.id)).await,
            ));
        }
        // Organisation pages list their staff.
        for o in s.orgs().await {
            seen.push((
                format!("/orgs/{}", o.credit_code),
                s.page(&format!("/orgs/{}", o.credit_code)).await,
            ));
        }
        for (uri, text) in &seen {
            for secret in &secrets {
                assert!(
                    !text.contains(secret),
                    "{}: {uri} shows the full {secret}",
                    s.backend
                );
            }
        }
    }
}

#[tokio::test]
async fn the_openapi_document_is_json_and_lists_the_organizations_endpoints() {
    for s in sites(0).await {
        let r = s.get("/api/v1/openapi.json").await;
        assert_eq!(r.status, StatusCode::OK, "{}", s.backend);
        let doc = r.json();
        assert!(
            doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
            "{}: {}",
            s.backend,
            r.seen()
        );
        for (path, method) in [
            ("/api/v1/organizations", "get"),
            ("/api/v1/organizations", "post"),
            ("/api/v1/organizations/{code}", "get"),
            ("/api/v1/organizations/{code}", "put"),
            ("/api/v1/people/{id}", "get"),
        ] {
            assert!(
                doc["paths"][path][method].is_object(),
                "{}: no {method} {path} in {}",
                s.backend,
                doc["paths"]
            );
        }
        assert!(
            doc["components"]["schemas"]["ErrorBody"].is_object(),
            "{}",
            s.backend
        );
    }
}

/// `{code, message, fields}` with the given code, and the fields it names.
fn error_shape(r: &Reply, status: StatusCode, code: &str, backend: &str) -> Vec<String> {
    assert_eq!(r.status, status, "{backend}: {}", r.seen());
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        ct.starts_with("application/json"),
        "{backend}: content-type {ct}"
    );
    let v = r.json();
    assert_eq!(v["code"], json!(code), "{backend}: {}", r.seen());
    assert!(
        v["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{backend}: no message: {}",
        r.seen()
    );
    let fields = v["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("{backend}: no fields array: {}", r.seen()));
    fields
        .iter()
        .map(|f| {
            assert!(
                f["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{backend}: field without message: {f}"
            );
            f["field"].as_str().unwrap().to_string()
        })
        .collect()
}

#[tokio::test]
async fn the_api_refuses_bad_fields_with_422_naming_each_of_them() {
    for s in sites(0).await {
        let mut code = credit_code(1);
        let last = code.pop().unwrap();
        code.push(if last == '1' { '2' } else { '1' });
        let mut body = org_body(&code, "");
        body["registration_date"] = json!("2024-02-30");
        body["registered_capital_fen"] = json!(-100);
        body["contact_phone"] = json!("12ab");
        body["subdistrict"] = json!("不存在的街道");
        let r = s
            .api(Method::POST, "/api/v1/organizations", &body.to_string())
            .await;
        let mut fields = error_shape(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            s.backend,
        );
        fields.sort();
        assert_eq!(
            fields,
            vec![
                "contact_phone",
                "credit_code",
                "name",
                "registered_capital_fen",
                "registration_date",
                "subdistrict"
            ],
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert_eq!(
            s.registry.store().count_orgs().await.unwrap(),
            0,
            "{}",
            s.backend
        );

        let good = s
            .api(
                Method::POST,
                "/api/v1/organizations",
                &org_body(&credit_code(2), "杨浦区接口测试服务社").to_string(),
            )
            .await;
        assert_eq!(
            good.status,
            StatusCode::CREATED,
            "{}: {}",
            s.backend,
            good.seen()
        );
        assert_eq!(good.json()["version"], json!(1), "{}", s.backend);
        let again = s
            .api(
                Method::POST,
                "/api/v1/organizations",
                &org_body(&credit_code(2), "杨浦区重复接口测试服务社").to_string(),
            )
            .await;
        let fields = error_shape(
            &again,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            s.backend,
        );
        assert_eq!(fields, vec!["credit_code"], "{}", s.backend);
    }
}

#[tokio::test]
async fn malformed_json_gets_400_in_our_error_shape() {
    for s in sites(0).await {
        for (what, body) in [
            ("cut-off JSON", "{\"credit_code\": \"5231"),
            ("not JSON", "credit_code=1"),
            ("a wrong type", "{\"credit_code\": 5, \"name\": []}"),
        ] {
            let r = s.api(Method::POST, "/api/v1/organizations", body).await;
            let fields = error_shape(&r, StatusCode::BAD_REQUEST, "bad_request", s.backend);
            assert!(fields.is_empty(), "{}: {what}: {fields:?}", s.backend);
        }
        let no_type = s
            .send(
                Request::post("/api/v1/organizations")
                    .body(Body::from(org_body(&credit_code(3), "甲").to_string()))
                    .unwrap(),
            )
            .await;
        error_shape(&no_type, StatusCode::BAD_REQUEST, "bad_request", s.backend);
    }
}

#[tokio::test]
async fn an_unknown_credit_code_is_404_not_found_in_our_error_shape() {
    for s in sites(0).await {
        let code = credit_code(4);
        let r = s.get(&format!("/api/v1/organizations/{code}")).await;
        error_shape(&r, StatusCode::NOT_FOUND, "not_found", s.backend);
        let r = s
            .get(&format!("/api/v1/organizations/{code}/history"))
            .await;
        error_shape(&r, StatusCode::NOT_FOUND, "not_found", s.backend);
        let r = s.get("/api/v1/people/987654").await;
        error_shape(&r, StatusCode::NOT_FOUND, "not_found", s.backend);
    }
}

#[tokio::test]

async fn an_unknown_api_path_is_404_in_our_error_shape() {
    for s in sites(0).await {
        let r = s.get("/api/v1/no-such-thing").await;
        error_shape(&r, StatusCode::NOT_FOUND, "not_found", s.backend);
    }
}

#[tokio::test]
async fn a_put_from_a_stale_version_is_409_conflict_and_keeps_the_first_edit() {
    for s in sites(0).await {
        let code = credit_code(5);
        let created = s
            .api(
                Method::POST,
                "/api/v1/organizations",
                &org_body(&code, "杨浦区原名服务社").to_string(),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{}: {}",
            s.backend,
            created.seen()
        );
        let v1 = created.json()["version"].as_i64().unwrap();
        let uri = format!("/api/v1/organizations/{code}");
        let mut first = org_body(&code, "杨浦区甲改名服务社");
        first["version"] = json!(v1);
        let r = s.api(Method::PUT, &uri, &first.to_string()).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", s.backend, r.seen());
        assert_eq!(r.json()["version"], json!(v1 + 1), "{}", s.backend);
        let mut second = org_body(&code, "杨浦区乙改名服务社");
        second["version"] = json!(v1);
        let r = s.api(Method::PUT, &uri, &second.to_string()).await;
        error_shape(&r, StatusCode::CONFLICT, "conflict", s.backend);
        let now = s.get(&uri).await.json();
        assert_eq!(
            (now["name"].clone(), now["version"].clone()),
            (json!("杨浦区甲改名服务社"), json!(v1 + 1)),
            "{}",
            s.backend
        );
        let mut unversioned = org_body(&code, "杨浦区丙改名服务社");
        unversioned["version"] = Value::Null;
        let r = s.api(Method::PUT, &uri, &unversioned.to_string()).await;
        let fields = error_shape(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
            s.backend,
        );
        assert_eq!(fields, vec!["version"], "{}", s.backend);
    }
}

#[tokio::test]
async fn page_sizes_above_the_maximum_are_clamped_to_200_on_pages_and_refused_by_the_api() {
    for s in sites(250).await {
        let r = s.get("/api/v1/organizations?per_page=200").await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", s.backend, r.seen());
        let v = r.json();
        assert_eq!(
            (
                v["items"].as_array().unwrap().len(),
                v["per_page"].clone(),
                v["total"].clone()
            ),
            (200, json!(200), json!(250)),
            "{}",
            s.backend
        );
        let v = s
            .get("/api/v1/organizations?per_page=200&page=2")
            .await
            .json();
        assert_eq!(v["items"].as_array().unwrap().len(), 50, "{}", s.backend);
        // Beyond the bounds the document declares, the API says so, field by field.
        for (uri, fields) in [
            ("/api/v1/organizations?per_page=100000", vec!["per_page"]),
            (
                "/api/v1/organizations?per_page=0&page=-3",
                vec!["page", "per_page"],
            ),
            ("/api/v1/people?per_page=5000", vec!["per_page"]),
        ] {
            let r = s.get(uri).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {uri}: {}",
                s.backend,
                r.seen()
            );
            let v = r.json();
            let got: Vec<&str> = v["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert_eq!(got, fields, "{}: {uri}: {}", s.backend, r.seen());
        }
        let html = s.page("/orgs?per_page=100000").await;
        assert_eq!(directory_rows(&html), 200, "{}", s.backend);
    }
}

/// The `<div class="field…">` that holds the input `key`.
fn field_div<'a>(html: &'a str, key: &str) -> &'a str {
    let at = html
        .find(&format!("<input id=\"{key}\""))
        .unwrap_or_else(|| panic!("no input {key} in\n{html}"));
    let start = html[..at].rfind("<div class=\"field").unwrap();
    let end = html[at..].find("\n  </div>").map_or(html.len(), |e| at + e);
    &html[start..end]
}

#[tokio::test]
async fn a_refused_registration_form_is_shown_again_as_typed_with_the_error_next_to_the_field() {
    for s in sites(0).await {
        let mut bad = credit_code(6);
        let last = bad.pop().unwrap();
        bad.push(if last == '1' { '2' } else { '1' });
        let name = "杨浦区表单测试“助老”服务社";
        let r = s
            .form(
                "/orgs/new",
                &[
                    ("credit_code", bad.as_str()),
                    ("name", name),
                    ("kind", "PRIVATE_NON_ENTERPRISE"),
                    ("community", "1"),
                    ("subdistrict", "310110021"),
                    ("registration_date", "2024-03-01"),
                    ("registered_capital", "60,000"),
                    ("service_fields", "SOCIAL_SERVICE"),
                    ("service_fields", "HEALTH"),
                    ("address", "上海市杨浦区长海路 1 号"),
                    ("status", "NORMAL"),
                    ("stage", "STARTUP"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            s.backend,
            r.seen()
        );
        let html = &r.body;
        let div = field_div(html, "credit_code");
        assert!(
            div.contains("invalid")
                && div.contains(&format!("value=\"{bad}\""))
                && div.contains("id=\"credit_code-error\">统一社会信用代码校验位不正确"),
            "{}: the credit code field is\n{div}",
            s.backend
        );
        for needle in [
            format!("value=\"{}\"", escape(name)),
            "value=\"60,000\"".to_string(),
            "value=\"PRIVATE_NON_ENTERPRISE\" selected".to_string(),
            "value=\"310110021\" selected".to_string(),
            "value=\"STARTUP\" selected".to_string(),
            "name=\"community\" value=\"1\" checked".to_string(),
            "value=\"SOCIAL_SERVICE\" checked".to_string(),
            "value=\"HEALTH\" checked".to_string(),
            "请修改标红的内容后重新提交。".to_string(),
        ] {
            assert!(
                html.contains(&needle),
                "{}: lost {needle} in\n{}",
                s.backend,
                r.seen()
            );
        }
        assert!(
            !field_div(html, "name").contains("invalid"),
            "{}: the good name is marked",
            s.backend
        );
        assert_eq!(
            s.registry.store().count_orgs().await.unwrap(),
            0,
            "{}",
            s.backend
        );

        let good = credit_code(6);
        let ok = s
            .form(
                "/orgs/new",
                &[
                    ("credit_code", good.as_str()),
                    ("name", name),
                    ("kind", "PRIVATE_NON_ENTERPRISE"),
                    ("community", "1"),
                    ("subdistrict", "310110021"),
                    ("registration_date", "2024-03-01"),
                    ("registered_capital", "60,000"),
                ],
            )
            .await;
        assert!(ok.status.is_redirection(), "{}: {}", s.backend, ok.seen());
        assert_eq!(
            ok.headers.get(header::LOCATION).unwrap(),
            &format!("/orgs/{good}?saved=1"),
            "{}",
            s.backend
        );
        let page = s.page(&format!("/orgs/{good}?saved=1")).await;
        assert!(page.contains("已保存。"), "{}", s.backend);
    }
}

#[tokio::test]
async fn a_stale_edit_form_is_409_with_a_chinese_notice_and_the_typed_values() {
    for s in sites(0).await {
        let code = credit_code(7);
        s.api(
            Method::POST,
            "/api/v1/organizations",
            &org_body(&code, "杨浦区原名服务社").to_string(),
        )
        .await;
        let fields = [
            ("credit_code", code.as_str()),
            ("kind", "PRIVATE_NON_ENTERPRISE"),
            ("community", "1"),
            ("subdistrict", "310110021"),
            ("registration_date", "2024-03-01"),
            ("registered_capital", "60000"),
            ("version", "1"),
        ];
        let uri = format!("/orgs/{code}/edit");
        let mut first = fields.to_vec();
        first.push(("name", "杨浦区甲改名服务社"));
        let r = s.form(&uri, &first).await;
        assert!(r.status.is_redirection(), "{}: {}", s.backend, r.seen());
        let mut second = fields.to_vec();
        second.push(("name", "杨浦区乙改名服务社"));
        let r = s.form(&uri, &second).await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(
            r.body.contains("该记录已被他人修改")
                && r.body.contains("value=\"杨浦区乙改名服务社\""),
            "{}: {}",
            s.backend,
            r.seen()
        );
    }
}

#[tokio::test]
async fn an_inspection_before_registration_is_refused_on_the_page_with_the_reason() {
    for s in sites(0).await {
        let code = credit_code(8);
        s.api(
            Method::POST,
            "/api/v1/organizations",
            &org_body(&code, "杨浦区年检页面测试服务社").to_string(),
        )
        .await;
        let uri = format!("/orgs/{code}/history/inspections");
        let r = s
            .form(
                &uri,
                &[
                    ("year", "2023"),
                    ("result", "QUALIFIED"),
                    ("date", "2024-05-01"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            s.backend,
            r.seen()
        );
        let form = between(&r.body, "<h2 id=\"inspections\">", "</details>").unwrap();
        assert!(
            form.contains("<details class=\"add\" open>")
                && form.contains("name=\"year\" value=\"2023\"")
                && form.contains("年检年度 2023 早于该组织的登记年度 2024")
                && form.contains("value=\"QUALIFIED\" selected"),
            "{}: the inspection form is\n{form}",
            s.backend
        );
        let ok = s
            .form(
                &uri,
                &[
                    ("year", "2024"),
                    ("result", "QUALIFIED"),
                    ("date", "2025-05-01"),
                ],
            )
            .await;
        assert!(ok.status.is_redirection(), "{}: {}", s.backend, ok.seen());
        let html = s.page(&format!("/orgs/{code}")).await;
        assert!(html.contains("2024 年度年检"), "{}: {html}", s.backend);
    }
}

const SCRIPT: &str = "<script>alert(1)</script>";

#[tokio::test]
async fn script_in_user_input_is_always_rendered_escaped() {
    for s in sites(0).await {
        let code = credit_code(9);
        let name = format!("{SCRIPT}杨浦区");
        let mut body = org_body(&code, &name);
        body["address"] = json!("\"><script>alert(2)</script>");
        body["legal_representative"] = json!("'><img src=x onerror=alert(3)>");
        let r = s
            .api(Method::POST, "/api/v1/organizations", &body.to_string())
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}: {}", s.backend, r.seen());
        assert_eq!(
            r.json()["name"],
            json!(name),
            "{}: JSON keeps the text",
            s.backend
        );
        let person = s
            .api(
                Method::POST,
                "/api/v1/people",
                &json!({
                    "name": SCRIPT,
                    "resident_id": gongyi_domain::ResidentId::from_body("31011019900307123", today())
                        .unwrap()
                        .as_str(),
                })
                .to_string(),
            )
            .await;
        assert_eq!(
            person.status,
            StatusCode::CREATED,
            "{}: {}",
            s.backend,
            person.seen()
        );
        let id = person.json()["id"].as_i64().unwrap();
        let mut pages = vec![
            ("/orgs".to_string(), s.get("/orgs").await),
            (
                format!("/orgs/{code}"),
                s.get(&format!("/orgs/{code}")).await,
            ),
            (
                format!("/orgs/{code}/edit"),
                s.get(&format!("/orgs/{code}/edit")).await,
            ),
            (
                "/orgs?q=<script>".to_string(),
                s.get(&format!("/orgs?{}", query("q", SCRIPT))).await,
            ),
            ("/people".to_string(), s.get("/people").await),
            (
                format!("/people/{id}"),
                s.get(&format!("/people/{id}")).await,
            ),
            (
                "/people?q=<script>".to_string(),
                s.get(&format!("/people?{}", query("q", SCRIPT))).await,
            ),
        ];
        // Refused forms show what was typed, and messages quote it.
        pages.push((
            "refused /orgs/new".to_string(),
            s.form(
                "/orgs/new",
                &[
                    ("credit_code", SCRIPT),
                    ("name", SCRIPT),
                    ("subdistrict", SCRIPT),
                    ("kind", SCRIPT),
                ],
            )
            .await,
        ));
        pages.push((
            "refused history".to_string(),
            s.form(
                &format!("/orgs/{code}/history/honours"),
                &[("title", SCRIPT), ("level", SCRIPT), ("date", SCRIPT)],
            )
            .await,
        ));
        for (uri, r) in &pages {
            assert!(
                r.status == StatusCode::OK || r.status == StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {uri}: {}",
                s.backend,
                r.seen()
            );
            let lower = r.body.to_lowercase();
            for raw in ["<script", "<img"] {
                assert!(
                    !lower.contains(raw),
                    "{}: {uri} renders {raw} raw:\n{}",
                    s.backend,
                    r.seen()
                );
            }
            assert!(
                r.body.contains(&escape(SCRIPT)),
                "{}: {uri} does not show the escaped text:\n{}",
                s.backend,
                r.seen()
            );
        }
    }
}

#[tokio::test]
async fn the_directory_orders_organisations_the_same_way_on_both_databases() {
    let all = sites(30).await;
    if all.len() < 2 {
        eprintln!("only one backend enabled; nothing to compare");
        return;
    }
    for sort in ["name", "registered_desc", "registered_asc", "credit_code"] {
        let mut orders = Vec::new();
        for s in &all {
            let v = s
                .get(&format!("/api/v1/organizations?per_page=200&sort={sort}"))
                .await
                .json();
            let codes: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["credit_code"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(codes.len(), 30, "{}: sort={sort}", s.backend);
            orders.push((s.backend, codes));
        }
        for (backend, codes) in &orders[1..] {
            assert_eq!(
                codes, &orders[0].1,
                "sort={sort}: {backend} and {} disagree",
                orders[0].0
            );
        }
    }
}

#[tokio::test]

async fn an_organisation_read_from_the_api_can_be_written_back_unchanged() {
    for s in sites(0).await {
        let code = credit_code(10);
        let created = s
            .api(
                Method::POST,
                "/api/v1/organizations",
                &org_body(&code, "杨浦区读写往返服务社").to_string(),
            )
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{}: {}",
            s.backend,
            created.seen()
        );
        let uri = format!("/api/v1/organizations/{code}");
        let read = s.get(&uri).await.json();
        let r = s.api(Method::PUT, &uri, &read.to_string()).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}: PUT of {read}: {}",
            s.backend,
            r.seen()
        );
        let after = s.get(&uri).await.json();
        assert_eq!(
            after["contact_phone"], read["contact_phone"],
            "{}: the phone changed",
            s.backend
        );
    }
}

/// "共 N 人" of the people list.
fn people_total(html: &str) -> i64 {
    between(html, "<small class=\"count\">共 ", " 人</small>")
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no total in the people list:\n{html}"))
}

#[tokio::test]
async fn people_are_found_by_name_and_pinyin_initials() {
    for s in sites(20).await {
        let people = s.registry.store().people_after(0, 100).await.unwrap();
        let p = &people[0];
        let html = s.page(&format!("/people?{}", query("q", &p.name))).await;
        assert!(
            html.contains(&escape(&p.name)) && people_total(&html) >= 1,
            "{}: q={} did not find them:\n{html}",
            s.backend,
            p.name
        );
        let (_, initials) = pinyin_keys(&p.name);
        let html = s.page(&format!("/people?{}", query("q", &initials))).await;
        assert!(
            html.contains(&escape(&p.name)),
            "{}: q={initials} did not find {}:\n{html}",
            s.backend,
            p.name
        );
    }
}

#[tokio::test]

async fn a_people_search_for_like_wildcards_finds_nothing_instead_of_everyone() {
    for s in sites(20).await {
        for q in ["%", "_"] {
            let html = s.page(&format!("/people?{}", query("q", q))).await;
            assert_eq!(people_total(&html), 0, "{}: q={q:?}", s.backend);
        }
    }
}
