//! Applications to payment through the real router, on both databases, each
//! step taken by a signed-in account of the role whose turn it is: the queue
//! with its tabs and filters, an approve → pay flow on the pages (with the
//! four-eyes refusal shown on the page), the multipart form with an
//! attachment and its download, budgets, the ledger and its xlsx export, the
//! organisation and person sections, the JSON API with its error shape, and
//! the scope of organisation and sub-district accounts. Approvals rest on
//! recorded facts: an event not on record (a project never selected, a
//! salary month of a person with no qualification) is refused on the page
//! and in the API, naming the missing fact and who must record it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use chrono::NaiveDate;
use common::{Reply, Signed};
use gongyi_app::security::accounts::AccountInput;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::CreditCode;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

/// The sub-districts of the two organisations.
const SUB_1: &str = "310110021";
const SUB_2: &str = "310110016";

/// A site per backend, with the accounts most tests act as (each signed in
/// when first asked for: signing in hashes passwords, which is slow).
struct Site {
    app: Router,
    registry: Registry,
    backend: &'static str,
    /// A bureau officer: registers, sets budgets, approves.
    bureau: Signed,
    finance: OnceCell<Signed>,
    org: [OnceCell<Signed>; 2],
    street: OnceCell<Signed>,
}

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

/// A site per backend with a community organisation (1) in `SUB_1`, another
/// organisation (2) in `SUB_2` and a person, registered by a bureau officer.
async fn sites() -> Vec<Site> {
    let mut v = Vec::new();
    for (db, _url) in gongyi_testkit::databases().await {
        let backend = common::backend_name(&db);
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()),
        );
        let app = gongyi_web::router(gongyi_web::AppState::new(registry.clone()));
        let bureau = common::sign_in(&registry, "bureau", Role::Bureau, "", "").await;
        for (n, name, community, sub) in [
            (1, "长海路睦邻互助社", true, SUB_1),
            (2, "青少年科技教育促进会", false, SUB_2),
        ] {
            let body = json!({
                "credit_code": credit_code(n),
                "name": name,
                "kind": "PRIVATE_NON_ENTERPRISE",
                "community": community,
                "subdistrict": sub,
                "registration_date": "2023-03-01",
                "registered_capital_fen": 20_000_000,
            });
            let r = send(
                &app,
                backend,
                &bureau,
                json_req(Method::POST, "/api/v1/organizations", &body),
            )
            .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.seen());
        }
        let body = json!({
            "name": "李娜",
            "resident_id": gongyi_domain::ResidentId::from_body("31011019900307002", NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()).unwrap().as_str(),
            "social_work_start_date": "2015-07-01",
        });
        let r = send(
            &app,
            backend,
            &bureau,
            json_req(Method::POST, "/api/v1/people", &body),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.seen());
        v.push(Site {
            app,
            registry,
            backend,
            bureau,
            finance: OnceCell::new(),
            org: [OnceCell::new(), OnceCell::new()],
            street: OnceCell::new(),
        });
    }
    v
}

fn json_req(method: Method, uri: &str, body: &Value) -> Request<Body> {
    common::json_req(method, uri, &body.to_string())
}

/// Sends `req` on `app` with the session of `who`.
async fn send(app: &Router, backend: &str, who: &Signed, req: Request<Body>) -> Reply {
    let on = format!("{backend} as {}", who.name);
    common::send(app, &on, common::with_session(req, who)).await
}

impl Site {
    async fn send(&self, who: &Signed, req: Request<Body>) -> Reply {
        send(&self.app, self.backend, who, req).await
    }

    async fn get(&self, who: &Signed, uri: &str) -> Reply {
        self.send(who, common::get_req(uri)).await
    }

