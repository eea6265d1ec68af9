//! The one route table, grouped by audience. Every route names who may use it
//! ([`Access`]); [`RouteTable::add`] puts the guard in front of it and records
//! it, so the access matrix test sees every route there is. Files mirror URLs.

use crate::auth::{guard, headers, Access, GuardState};
use crate::public::limit::{Limiter, RateLimit};
use crate::{api, pages, public, AppState};
use axum::http::header;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::{get, post, put, MethodRouter};
use axum::Router;
use gongyi_domain::access::Capability as C;
use std::time::Duration;
use tower_http::cors::{Any, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

const CSS: &str = include_str!("../static/app.css");

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

/// Request bodies above this are refused before they are read.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The largest file an upload form can carry under [`BODY_LIMIT`], leaving
/// room for the multipart envelope: configured file limits may not exceed it.
pub const MAX_UPLOAD_BYTES: usize = BODY_LIMIT - 64 * 1024;

/// A login is a name, a password, a code and a token: anonymous callers get
/// no more than this (413 before anything is read).
pub(crate) const LOGIN_BODY_LIMIT: usize = 8 * 1024;

/// Settings of the web layer that are not per request.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Requests per client per window on the public API and downloads; `None` = no limit.
    pub public_rate_limit: Option<RateLimit>,
    /// Downloads (`/public/orgs.csv` …) per client per window, on top of
    /// the public limit; `None` = no limit.
    pub public_download_limit: Option<RateLimit>,
    /// Where the unfiltered downloads are kept between changes of the data
    /// (`None`: generated for every request).
    pub download_cache: Option<std::path::PathBuf>,
    /// Requests per client per window on the signed-in API; `None` = no limit.
    pub api_rate_limit: Option<RateLimit>,
    /// Login attempts per client address per window.
    pub login_rate_limit: Option<RateLimit>,
    /// Mark cookies `Secure` (the server is behind TLS).
    pub secure_cookies: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        let per_minute = |requests| {
            Some(RateLimit {
                requests,
                window: Duration::from_secs(60),
            })
        };
        WebConfig {
            public_rate_limit: per_minute(600),
            public_download_limit: per_minute(10),
            download_cache: None,
            api_rate_limit: per_minute(1200),
            login_rate_limit: per_minute(20),
            secure_cookies: false,
        }
    }
}

/// One route: method, path as written in the table, and who may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: String,
    pub access: Access,
}

impl RouteSpec {
    /// The route as the browser suite reads it (`gongyi routes`): method,
    /// path, its access rule and the roles it lets in.
    pub fn listing(&self) -> serde_json::Value {
        use gongyi_domain::access::Role;
        let access = match self.access {
            Access::Public => "public",
            Access::SignedIn => "signed-in",
            Access::Cap(c) => c.code(),
        };
        let roles: Vec<&str> = Role::ALL
            .iter()
            .filter(|r| self.access.allows(**r))
            .map(|r| r.code())
            .collect();
        serde_json::json!({
            "method": self.method.as_str(),
            "path": self.path,
            "access": access,
            "roles": roles,
        })
    }
}

/// The whole table as the JSON `gongyi routes` prints.
pub fn listing(specs: &[RouteSpec]) -> String {
    let rows: Vec<serde_json::Value> = specs.iter().map(RouteSpec::listing).collect();
    serde_json::to_string_pretty(&rows).unwrap_or_default()
}

/// A group of routes under one prefix, each behind the guard.
struct RouteTable {
    state: AppState,
    prefix: &'static str,
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl RouteTable {
    fn new(state: &AppState, prefix: &'static str) -> RouteTable {
        RouteTable {
            state: state.clone(),
            prefix,
            router: Router::new(),
            specs: Vec::new(),
        }
    }

    fn add(
        mut self,
        method: Method,
        path: &str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> RouteTable {
        let guarded = handler.route_layer(from_fn_with_state(
            GuardState {
                app: self.state.clone(),
                access,
            },
            guard,
        ));
        self.router = self.router.route(path, guarded);
        self.specs.push(RouteSpec {
            method,
            path: format!("{}{path}", self.prefix),
            access,
        });
        self
    }

    fn get<H, T>(self, path: &str, access: Access, h: H) -> RouteTable
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, get(h))
    }

