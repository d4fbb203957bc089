//! Routing: one axum fallback handler takes every request, resolves bucket and key
//! ([`crate::addressing`]), authenticates it ([`crate::auth`]) and dispatches on the
//! method and the query's sub-resources (`?uploads`, `?append`, `?delete`, ...), as
//! OSS does. It also stamps every response with `x-oss-request-id`, `Date` and
//! `Server`, renders errors as OSS XML, and puts the request's injected fault, if any
//! ([`crate::faults`]), before and after the handling. With CORS origins configured
//! ([`crate::shared::cors`]), preflights are answered before authentication (and never
//! get a fault), and answers to allowed origins carry the CORS headers.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method};
use axum::response::Response;
use jit_oss_protocol::verify::ReceivedRequest;

use crate::addressing;
use crate::auth;
use crate::error::{OssError, OssResult};
use crate::faults::apply::{self, Before};
use crate::faults::conn::ConnHandle;
use crate::faults::plan::Shape;
use crate::handlers::bucket::{self, check_bucket_name};
use crate::handlers::context::Ctx;
use crate::handlers::{multipart, object};
use crate::shared::cors::{self, Preflight};
use crate::shared::request::{
    carries_body, header_pairs, request_host, stamp_answer, unsupported_sub_resource,
};
use crate::state::AppState;

/// Query parameters naming a sub-resource this server does not implement (ACL,
/// tagging, lifecycle, ...). Requests carrying one get 501 NotImplemented rather than
/// being mistaken for a plain object or listing request.
const UNSUPPORTED: &[&str] = &[
    "acl",
    "cors",
    "encryption",
    "inventory",
    "lifecycle",
    "live",
    "logging",
    "policy",
    "referer",
    "replication",
    "restore",
    "stat",
    "symlink",
    "tagging",
    "versioning",
    "versions",
    "versionId",
    "website",
    "worm",
    "x-oss-process",
    "qos",
    "requestPayment",
    "transferAcceleration",
    "cname",
    "metaQuery",
];

/// A new 24-hex-digit request id, as OSS uses.
fn new_request_id() -> String {
    format!("{:024X}", rand::random::<u128>() >> 32)
}

/// The one handler behind the router.
pub async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let request_id = new_request_id();
    let conn = request
        .extensions()
        .get::<ConnectInfo<ConnHandle>>()
        .map(|info| info.0.clone());
    let (parts, body) = request.into_parts();
    let host = request_host(&parts);
    let sent_a_body = carries_body(&parts.headers);
    let target = addressing::resolve(
        Some(host.as_str()).filter(|h| !h.is_empty()),
        parts.uri.path(),
        &state.config.service_domains,
    );
    let query = addressing::parse_query(parts.uri.query());
    let origins = &state.config.cors_origins;
    let preflight = cors::classify(origins, &parts.method, &parts.headers);
    let fault = match preflight {
        Preflight::NotPreflight => {
            state
                .faults
                .draw(&fault_shape(&parts.method, &target, &query, conn.is_some()))
        }
        Preflight::Allowed | Preflight::Refused => None,
    };
    let result = match preflight {
        Preflight::Allowed => Ok(cors::preflight_response(origins, &parts.headers)),
        Preflight::Refused => Err(cors_refused()),
        Preflight::NotPreflight => {
            match apply::before(&state.faults, fault, &parts.headers, body, conn.as_ref()).await {
                Before::Answer(result) => result,
                Before::Proceed(body) => {
                    dispatch(&state, &parts, &host, target, &query, body).await
                }
            }
        }
    };
    let mut response = match result {
        Ok(response) => response,
        Err(err) => {
            tracing::debug!(
                request_id = %request_id,
                method = %parts.method,
                path = parts.uri.path(),
                code = err.code,
                status = err.status.as_u16(),
                "request failed"
            );
            err.into_response_with(&request_id, &host, parts.method == Method::HEAD)
        }
    };
    let failed = response.status().is_client_error() || response.status().is_server_error();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-oss-request-id", value);
    }
    stamp_answer(headers, "AliyunOSS", sent_a_body, failed);
    if preflight == Preflight::NotPreflight {
        cors::add_response_headers(origins, &parts.headers, headers);
    }
    apply::after(&state.faults, fault, response, conn.as_ref())
}

/// The answer to a preflight this server refuses (another origin, or a method it does
/// not allow): 403 AccessForbidden without CORS headers, as OSS answers when no CORS
/// rule matches.
fn cors_refused() -> OssError {
    OssError::new(
        axum::http::StatusCode::FORBIDDEN,
        "AccessForbidden",
        "CORSResponse: CORS is not enabled for this origin or method.",
    )
}

