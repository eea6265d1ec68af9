//! Public disclosure through the real router, on both databases: pages and
//! open data without personal data, downloads equal to the filtered listing,
//! caching and CORS on the public API, rate limiting, highlighted search.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_web::{AppState, RateLimit, WebConfig};
use serde_json::Value;

struct Site {
    app: Router,
    registry: Registry,
    url: String,
}

async fn sites(config: WebConfig) -> Vec<Site> {
    let mut v = Vec::new();
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        );
        registry
            .load_demo(120, Some(60), 11, &|_, _| {})
            .await
            .unwrap();
        let app = gongyi_web::router_with(AppState::new(registry.clone()), &config);
        v.push(Site { app, registry, url });
    }
    v
}

async fn get(
    app: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = common::send(app, "public", req.body(Body::empty()).unwrap()).await;
    (r.status, r.headers, r.bytes)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every stored resident ID and phone, to be looked for in public output.
async fn secrets(r: &Registry) -> Vec<String> {
    let mut v = Vec::new();
    for p in r.store().people_sealed_after(0, 10_000).await.unwrap() {
        v.extend(p.resident_id_sealed.map(|x| r.keys.open(&x).unwrap()));
        v.extend(p.phone_sealed.map(|x| r.keys.open(&x).unwrap()));
    }
    let mut after = String::new();
    loop {
        let orgs = r.store().orgs_after(&after, 1_000).await.unwrap();
        let Some(last) = orgs.last() else { break };
        let phones = r
            .store()
            .org_phones_sealed_between(&after, &last.credit_code)
            .await
            .unwrap();
        v.extend(phones.iter().map(|(_, x)| r.keys.open(x).unwrap()));
        after = last.credit_code.clone();
    }
    v
}

#[tokio::test]
async fn no_public_page_api_response_or_download_shows_personal_data() {
    for s in sites(WebConfig::default()).await {
        let secrets = secrets(&s.registry).await;
        assert!(!secrets.is_empty(), "{}", s.url);
        let first = s.registry.store().orgs_after("", 5).await.unwrap();
        let mut uris: Vec<String> = vec![
            "/public/orgs".into(),
            "/public/orgs?per_page=200".into(),
            "/public/data".into(),
            "/public/orgs.csv".into(),
            "/public/orgs.jsonl".into(),
            "/api/v1/public/organizations?per_page=200".into(),
        ];
        for o in &first {
            uris.push(format!("/public/orgs/{}", o.credit_code));
            uris.push(format!("/api/v1/public/organizations/{}", o.credit_code));
        }
        for uri in &uris {
            let (status, _, body) = get(&s.app, uri, &[]).await;
            assert_eq!(status, StatusCode::OK, "{}: {uri}", s.url);
            let body = text(&body);
            for secret in &secrets {
                assert!(
                    !body.contains(secret.as_str()),
                    "{}: {uri} shows {secret}",
                    s.url
                );
            }
            for word in ["salary", "薪酬", "resident_id", "phone"] {
                assert!(!body.contains(word), "{}: {uri} mentions {word}", s.url);
            }
        }
    }
}

#[tokio::test]
async fn downloads_match_the_filtered_listing_row_for_row() {
    for s in sites(WebConfig::default()).await {
        let sub = s.registry.store().orgs_after("", 1).await.unwrap()[0]
            .subdistrict_code
            .clone();
        let filter = format!("subdistrict={sub}&sort=name");
        let (_, _, listing) = get(
            &s.app,
            &format!("/api/v1/public/organizations?{filter}&per_page=200"),
            &[],
        )
        .await;
        let listing: Value = serde_json::from_slice(&listing).unwrap();
        let codes: Vec<String> = listing["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["credit_code"].as_str().unwrap().to_string())
            .collect();
        assert!(!codes.is_empty(), "{}", s.url);
        assert_eq!(
            listing["total"].as_i64().unwrap() as usize,
            codes.len(),
            "{}",
            s.url
        );

        let (status, h, csv) = get(&s.app, &format!("/public/orgs.csv?{filter}"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{}", s.url);
        assert!(
            h[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "{}",
            s.url
        );
        assert!(
            csv.starts_with(b"\xEF\xBB\xBF"),
            "{}: csv has a BOM for Excel",
            s.url
        );
        let mut rdr = csv::Reader::from_reader(&csv[3..]);
        let csv_codes: Vec<String> = rdr.records().map(|r| r.unwrap()[1].to_string()).collect();
        assert_eq!(csv_codes, codes, "{}: csv rows", s.url);

        let (_, _, jsonl) = get(&s.app, &format!("/public/orgs.jsonl?{filter}"), &[]).await;
        let jsonl_codes: Vec<String> = text(&jsonl)
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["credit_code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(jsonl_codes, codes, "{}: jsonl rows", s.url);

        let (_, _, xlsx) = get(&s.app, &format!("/public/orgs.xlsx?{filter}"), &[]).await;
        let table = gongyi_interchange::read_table(&xlsx, "x.xlsx", &Default::default()).unwrap();
        let xlsx_codes: Vec<String> = table.rows.iter().map(|r| r.get(1).to_string()).collect();
        assert_eq!(xlsx_codes, codes, "{}: xlsx rows", s.url);
        assert!(
            table.rows.iter().all(|r| r.get(0).starts_with("CN-USCI-")),
            "{}: org-id column",
            s.url
        );
    }
}

#[tokio::test]
async fn the_public_api_is_cacheable_and_open_to_other_sites() {
    for s in sites(WebConfig::default()).await {
        let code = s.registry.store().orgs_after("", 1).await.unwrap()[0]
            .credit_code
            .clone();
        let uri = format!("/api/v1/public/organizations/{code}");
        let (status, h, body) = get(&s.app, &uri, &[("origin", "https://example.org")]).await;
        assert_eq!(status, StatusCode::OK, "{}", s.url);
        assert_eq!(h["access-control-allow-origin"], "*", "{}", s.url);
        assert!(
            h[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("max-age"),
            "{}",
            s.url
        );
        let etag = h[header::ETAG].to_str().unwrap().to_string();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["org_id"], format!("CN-USCI-{code}"), "{}", s.url);
        let (again, _, empty) = get(&s.app, &uri, &[("if-none-match", &etag)]).await;
        assert_eq!(
            (again, empty.len()),
            (StatusCode::NOT_MODIFIED, 0),
            "{}",
            s.url
        );
        let (by_org_id, _, _) = get(
            &s.app,
            &format!("/api/v1/public/organizations/CN-USCI-{code}"),
            &[],
        )
        .await;
        assert_eq!(by_org_id, StatusCode::OK, "{}", s.url);
        let (missing, _, body) = get(
            &s.app,
            "/api/v1/public/organizations/52310110MJ0000000X",
            &[],
        )
        .await;
        assert_eq!(missing, StatusCode::NOT_FOUND, "{}", s.url);
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap()["code"],
            "not_found",
            "{}",
            s.url
        );
        let (status, _, page) =
            get(&s.app, "/api/v1/public/organizations?per_page=100000", &[]).await;
        let page: Value = serde_json::from_slice(&page).unwrap();
        assert_eq!(
            (status, page["fields"][0]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("per_page")),
            "{}: page size is bounded: {page}",
            s.url
        );
    }
}

#[tokio::test]
async fn a_client_over_the_rate_limit_gets_429_with_retry_after() {
    let config = WebConfig {
        public_rate_limit: Some(RateLimit {
            requests: 3,
            window: std::time::Duration::from_secs(60),
        }),
        ..WebConfig::default()
    };
    for s in sites(config).await {
        for _ in 0..3 {
            let (status, _, _) = get(&s.app, "/api/v1/public/organizations", &[]).await;
            assert_eq!(status, StatusCode::OK, "{}", s.url);
        }
        let (status, h, body) = get(&s.app, "/api/v1/public/organizations", &[]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}", s.url);
        assert!(
            h[header::RETRY_AFTER]
                .to_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
                >= 1,
            "{}",
            s.url
        );
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap()["code"],
            "rate_limited",
            "{}",
            s.url
        );
        let (page, _, _) = get(&s.app, "/public/orgs", &[]).await;
        assert_eq!(
            page,
            StatusCode::OK,
            "{}: pages are not the API's quota",
            s.url
        );
    }
}

#[tokio::test]
async fn a_two_character_search_is_highlighted_and_missing_reports_read_as_missing() {
    for s in sites(WebConfig::default()).await {
        let name = s.registry.store().orgs_after("", 1).await.unwrap()[0]
            .name
            .clone();
        let frag: String = name.chars().skip(6).take(2).collect();
        let (_, _, body) = get(&s.app, &format!("/public/orgs?q={}", urlencode(&frag)), &[]).await;
        let body = text(&body);
        assert!(
            body.contains(&format!("<mark>{frag}</mark>")),
            "{}: {frag} highlighted",
            s.url
        );
        let initials = gongyi_domain::search::pinyin_keys(&name).1;
        let (_, _, api) = get(
            &s.app,
            &format!(
                "/api/v1/public/organizations?q={}&per_page=200",
                &initials[6..10]
            ),
            &[],
        )
        .await;
        let api: Value = serde_json::from_slice(&api).unwrap();
        assert!(
            api["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["name"] == name.as_str()),
            "{}: pinyin initials {} find {name}",
            s.url,
            &initials[6..10]
        );
        let (_, _, data) = get(&s.app, "/public/data", &[]).await;
        assert!(
            text(&data).contains("未报送"),
            "{}: the dictionary explains missing reports",
            s.url
        );
    }
}

/// The credit codes of a whole listing of the public API, page by page.
async fn listed_codes(app: &Router, filter: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for page in 1.. {
        let (status, _, body) = get(
            app,
            &format!("/api/v1/public/organizations?{filter}&per_page=50&page={page}"),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{filter}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        let items = v["items"].as_array().unwrap();
        codes.extend(
            items
                .iter()
                .map(|o| o["credit_code"].as_str().unwrap().to_string()),
        );
        if items.is_empty() || codes.len() as i64 >= v["total"].as_i64().unwrap() {
            return codes;
        }
    }
    codes
}

/// The credit codes of a download, in its order, whatever its format.
fn downloaded_codes(file: &str, body: &[u8]) -> Vec<String> {
    match file.rsplit('.').next().unwrap() {
        "csv" => {
            assert!(body.starts_with(b"\xEF\xBB\xBF"), "csv has a BOM for Excel");
            csv::Reader::from_reader(&body[3..])
                .records()
                .map(|r| r.unwrap()[1].to_string())
                .collect()
        }
        "jsonl" => text(body)
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["credit_code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect(),
        _ => gongyi_interchange::read_table(body, "x.xlsx", &Default::default())
            .unwrap()
            .rows
            .iter()
            .map(|r| r.get(1).to_string())
            .collect(),
    }
}

/// Twelve organisations of one name registered on one day: ties on every
/// sort key but the id.
async fn add_ties(r: &Registry) {
    for n in 0..12 {
        r.create_org(&tied_org(&tie_code(n), "杨浦区同名助老服务中心"))
            .await
            .unwrap();
    }
}

/// A 民办非企业单位's credit code outside the demo data's `MJ` series.
fn tie_code(n: u32) -> String {
    let org = format!("TX{n:06}");
    let check = gongyi_domain::credit_code::org_code_check(org.as_bytes()).unwrap();
    gongyi_domain::CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn tied_org(code: &str, name: &str) -> gongyi_domain::orgs::OrgInput {
    gongyi_domain::orgs::OrgInput {
        credit_code: code.into(),
        name: name.into(),
        kind: "民办非企业单位".into(),
        community: "是".into(),
        fresh_graduate: "否".into(),
        subdistrict: "310110021".into(),
        registration_date: "2024-03-01".into(),
        registered_capital: "60000".into(),
        service_fields: "社会服务".into(),
        address: String::new(),
        legal_representative: "王芳".into(),
        contact_phone: String::new(),
        status: String::new(),
        stage: String::new(),
    }
}

#[tokio::test]
async fn downloads_in_every_order_hold_each_listed_row_once_in_the_listing_order() {
    let config = WebConfig {
        public_download_limit: None,
        ..WebConfig::default()
    };
    for s in sites(config).await {
        add_ties(&s.registry).await;
        let filters = [
            "sort=name",
            "sort=registered_desc",
            "sort=registered_asc",
            "sort=credit_code",
            "sort=relevance",
            "subdistrict=310110021&sort=registered_desc",
            // A name query without an order: best matches first.
            "q=%E5%8A%A9%E8%80%81",
        ];
        for filter in filters {
            let want = listed_codes(&s.app, filter).await;
            assert!(want.len() > 12, "{}: {filter} lists {}", s.url, want.len());
            for file in ["orgs.csv", "orgs.jsonl", "orgs.xlsx"] {
                let (status, _, body) = get(&s.app, &format!("/public/{file}?{filter}"), &[]).await;
                assert_eq!(status, StatusCode::OK, "{}: {file}?{filter}", s.url);
                let got = downloaded_codes(file, &body);
                assert_eq!(got, want, "{}: {file}?{filter}", s.url);
            }
        }
    }
}

#[tokio::test]
async fn downloads_have_a_small_budget_of_their_own_answered_with_429_and_retry_after() {
    let config = WebConfig {
        public_download_limit: Some(RateLimit {
            requests: 2,
            window: std::time::Duration::from_secs(60),
        }),
        ..WebConfig::default()
    };
    for s in sites(config).await {
        for file in ["orgs.csv", "orgs.jsonl"] {
            let (status, _, _) = get(&s.app, &format!("/public/{file}"), &[]).await;
            assert_eq!(status, StatusCode::OK, "{}: {file}", s.url);
        }
        let (status, h, body) = get(&s.app, "/public/orgs.xlsx?kind=FOUNDATION", &[]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{}", s.url);
        let wait: u64 = h[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{}: Retry-After {wait}", s.url);
        assert_eq!(
            serde_json::from_slice::<Value>(&body).unwrap()["code"],
            "rate_limited",
            "{}",
            s.url
        );
        let (api, _, _) = get(&s.app, "/api/v1/public/organizations", &[]).await;
        assert_eq!(
            api,
            StatusCode::OK,
            "{}: the API keeps its own budget",
            s.url
        );
        let (missing, _, _) = get(&s.app, "/public/orgs.pdf", &[]).await;
        assert_eq!(
            missing,
            StatusCode::TOO_MANY_REQUESTS,
            "{}: any download counts",
            s.url
        );
    }
}

#[tokio::test]
async fn the_full_download_is_served_from_the_cache_until_an_organisation_changes() {
    let cache = std::env::temp_dir().join(format!("gongyi-download-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    for (i, s) in sites(WebConfig {
        public_download_limit: None,
        ..WebConfig::default()
    })
    .await
    .into_iter()
    .enumerate()
    {
        let dir = cache.join(i.to_string());
        let app = gongyi_web::router_with(
            AppState::new(s.registry.clone()),
            &WebConfig {
                public_download_limit: None,
                download_cache: Some(dir.clone()),
                ..WebConfig::default()
            },
        );
        let files = |ext: &str| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(&dir)
                .map(|d| {
                    d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                        .filter(|n| n.ends_with(&format!(".{ext}")))
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            v
        };
        add_ties(&s.registry).await;
        for ext in ["csv", "jsonl", "xlsx"] {
            let uri = format!("/public/orgs.{ext}");
            let (status, h, body) = get(&app, &uri, &[]).await;
            assert_eq!(status, StatusCode::OK, "{}: {uri}", s.url);
            let etag = h[header::ETAG].to_str().unwrap().to_string();
            assert_eq!(files(ext).len(), 1, "{}: {uri} is kept", s.url);
            assert_eq!(
                downloaded_codes(&uri, &body),
                listed_codes(&app, "sort=name").await,
                "{}: {uri}",
                s.url
            );
            let (_, h2, again) = get(&app, &uri, &[]).await;
            assert_eq!(
                (&h2[header::ETAG], &again),
                (&h[header::ETAG], &body),
                "{}: {uri}",
                s.url
            );
            let (not_modified, _, empty) = get(&app, &uri, &[("if-none-match", &etag)]).await;
            assert_eq!(
                (not_modified, empty.len()),
                (StatusCode::NOT_MODIFIED, 0),
                "{}",
                s.url
            );
            // The same file under an order of its own.
            let (_, by_code, _) = get(&app, &format!("{uri}?sort=credit_code"), &[]).await;
            assert_ne!(
                by_code[header::ETAG],
                etag,
                "{}: {uri} by credit code",
                s.url
            );
            assert_eq!(files(ext).len(), 2, "{}: {uri}", s.url);
        }

        // An edit of one organisation: every format is made afresh.
        let code = tie_code(3);
        let version = s.registry.org(&code).await.unwrap().version;
        s.registry
            .update_org(&code, version, &tied_org(&code, "杨浦区改过名的公益服务社"))
            .await
            .unwrap();
        for ext in ["csv", "jsonl", "xlsx"] {
            let uri = format!("/public/orgs.{ext}");
            let before = files(ext);
            let (status, _, body) = get(&app, &uri, &[]).await;
            assert_eq!(status, StatusCode::OK, "{}: {uri}", s.url);
            let body = if ext == "xlsx" {
                gongyi_interchange::read_table(&body, "x.xlsx", &Default::default())
                    .unwrap()
                    .rows
                    .iter()
                    .map(|r| r.get(2).to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                text(&body)
            };
            assert!(
                body.contains("杨浦区改过名的公益服务社"),
                "{}: {uri} after the edit",
                s.url
            );
            let after = files(ext);
            assert_eq!(after.len(), 2, "{}: {uri}: the old file is gone", s.url);
            assert_ne!(after, before, "{}: {uri}", s.url);
        }
    }
    let _ = std::fs::remove_dir_all(&cache);
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Issue 16, 5: `facets=` counts in the public JSON API exactly what the
/// directory page counts, with the page's labels, for the filters given;
/// each count is the total of the listing filtered by that value; an
/// unknown facet is refused naming it; without `facets` the body has none.
#[tokio::test]
async fn the_public_api_counts_facets_as_the_directory_page_does() {
    for s in sites(WebConfig::default()).await {
        let u = &s.url;
        let (_, _, plain) = get(&s.app, "/api/v1/public/organizations", &[]).await;
        let plain: Value = serde_json::from_slice(&plain).unwrap();
        assert!(plain.get("facets").is_none(), "{u}: {plain}");

        let kind = "PRIVATE_NON_ENTERPRISE";
        let uri = format!(
            "/api/v1/public/organizations?kind={kind}&facets=subdistrict,registration_year,kind"
        );
        let (status, _, body) = get(&s.app, &uri, &[]).await;
        assert_eq!(status, StatusCode::OK, "{u}: {}", text(&body));
        let v: Value = serde_json::from_slice(&body).unwrap();
        let facets = v["facets"].as_object().unwrap();
        let mut names: Vec<&String> = facets.keys().collect();
        names.sort();
        assert_eq!(names, ["kind", "registration_year", "subdistrict"], "{u}");

        let (_, _, page) = get(&s.app, &format!("/public/orgs?kind={kind}"), &[]).await;
        let page = text(&page);
        let total = v["total"].as_i64().unwrap();
        let mut sum = 0;
        for f in facets["subdistrict"].as_array().unwrap() {
            let (code, label, n) = (
                f["value"].as_str().unwrap(),
                f["label"].as_str().unwrap(),
                f["count"].as_i64().unwrap(),
            );
            assert!(!label.is_empty() && label != code, "{u}: {f}");
            assert!(page.contains(label), "{u}: {label} not on the page");
            let (_, _, one) = get(
                &s.app,
                &format!("/api/v1/public/organizations?kind={kind}&subdistrict={code}&per_page=1"),
                &[],
            )
            .await;
            let one: Value = serde_json::from_slice(&one).unwrap();
            assert_eq!(one["total"].as_i64().unwrap(), n, "{u}: {code}");
            sum += n;
        }
        assert_eq!(sum, total, "{u}: sub-districts partition the listing");
        let years = facets["registration_year"].as_array().unwrap();
        assert!(
            years
                .iter()
                .all(|y| y["label"].as_str().unwrap().ends_with(" 年")),
            "{u}"
        );

        let (status, _, bad) = get(
            &s.app,
            "/api/v1/public/organizations?facets=subdistrict,colour",
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{u}");
        let bad: Value = serde_json::from_slice(&bad).unwrap();
        assert_eq!(bad["fields"][0]["field"], "facets", "{u}: {bad}");
        assert_eq!(bad["fields"][0]["code"], "facets.unknown", "{u}");
    }
}