    fn post<H, T>(self, path: &str, access: Access, h: H) -> RouteTable
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, post(h))
    }

    /// Adds the routes of one capability, kept in a function of its own.
    fn merge_in(self, f: fn(RouteTable) -> RouteTable) -> RouteTable {
        f(self)
    }

    fn put<H, T>(self, path: &str, access: Access, h: H) -> RouteTable
    where
        H: axum::handler::Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::PUT, path, access, put(h))
    }
}

fn limited(router: Router<AppState>, limit: Option<RateLimit>) -> Router<AppState> {
    limited_by(router, limit.map(Limiter::new))
}

fn limited_by(router: Router<AppState>, limiter: Option<Limiter>) -> Router<AppState> {
    match limiter {
        Some(l) => router.layer(from_fn_with_state(l, public::limit::middleware)),
        None => router,
    }
}

/// The public pages, downloads and open-data API: no login, CORS on the
/// API; the API and downloads share the public rate limit per client, and
/// downloads have a small budget of their own besides.
fn public_routes(state: &AppState, config: &WebConfig) -> (RouteTable, RouteTable) {
    use Access::Public as P;
    let public_limit = config.public_rate_limit.map(Limiter::new);
    let mut downloads =
        RouteTable::new(state, "").get("/public/{file}", P, public::downloads::download);
    downloads.router = limited(
        limited_by(downloads.router, public_limit.clone()),
        config.public_download_limit,
    )
    .layer(axum::Extension(public::downloads::Downloads::new(
        config.download_cache.clone(),
    )));
    let pages = RouteTable::new(state, "")
        .get("/public", P, || async {
            axum::response::Redirect::permanent("/public/orgs")
        })
        .get("/public/orgs", P, public::pages::directory)
        .get("/public/orgs/{code}", P, public::pages::profile)
        .get("/public/calls", P, pages::calls::public_list)
        .get("/public/calls/{call}", P, pages::calls::public_show)
        .get("/public/data", P, public::pages::data)
        .get("/public/audit-checkpoint", P, public::checkpoint::show)
        .get("/static/app.css", P, css);
    let pages = merge(pages, downloads);
    let mut api = RouteTable::new(state, "/api/v1")
        .get("/public/organizations", P, public::api::list)
        .get("/public/organizations/{code}", P, public::api::get)
        .get("/public/ocds/{ocid}", P, public::ocds::package)
        .get(
            "/public/organizations/{code}/annual-reports",
            P,
            public::api::org_reports,
        )
        .get("/public/annual-reports", P, public::api::year_reports);
    api.router = limited_by(api.router, public_limit).layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
            .expose_headers([header::ETAG, header::RETRY_AFTER]),
    );
    (pages, api)
}