/// What fault injection needs to know of a request: only object, multipart and
/// listing requests (and batch deletes) are eligible; bucket administration, service
/// requests, unsupported sub-resources and requests that name no valid target are not.
fn fault_shape(
    method: &Method,
    target: &OssResult<addressing::Target>,
    query: &[(String, String)],
    connection: bool,
) -> Shape {
    let Ok(target) = target else {
        return Shape::default();
    };
    let has = |name: &str| query.iter().any(|(n, _)| n == name);
    let unsupported = query.iter().any(|(n, _)| UNSUPPORTED.contains(&n.as_str()));
    let eligible = !unsupported
        && match (&target.bucket, &target.key) {
            (Some(_), Some(_)) => true,
            (Some(_), None) => match *method {
                Method::GET => !has("bucketInfo") && !has("location"),
                Method::POST => has("delete"),
                _ => false,
            },
            (None, _) => false,
        };
    Shape {
        eligible,
        head: *method == Method::HEAD,
        get_object: *method == Method::GET && target.key.is_some() && !has("uploadId"),
        connection,
    }
}

/// Authenticates and routes one request whose bucket and key were resolved.
async fn dispatch(
    state: &AppState,
    parts: &axum::http::request::Parts,
    host: &str,
    target: OssResult<addressing::Target>,
    query: &[(String, String)],
    body: Body,
) -> OssResult<Response> {
    let target = target?;
    let header_pairs = header_pairs(&parts.headers);
    let received = ReceivedRequest {
        method: parts.method.as_str(),
        bucket: target.bucket.as_deref(),
        key: target.key.as_deref(),
        query,
        headers: &header_pairs,
    };
    auth::authenticate(
        &received,
        &state.secrets,
        state.config.allow_anonymous,
        SystemTime::now(),
    )?;
    let ctx = Ctx {
        state,
        method: &parts.method,
        headers: &parts.headers,
        query,
        host,
        virtual_hosted: target.virtual_hosted,
    };
    if let Some(name) = unsupported_sub_resource(query, UNSUPPORTED) {
        return Err(OssError::not_implemented(&format!(
            "The '{name}' sub-resource"
        )));
    }
    match (target.bucket.as_deref(), target.key.as_deref()) {
        (None, _) => match *ctx.method {
            Method::GET => bucket::list_buckets(&ctx),
            _ => Err(OssError::method_not_allowed()),
        },
        (Some(b), None) => {
            check_bucket_name(b)?;
            route_bucket(&ctx, b, body).await
        }
        (Some(b), Some(k)) => {
            check_bucket_name(b)?;
            route_object(&ctx, b, k, body).await
        }
    }
}

/// Requests on a bucket (no key).
async fn route_bucket(ctx: &Ctx<'_>, b: &str, body: Body) -> OssResult<Response> {
    match *ctx.method {
        Method::GET if ctx.has("uploads") => multipart::list_uploads(ctx, b),
        Method::GET if ctx.has("bucketInfo") => bucket::bucket_info(ctx, b),
        Method::GET if ctx.has("location") => bucket::bucket_location(ctx, b),
        Method::GET if ctx.q("list-type") == Some("2") => bucket::list_v2(ctx, b),
        Method::GET if ctx.q("list-type").is_some_and(|t| !t.is_empty()) => {
            Err(OssError::invalid_argument(
                "list-type must be 2.",
                "list-type",
                ctx.q("list-type").unwrap_or(""),
            ))
        }
        Method::GET => bucket::list_v1(ctx, b),
        Method::HEAD => bucket::head_bucket(ctx, b),
        Method::POST if ctx.has("delete") => bucket::delete_multiple(ctx, b, body).await,
        Method::PUT => bucket::create_bucket(ctx, b).await,
        Method::DELETE => bucket::delete_bucket(ctx, b).await,
        _ => Err(OssError::method_not_allowed()),
    }
}

/// Requests on an object.
async fn route_object(ctx: &Ctx<'_>, b: &str, k: &str, body: Body) -> OssResult<Response> {
    let copy_source = ctx.header("x-oss-copy-source").map(str::to_owned);
    match *ctx.method {
        Method::PUT if ctx.has("uploadId") || ctx.has("partNumber") => {
            if copy_source.is_some() {
                return Err(OssError::not_implemented("UploadPartCopy"));
            }
            multipart::upload_part(ctx, b, k, body).await
        }
        Method::PUT => match copy_source {
            Some(source) => object::copy(ctx, b, k, &source).await,
            None => object::put(ctx, b, k, body).await,
        },
        Method::POST if ctx.has("append") => object::append(ctx, b, k, body).await,
        Method::POST if ctx.has("uploads") => multipart::initiate(ctx, b, k).await,
        Method::POST if ctx.has("uploadId") => multipart::complete(ctx, b, k, body).await,
        Method::GET if ctx.has("uploadId") => multipart::list_parts(ctx, b, k),
        Method::GET if ctx.has("objectMeta") => object::get(ctx, b, k, true).await,
        Method::GET => object::get(ctx, b, k, false).await,
        Method::HEAD => object::get(ctx, b, k, true).await,
        Method::DELETE if ctx.has("uploadId") => multipart::abort(ctx, b, k).await,
        Method::DELETE => object::delete(ctx, b, k).await,
        _ => Err(OssError::method_not_allowed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_24_hex_digits() {
        let id = new_request_id();
        assert_eq!(id.len(), 24);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
