//! CORS for browser uploads and downloads: a page served from another origin (e.g.
//! `http://127.0.0.1:5173`) PUTs to a presigned URL on the local server.
//!
//! Both servers use it the same way, with their configured `cors_origins` (exact
//! origins such as `http://127.0.0.1:5173`, or `*` for any):
//!
//! - No configured origin: CORS is off and nothing here changes an answer.
//! - A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is
//!   answered before the signature is checked (browsers send preflights without
//!   credentials): [`Preflight::Allowed`] becomes a 200 with
//!   `Access-Control-Allow-Origin` (the request's origin), `-Allow-Methods`,
//!   `-Allow-Headers` (the requested ones, echoed), `-Max-Age` and `Vary: Origin`
//!   ([`preflight_response`]); [`Preflight::Refused`] (another origin, or a method
//!   not in [`ALLOWED_METHODS`]) becomes the server's own 403 error answer, without
//!   CORS headers.
//! - Every other answer to a request whose `Origin` is allowed, errors included,
//!   gets `Access-Control-Allow-Origin`, `Vary: Origin` and
//!   `Access-Control-Expose-Headers` ([`EXPOSED_HEADERS`]) ([`add_response_headers`]).

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;

/// The methods a preflight may ask for.
pub const ALLOWED_METHODS: &str = "GET, PUT, POST, DELETE, HEAD";

/// How long a browser may cache a preflight answer, in seconds.
pub const MAX_AGE_SECS: u32 = 3600;

/// The response headers a page's script may read.
pub const EXPOSED_HEADERS: &str = "ETag, Content-Length, Content-Range, Last-Modified, \
     x-oss-request-id, x-oss-hash-crc64ecma, x-oss-object-type, \
     x-oss-next-append-position, x-oss-version-id, x-amz-request-id, x-amz-id-2, \
     x-amz-version-id, x-amz-checksum-crc32, x-amz-checksum-crc32c, \
     x-amz-checksum-crc64nvme, x-amz-checksum-sha1, x-amz-checksum-sha256";

/// What to do with a request before authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preflight {
    /// Not a preflight, or CORS is off: handle the request as usual.
    NotPreflight,
    /// A preflight from an allowed origin for an allowed method: answer it with
    /// [`preflight_response`].
    Allowed,
    /// A preflight this server refuses: answer 403 without CORS headers.
    Refused,
}

/// Checks configured origins: each is `*` or `scheme://host[:port]` (no path, no
/// trailing slash, no spaces). The error names the bad origin.
pub fn check_origins(origins: &[String]) -> Result<(), String> {
    for origin in origins {
        if origin == "*" {
            continue;
        }
        let rest = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        let valid = rest.is_some_and(|host| {
            !host.is_empty()
                && !host.contains('/')
                && host.bytes().all(|b| b.is_ascii_graphic())
                && HeaderValue::from_str(origin).is_ok()
        });
        if !valid {
            return Err(format!(
                "{origin:?}: an origin is `*` or scheme://host[:port], e.g. http://127.0.0.1:5173"
            ));
        }
    }
    Ok(())
}

/// The request's `Origin` if `origins` allows it (exact match, ignoring ASCII case,
/// or `*`).
pub fn allowed_origin<'h>(origins: &[String], headers: &'h HeaderMap) -> Option<&'h str> {
    if origins.is_empty() {
        return None;
    }
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    origins
        .iter()
        .any(|o| o == "*" || o.eq_ignore_ascii_case(origin))
        .then_some(origin)
}

/// Whether the request is a preflight, and if so whether it is allowed.
pub fn classify(origins: &[String], method: &Method, headers: &HeaderMap) -> Preflight {
    if origins.is_empty()
        || method != Method::OPTIONS
        || !headers.contains_key(header::ORIGIN)
        || !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return Preflight::NotPreflight;
    }
    let method_ok = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .is_some_and(|m| ALLOWED_METHODS.split(", ").any(|allowed| allowed == m));
    if method_ok && allowed_origin(origins, headers).is_some() {
        Preflight::Allowed
    } else {
        Preflight::Refused
    }
}

/// The 200 answer to an allowed preflight (see [`classify`]); an empty body.
pub fn preflight_response(origins: &[String], headers: &HeaderMap) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::OK;
    let out = response.headers_mut();
    if let Some(origin) = allowed_origin(origins, headers).and_then(|o| o.parse().ok()) {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOWED_METHODS),
    );
    if let Some(requested) = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        out.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, requested.clone());
    }
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from(MAX_AGE_SECS),
    );
    out.insert(header::VARY, HeaderValue::from_static("Origin"));
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    response
}

/// Adds `Access-Control-Allow-Origin`, `Vary: Origin` and
/// `Access-Control-Expose-Headers` to an answer (`out`) to a request (`request`)
/// whose origin `origins` allows; nothing otherwise.
pub fn add_response_headers(origins: &[String], request: &HeaderMap, out: &mut HeaderMap) {
    let Some(origin) = allowed_origin(origins, request).and_then(|o| o.parse().ok()) else {
        return;
    };
    out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    out.append(header::VARY, HeaderValue::from_static("Origin"));
    out.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSED_HEADERS),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn origins_are_checked() {
        let ok = ["*", "http://127.0.0.1:5173", "https://app.example.com"];
        check_origins(&ok.map(String::from)).unwrap();
        for bad in [
            "",
            "127.0.0.1:5173",
            "http://",
            "http://a/b",
            "ftp://x",
            "http://a b",
        ] {
            let err = check_origins(&[bad.to_owned()]).unwrap_err();
            assert!(err.contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn preflights_are_classified() {
        let origins = vec!["http://127.0.0.1:5173".to_owned()];
        let preflight = headers(&[
            ("origin", "http://127.0.0.1:5173"),
            ("access-control-request-method", "PUT"),
        ]);
        assert_eq!(
            classify(&origins, &Method::OPTIONS, &preflight),
            Preflight::Allowed
        );
        assert_eq!(
            classify(&[], &Method::OPTIONS, &preflight),
            Preflight::NotPreflight
        );
        assert_eq!(
            classify(&origins, &Method::PUT, &preflight),
            Preflight::NotPreflight
        );
        let other = headers(&[
            ("origin", "http://evil.example"),
            ("access-control-request-method", "PUT"),
        ]);
        assert_eq!(
            classify(&origins, &Method::OPTIONS, &other),
            Preflight::Refused
        );
        let patch = headers(&[
            ("origin", "http://127.0.0.1:5173"),
            ("access-control-request-method", "PATCH"),
        ]);
        assert_eq!(
            classify(&origins, &Method::OPTIONS, &patch),
            Preflight::Refused
        );
        assert_eq!(
            classify(&["*".to_owned()], &Method::OPTIONS, &other),
            Preflight::Allowed
        );
    }

    #[test]
    fn answers_get_headers_only_for_allowed_origins() {
        let origins = vec!["http://a.test".to_owned()];
        let mut out = HeaderMap::new();
        add_response_headers(&origins, &headers(&[("origin", "http://b.test")]), &mut out);
        assert!(out.is_empty());
        add_response_headers(&[], &headers(&[("origin", "http://a.test")]), &mut out);
        assert!(out.is_empty());
        add_response_headers(&origins, &headers(&[("origin", "http://a.test")]), &mut out);
        assert_eq!(out["access-control-allow-origin"], "http://a.test");
        assert_eq!(out["vary"], "Origin");
        assert!(out["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("ETag"));
    }
}