/// Logging in and out, one's own account, and the three administrators.
/// Returns the pages and the API's login, each limited per client address.
fn account_routes(state: &AppState, config: &WebConfig) -> (RouteTable, RouteTable) {
    use Access::{Public as P, SignedIn as S};
    let mut login = RouteTable::new(state, "").post("/login", P, pages::account::login);
    login.router = limited(login.router, config.login_rate_limit)
        .layer(RequestBodyLimitLayer::new(LOGIN_BODY_LIMIT));
    let mut api_login = RouteTable::new(state, "/api/v1").post("/login", P, api::account::login);
    api_login.router = limited(api_login.router, config.login_rate_limit)
        .layer(RequestBodyLimitLayer::new(LOGIN_BODY_LIMIT));
    let t = RouteTable::new(state, "")
        .get("/login", P, pages::account::login_form)
        .post("/logout", S, pages::account::logout)
        .get("/account", S, pages::account::show)
        .get("/account/password", S, pages::account::password_form)
        .post("/account/password", S, pages::account::change_password)
        .get("/account/totp", S, pages::account::totp_form)
        .post("/account/totp", S, pages::account::totp)
        .get(
            "/admin/accounts",
            Access::Cap(C::ManageAccounts),
            pages::admin::accounts,
        )
        .post(
            "/admin/accounts",
            Access::Cap(C::ManageAccounts),
            pages::admin::create,
        )
        .post(
            "/admin/accounts/{name}/{action}",
            Access::Cap(C::ManageAccounts),
            pages::admin::act,
        )
        .get(
            "/admin/security",
            Access::Cap(C::ManageSecurity),
            pages::admin::security,
        )
        .post(
            "/admin/security/{name}/{action}",
            Access::Cap(C::ManageSecurity),
            pages::admin::secure,
        )
        .get("/audit", Access::Cap(C::ReadAudit), pages::audit::search)
        .get(
            "/audit.csv",
            Access::Cap(C::ReadAudit),
            pages::audit::export,
        )
        .get(
            "/audit/verify",
            Access::Cap(C::ReadAudit),
            pages::audit::verify,
        );
    (merge(t, login), api_login)
}

fn merge(mut a: RouteTable, b: RouteTable) -> RouteTable {
    a.router = a.router.merge(b.router);
    a.specs.extend(b.specs);
    a
}

/// The bureau's, sub-districts' and organisations' pages.
fn work_pages(state: &AppState) -> RouteTable {
    use Access::{Cap, SignedIn as S};
    RouteTable::new(state, "")
        .get("/", S, pages::home::show)
        .get("/targets", Cap(C::Dashboard), pages::targets::show)
        .get("/targets.csv", Cap(C::Dashboard), pages::targets::csv)
        .get("/orgs", Cap(C::ReadRegistry), pages::orgs::directory)
        .get("/orgs/new", Cap(C::RegisterOrg), pages::orgs::new_form)
        .post("/orgs/new", Cap(C::RegisterOrg), pages::orgs::create)
        .get("/orgs/{code}", Cap(C::ReadRegistry), pages::orgs::show)
        .get(
            "/orgs/{code}/edit",
            Cap(C::EditRegistry),
            pages::orgs::edit_form,
        )
        .post(
            "/orgs/{code}/edit",
            Cap(C::EditRegistry),
            pages::orgs::update,
        )
        .post(
            "/orgs/{code}/history/{kind}",
            Cap(C::EditRegistry),
            pages::orgs::add_history,
        )
        .get("/declarations", Cap(C::ReadRegistry), pages::facts::queue)
        .post(
            "/declarations/{id}/verify",
            Cap(C::EditRegistry),
            pages::facts::verify,
        )
        .post(
            "/declarations/{id}/return",
            Cap(C::EditRegistry),
            pages::facts::return_,
        )
        .get("/people", Cap(C::ReadPeople), pages::people::list)
        .get("/people/new", Cap(C::EditPeople), pages::people::new_form)
        .post("/people/new", Cap(C::EditPeople), pages::people::create)
        .get("/people/{id}", Cap(C::ReadPeople), pages::people::show)
        .get(
            "/people/{id}/edit",
            Cap(C::EditPeople),
            pages::people::edit_form,
        )
        .post(
            "/people/{id}/edit",
            Cap(C::EditPeople),
            pages::people::update,
        )
        .post(
            "/people/{id}/records/{kind}",
            Cap(C::EditPeople),
            pages::people::add_record,
        )
        .post(
            "/people/{id}/reveal",
            Cap(C::RevealPersonal),
            pages::people::reveal,
        )
        .post(
            "/people/claims/{id}/resolve",
            Cap(C::ResolveClaims),
            pages::people::resolve_claim,
        )
        .get("/policy", Cap(C::ReadPolicy), pages::policy::params)
        .get(
            "/policy/simulate",
            Cap(C::SimulatePolicy),
            pages::policy::simulate_form,
        )
        .post(
            "/policy/simulate",
            Cap(C::SimulatePolicy),
            pages::policy::simulate,
        )
        .get(
            "/applications",
            Cap(C::ReadApplications),
            pages::applications::queue,
        )
        .get(
            "/applications/new",
            Cap(C::SubmitApplication),
            pages::applications::new_form,
        )
        .post(
            "/applications/new",
            Cap(C::SubmitApplication),
            pages::applications::create,
        )
        .get(
            "/applications/{id}",
            Cap(C::ReadApplications),
            pages::applications::show,
        )
        .get(
            "/applications/{id}/attachments/{file}",
            Cap(C::ReadApplications),
            pages::applications::attachment,
        )
        .post(
            "/applications/{id}/{action}",
            Cap(C::ActOnApplication),
            pages::applications::act,
        )
        .get(
            "/finance/ledger",
            Cap(C::ReadFinance),
            pages::finance::ledger,
        )
        .get(
            "/finance/ledger.xlsx",
            Cap(C::ReadFinance),
            pages::finance::ledger_xlsx,
        )
        .get(
            "/finance/budgets",
            Cap(C::ReadFinance),
            pages::finance::budgets,
        )
        .post(
            "/finance/budgets",
            Cap(C::SetBudget),
            pages::finance::set_budget,
        )
        .merge_in(annual_report_pages)
        .merge_in(calls_pages)
}

