//! Per-client rate limiting of the public API: a fixed window per client
//! address, answered with 429 and `Retry-After` when exceeded.
//!
//! The counts live in this process (a limiter shared through the database
//! would cost a write per request); with several instances each enforces its
//! own share, which is what a per-client limit needs.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

#[derive(Debug, Clone)]
pub struct Limiter {
    limit: RateLimit,
    windows: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            windows: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// `Ok` to let the request through, or the seconds to wait.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let Ok(mut w) = self.windows.lock() else {
            return Ok(());
        };
        if w.len() > 100_000 {
            // Forget finished windows so the table stays small.
            w.retain(|_, (start, _)| now.duration_since(*start) < self.limit.window);
        }
        let entry = w.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.limit.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit.requests {
            let wait = self
                .limit
                .window
                .saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }
}

pub async fn middleware(State(limiter): State<Limiter>, req: Request, next: Next) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match limiter.check(client, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut r = crate::error::ApiError(
                StatusCode::TOO_MANY_REQUESTS,
                crate::error::ErrorBody {
                    code: "rate_limited".into(),
                    message: format!("请求过于频繁,请 {wait} 秒后再试"),
                    fields: vec![],
                },
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_over_its_window_waits_and_others_do_not() {
        let l = Limiter::new(RateLimit {
            requests: 2,
            window: Duration::from_secs(60),
        });
        let t = Instant::now();
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(l.check(a, t).is_ok());
        assert!(l.check(a, t).is_ok());
        assert_eq!(l.check(a, t + Duration::from_secs(10)), Err(50));
        assert!(l.check(b, t).is_ok());
        assert!(l.check(a, t + Duration::from_secs(61)).is_ok());
    }
}
