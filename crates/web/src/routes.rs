//! The one route table, grouped by audience. Files mirror URLs.

use crate::{api, pages, AppState};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
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

pub fn router(state: AppState) -> Router {
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
        .nest("/api/v1", api_v1)
        .route("/static/app.css", get(css))
        .fallback(pages::not_found)
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
