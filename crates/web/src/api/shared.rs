//! What the operations of the OpenAPI document share, declared once: the
//! error responses (`components.responses`, each with the one
//! [`ErrorBody`](crate::error::ErrorBody)),
//! the session and CSRF security schemes, and the bounds of `page` and
//! `per_page`. [`share`] walks every operation and adds what its route's
//! [`Access`] (from the route table) and its shape imply, so a handler
//! annotates only its own successes and an operation added anywhere gets the
//! rest without a line of its own.

use crate::auth::{Access, SESSION_COOKIE};
use crate::routes::RouteSpec;
use axum::http::Method;
use gongyi_app::{MAX_PAGE, MAX_PER_PAGE};
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    Components, ContentBuilder, HeaderBuilder, KnownFormat, OpenApi, PathItem, Ref, RefOr,
    ResponseBuilder,
};
use utoipa::PartialSchema;

/// A response every operation of some kind can give, kept in
/// `components.responses` under its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Common {
    BadRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    Invalid,
    RateLimited,
}

impl Common {
    pub const ALL: [Common; 8] = [
        Common::BadRequest,
        Common::Unauthenticated,
        Common::Forbidden,
        Common::NotFound,
        Common::Conflict,
        Common::PayloadTooLarge,
        Common::Invalid,
        Common::RateLimited,
    ];

    pub fn status(self) -> &'static str {
        match self {
            Common::BadRequest => "400",
            Common::Unauthenticated => "401",
            Common::Forbidden => "403",
            Common::NotFound => "404",
            Common::Conflict => "409",
            Common::PayloadTooLarge => "413",
            Common::Invalid => "422",
            Common::RateLimited => "429",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Common::BadRequest => "BadRequest",
            Common::Unauthenticated => "Unauthenticated",
            Common::Forbidden => "Forbidden",
            Common::NotFound => "NotFound",
            Common::Conflict => "Conflict",
            Common::PayloadTooLarge => "PayloadTooLarge",
            Common::Invalid => "Invalid",
            Common::RateLimited => "RateLimited",
        }
    }

    fn description(self) -> &'static str {
        match self {
            Common::BadRequest => {
                "`bad_request`: a path or query value of the wrong type, a body that is not \
                 JSON of the declared shape, or no `Content-Type: application/json`."
            }
            Common::Unauthenticated => "`unauthenticated`: no live session (cookie `gongyi_session`).",
            Common::Forbidden => {
                "`forbidden` (the role lacks the capability), `csrf` (a state-changing request \
                 without the session's `X-CSRF-Token`), `password_change_required` or \
                 `second_factor_required` (the session must finish signing in first)."
            }
            Common::NotFound => "`not_found`: nothing by that key, or nothing the caller may see.",
            Common::Conflict => {
                "`conflict` (the `version` sent is not the current one) or `refused` (a rule \
                 refuses the step; the rule's own code is in `fields`)."
            }
            Common::PayloadTooLarge => "`body.too_large`: the body is over the limit (2 MiB; 8 KiB for login).",
            Common::Invalid => {
                "`invalid_input`: the values were read but are not acceptable; `fields` names \
                 each field with its code and a message in Chinese (`page` and `per_page` \
                 outside their bounds included)."
            }
            Common::RateLimited => "`rate_limited`: too many requests from this client; retry after `Retry-After` seconds.",
        }
    }

    fn response(self) -> utoipa::openapi::Response {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        let mut r = ResponseBuilder::new()
            .description(self.description())
            .content("application/json", content);
        if self == Common::RateLimited {
            r = r.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(i64::schema())
                    .description(Some("Seconds to wait."))
                    .build(),
            );
        }
        r.build()
    }
}

/// What in an operation decides which common responses it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub signed_in: bool,
    /// POST, PUT, PATCH or DELETE: needs the CSRF token when signed in.
    pub writes: bool,
    pub path_params: bool,
    pub query_params: bool,
    pub body: bool,
}

/// The common responses an operation of `shape` can give.
pub fn implied(shape: Shape) -> Vec<Common> {
    let Shape {
        signed_in,
        writes,
        path_params,
        query_params,
        body,
    } = shape;
    [
        (Common::BadRequest, path_params || query_params || body),
        (Common::Unauthenticated, signed_in),
        (Common::Forbidden, signed_in),
        (Common::NotFound, path_params),
        (Common::Conflict, signed_in && writes && body),
        (Common::PayloadTooLarge, body),
        // Query values are checked too: `page` and `per_page` have bounds.
        (Common::Invalid, body || query_params),
        // Every route under /api/v1 is behind a per-client limit.
        (Common::RateLimited, true),
    ]
    .into_iter()
    .filter_map(|(c, applies)| applies.then_some(c))
    .collect()
}

/// The session cookie, and the CSRF header of state-changing requests.
pub const SESSION_SCHEME: &str = "session";
pub const CSRF_SCHEME: &str = "csrf";

/// Adds to `doc` what its operations share, by the access each has in `routes`.
/// An operation with no route is left alone (the contract test fails on it).
pub fn share(doc: &mut OpenApi, routes: &[RouteSpec]) {
    let components = doc.components.get_or_insert_with(Components::new);
    for c in Common::ALL {
        components
            .responses
            .insert(c.name().into(), RefOr::T(c.response()));
    }
    components.security_schemes.insert(
        SESSION_SCHEME.into(),
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            "The session: `POST /api/v1/login` sets it.",
        ))),
    );
    components.security_schemes.insert(
        CSRF_SCHEME.into(),
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-CSRF-Token",
            "The `csrf_token` the login returned; required on POST and PUT.",
        ))),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in operations(item) {
            let Some(route) = routes
                .iter()
                .find(|r| r.method == method && r.path == *path)
            else {
                continue;
            };
            share_one(op, &method, route.access);
        }
    }
}

fn operations(item: &mut PathItem) -> Vec<(Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
    .collect()
}

fn share_one(op: &mut Operation, method: &Method, access: Access) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let shape = Shape {
        signed_in: access != Access::Public,
        writes: !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS),
        path_params: params.iter().any(|p| p.parameter_in == ParameterIn::Path),
        query_params: params.iter().any(|p| p.parameter_in == ParameterIn::Query),
        body: op.request_body.is_some(),
    };
    for c in implied(shape) {
        // A handler's own answer for the status (e.g. a refused login's 401) stays.
        op.responses
            .responses
            .entry(c.status().into())
            .or_insert_with(|| {
                RefOr::Ref(Ref::new(format!("#/components/responses/{}", c.name())))
            });
    }
    if shape.signed_in {
        let mut need = SecurityRequirement::new(SESSION_SCHEME, Vec::<String>::new());
        if shape.writes {
            need = need.add(CSRF_SCHEME, Vec::<String>::new());
        }
        op.security = Some(vec![need]);
    }
    for p in op.parameters.iter_mut().flatten() {
        bound_paging(p);
    }
}

/// `page` and `per_page` of every listing: whole numbers within the bounds
/// every listing keeps (`gongyi_app::bound_page`); the API refuses others.
fn bound_paging(p: &mut Parameter) {
    let max = match (&p.parameter_in, p.name.as_str()) {
        (ParameterIn::Query, "page") => MAX_PAGE,
        (ParameterIn::Query, "per_page") => MAX_PER_PAGE,
        _ => return,
    };
    p.schema = Some(RefOr::T(Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(1))
            .maximum(Some(max))
            .build(),
    )));
}