    async fn page(&self, who: &Signed, uri: &str) -> String {
        let r = self.get(who, uri).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}: GET {uri} as {}: {}",
            self.backend,
            who.name,
            r.seen()
        );
        r.body
    }

    async fn api(&self, who: &Signed, method: Method, uri: &str, body: &Value) -> Reply {
        self.send(who, json_req(method, uri, body)).await
    }

    async fn form(&self, who: &Signed, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        self.send(who, common::form_req(uri, pairs)).await
    }

    /// A finance officer: pays.
    async fn finance(&self) -> &Signed {
        self.finance
            .get_or_init(|| self.account("finance", Role::Finance, "", ""))
            .await
    }

    /// The account of organisation `n` (1 or 2).
    async fn org(&self, n: u32) -> &Signed {
        self.org[n as usize - 1]
            .get_or_init(|| async {
                let name = format!("org-{n}");
                self.account(&name, Role::Organisation, "", &credit_code(n))
                    .await
            })
            .await
    }

    /// The officer of organisation 1's sub-district, which reviews it.
    async fn street(&self) -> &Signed {
        self.street
            .get_or_init(|| self.account("street-021", Role::Subdistrict, SUB_1, ""))
            .await
    }

    /// Another account of this site, signed in.
    async fn account(&self, name: &str, role: Role, subdistrict: &str, org: &str) -> Signed {
        common::sign_in(&self.registry, name, role, subdistrict, org).await
    }

    /// `who` moved to finance by the security administrator (which ends
    /// its sessions), signed in again.
    async fn moved_to_finance(&self, who: &Signed) -> Signed {
        self.registry
            .set_role(&AccountInput {
                name: who.name.clone(),
                role: Role::Finance.code().into(),
                ..AccountInput::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{}: {} not moved: {e:?}", self.backend, who.name));
        let opened = self
            .registry
            .login(&who.name, common::TEST_PASSWORD, "")
            .await
            .unwrap_or_else(|e| panic!("{}: {} could not log in: {e:?}", self.backend, who.name));
        Signed {
            name: who.name.clone(),
            cookie: format!("gongyi_session={}", opened.token),
            csrf: opened.csrf,
        }
    }

    /// Sets a budget line as the bureau officer.
    async fn budget(&self, rule: &str, year: &str, yuan: &str) {
        let r = self
            .form(
                &self.bureau,
                "/finance/budgets",
                &[("rule", rule), ("year", year), ("amount", yuan)],
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

    /// Submits through the API as `by`; returns the application's id. The
    /// API's bodies still carry `actor_name` and `actor_role`; for a
    /// signed-in caller they are ignored, so they go empty.
    async fn apply(&self, by: &Signed, rule: &str, who: &str, key: &str, fen: i64) -> i64 {
        let r = self
            .api(
                by,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": rule, "beneficiary_id": who, "event_key": key, "requested_fen": fen,
                    "actor_name": "", "actor_role": ""
                }),
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

    /// Records facts of the registry (the fact pages are another capability's).
    fn facts(&self) -> gongyi_app::test_support::Record<'_> {
        gongyi_app::test_support::Record(&self.registry)
    }

    /// R6: organisation `n`'s project `key`, selected with `yuan` (the match is half).
    async fn venture(&self, n: u32, key: &str, yuan: &str) {
        let f = self.facts();
        let o = f.org_id(&credit_code(n)).await;
        f.venture(o, key, yuan, "2024-01-10").await;
    }

    /// Takes a step through the API as `by`.
    async fn step(&self, id: i64, action: &str, by: &Signed) -> Reply {
        self.api(
            by,
            Method::POST,
            &format!("/api/v1/applications/{id}/{action}"),
            &json!({"actor_name": "", "actor_role": "", "reason": "材料齐全"}),
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

/// One refused field, as `(field, code)`.
fn one(field: &str, code: &str) -> [(String, String); 1] {
    [(field.to_string(), code.to_string())]
}

/// `(action, actor_name, actor_role)` of each event of an application.
fn event_actors(v: &Value) -> Vec<(String, String, String)> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("action"), s("actor_name"), s("actor_role"))
        })
        .collect()
}

fn triples(v: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    v.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[tokio::test]
async fn the_queue_lists_applications_with_status_tabs_and_filters() {
    for s in sites().await {
        let b = s.backend;
        s.budget("R6", "2024", "100000").await;
        s.venture(2, "VP-1", "6000").await;
        let a = s
            .apply(s.org(2).await, "R6", &credit_code(2), "VP-1", 300_000)
            .await;
        s.apply(s.org(2).await, "R6", &credit_code(2), "VP-2", 200_000)
            .await;
        s.apply(s.org(1).await, "R3", &credit_code(1), "2024-03", 50_000)
            .await;
        let r = s.step(a, "approve", &s.bureau).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());

        let html = s.page(&s.bureau, "/applications").await;
        assert!(html.contains("共 3 件"), "{b}: {html}");
        assert!(
            html.contains("已批准 <span class=\"count\">1</span>"),
            "{b}"
        );
        assert!(
            html.contains("已提交 <span class=\"count\">2</span>"),
            "{b}"
        );
        assert!(html.contains("长海路睦邻互助社"), "{b}");

        let html = s.page(&s.bureau, "/applications?status=SUBMITTED").await;
        assert!(html.contains("共 2 件"), "{b}");
        let html = s
            .page(&s.bureau, "/applications?status=SUBMITTED&rule=R6")
            .await;
        assert!(html.contains("共 1 件") && html.contains("VP-2"), "{b}");
        let html = s
            .page(&s.bureau, &format!("/applications?subdistrict={SUB_1}"))
            .await;
        assert!(html.contains("共 1 件") && html.contains("2024-03"), "{b}");

        // Each account's queue holds its own area only.
        let html = s.page(s.org(2).await, "/applications").await;
        assert!(
            html.contains("共 2 件") && !html.contains("长海路睦邻互助社"),
            "{b}: {html}"
        );
        let html = s.page(s.street().await, "/applications").await;
        assert!(
            html.contains("共 1 件") && html.contains("2024-03"),
            "{b}: {html}"
        );

        let v = s
            .get(s.finance().await, "/api/v1/applications?status=APPROVED")
            .await
            .json();
        assert_eq!(v["total"], 1, "{b}");
        assert_eq!(v["items"][0]["approved_fen"], 300_000, "{b}");
    }
}

#[tokio::test]
async fn an_application_is_approved_and_paid_on_its_page_and_the_approver_may_not_pay() {
    for s in sites().await {
        let b = s.backend;
        let approver = s.account("zhang.san", Role::Bureau, "", "").await;
        s.budget("R6", "2024", "10000").await;
        s.venture(2, "VP-1", "6000").await;
        let id = s
            .apply(s.org(2).await, "R6", &credit_code(2), "VP-1", 300_000)
            .await;
        let html = s.page(&approver, &format!("/applications/{id}")).await;
        assert!(html.contains("已提交"), "{b}");
        assert!(
            html.contains(&format!("action=\"/applications/{id}/approve\"")),
            "{b}: {html}"
        );
        assert!(
            !html.contains(&format!("action=\"/applications/{id}/pay\"")),
            "{b}"
        );

        let r = s
            .form(
                &approver,
                &format!("/applications/{id}/approve"),
                &[("version", "1"), ("amount", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.seen());
        assert_eq!(r.location(), format!("/applications/{id}?saved=1"));
        let html = s.page(&approver, &r.location()).await;
        assert!(
            html.contains("已批准") && html.contains("3,000.00") && html.contains("zhang.san"),
            "{b}"
        );
        // Paying is finance's step: the approver's page offers no pay form.
        assert!(
            !html.contains(&format!("action=\"/applications/{id}/pay\"")),
            "{b}"
        );

        // The approver tries to pay: a bureau officer does not pay, refused
        // on the page with what was typed kept.
        let pay = format!("/applications/{id}/pay");
        let r = s
            .form(&approver, &pay, &[("reason", "代为拨付"), ("version", "2")])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        assert!(r.body.contains("“拨付”须由财务办理"), "{b}: {}", r.seen());
        assert!(r.body.contains(">代为拨付</textarea>"), "{b}");

        // Moved to finance, the approver still may not pay what they approved.
        let moved = s.moved_to_finance(&approver).await;
        let r = s
            .form(&moved, &pay, &[("reason", "代为拨付"), ("version", "2")])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        assert!(
            r.body
                .contains("批准人与拨付人不能为同一人(本申请由 zhang.san 批准)"),
            "{b}: {}",
            r.seen()
        );
        assert!(r.body.contains(">代为拨付</textarea>"), "{b}");

        let cashier = s.account("li.chuna", Role::Finance, "", "").await;
        let r = s.form(&cashier, &pay, &[("version", "2")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.seen());
        let html = s.page(&s.bureau, &format!("/applications/{id}")).await;
        assert!(html.contains("已拨付") && html.contains("li.chuna"), "{b}");
        assert!(
            !html.contains("<h2 id=\"actions\">"),
            "{b}: no steps after payment"
        );

        // A second payment, from a stale page: a conflict, nothing paid twice.
        let r = s.form(s.finance().await, &pay, &[("version", "2")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());

        let v = s
            .get(s.finance().await, &format!("/api/v1/applications/{id}"))
            .await
            .json();
        assert_eq!(
            event_actors(&v),
            triples(&[
                ("submit", "org-2", "organisation"),
                ("approve", "zhang.san", "bureau"),
                ("pay", "li.chuna", "finance"),
            ]),
            "{b}"
        );
        assert_eq!(v["payment"]["amount_fen"], 300_000, "{b}");
        assert_eq!(v["payment"]["budget_year"], 2024, "{b}");

        // The ledger and its export, the budget page and the organisation's section.
        let html = s.page(s.finance().await, "/finance/ledger?year=2024").await;
        assert!(html.contains("1 笔,合计 3,000.00 元"), "{b}: {html}");
        assert!(html.contains("殷行街道"), "{b}");
        let x = s
            .get(s.finance().await, "/finance/ledger.xlsx?year=2024")
            .await;
        assert_eq!(x.status, StatusCode::OK, "{b}");
        assert_eq!(
            x.headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(x.bytes.starts_with(b"PK"), "{b}");
        let html = s
            .page(s.finance().await, "/finance/budgets?year=2024")
            .await;
        assert!(
            html.contains("10,000.00") && html.contains("7,000.00"),
            "{b}: {html}"
        );
        let html = s
            .page(s.org(2).await, &format!("/orgs/{}", credit_code(2)))
            .await;
        assert!(
            html.contains("扶持资金") && html.contains("已拨付 1 笔,合计 3,000.00 元"),
            "{b}: {html}"
        );
    }
}

#[tokio::test]
async fn a_refused_step_on_the_page_keeps_the_typed_input_and_names_the_shortfall() {
    for s in sites().await {
        let b = s.backend;
        s.budget("R6", "2024", "1200").await;
        let id = s
            .apply(s.org(2).await, "R6", &credit_code(2), "VP-1", 150_000)
            .await;
        let approve = format!("/applications/{id}/approve");
        // No such project on record: the page says what is missing and who
        // must record it, and keeps the typed reason.
        let r = s
            .form(&s.bureau, &approve, &[("reason", "同意"), ("version", "1")])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        assert!(
            r.body
                .contains("该组织无公益创投项目“VP-1”的入选记录,须由该组织申报并经区民政局核实"),
            "{b}: {}",
            r.seen()
        );
        assert!(r.body.contains(">同意</textarea>"), "{b}");
        s.venture(2, "VP-1", "3000").await;
        let r = s
            .form(&s.bureau, &approve, &[("reason", "同意"), ("version", "1")])
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        assert!(
            r.body
                .contains("R6 2024 年预算余额 1,200.00 元,不足以支付 1,500.00 元,缺口 300.00 元"),
            "{b}: {}",
            r.seen()
        );
        assert!(r.body.contains(">同意</textarea>"), "{b}");

        // Finance may take steps, but not this one: refused as the wrong role.
        let r = s
            .form(
                s.finance().await,
                &approve,
                &[("reason", "同意"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        assert!(
            r.body.contains("“批准”须由区民政局办理,当前办理身份为财务"),
            "{b}: {}",
            r.seen()
        );
        assert!(r.body.contains(">同意</textarea>"), "{b}");

        let r = s
            .form(
                &s.bureau,
                &format!("/applications/{id}/return"),
                &[("reason", ""), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        assert!(r.body.contains("退回须填写理由"), "{b}");

        // A budget form with a bad year and amount is shown again as typed.
        s.budget("R7", "2024", "100").await;
        let r = s
            .form(
                &s.bureau,
                "/finance/budgets",
                &[("rule", "R6"), ("year", "20x4"), ("amount", "-5")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.seen()
        );
        assert!(r.body.contains("value=\"20x4\""), "{b}");
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

/// The first attachment link on an application page.
fn attachment_href(html: &str) -> String {
    html.split("href=\"")
        .find(|p| p.contains("/attachments/"))
        .and_then(|p| p.split('"').next())
        .unwrap_or_else(|| panic!("no attachment link: {html}"))
        .to_string()
}

#[tokio::test]
async fn the_new_application_form_takes_an_attachment_that_can_be_downloaded() {
    for s in sites().await {
        let b = s.backend;
        let org = s.org(1).await;
        let html = s.page(org, "/applications/new").await;
        assert!(html.contains("enctype=\"multipart/form-data\""), "{b}");
        let code = credit_code(1);
        let fields = [
            ("rule", "R3"),
            ("beneficiary_id", code.as_str()),
            ("event_key", "2024-03"),
            ("requested", "500"),
        ];
        let pdf: &[u8] = b"%PDF-1.4\n\x00\xffbinary";
        let (ty, body) = multipart(&fields, ("租赁合同.pdf", "application/pdf", pdf));
        let r = s
            .send(
                org,
                Request::post("/applications/new")
                    .header(header::CONTENT_TYPE, ty)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.seen());
        let html = s.page(org, &r.location()).await;
        assert!(html.contains("租赁合同.pdf"), "{b}");
        assert!(html.contains("须经街道审核"), "{b}");
        assert!(html.contains("org-1"), "{b}: the applicant is the account");
        let href = attachment_href(&html);
        // The applicant and its sub-district officer download the file.
        for who in [org, s.street().await] {
            let f = s.get(who, &href).await;
            assert_eq!(f.status, StatusCode::OK, "{b}: as {}", who.name);
            assert_eq!(f.bytes, pdf, "{b}");
            assert_eq!(f.headers[header::CONTENT_TYPE], "application/pdf");
            let cd = f.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
            assert!(
                cd.starts_with("attachment;") && cd.contains("UTF-8''%E7%A7%9F"),
                "{b}: {cd}"
            );
        }

        // A refused form is shown again as typed, the file error next to the file input.
        let (ty, body) = multipart(&fields, ("tool.exe", "application/x-msdownload", b"MZ"));
        let r = s
            .send(
                org,
                Request::post("/applications/new")
                    .header(header::CONTENT_TYPE, ty)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.seen()
        );
        assert!(
            r.body.contains("类型不受支持") && r.body.contains("value=\"2024-03\""),
            "{b}"
        );
    }
}

#[tokio::test]
async fn the_api_submits_with_attachments_and_answers_refusals_in_the_error_shape() {
    for s in sites().await {
        let b = s.backend;
        let org = s.org(2).await;
        // Typed actor fields are ignored: the account applies.
        let r = s
            .api(
                org,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "VP-1", "requested_fen": 150_000,
                    "actor_name": "冒名者", "actor_role": "bureau",
                    "attachments": [{"file_name": "立项书.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7")}]
                }),
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
        assert_eq!(
            event_actors(&v),
            triples(&[("submit", "org-2", "organisation")]),
            "{b}"
        );

        // Roles that take steps, but not this one: the wrong role, 409.
        for who in [s.finance().await, org] {
            let f = error_fields(
                &s.step(id, "approve", who).await,
                StatusCode::CONFLICT,
                "refused",
                b,
            );
            assert_eq!(
                f,
                one("actor_role", "workflow.wrong_role"),
                "{b}: {}",
                who.name
            );
        }

        // No project on record, then no budget line yet, then too small a
        // line: refused, 409, the reason in fields.
        let approver = s.account("zhang.san", Role::Bureau, "", "").await;
        let r = s.step(id, "approve", &approver).await;
        let f = error_fields(&r, StatusCode::CONFLICT, "refused", b);
        assert_eq!(f, one("action", "facts.not_on_record"), "{b}");
        assert_eq!(
            r.json()["message"],
            "该组织无公益创投项目“VP-1”的入选记录,须由该组织申报并经区民政局核实",
            "{b}"
        );
        s.venture(2, "VP-1", "3000").await;
        let f = error_fields(
            &s.step(id, "approve", &approver).await,
            StatusCode::CONFLICT,
            "refused",
            b,
        );
        assert_eq!(f, one("approved_fen", "budget.missing"), "{b}");
        s.budget("R6", "2024", "1200").await;
        let r = s.step(id, "approve", &approver).await;
        let f = error_fields(&r, StatusCode::CONFLICT, "refused", b);
        assert_eq!(f[0].1, "budget.shortfall", "{b}");
        assert_eq!(
            r.json()["message"],
            "R6 2024 年预算余额 1,200.00 元,不足以支付 1,500.00 元,缺口 300.00 元",
            "{b}"
        );
        let r = s
            .api(
                &approver,
                Method::POST,
                &format!("/api/v1/applications/{id}/approve"),
                &json!({"actor_name": "", "actor_role": "", "approved_fen": 120_000, "version": 1}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        assert_eq!(r.json()["application"]["approved_fen"], 120_000, "{b}");
        assert_eq!(r.json()["application"]["approver_name"], "zhang.san", "{b}");

        // The approver may not pay: as a bureau officer the wrong role, and
        // moved to finance still the approver.
        let f = error_fields(
            &s.step(id, "pay", &approver).await,
            StatusCode::CONFLICT,
            "refused",
            b,
        );
        assert_eq!(f, one("actor_role", "workflow.wrong_role"), "{b}");
        let moved = s.moved_to_finance(&approver).await;
        let f = error_fields(
            &s.step(id, "pay", &moved).await,
            StatusCode::CONFLICT,
            "refused",
            b,
        );
        assert_eq!(f, one("actor_name", "workflow.payer_is_approver"), "{b}");
        let r = s.step(id, "pay", s.finance().await).await;
        assert_eq!(
            r.json()["application"]["status"],
            "PAID",
            "{b}: {}",
            r.seen()
        );
        assert_eq!(r.json()["application"]["payer_name"], "finance", "{b}");
        let f = error_fields(
            &s.step(id, "pay", s.finance().await).await,
            StatusCode::CONFLICT,
            "refused",
            b,
        );
        assert_eq!(f[0].1, "workflow.closed", "{b}");

        // Bad input names the API's fields; unknown ids and actions are 404.
        let r = s
            .api(
                org,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "", "requested_fen": -5,
                    "actor_name": "", "actor_role": "",
                    "attachments": [{"file_name": "a.pdf", "content_base64": "***"}]
                }),
            )
            .await;
        let f = error_fields(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b);
        assert_eq!(f, one("attachments[0]", "attachment.base64"), "{b}");
        let r = s
            .api(
                org,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "", "requested_fen": -5,
                    "actor_name": "", "actor_role": ""
                }),
            )
            .await;
        let f: Vec<String> = error_fields(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b)
            .into_iter()
            .map(|(field, _)| field)
            .collect();
        assert_eq!(f, ["requested_fen", "event_key"], "{b}");
        error_fields(
            &s.get(&s.bureau, "/api/v1/applications/9999").await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        error_fields(
            &s.step(id, "delete", &s.bureau).await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        let r = s
            .send(
                &s.bureau,
                Request::post(format!("/api/v1/applications/{id}/approve"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from("{"))
                    .unwrap(),
            )
            .await;
        error_fields(&r, StatusCode::BAD_REQUEST, "bad_request", b);

        let doc = s.get(&s.bureau, "/api/v1/openapi.json").await.json();
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
        let b = s.backend;
        let person = s
            .registry
            .store()
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
        // Four eyes: another officer approves what the bureau submitted.
        let approver = s.account("bureau-2", Role::Bureau, "", "").await;
        // No qualification on record: no salary subsidy, on the page and in
        // the API, and the refusal says who must record it.
        let id = s
            .apply(&s.bureau, "R9", &person.to_string(), "2024-01", 200_000)
            .await;
        let r = s
            .form(
                &approver,
                &format!("/applications/{id}/approve"),
                &[("reason", ""), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        let missing =
            "该人员在申请事项日期无社会工作者职业资格记录,须由区民政局或所在组织申报并经核实";
        assert!(r.body.contains(missing), "{b}: {}", r.seen());
        let r = s.step(id, "approve", &approver).await;
        let f = error_fields(&r, StatusCode::CONFLICT, "refused", b);
        assert_eq!(f, one("action", "salary.no_qualification"), "{b}");
        assert_eq!(r.json()["message"], missing, "{b}");

        // Recorded: 助理 from 2020, 中级 from 2024-02-01 (the month it is
        // held from), 8 full years since 2015-07-01, 2023 优秀; a labour
        // contract with organisation 2. January: 800 + 200 + 200 = 1,200;
        // February: 1,200 + 200 + 200 = 1,600, whatever was asked.
        use gongyi_domain::people::{PerformanceRating, QualificationLevel};
        let f = s.facts();
        let o = f.org_id(&credit_code(2)).await;
        f.qualification(person, QualificationLevel::Assistant, "2020-05-01")
            .await;
        f.qualification(person, QualificationLevel::Intermediate, "2024-02-01")
            .await;
        f.contract(person, o, "2023-06-01", None).await;
        f.performance(person, 2023, PerformanceRating::Excellent)
            .await;
        let feb = s
            .apply(&s.bureau, "R9", &person.to_string(), "2024-02", 200_000)
            .await;
        for (id, fen) in [(feb, 160_000), (id, 120_000)] {
            let r = s.step(id, "approve", &approver).await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
            assert_eq!(r.json()["application"]["approved_fen"], fen, "{b}");
            let r = s.step(id, "pay", s.finance().await).await;
            assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        }
        let html = s.page(&s.bureau, &format!("/people/{person}")).await;
        let section = html
            .split("薪酬补贴拨付月份")
            .nth(1)
            .unwrap_or_else(|| panic!("{b}: {html}"));
        let jan = section.find("2024-01").unwrap();
        let feb = section.find("2024-02").unwrap();
        assert!(jan < feb, "{b}: months in order");
        assert!(
            section.contains("1,600.00") && section.contains("1,200.00"),
            "{b}"
        );
    }
}

#[tokio::test]
async fn organisations_and_sub_districts_see_and_act_on_their_own_applications_only() {
    for s in sites().await {
        let b = s.backend;
        s.budget("R6", "2024", "100000").await;
        // Organisation 2's application, with an attachment; organisation 1's,
        // which its sub-district reviews.
        let r = s
            .api(
                s.org(2).await,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "VP-1", "requested_fen": 100_000,
                    "actor_name": "", "actor_role": "",
                    "attachments": [{"file_name": "立项书.pdf", "content_base64": base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.7")}]
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.seen());
        let theirs = r.json()["application"]["id"].as_i64().unwrap();
        let href = attachment_href(
            &s.page(s.org(2).await, &format!("/applications/{theirs}"))
                .await,
        );
        let ours = s
            .apply(s.org(1).await, "R3", &credit_code(1), "2024-03", 50_000)
            .await;

        // Organisation 1 does not see organisation 2's application, its file
        // or its steps: each is 404, as if it did not exist.
        let o1 = s.org(1).await;
        let r = s.get(o1, &format!("/applications/{theirs}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}: {}", r.seen());
        assert_eq!(s.get(o1, &href).await.status, StatusCode::NOT_FOUND, "{b}");
        error_fields(
            &s.get(o1, &format!("/api/v1/applications/{theirs}")).await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        for action in ["resubmit", "refuse", "approve"] {
            error_fields(
                &s.step(theirs, action, o1).await,
                StatusCode::NOT_FOUND,
                "not_found",
                b,
            );
        }
        let r = s
            .form(
                o1,
                &format!("/applications/{theirs}/refuse"),
                &[("reason", "不同意"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}: {}", r.seen());
        let v = s.get(o1, "/api/v1/applications").await.json();
        assert_eq!(v["total"], 1, "{b}: {v}");
        assert_eq!(v["items"][0]["id"], ours, "{b}: {v}");
        // Nor may it apply for organisation 2.
        let r = s
            .api(
                o1,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R6", "beneficiary_id": credit_code(2), "event_key": "VP-9", "requested_fen": 100_000,
                    "actor_name": "", "actor_role": ""
                }),
            )
            .await;
        let f = error_fields(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b);
        assert_eq!(f, one("beneficiary_id", "scope.beneficiary"), "{b}");

        // The officer of another sub-district gets 404 for organisation 1's
        // application; its own officer reviews it.
        let other = s.account("street-016", Role::Subdistrict, SUB_2, "").await;
        let r = s.get(&other, &format!("/applications/{ours}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}: {}", r.seen());
        error_fields(
            &s.get(&other, &format!("/api/v1/applications/{ours}")).await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        error_fields(
            &s.step(ours, "review", &other).await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        let r = s
            .form(
                &other,
                &format!("/applications/{ours}/review"),
                &[("version", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{b}: {}", r.seen());
        let v = s.get(&other, "/api/v1/applications").await.json();
        assert_eq!(v["total"], 1, "{b}: {v}");
        assert_eq!(v["items"][0]["id"], theirs, "{b}: {v}");

        error_fields(
            &s.get(s.street().await, &format!("/api/v1/applications/{theirs}"))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
            b,
        );
        let r = s.step(ours, "review", s.street().await).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        let v = r.json();
        assert_eq!(v["application"]["status"], "SUBDISTRICT_REVIEWED", "{b}");
        assert_eq!(
            event_actors(&v),
            triples(&[
                ("submit", "org-1", "organisation"),
                ("review", "street-021", "subdistrict"),
            ]),
            "{b}"
        );
    }
}

/// A PUT body for organisation `v` (as the API returned it) with `edit` applied.
fn org_body(v: &Value, edit: &[(&str, Value)]) -> Value {
    let mut body = json!({
        "credit_code": v["credit_code"], "name": v["name"], "kind": v["kind"],
        "community": v["community"], "fresh_graduate": v["fresh_graduate"],
        "subdistrict": v["subdistrict_code"], "registration_date": v["registration_date"],
        "registered_capital_fen": v["registered_capital_fen"], "status": v["status"],
        "address": v["address"].as_str().unwrap_or(""), "version": v["version"],
    });
    for (k, x) in edit {
        body[*k] = x.clone();
    }
    body
}

/// Security issue 11, finding 2: an organisation that changed its credit
/// code applies again for an honour it was paid for. It is the same
/// organisation, so the same entitlement: refused, and paid once.
#[tokio::test]
async fn an_honour_paid_before_a_change_of_credit_code_is_not_paid_again() {
    for s in sites().await {
        let b = s.backend;
        let (old, new) = (credit_code(2), credit_code(3));
        let key = "全国先进社会组织|2024";
        let r = s
            .api(
                &s.bureau,
                Method::POST,
                &format!("/api/v1/organizations/{old}/honours"),
                &json!({"title": "全国先进社会组织", "level": "NATIONAL", "date": "2024-05-10"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.seen());
        s.budget("R5", "2024", "200000").await;
        let org = s.org(2).await;
        let first = s.apply(org, "R5", &old, key, 8_000_000).await;
        let r = s.step(first, "approve", &s.bureau).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        let r = s.step(first, "pay", s.finance().await).await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());

        // The bureau records the organisation's new credit code.
        let v = s
            .get(&s.bureau, &format!("/api/v1/organizations/{old}"))
            .await
            .json();
        let body = org_body(&v, &[("credit_code", json!(new))]);
        let r = s
            .api(
                &s.bureau,
                Method::PUT,
                &format!("/api/v1/organizations/{old}"),
                &body,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        assert_eq!(r.json()["credit_code"], new.as_str(), "{b}");

        // The organisation (its account is bound to the organisation, not
        // to the code) applies again under the new code: refused.
        let apply_again = json!({
            "rule": "R5", "beneficiary_id": new, "event_key": key, "requested_fen": 8_000_000,
            "actor_name": "", "actor_role": ""
        });
        let r = s
            .api(org, Method::POST, "/api/v1/applications", &apply_again)
            .await;
        assert_eq!(
            error_fields(&r, StatusCode::CONFLICT, "refused", b),
            one("event_key", "application.duplicate"),
            "{b}"
        );
        assert!(r.body.contains("已拨付"), "{b}: {}", r.seen());
        // So is the bureau, on the organisation's behalf.
        let r = s
            .api(
                &s.bureau,
                Method::POST,
                "/api/v1/applications",
                &apply_again,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());

        // One payment, listed under the organisation whatever its code.
        let history = s.registry.org_subsidies(&new).await.unwrap();
        assert_eq!(
            (history.applications.len(), history.payments.len()),
            (1, 1),
            "{b}"
        );
        assert_eq!(history.payments[0].amount_fen, 8_000_000, "{b}");
        let ledger = s.registry.ledger(Some(2024)).await.unwrap();
        let r5: i64 = ledger
            .iter()
            .filter(|l| l.rule.code() == "R5")
            .map(|l| l.total_fen)
            .sum();
        assert_eq!(r5, 8_000_000, "{b}: paid once");
        let html = s.page(&s.bureau, &format!("/orgs/{new}")).await;
        assert!(html.contains("变更登记:统一社会信用代码"), "{b}");
        assert!(html.contains(&format!("{old} → {new}")), "{b}");

        // The change is in the audit trail, tied to the organisation's id.
        let f = gongyi_testkit::store::audit::AuditFilter {
            action: Some("update".into()),
            entity_id: Some(new.clone()),
            ..Default::default()
        };
        let (rows, _) = s.registry.audit_search(&f, 1, 10).await.unwrap();
        assert_eq!(rows.len(), 1, "{b}");
        let changes: Value = serde_json::from_str(&rows[0].changes).unwrap();
        assert_eq!(changes["credit_code"], json!([old, new]), "{b}");
        assert_eq!(
            (rows[0].actor_name.as_str(), rows[0].actor_role.as_str()),
            ("bureau", "bureau"),
            "{b}"
        );
    }
}

/// Registration facts are the bureau's record: an organisation's own
/// account changes its address, not its credit code, name or kind, on
/// the page or through the API.
#[tokio::test]
async fn an_organisation_may_not_change_its_own_registration_facts() {
    for s in sites().await {
        let b = s.backend;
        let code = credit_code(2);
        let org = s.org(2).await;
        let uri = format!("/api/v1/organizations/{code}");
        let v = s.get(org, &uri).await.json();
        let r = s
            .api(
                org,
                Method::PUT,
                &uri,
                &org_body(
                    &v,
                    &[
                        ("credit_code", json!(credit_code(4))),
                        ("name", json!("改名后的促进会")),
                    ],
                ),
            )
            .await;
        let fields = error_fields(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b);
        let only_bureau = |f: &str| (f.to_string(), "registration.bureau_only".to_string());
        assert_eq!(
            fields,
            [only_bureau("credit_code"), only_bureau("name")],
            "{b}"
        );
        let r = s
            .api(
                org,
                Method::PUT,
                &uri,
                &org_body(&v, &[("registered_capital_fen", json!(50_000_000))]),
            )
            .await;
        assert_eq!(
            error_fields(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b),
            one("registered_capital_fen", "registration.bureau_only"),
            "{b}"
        );

        // The page: the form comes back with the field's error.
        let html = s.page(org, &format!("/orgs/{code}/edit")).await;
        assert!(
            html.contains(&format!(r#"name="credit_code" value="{code}" readonly"#)),
            "{b}: shown read-only"
        );
        let bureau_form = s.page(&s.bureau, &format!("/orgs/{code}/edit")).await;
        assert!(!bureau_form.contains("readonly"), "{b}");
        let version = v["version"].as_i64().unwrap().to_string();
        let form = |name: &'static str, address: &'static str| {
            vec![
                ("version", version.clone()),
                ("credit_code", code.clone()),
                ("name", name.to_string()),
                ("kind", "PRIVATE_NON_ENTERPRISE".to_string()),
                ("subdistrict", SUB_2.to_string()),
                ("registration_date", "2023-03-01".to_string()),
                ("registered_capital", "200000".to_string()),
                ("status", "NORMAL".to_string()),
                ("address", address.to_string()),
            ]
        };
        let pairs = form("改名后的促进会", "");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = s.form(org, &format!("/orgs/{code}/edit"), &pairs).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            r.seen()
        );
        assert!(
            r.body
                .contains("组织名称是登记事项,只能由登记管理机关(区民政局)变更"),
            "{b}: {}",
            r.seen()
        );

        // What is not a registration fact, it may change.
        let pairs = form("青少年科技教育促进会", "控江路 1 号");
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = s.form(org, &format!("/orgs/{code}/edit"), &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.seen());
        let after = s.get(&s.bureau, &uri).await.json();
        assert_eq!(
            (after["name"].as_str(), after["address"].as_str()),
            (Some("青少年科技教育促进会"), Some("控江路 1 号")),
            "{b}"
        );
        assert_eq!(after["credit_code"], code.as_str(), "{b}");
        assert_eq!(
            after["registered_capital_fen"], 20_000_000,
            "{b}: unchanged"
        );
    }
}

/// An organisation on the abnormal-activity list on the event's day may not
/// apply: the new-application page shows why (409, as typed), the API
/// answers the reason's code.
#[tokio::test]
async fn an_organisation_listed_on_the_events_day_is_refused_at_submission_with_the_reason() {
    for s in sites().await {
        let b = s.backend;
        let code = credit_code(1);
        let r = s
            .api(
                &s.bureau,
                Method::POST,
                &format!("/api/v1/organizations/{code}/credit-entries"),
                &json!({
                    "list": "ABNORMAL_ACTIVITY", "reason": "未按规定报送年度工作报告",
                    "listed_date": "2024-02-10",
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.seen());
        let org = s.org(1).await;
        let fields = [
            ("rule", "R3"),
            ("beneficiary_id", code.as_str()),
            ("event_key", "2024-03"),
            ("requested", "500"),
        ];
        let (ty, body) = multipart(&fields, ("租赁合同.pdf", "application/pdf", b"%PDF-1.4"));
        let r = s
            .send(
                org,
                Request::post("/applications/new")
                    .header(header::CONTENT_TYPE, ty)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{b}: {}", r.seen());
        assert!(
            r.body.contains("该组织于 2024-02-10 被列入活动异常名录")
                && r.body.contains("value=\"2024-03\""),
            "{b}: {}",
            r.seen()
        );
        let r = s
            .api(
                org,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R3", "beneficiary_id": code, "event_key": "2024-03",
                    "requested_fen": 50_000, "actor_name": "", "actor_role": ""
                }),
            )
            .await;
        let f = error_fields(&r, StatusCode::CONFLICT, "refused", b);
        assert_eq!(f, one("beneficiary_id", "org.abnormal_list"), "{b}");
        // The month before the listing is still open to an application.
        let r = s
            .api(
                org,
                Method::POST,
                "/api/v1/applications",
                &json!({
                    "rule": "R3", "beneficiary_id": code, "event_key": "2024-02",
                    "requested_fen": 50_000, "actor_name": "", "actor_role": ""
                }),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{b}: {}", r.seen());
    }
}

/// Issue 13, 4–5: an item the rules pay opens the application form filled
/// in; the new application says 已提交; finance's comment stays with the
/// payment, whose step shows its amount; the ledger lists each payee.
#[tokio::test]
async fn an_eligible_item_is_applied_for_paid_with_a_comment_and_listed_per_payee() {
    for s in sites().await {
        let b = s.backend;
        s.budget("R3", "2024", "100000").await;
        let f = s.facts();
        let o = f.org_id(&credit_code(1)).await;
        f.lease(o, "2024-03", "600").await;
        let org = s.org(1).await;
        let html = s.page(org, &format!("/orgs/{}", credit_code(1))).await;
        let query = html
            .split("href=\"/applications/new?")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("{b}: no link to apply: {html}"))
            .replace("&#38;", "&");
        assert!(
            html.contains(&format!(
                "href=\"/applications/new?beneficiary={}\"",
                credit_code(1)
            )),
            "{b}: the organisation page opens a new application for itself"
        );
        let form = s.page(org, &format!("/applications/new?{query}")).await;
        for value in ["R3", credit_code(1).as_str(), "2024-03", "500.00"] {
            assert!(
                form.contains(&format!("value=\"{value}\"")),
                "{b}: {value} not filled in: {form}"
            );
        }
        assert!(form.contains("月份,如 2024-03"), "{b}: the rule's hint");
        assert!(!form.contains("项目编号"), "{b}: only the rule's hint");

        let code = credit_code(1);
        let fields = [
            ("rule", "R3"),
            ("beneficiary_id", code.as_str()),
            ("event_key", "2024-03"),
            ("requested", "500.00"),
        ];
        let (ty, body) = multipart(&fields, ("租赁合同.pdf", "application/pdf", b"%PDF-1.4"));
        let r = s
            .send(
                org,
                Request::post("/applications/new")
                    .header(header::CONTENT_TYPE, ty)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.seen());
        let html = s.page(org, &r.location()).await;
        assert!(html.contains("申请已提交"), "{b}: {html}");
        let id: i64 = r
            .location()
            .trim_start_matches("/applications/")
            .split('?')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap();

        for (action, by) in [("review", s.street().await), ("approve", &s.bureau)] {
            let r = s.step(id, action, by).await;
            assert_eq!(r.status, StatusCode::OK, "{b} {action}: {}", r.seen());
        }
        let finance = s.finance().await;
        let r = s
            .form(
                finance,
                &format!("/applications/{id}/pay"),
                &[("reason", "已通过国库集中支付"), ("version", "3")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{b}: {}", r.seen());
        let html = s.page(finance, &r.location()).await;
        assert!(html.contains("已拨付。"), "{b}: {html}");
        assert!(
            html.contains("已通过国库集中支付"),
            "{b}: the comment is kept"
        );
        let v = s
            .get(finance, &format!("/api/v1/applications/{id}"))
            .await
            .json();
        let events = v["events"].as_array().unwrap();
        let pay = events.last().unwrap();
        assert_eq!(pay["reason"], "已通过国库集中支付", "{b}: {v}");
        assert_eq!(pay["amount_fen"], 50_000, "{b}: {v}");

        let ledger = s.page(finance, "/finance/ledger?year=2024").await;
        let payees = ledger.split("按收款方").nth(1).unwrap_or_default();
        // Finance does not read the registry: the payee is named, not linked
        // into a 403 (the route table decides; the bureau gets the link).
        assert!(
            !payees.contains(&format!("/orgs/{}", credit_code(1))) && payees.contains("500.00"),
            "{b}: {payees}"
        );
        let ledger = s.page(&s.bureau, "/finance/ledger?year=2024").await;
        let payees = ledger.split("按收款方").nth(1).unwrap_or_default();
        assert!(
            payees.contains(&format!("/orgs/{}", credit_code(1))),
            "{b}: {payees}"
        );
    }
}
