//! Applications to payment through the real router, on both databases: the
//! queue with its tabs and filters, an approve → pay flow on the pages
//! (with the four-eyes refusal shown on the page as typed), the multipart
//! form with an attachment and its download, budgets, the ledger and its
//! xlsx export, the organisation and person sections, and the JSON API with
//! its error shape.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::CreditCode;
use gongyi_store::Backend;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

struct Site {
    app: Router,
    registry: Registry,
    backend: &'static str,
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    bytes: Vec<u8>,
    body: String,
}

impl Reply {
    fn seen(&self) -> String {
        let s: String = self.body.chars().take(3000).collect();
        format!("status {}\n{s}", self.status)
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.seen()))
    }

    fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no Location: {}", self.seen()))
            .to_string()
    }
}

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// A site per backend with a community organisation (1), another
/// organisation (2) and a person.
async fn sites() -> Vec<Site> {
    let mut v = Vec::new();
    for (db, _url) in gongyi_testkit::databases().await {
        let backend = match db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        };
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()),
        );
        let app = common::bureau_app(&registry).await;
        let site = Site {
            app,
            registry,
            backend,
        };
        for (n, name, community, sub) in [
            (1, "长海路睦邻互助社", true, "310110021"),
            (2, "青少年科技教育促进会", false, "310110016"),
        ] {
            let r = site
                .api(
                    Method::POST,
                    "/api/v1/organizations",
                    &json!({
                        "credit_code": credit_code(n),
                        "name": name,
                        "kind": "PRIVATE_NON_ENTERPRISE",
                        "community": community,
                        "subdistrict": sub,
                        "registration_date": "2023-03-01",
                        "registered_capital_fen": 20_000_000,
                    })
                    .to_string(),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.seen());
        }
        let r = site
            .api(
                Method::POST,
                "/api/v1/people",
                &json!({
                    "name": "李娜",
                    "resident_id": gongyi_domain::ResidentId::from_body("31011019900307002", NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()).unwrap().as_str(),
                    "social_work_start_date": "2015-07-01",
                })
                .to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.seen());
        v.push(site);
    }
    v
}

impl Site {
    async fn send(&self, req: Request<Body>) -> Reply {
        let what = format!("{} {}", req.method(), req.uri());
        let res = self
            .app
            .clone()
            .oneshot(req)
            .await
            .unwrap_or_else(|e| panic!("{}: {what} failed: {e}", self.backend));
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

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
        self.send(
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    async fn form(&self, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(pairs).unwrap()))
                .unwrap(),
        )
        .await
    }

    async fn budget(&self, rule: &str, year: &str, yuan: &str) {
        let r = self
            .form(
                "/finance/budgets",
                &[
                    ("rule", rule),
                    ("year", year),
                    ("amount", yuan),
                    ("actor_name", "预算员"),
                    ("actor_role", "bureau"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            self.backend,
            r.seen()
        );
    }

    /// Submits through the API; returns the application's id.
    async fn apply(&self, rule: &str, who: &str, key: &str, fen: i64) -> i64 {
        let r = self
            .api(
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": rule, "beneficiary_id": who, "event_key": key, "requested_fen": fen,
                    "actor_name": "王芳", "actor_role": "organisation"
                })
                .to_string(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "{}: {}",
            self.backend,
            r.seen()
        );
        r.json()["application"]["id"].as_i64().unwrap()
    }

    async fn step(&self, id: i64, action: &str, name: &str, role: &str) -> Reply {
        self.api(
            Method::POST,
            &format!("/api/v1/applications/{id}/{action}"),
            &json!({"actor_name": name, "actor_role": role, "reason": "材料齐全"}).to_string(),
        )
        .await
    }
}