/// The guidance catalogue (引导目录) and calls for purchased services
/// (政府购买服务): pages.
fn calls_pages(t: RouteTable) -> RouteTable {
    use pages::{calls, catalogue};
    use Access::Cap;
    t.get("/catalogue", Cap(C::ReadCatalogue), catalogue::list)
        .post("/catalogue", Cap(C::EditCatalogue), catalogue::create)
        .get("/catalogue/{item}", Cap(C::ReadCatalogue), catalogue::show)
        .post(
            "/catalogue/{item}",
            Cap(C::EditCatalogue),
            catalogue::update,
        )
        .post(
            "/catalogue/{item}/quotas",
            Cap(C::EditCatalogue),
            catalogue::set_quota,
        )
        .get("/calls", Cap(C::ReadCalls), calls::list)
        .post("/calls", Cap(C::ManageCalls), calls::create)
        .get("/calls/new", Cap(C::ManageCalls), calls::new)
        .get("/calls/{call}", Cap(C::ReadCalls), calls::show)
        .post("/calls/{call}", Cap(C::ManageCalls), calls::update)
        .get("/calls/{call}/edit", Cap(C::ManageCalls), calls::edit)
        .post("/calls/{call}/steps", Cap(C::ManageCalls), calls::step)
        .post("/calls/{call}/bid", Cap(C::SubmitBid), calls::bid)
        .post("/calls/{call}/panel", Cap(C::DrawPanel), calls::panel)
        .post(
            "/calls/{call}/conflicts",
            Cap(C::ReviewBids),
            calls::conflict,
        )
        .post("/calls/{call}/scores", Cap(C::ReviewBids), calls::score)
        .post(
            "/calls/{call}/bids/{bid}/disqualify",
            Cap(C::ManageCalls),
            calls::disqualify,
        )
}

