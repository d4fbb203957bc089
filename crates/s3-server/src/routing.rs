//! Routing: one axum fallback handler takes every request, resolves bucket and key
//! ([`crate::addressing`]), authenticates it ([`crate::auth`]) and dispatches on the
//! method and the query's sub-resources (`?uploads`, `?uploadId`, `?delete`,
//! `list-type=2`, ...), as S3 does. Every response gets `x-amz-request-id`,
//! `x-amz-id-2`, `Date` and `Server`; errors are rendered as S3's XML. With CORS
//! origins configured ([`jit_oss_server::shared::cors`]), preflights are answered
//! before authentication and answers to allowed origins carry the CORS headers.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::response::Response;
use base64::prelude::{Engine as _, BASE64_STANDARD};
use jit_oss_protocol::s3::{S3ReceivedRequest, S3VerifyOptions};
use jit_oss_server::shared::cors::{self, Preflight};
use jit_oss_server::shared::request::{
    carries_body, header_pairs, request_host, stamp_answer, unsupported_sub_resource,
};

use crate::addressing;
use crate::auth;
use crate::error::{S3Error, S3Result};
use crate::handlers::context::Ctx;
use crate::handlers::{bucket, delete, multipart, object};
use crate::state::AppState;

/// Sub-resources this server does not implement: answered 501, never mistaken for a
/// plain object or listing request.
const UNSUPPORTED: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "tagging",
    "torrent",
    "versioning",
    "versions",
    "website",
    "attributes",
];

/// A new request id: 16 upper-case hex digits, as S3's.
fn new_request_id() -> String {
    format!("{:016X}", rand::random::<u64>())
}

/// The one handler behind the router.
pub async fn handle(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let request_id = new_request_id();
    let host_id = BASE64_STANDARD.encode(rand::random::<[u8; 32]>());
    let (parts, body) = request.into_parts();
    let host = request_host(&parts);
    let sent_a_body = carries_body(&parts.headers);
    let origins = &state.config.cors_origins;
    let preflight = cors::classify(origins, &parts.method, &parts.headers);
    let result = match preflight {
        Preflight::Allowed => Ok(cors::preflight_response(origins, &parts.headers)),
        Preflight::Refused => Err(cors_refused()),
        Preflight::NotPreflight => dispatch(&state, &parts, &host, body).await,
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
            let resource =
                addressing::decode(parts.uri.path()).unwrap_or_else(|| parts.uri.path().to_owned());
            err.into_response_with(
                &request_id,
                &host_id,
                &resource,
                parts.method == Method::HEAD,
            )
        }
    };
    let failed = response.status().is_client_error() || response.status().is_server_error();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-amz-request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(&host_id) {
        headers.insert("x-amz-id-2", value);
    }
    stamp_answer(headers, "AmazonS3", sent_a_body, failed);
    if preflight == Preflight::NotPreflight {
        cors::add_response_headers(origins, &parts.headers, headers);
    }
    response
}

/// The answer to a preflight this server refuses (another origin, or a method it does
/// not allow): 403 AccessForbidden without CORS headers, as S3 answers when no CORS
/// rule matches.
fn cors_refused() -> S3Error {
    S3Error::new(
        axum::http::StatusCode::FORBIDDEN,
        "AccessForbidden",
        "CORSResponse: This CORS request is not allowed.",
    )
}

/// Authenticates and routes one request.
async fn dispatch(
    state: &AppState,
    parts: &axum::http::request::Parts,
    host: &str,
    body: Body,
) -> S3Result<Response> {
    let query = jit_oss_protocol::encode::parse_query(parts.uri.query().unwrap_or(""));
    let mut header_pairs = header_pairs(&parts.headers);
    if !parts.headers.contains_key(header::HOST) && !host.is_empty() {
        header_pairs.push(("host".to_owned(), host.to_owned()));
    }
    let received = S3ReceivedRequest {
        method: parts.method.as_str(),
        raw_path: parts.uri.path(),
        query: &query,
        headers: &header_pairs,
    };
    let options = S3VerifyOptions {
        region: Some(state.config.region.clone()),
        max_skew: state.config.max_skew,
    };
    let verified = auth::authenticate(
        &received,
        &state.secrets,
        &options,
        state.config.allow_anonymous,
        SystemTime::now(),
    )?;
    let target = addressing::resolve(
        Some(host).filter(|h| !h.is_empty()),
        parts.uri.path(),
        &state.config.service_domains,
    )?;
    let ctx = Ctx {
        state,
        method: &parts.method,
        headers: &parts.headers,
        query: &query,
        host,
        verified: verified.as_ref(),
    };
    if let Some(name) = unsupported_sub_resource(&query, UNSUPPORTED) {
        return Err(S3Error::not_implemented(&format!(
            "The '{name}' sub-resource"
        )));
    }
    match (target.bucket.as_deref(), target.key.as_deref()) {
        (None, _) => match *ctx.method {
            Method::GET => bucket::list_buckets(&ctx),
            _ => Err(S3Error::method_not_allowed()),
        },
        (Some(b), None) => route_bucket(&ctx, b, body).await,
        (Some(b), Some(k)) => route_object(&ctx, b, k, body).await,
    }
}

/// Requests on a bucket (no key).
async fn route_bucket(ctx: &Ctx<'_>, b: &str, body: Body) -> S3Result<Response> {
    match *ctx.method {
        Method::GET if ctx.has("uploads") => multipart::list_uploads(ctx, b),
        Method::GET if ctx.has("location") => bucket::location(ctx, b),
        Method::GET if ctx.q("list-type") == Some("2") => bucket::list_v2(ctx, b),
        Method::GET if ctx.q("list-type").is_some_and(|t| !t.is_empty()) => {
            Err(S3Error::invalid_argument(
                "list-type must be 2.",
                "list-type",
                ctx.q("list-type").unwrap_or(""),
            ))
        }
        Method::GET => bucket::list_v1(ctx, b),
        Method::HEAD => bucket::head_bucket(ctx, b),
        Method::POST if ctx.has("delete") => delete::delete_objects(ctx, b, body).await,
        Method::PUT => bucket::create_bucket(ctx, b, body).await,
        Method::DELETE => bucket::delete_bucket(ctx, b).await,
        _ => Err(S3Error::method_not_allowed()),
    }
}

/// Requests on an object.
async fn route_object(ctx: &Ctx<'_>, b: &str, k: &str, body: Body) -> S3Result<Response> {
    let copy_source = ctx.header("x-amz-copy-source").map(str::to_owned);
    match *ctx.method {
        Method::PUT if ctx.has("uploadId") || ctx.has("partNumber") => {
            if copy_source.is_some() {
                return Err(S3Error::not_implemented("UploadPartCopy"));
            }
            multipart::upload_part(ctx, b, k, body).await
        }
        Method::PUT => match copy_source {
            Some(source) => object::copy(ctx, b, k, &source).await,
            None => object::put(ctx, b, k, body).await,
        },
        Method::POST if ctx.has("uploads") => multipart::initiate(ctx, b, k).await,
        Method::POST if ctx.has("uploadId") => multipart::complete(ctx, b, k, body).await,
        Method::GET if ctx.has("uploadId") => multipart::list_parts(ctx, b, k),
        Method::GET => object::get(ctx, b, k, false).await,
        Method::HEAD => object::get(ctx, b, k, true).await,
        Method::DELETE if ctx.has("uploadId") => multipart::abort(ctx, b, k).await,
        Method::DELETE => object::delete(ctx, b, k).await,
        _ => Err(S3Error::method_not_allowed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_16_hex_digits() {
        let id = new_request_id();
        assert_eq!(id.len(), 16);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
