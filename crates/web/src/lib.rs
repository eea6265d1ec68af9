//! gongyi's web layer: server-rendered pages in Simplified Chinese, the JSON
//! API under `/api/v1` with its OpenAPI document, and static assets.
//!
//! Handlers extract input, call one use case of `gongyi-app`, build a view
//! model and render it. No SQL and no business rules live here; personal data
//! is masked in the view models.

mod api;
pub mod auth;
mod charts;
mod directory;
mod error;
mod form;
mod pages;
pub mod public;
mod routes;
mod views;

pub use public::limit::RateLimit;
pub use routes::{listing, router, router_with, routes, RouteSpec, WebConfig, MAX_UPLOAD_BYTES};

use gongyi_app::Registry;
use std::net::SocketAddr;

/// Shared state of every handler. The server keeps nothing else in memory,
/// so several instances can serve one PostgreSQL database.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Acts for nobody: guarded handlers get a registry acting for the
    /// caller through [`auth::Ctx`]; public handlers read public data only.
    pub registry: Registry,
    /// Whether cookies are marked `Secure` (set from [`WebConfig`]).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(registry: Registry) -> AppState {
        AppState {
            registry: registry.acting(gongyi_app::security::Caller::anonymous()),
            secure_cookies: false,
        }
    }
}

/// Serves until Ctrl-C.
pub async fn serve(state: AppState, addr: SocketAddr, config: &WebConfig) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "gongyi is listening");
    // Client addresses reach the public API's rate limiter through ConnectInfo.
    let app = router_with(state, config).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
