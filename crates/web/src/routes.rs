//! The one route table, grouped by audience. Files mirror URLs.

use crate::public::limit::{Limiter, RateLimit};
use crate::{api, pages, public, AppState};
use axum::http::header;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
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

/// Settings of the web layer that are not per request.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Requests per client per window on the public API; `None` = no limit.
    pub public_rate_limit: Option<RateLimit>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_rate_limit: Some(RateLimit {
                requests: 600,
                window: Duration::from_secs(60),
            }),
        }
    }
}

pub fn router(state: AppState) -> Router {
    router_with(state, &WebConfig::default())
}

/// The public pages and open-data API: no login, CORS on the API, rate limited.
fn public_routes(config: &WebConfig) -> (Router<AppState>, Router<AppState>) {
    let pages = Router::new()
        .route(
            "/public",
            get(|| async { axum::response::Redirect::permanent("/public/orgs") }),
        )
        .route("/public/orgs", get(public::pages::directory))
        .route("/public/orgs/{code}", get(public::pages::profile))
        .route("/public/data", get(public::pages::data))
        .route("/public/{file}", get(public::downloads::download));
    let mut api = Router::new()
        .route("/public/organizations", get(public::api::list))
        .route("/public/organizations/{code}", get(public::api::get));
    if let Some(limit) = config.public_rate_limit {
        api = api.layer(axum::middleware::from_fn_with_state(
            Limiter::new(limit),
            public::limit::middleware,
        ));
    }
    let api = api.layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
            .expose_headers([header::ETAG, header::RETRY_AFTER]),
    );
    (pages, api)
}

pub fn router_with(state: AppState, config: &WebConfig) -> Router {
    let (public_pages, public_api) = public_routes(config);
    let bureau_pages = Router::new()
        .route("/", get(pages::home::show))
        .route("/orgs", get(pages::orgs::directory))
        .route(
            "/orgs/new",
            get(pages::orgs::new_form).post(pages::orgs::create),
        )
        .route("/orgs/{code}", get(pages::orgs::show))
        .route(
            "/orgs/{code}/edit",
            get(pages::orgs::edit_form).post(pages::orgs::update),
        )
        .route(
            "/orgs/{code}/history/{kind}",
            axum::routing::post(pages::orgs::add_history),
        )
        .route("/people", get(pages::people::list))
        .route(
            "/people/new",
            get(pages::people::new_form).post(pages::people::create),
        )
        .route("/people/{id}", get(pages::people::show))
        .route(
            "/people/{id}/edit",
            get(pages::people::edit_form).post(pages::people::update),
        )
        .route(
            "/people/{id}/records/{kind}",
            axum::routing::post(pages::people::add_record),
        )
        .route("/policy", get(pages::policy::params))
        .route(
            "/policy/simulate",
            get(pages::policy::simulate_form).post(pages::policy::simulate),
        )
        .route("/applications", get(pages::applications::queue))
        .route(
            "/applications/new",
            get(pages::applications::new_form).post(pages::applications::create),
        )
        .route("/applications/{id}", get(pages::applications::show))
        .route(
            "/applications/{id}/attachments/{file}",
            get(pages::applications::attachment),
        )
        .route(
            "/applications/{id}/{action}",
            axum::routing::post(pages::applications::act),
        )
        .route("/finance/ledger", get(pages::finance::ledger))
        .route("/finance/ledger.xlsx", get(pages::finance::ledger_xlsx))
        .route(
            "/finance/budgets",
            get(pages::finance::budgets).post(pages::finance::set_budget),
        );
    let api_v1 = Router::new()
        .merge(public_api)
        .route("/openapi.json", get(api::openapi))
        .route(
            "/organizations",
            get(api::orgs::list).post(api::orgs::create),
        )
        .route(
            "/organizations/{code}",
            get(api::orgs::get).put(api::orgs::update),
        )
        .route("/organizations/{code}/history", get(api::orgs::history))
        .route(
            "/organizations/{code}/eligibility",
            get(api::policy::eligibility),
        )
        .route(
            "/organizations/{code}/{kind}",
            axum::routing::post(api::orgs::add_history),
        )
        .route("/people", get(api::people::list).post(api::people::create))
        .route("/people/{id}", get(api::people::get))
        .route(
            "/people/{id}/{kind}",
            axum::routing::post(api::people::add_record),
        )
        .route(
            "/applications",
            get(api::applications::list).post(api::applications::create),
        )
        .route("/applications/{id}", get(api::applications::get))
        .route(
            "/applications/{id}/{action}",
            axum::routing::post(api::applications::act),
        )
        .fallback(api::not_found);
    Router::new()
        .merge(bureau_pages)
        .merge(public_pages)
        .nest("/api/v1", api_v1)
        .route("/static/app.css", get(css))
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