/// The yearly cycle's pages (年报、年检).
fn annual_report_pages(t: RouteTable) -> RouteTable {
    use pages::annual_report as ar;
    use Access::Cap;
    t.get("/annual-reports", Cap(C::ReadAnnualReports), ar::list)
        .post("/annual-reports", Cap(C::FileAnnualReport), ar::create)
        .get(
            "/annual-reports/progress",
            Cap(C::ConcludeAnnualReport),
            ar::progress,
        )
        .get(
            "/annual-reports/progress.xlsx",
            Cap(C::ConcludeAnnualReport),
            ar::progress_xlsx,
        )
        .get(
            "/annual-reports/{report}",
            Cap(C::ReadAnnualReports),
            ar::show,
        )
        .post(
            "/annual-reports/{report}/sections/{section}",
            Cap(C::FileAnnualReport),
            ar::save_section,
        )
        .post(
            "/annual-reports/{report}/accounts",
            Cap(C::FileAnnualReport),
            ar::upload,
        )
        .get(
            "/annual-reports/{report}/accounts",
            Cap(C::ReadAnnualReports),
            ar::accounts,
        )
        .post(
            "/annual-reports/{report}/submit",
            Cap(C::FileAnnualReport),
            ar::submit,
        )
        .post(
            "/annual-reports/{report}/review",
            Cap(C::ReviewAnnualReport),
            ar::review,
        )
        .post(
            "/annual-reports/{report}/conclude",
            Cap(C::ConcludeAnnualReport),
            ar::conclude,
        )
        .post(
            "/annual-reports/unfiled-conclusions",
            Cap(C::ConcludeAnnualReport),
            ar::conclude_unfiled,
        )
}

/// The signed-in JSON API under `/api/v1`.
fn api_routes(state: &AppState) -> RouteTable {
    use Access::{Cap, SignedIn as S};
    RouteTable::new(state, "/api/v1")
        .get("/openapi.json", Access::Public, api::openapi)
        .post("/logout", S, api::account::logout)
        .get("/organizations", Cap(C::ReadRegistry), api::orgs::list)
        .get("/targets", Cap(C::Dashboard), api::targets::get)
        .post("/organizations", Cap(C::RegisterOrg), api::orgs::create)
        .get(
            "/organizations/{code}",
            Cap(C::ReadRegistry),
            api::orgs::get,
        )
        .put(
            "/organizations/{code}",
            Cap(C::EditRegistry),
            api::orgs::update,
        )
        .get(
            "/organizations/{code}/history",
            Cap(C::ReadRegistry),
            api::orgs::history,
        )
        .get(
            "/organizations/{code}/eligibility",
            Cap(C::ReadPolicy),
            api::policy::eligibility,
        )
        .post(
            "/organizations/{code}/{kind}",
            Cap(C::EditRegistry),
            api::orgs::add_history,
        )
        .get("/declarations", Cap(C::ReadRegistry), api::facts::list)
        .get("/declarations/{id}", Cap(C::ReadRegistry), api::facts::get)
        .post(
            "/declarations/{id}/verify",
            Cap(C::EditRegistry),
            api::facts::verify,
        )
        .post(
            "/declarations/{id}/return",
            Cap(C::EditRegistry),
            api::facts::return_,
        )
        .get("/people", Cap(C::ReadPeople), api::people::list)
        .post("/people", Cap(C::EditPeople), api::people::create)
        .get("/people/{id}", Cap(C::ReadPeople), api::people::get)
        .post(
            "/people/{id}/{kind}",
            Cap(C::EditPeople),
            api::people::add_record,
        )
        .post(
            "/people/{id}/reveal",
            Cap(C::RevealPersonal),
            api::people::reveal,
        )
        .get(
            "/applications",
            Cap(C::ReadApplications),
            api::applications::list,
        )
        .post(
            "/applications",
            Cap(C::SubmitApplication),
            api::applications::create,
        )
        .get(
            "/applications/{id}",
            Cap(C::ReadApplications),
            api::applications::get,
        )
        .post(
            "/applications/{id}/{action}",
            Cap(C::ActOnApplication),
            api::applications::act,
        )
        .merge_in(annual_report_api)
        .merge_in(calls_api)
}