/// The `{code, message, fields}` body of an API error, checked.
fn error_fields(r: &Reply, status: StatusCode, code: &str, backend: &str) -> Vec<(String, String)> {
    assert_eq!(r.status, status, "{backend}: {}", r.seen());
    let v = r.json();
    assert_eq!(v["code"], code, "{backend}: {}", r.seen());
    assert!(
        !v["message"].as_str().unwrap_or("").is_empty(),
        "{backend}: {}",
        r.seen()
    );
    v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_queue_lists_applications_with_status_tabs_and_filters() {
    for s in sites().await {
        s.budget("R6", "2024", "100000").await;
        let a = s.apply("R6", &credit_code(2), "VP-1", 300_000).await;
        s.apply("R6", &credit_code(2), "VP-2", 200_000).await;
        s.apply("R3", &credit_code(1), "2024-03", 50_000).await;
        let r = s.step(a, "approve", "审批员", "bureau").await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", s.backend, r.seen());

        let html = s.page("/applications").await;
        assert!(html.contains("共 3 件"), "{}: {html}", s.backend);
        assert!(
            html.contains("已批准 <span class=\"count\">1</span>"),
            "{}",
            s.backend
        );
        assert!(
            html.contains("已提交 <span class=\"count\">2</span>"),
            "{}",
            s.backend
        );
        assert!(html.contains("长海路睦邻互助社"), "{}", s.backend);

        let html = s.page("/applications?status=SUBMITTED").await;
        assert!(html.contains("共 2 件"), "{}", s.backend);
        let html = s.page("/applications?status=SUBMITTED&rule=R6").await;
        assert!(
            html.contains("共 1 件") && html.contains("VP-2"),
            "{}",
            s.backend
        );
        let html = s.page("/applications?subdistrict=310110021").await;
        assert!(
            html.contains("共 1 件") && html.contains("2024-03"),
            "{}",
            s.backend
        );

        let v = s.get("/api/v1/applications?status=APPROVED").await.json();
        assert_eq!(v["total"], 1, "{}", s.backend);
        assert_eq!(v["items"][0]["approved_fen"], 300_000, "{}", s.backend);
    }
}

#[tokio::test]
async fn an_application_is_approved_and_paid_on_its_page_and_the_approver_may_not_pay() {
    for s in sites().await {
        s.budget("R6", "2024", "10000").await;
        let id = s.apply("R6", &credit_code(2), "VP-1", 300_000).await;
        let html = s.page(&format!("/applications/{id}")).await;
        assert!(html.contains("已提交"), "{}", s.backend);
        assert!(
            html.contains(&format!("action=\"/applications/{id}/approve\"")),
            "{}: {html}",
            s.backend
        );
        assert!(
            !html.contains(&format!("action=\"/applications/{id}/pay\"")),
            "{}",
            s.backend
        );

        let r = s
            .form(
                &format!("/applications/{id}/approve"),
                &[
                    ("actor_name", "张三"),
                    ("actor_role", "bureau"),
                    ("version", "1"),
                    ("amount", ""),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert_eq!(r.location(), format!("/applications/{id}?saved=1"));
        let html = s.page(&r.location()).await;
        assert!(
            html.contains("已批准") && html.contains("3,000.00"),
            "{}",
            s.backend
        );
        assert!(
            html.contains(&format!("action=\"/applications/{id}/pay\"")),
            "{}",
            s.backend
        );

        // The approver tries to pay: refused on the page, with the name as typed.
        let r = s
            .form(
                &format!("/applications/{id}/pay"),
                &[
                    ("actor_name", "张三"),
                    ("actor_role", "finance"),
                    ("version", "2"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(
            r.body.contains("批准人与拨付人不能为同一人"),
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(r.body.contains("value=\"张三\""), "{}", s.backend);

        let r = s
            .form(
                &format!("/applications/{id}/pay"),
                &[
                    ("actor_name", "李出纳"),
                    ("actor_role", "finance"),
                    ("version", "2"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            s.backend,
            r.seen()
        );
        let html = s.page(&format!("/applications/{id}")).await;
        assert!(
            html.contains("已拨付") && html.contains("李出纳"),
            "{}",
            s.backend
        );
        assert!(
            !html.contains("<h2 id=\"actions\">"),
            "{}: no steps after payment",
            s.backend
        );

        // A second payment, from a stale page: a conflict, nothing paid twice.
        let r = s
            .form(
                &format!("/applications/{id}/pay"),
                &[
                    ("actor_name", "王出纳"),
                    ("actor_role", "finance"),
                    ("version", "2"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            s.backend,
            r.seen()
        );

        let v = s.get(&format!("/api/v1/applications/{id}")).await.json();
        let steps: Vec<_> = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(steps, ["submit", "approve", "pay"], "{}", s.backend);
        assert_eq!(v["payment"]["amount_fen"], 300_000, "{}", s.backend);
        assert_eq!(v["payment"]["budget_year"], 2024, "{}", s.backend);

        // The ledger and its export, the budget page and the organisation's section.
        let html = s.page("/finance/ledger?year=2024").await;
        assert!(
            html.contains("1 笔,合计 3,000.00 元"),
            "{}: {html}",
            s.backend
        );
        assert!(html.contains("殷行街道"), "{}", s.backend);
        let x = s.get("/finance/ledger.xlsx?year=2024").await;
        assert_eq!(x.status, StatusCode::OK, "{}", s.backend);
        assert_eq!(
            x.headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(x.bytes.starts_with(b"PK"), "{}", s.backend);
        let html = s.page("/finance/budgets?year=2024").await;
        assert!(
            html.contains("10,000.00") && html.contains("7,000.00"),
            "{}: {html}",
            s.backend
        );
        let html = s.page(&format!("/orgs/{}", credit_code(2))).await;
        assert!(
            html.contains("扶持资金") && html.contains("已拨付 1 笔,合计 3,000.00 元"),
            "{}",
            s.backend
        );
    }
}

#[tokio::test]
async fn a_refused_step_on_the_page_keeps_the_typed_input_and_names_the_shortfall() {
    for s in sites().await {
        s.budget("R6", "2024", "1200").await;
        let id = s.apply("R6", &credit_code(2), "VP-1", 150_000).await;
        let r = s
            .form(
                &format!("/applications/{id}/approve"),
                &[
                    ("actor_name", "张三"),
                    ("actor_role", "bureau"),
                    ("reason", "同意"),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(
            r.body
                .contains("R6 2024 年预算余额 1,200.00 元,不足以支付 1,500.00 元,缺口 300.00 元"),
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(r.body.contains(">同意</textarea>"), "{}", s.backend);

        let r = s
            .form(
                &format!("/applications/{id}/return"),
                &[
                    ("actor_name", "张三"),
                    ("actor_role", "bureau"),
                    ("reason", ""),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(r.body.contains("退回须填写理由"), "{}", s.backend);

        // A budget below what the line already gave away is refused on its page.
        s.budget("R7", "2024", "100").await;
        let r = s
            .form(
                "/finance/budgets",
                &[
                    ("rule", "R6"),
                    ("year", "20x4"),
                    ("amount", "-5"),
                    ("actor_name", ""),
                    ("actor_role", "bureau"),
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
        assert!(r.body.contains("value=\"20x4\""), "{}", s.backend);
    }
}

/// A multipart body with text fields and one file.
fn multipart(fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "----gongyi-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    let (name, ty, bytes) = file;
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{name}\"\r\nContent-Type: {ty}\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_new_application_form_takes_an_attachment_that_can_be_downloaded() {
    for s in sites().await {
        let html = s.page("/applications/new").await;
        assert!(
            html.contains("enctype=\"multipart/form-data\""),
            "{}",
            s.backend
        );
        let code = credit_code(1);
        let fields = [
            ("rule", "R3"),
            ("beneficiary_id", code.as_str()),
            ("event_key", "2024-03"),
            ("requested", "500"),
            ("actor_name", "王芳"),
            ("actor_role", "organisation"),
        ];
        let pdf: &[u8] = b"%PDF-1.4\n\x00\xffbinary";
        let (ty, body) = multipart(&fields, ("租赁合同.pdf", "application/pdf", pdf));
        let r = s
            .send(
                Request::post("/applications/new")
                    .header(header::CONTENT_TYPE, ty)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{}: {}",
            s.backend,
            r.seen()
        );
        let html = s.page(&r.location()).await;
        assert!(html.contains("租赁合同.pdf"), "{}", s.backend);
        assert!(html.contains("须经街道审核"), "{}", s.backend);
        let href = html
            .split("href=\"")
            .find(|p| p.contains("/attachments/"))
            .and_then(|p| p.split('"').next())
            .unwrap()
            .to_string();
        let f = s.get(&href).await;
        assert_eq!(f.status, StatusCode::OK, "{}", s.backend);
        assert_eq!(f.bytes, pdf, "{}", s.backend);
        assert_eq!(f.headers[header::CONTENT_TYPE], "application/pdf");
        let cd = f.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            cd.starts_with("attachment;") && cd.contains("UTF-8''%E7%A7%9F"),
            "{}: {cd}",
            s.backend
        );

        // A refused form is shown again as typed, the file error next to the file input.
        let (ty, body) = multipart(&fields, ("tool.exe", "application/x-msdownload", b"MZ"));
        let r = s
            .send(
                Request::post("/applications/new")
                    .header(header::CONTENT_TYPE, ty)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}: {}",
            s.backend,
            r.seen()
        );
        assert!(
            r.body.contains("类型不受支持") && r.body.contains("value=\"2024-03\""),
            "{}",
            s.backend
        );
    }
}

#[tokio::test]
async fn the_api_submits_with_attachments_and_answers_refusals_in_the_error_shape() {
    for s in sites().await {
        let b = s.backend;
        let r = s
            .api(
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "VP-1", "requested_fen": 150_000,
                    "actor_name": "王芳", "actor_role": "organisation",
                    "attachments": [{"file_name": "立项书.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7")}]
                })
                .to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.seen());
        let v = r.json();
        let id = v["application"]["id"].as_i64().unwrap();
        assert_eq!(
            v["attachments"][0]["content_type"], "application/pdf",
            "{b}"
        );
        assert_eq!(v["open_actions"][0]["action"], "approve", "{b}");

        // No budget line yet, then too small a line: refused, 409, the reason in fields.
        let f = error_fields(
            &s.step(id, "approve", "张三", "bureau").await,
            StatusCode::CONFLICT,
            "refused",
            b,
        );
        assert_eq!(
            f,
            [("approved_fen".to_string(), "budget.missing".to_string())],
            "{b}"
        );
        s.budget("R6", "2024", "1200").await;
        let r = s.step(id, "approve", "张三", "bureau").await;
        let f = error_fields(&r, StatusCode::CONFLICT, "refused", b);
        assert_eq!(f[0].1, "budget.shortfall", "{b}");
        assert_eq!(
            r.json()["message"],
            "R6 2024 年预算余额 1,200.00 元,不足以支付 1,500.00 元,缺口 300.00 元",
            "{b}"
        );
        let r = s
            .api(
                Method::POST,
                &format!("/api/v1/applications/{id}/approve"),
                &json!({"actor_name": "张三", "actor_role": "bureau", "approved_fen": 120_000, "version": 1}).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        assert_eq!(r.json()["application"]["approved_fen"], 120_000, "{b}");
        let f = error_fields(
            &s.step(id, "pay", "张三", "finance").await,
            StatusCode::CONFLICT,
            "refused",
            b,
        );
        assert_eq!(
            f,
            [(
                "actor_name".to_string(),
                "workflow.payer_is_approver".to_string()
            )],
            "{b}"
        );
        let r = s.step(id, "pay", "李四", "finance").await;
        assert_eq!(
            r.json()["application"]["status"],
            "PAID",
            "{b}: {}",
            r.seen()
        );
        let f = error_fields(
            &s.step(id, "pay", "王五", "finance").await,
            StatusCode::CONFLICT,
            "refused",
            b,
        );
        assert_eq!(f[0].1, "workflow.closed", "{b}");

        // Bad input names the API's fields; unknown ids and actions are 404.
        let r = s
            .api(
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "", "requested_fen": -5,
                    "actor_name": "", "actor_role": "organisation",
                    "attachments": [{"file_name": "a.pdf", "content_base64": "***"}]
                })
                .to_string(),
            )
            .await;
        let f = error_fields(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b);
        assert_eq!(
            f,
            [(
                "attachments[0]".to_string(),
                "attachment.base64".to_string()
            )],
            "{b}"
        );
        let r = s
            .api(
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "", "requested_fen": -5,
                    "actor_name": "", "actor_role": "organisation"
                })
                .to_string(),
            )
            .await;
        let f: Vec<String> = error_fields(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b)
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(f, ["actor_name", "requested_fen", "event_key"], "{b}");
        error_fields(
            &s.get("/api/v1/applications/9999").await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        error_fields(
            &s.step(id, "delete", "a", "bureau").await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        let r = s
            .api(
                Method::POST,
                &format!("/api/v1/applications/{id}/approve"),
                "{",
            )
            .await;
        error_fields(&r, StatusCode::BAD_REQUEST, "bad_request", b);

        let doc = s.get("/api/v1/openapi.json").await.json();
        for p in [
            "/api/v1/applications",
            "/api/v1/applications/{id}",
            "/api/v1/applications/{id}/{action}",
        ] {
            assert!(
                doc["paths"][p].is_object(),
                "{b}: {p} missing from the OpenAPI document"
            );
        }
    }
}

#[tokio::test]
async fn a_person_page_lists_the_paid_salary_subsidy_months() {
    for s in sites().await {
        let person = s
            .registry
            .db
            .list_people(
                &gongyi_domain::access::Scope::District,
                &Default::default(),
                1,
                10,
            )
            .await
            .unwrap()
            .items[0]
            .id;
        s.budget("R9", "2024", "100000").await;
        for (month, fen) in [("2024-02", 150_000), ("2024-01", 120_000)] {
            let id = s.apply("R9", &person.to_string(), month, fen).await;
            assert_eq!(
                s.step(id, "approve", "审批员", "bureau").await.status,
                StatusCode::OK
            );
            assert_eq!(
                s.step(id, "pay", "出纳", "finance").await.status,
                StatusCode::OK
            );
        }
        let html = s.page(&format!("/people/{person}")).await;
        let section = html
            .split("薪酬补贴(R9)拨付月份")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: {html}", s.backend));
        let jan = section.find("2024-01").unwrap();
        let feb = section.find("2024-02").unwrap();
        assert!(jan < feb, "{}: months in order", s.backend);
        assert!(
            section.contains("1,500.00") && section.contains("1,200.00"),
            "{}",
            s.backend
        );
    }
}