/// The guidance catalogue and calls for purchased services: API.
fn calls_api(t: RouteTable) -> RouteTable {
    use api::{calls, catalogue};
    use Access::Cap;
    t.get("/catalogue", Cap(C::ReadCatalogue), catalogue::list)
        .post("/catalogue", Cap(C::EditCatalogue), catalogue::create)
        .get("/catalogue/{item}", Cap(C::ReadCatalogue), catalogue::get)
        .put(
            "/catalogue/{item}",
            Cap(C::EditCatalogue),
            catalogue::update,
        )
        .put(
            "/catalogue/{item}/quotas/{year}",
            Cap(C::EditCatalogue),
            catalogue::set_quota,
        )
        .get("/calls", Cap(C::ReadCalls), calls::list)
        .post("/calls", Cap(C::ManageCalls), calls::create)
        .get("/calls/{call}", Cap(C::ReadCalls), calls::get)
        .put("/calls/{call}", Cap(C::ManageCalls), calls::update)
        .post("/calls/{call}/steps", Cap(C::ManageCalls), calls::step)
        .post("/calls/{call}/bid", Cap(C::SubmitBid), calls::bid)
        .post("/calls/{call}/panel", Cap(C::DrawPanel), calls::panel)
        .post(
            "/calls/{call}/conflicts",
            Cap(C::ReviewBids),
            calls::conflict,
        )
        .post("/calls/{call}/scores", Cap(C::ReviewBids), calls::score)
        .post(
            "/calls/{call}/bids/{bid}/disqualify",
            Cap(C::ManageCalls),
            calls::disqualify,
        )
}

/// The yearly cycle's API.
fn annual_report_api(t: RouteTable) -> RouteTable {
    use api::annual_report as ar;
    use Access::Cap;
    t.get("/annual-reports", Cap(C::ReadAnnualReports), ar::list)
        .post("/annual-reports", Cap(C::FileAnnualReport), ar::create)
        .get(
            "/annual-reports/{report}",
            Cap(C::ReadAnnualReports),
            ar::get,
        )
        .put(
            "/annual-reports/{report}/sections/{section}",
            Cap(C::FileAnnualReport),
            ar::save_section,
        )
        .post(
            "/annual-reports/{report}/submit",
            Cap(C::FileAnnualReport),
            ar::submit,
        )
        .post(
            "/annual-reports/{report}/review",
            Cap(C::ReviewAnnualReport),
            ar::review,
        )
        .post(
            "/annual-reports/{report}/conclude",
            Cap(C::ConcludeAnnualReport),
            ar::conclude,
        )
        .post(
            "/annual-reports/unfiled-conclusions",
            Cap(C::ConcludeAnnualReport),
            ar::conclude_unfiled,
        )
}

pub fn router(state: AppState) -> Router {
    router_with(state, &WebConfig::default())
}

/// The router and the table of every route in it.
pub fn routes(state: AppState, config: &WebConfig) -> (Router, Vec<RouteSpec>) {
    let state = AppState {
        secure_cookies: config.secure_cookies,
        ..state
    };
    let (public_pages, public_api) = public_routes(&state, config);
    let (accounts, api_login) = account_routes(&state, config);
    let work = work_pages(&state);
    let api = api_routes(&state);
    let mut specs = Vec::new();
    for t in [
        &public_pages,
        &public_api,
        &accounts,
        &api_login,
        &work,
        &api,
    ] {
        specs.extend(t.specs.iter().cloned());
    }
    crate::auth::page::remember_routes(&specs);
    let api_v1 = limited(api.router, config.api_rate_limit)
        .merge(public_api.router)
        .merge(api_login.router)
        .fallback(api::not_found)
        .layer(axum::Extension(api::Document::new(&specs)));
    let mut router = Router::new()
        .merge(work.router)
        .merge(accounts.router)
        .merge(public_pages.router)
        .nest("/api/v1", api_v1)
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TraceLayer::new_for_http());
    for l in headers::layers() {
        router = router.layer(l);
    }
    // Outermost, so the body limit's own refusals get the API's error body too.
    let router = router
        .layer(axum::middleware::from_fn(
            crate::auth::page::anonymous_pages,
        ))
        .layer(axum::middleware::from_fn(crate::error::api_shape));
    (router.with_state(state), specs)
}

pub fn router_with(state: AppState, config: &WebConfig) -> Router {
    routes(state, config).0
}
