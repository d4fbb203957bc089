//! Server-side signature verification for the local OSS server.
//!
//! [`verify`] accepts the four forms OSS clients send: V1 header (`Date` or
//! `x-oss-date`), V1 presigned query, V4 header (with or without a space after the
//! commas, fields in any order) and V4 presigned query, each with or without an STS
//! token. Signatures are compared in constant time. The clock is passed in.

use std::fmt;
use std::time::{Duration, SystemTime};

use crate::sign::{self, v1, v4, RequestView, SignatureVersion};

/// Largest clock difference accepted for header-signed requests (15 minutes).
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Latest V1 presigned `Expires` accepted, counted from the server's clock: V4's
/// longest lifetime (7 days) plus [`MAX_SKEW`].
pub const MAX_V1_PRESIGN_AHEAD: Duration =
    Duration::from_secs(v4::MAX_PRESIGN_EXPIRES + MAX_SKEW.as_secs());

/// A request as the server received it.
#[derive(Debug, Clone, Copy)]
pub struct ReceivedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Bucket; `None` for service-level requests.
    pub bucket: Option<&'a str>,
    /// Decoded object key; `None` for bucket-level requests.
    pub key: Option<&'a str>,
    /// Percent-decoded query pairs in received order; a bare `?acl` is `("acl", "")`.
    pub query: &'a [(String, String)],
    /// Lower-case header names, values as received.
    pub headers: &'a [(String, String)],
}

/// Looks up the secret of an access key id.
pub trait SecretLookup: Send + Sync {
    /// The secret for `access_key_id`, or `None` if the key is unknown.
    fn secret_for(&self, access_key_id: &str) -> Option<String>;
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key id that signed the request.
    pub access_key_id: String,
    /// The signature version used.
    pub version: SignatureVersion,
    /// Whether the signature came in the query (presigned URL).
    pub presigned: bool,
}

/// Why a request was not accepted. Each maps to an OSS error code (see
/// [`VerifyError::oss_code`]).
#[derive(thiserror::Error)]
pub enum VerifyError {
    /// No signature at all: the request is anonymous.
    #[error("request carries no signature")]
    Anonymous,
    /// The access key id is unknown.
    #[error("unknown access key id {access_key_id}")]
    InvalidAccessKeyId {
        /// The id the request named.
        access_key_id: String,
    },
    /// The signature does not match; `string_to_sign` is what the server computed
    /// (OSS returns it in the error body so the client can compare).
    #[error("signature does not match")]
    SignatureDoesNotMatch {
        /// The server's StringToSign.
        string_to_sign: String,
    },
    /// A presigned URL past its expiry (OSS answers `AccessDenied`).
    #[error("presigned request has expired")]
    Expired,
    /// A header-signed request whose date is more than 15 minutes off.
    #[error("request time differs too much from server time")]
    RequestTimeTooSkewed,
    /// The signature parameters are malformed (OSS answers `InvalidArgument` or
    /// `AccessDenied`).
    #[error("malformed signature: {0}")]
    Malformed(String),
}

impl fmt::Debug for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Anonymous => f.write_str("Anonymous"),
            VerifyError::InvalidAccessKeyId { access_key_id } => f
                .debug_struct("InvalidAccessKeyId")
                .field("access_key_id", access_key_id)
                .finish(),
            // The V1 StringToSign can contain the STS token: keep it out of logs.
            VerifyError::SignatureDoesNotMatch { string_to_sign } => f
                .debug_struct("SignatureDoesNotMatch")
                .field(
                    "string_to_sign",
                    &format_args!("<{} bytes>", string_to_sign.len()),
                )
                .finish(),
            VerifyError::Expired => f.write_str("Expired"),
            VerifyError::RequestTimeTooSkewed => f.write_str("RequestTimeTooSkewed"),
            VerifyError::Malformed(m) => f.debug_tuple("Malformed").field(m).finish(),
        }
    }
}

impl VerifyError {
    /// The OSS error code a server answers with.
    pub fn oss_code(&self) -> &'static str {
        match self {
            VerifyError::Anonymous | VerifyError::Expired => "AccessDenied",
            VerifyError::InvalidAccessKeyId { .. } => "InvalidAccessKeyId",
            VerifyError::SignatureDoesNotMatch { .. } => "SignatureDoesNotMatch",
            VerifyError::RequestTimeTooSkewed => "RequestTimeTooSkewed",
            VerifyError::Malformed(_) => "InvalidArgument",
        }
    }

    /// The HTTP status a server answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            VerifyError::Malformed(_) => 400,
            _ => 403,
        }
    }
}

fn malformed(msg: impl Into<String>) -> VerifyError {
    VerifyError::Malformed(msg.into())
}

fn query_value<'a>(req: &'a ReceivedRequest<'_>, name: &str) -> Option<&'a str> {
    req.query
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn header_value<'a>(req: &'a ReceivedRequest<'_>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn view<'a>(req: &'a ReceivedRequest<'_>) -> RequestView<'a> {
    RequestView {
        method: req.method,
        bucket: req.bucket,
        key: req.key,
        query: req
            .query
            .iter()
            .map(|(n, v)| (n.as_str(), Some(v.as_str())))
            .collect(),
        headers: req
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect(),
    }
}

fn abs_diff(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b).unwrap_or_else(|e| e.duration())
}

fn lookup(secrets: &dyn SecretLookup, ak: &str) -> Result<String, VerifyError> {
    if ak.is_empty() {
        return Err(malformed("empty access key id"));
    }
    secrets
        .secret_for(ak)
        .ok_or_else(|| VerifyError::InvalidAccessKeyId {
            access_key_id: ak.to_owned(),
        })
}

/// Verifies the signature of a received request at time `now`.
///
/// An `Authorization` header takes precedence over query signatures; a request with
/// neither is [`VerifyError::Anonymous`].
pub fn verify(
    req: &ReceivedRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    if let Some(auth) = header_value(req, "authorization") {
        let auth = auth.trim();
        if let Some(rest) = auth.strip_prefix(v4::ALGORITHM) {
            if rest.starts_with(' ') {
                return verify_v4_header(req, rest.trim_start(), secrets, now);
            }
        }
        if let Some(rest) = auth.strip_prefix("OSS ") {
            return verify_v1_header(req, rest.trim(), secrets, now);
        }
        return Err(malformed("unsupported Authorization scheme"));
    }
    if query_value(req, "x-oss-signature").is_some()
        || query_value(req, "x-oss-signature-version").is_some()
    {
        return verify_v4_query(req, secrets, now);
    }
    if query_value(req, "Signature").is_some() || query_value(req, "OSSAccessKeyId").is_some() {
        return verify_v1_query(req, secrets, now);
    }
    Err(VerifyError::Anonymous)
}

fn verify_v1_header(
    req: &ReceivedRequest<'_>,
    credential: &str,
    secrets: &dyn SecretLookup,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    let (ak, sig) = credential
        .rsplit_once(':')
        .ok_or_else(|| malformed("V1 Authorization must be `OSS AccessKeyId:Signature`"))?;
    let ak = ak.trim();
    let secret = lookup(secrets, ak)?;
    let v = view(req);
    let date = v1::header_date(&v)
        .ok_or_else(|| malformed("V1 header signing needs a Date or x-oss-date header"))?
        .to_owned();
    let when = sign::parse_http_date(&date).ok_or_else(|| malformed("invalid Date header"))?;
    if abs_diff(now, when) > MAX_SKEW {
        return Err(VerifyError::RequestTimeTooSkewed);
    }
    let sts = v1::string_to_sign(&v, &date);
    if !v1::signature_matches(&secret, &sts, sig) {
        return Err(VerifyError::SignatureDoesNotMatch {
            string_to_sign: sts,
        });
    }
    Ok(Verified {
        access_key_id: ak.to_owned(),
        version: SignatureVersion::V1,
        presigned: false,
    })
}

fn verify_v1_query(
    req: &ReceivedRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    let ak =
        query_value(req, "OSSAccessKeyId").ok_or_else(|| malformed("missing OSSAccessKeyId"))?;
    let sig = query_value(req, "Signature").ok_or_else(|| malformed("missing Signature"))?;
    let expires = query_value(req, "Expires").ok_or_else(|| malformed("missing Expires"))?;
    let expires_at: u64 = expires
        .trim()
        .parse()
        .map_err(|_| malformed("Expires must be a Unix time in seconds"))?;
    let secret = lookup(secrets, ak)?;
    let now_secs = sign::unix_seconds(now).unwrap_or(0);
    if now_secs > expires_at {
        return Err(VerifyError::Expired);
    }
    // V1's Expires is absolute and says nothing of when the URL was signed; a URL that
    // is valid for longer than any V4 URL may be (7 days, plus the clock skew allowed)
    // is refused, so that a leaked URL cannot stay usable for years.
    if expires_at - now_secs > MAX_V1_PRESIGN_AHEAD.as_secs() {
        return Err(malformed(format!(
            "Expires must be at most {} seconds after the current time",
            MAX_V1_PRESIGN_AHEAD.as_secs()
        )));
    }
    let sts = v1::string_to_sign(&view(req), expires);
    if !v1::signature_matches(&secret, &sts, sig) {
        return Err(VerifyError::SignatureDoesNotMatch {
            string_to_sign: sts,
        });
    }
    Ok(Verified {
        access_key_id: ak.to_owned(),
        version: SignatureVersion::V1,
        presigned: true,
    })
}

/// The parts of a V4 credential `ak/date/region/product/aliyun_v4_request`.
struct Scope<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    product: &'a str,
}

fn parse_credential(credential: &str) -> Result<Scope<'_>, VerifyError> {
    // The access key id itself never contains '/', so split from the right.
    let mut parts = credential.rsplitn(5, '/');
    let terminator = parts.next().unwrap_or("");
    let product = parts.next().unwrap_or("");
    let region = parts.next().unwrap_or("");
    let date = parts.next().unwrap_or("");
    let access_key_id = parts.next().unwrap_or("");
    if terminator != v4::TERMINATOR || product.is_empty() || region.is_empty() {
        return Err(malformed(
            "credential must be AccessKeyId/yyyymmdd/region/oss/aliyun_v4_request",
        ));
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed("credential date must be yyyymmdd"));
    }
    if access_key_id.is_empty() {
        return Err(malformed("credential has no access key id"));
    }
    Ok(Scope {
        access_key_id,
        date,
        region,
        product,
    })
}

/// Parses the additional-headers list `a;b;c` into lower-case names.
fn parse_additional(list: &str) -> Vec<String> {
    let mut v: Vec<String> = list
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn check_v4_signature(
    req: &ReceivedRequest<'_>,
    scope: &Scope<'_>,
    datetime: &str,
    additional: &[String],
    secret: &str,
    provided: &str,
) -> Result<(), VerifyError> {
    let v = view(req);
    let creq = v4::canonical_request(&v, additional);
    let scope_str = v4::scope_for_product(scope.date, scope.region, scope.product);
    let sts = v4::string_to_sign(datetime, &scope_str, &creq);
    let key = v4::signing_key_for_product(secret, scope.date, scope.region, scope.product);
    if v4::signature_matches(&key, &sts, provided) {
        Ok(())
    } else {
        Err(VerifyError::SignatureDoesNotMatch {
            string_to_sign: sts,
        })
    }
}

fn verify_v4_header(
    req: &ReceivedRequest<'_>,
    fields: &str,
    secrets: &dyn SecretLookup,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    let mut credential = None;
    let mut additional = None;
    let mut signature = None;
    for field in fields.split(',') {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let (name, value) = field
            .split_once('=')
            .ok_or_else(|| malformed("V4 Authorization fields must be Name=Value"))?;
        match name.trim() {
            "Credential" => credential = Some(value.trim()),
            "AdditionalHeaders" => additional = Some(value.trim()),
            "Signature" => signature = Some(value.trim()),
            _ => return Err(malformed("unknown field in V4 Authorization")),
        }
    }
    let credential = credential.ok_or_else(|| malformed("V4 Authorization lacks Credential"))?;
    let signature = signature.ok_or_else(|| malformed("V4 Authorization lacks Signature"))?;
    let scope = parse_credential(credential)?;
    let secret = lookup(secrets, scope.access_key_id)?;
    let datetime = header_value(req, "x-oss-date")
        .map(str::trim)
        .ok_or_else(|| malformed("V4 header signing needs x-oss-date"))?;
    let when = sign::parse_v4_datetime(datetime)
        .ok_or_else(|| malformed("x-oss-date must be yyyymmddThhmmssZ"))?;
    if !datetime.starts_with(scope.date) {
        return Err(malformed("credential date does not match x-oss-date"));
    }
    if abs_diff(now, when) > MAX_SKEW {
        return Err(VerifyError::RequestTimeTooSkewed);
    }
    let additional = parse_additional(additional.unwrap_or(""));
    check_v4_signature(req, &scope, datetime, &additional, &secret, signature)?;
    Ok(Verified {
        access_key_id: scope.access_key_id.to_owned(),
        version: SignatureVersion::V4,
        presigned: false,
    })
}

fn verify_v4_query(
    req: &ReceivedRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    let version = query_value(req, "x-oss-signature-version")
        .ok_or_else(|| malformed("missing x-oss-signature-version"))?;
    if version != v4::ALGORITHM {
        return Err(malformed(
            "x-oss-signature-version must be OSS4-HMAC-SHA256",
        ));
    }
    let credential = query_value(req, "x-oss-credential")
        .ok_or_else(|| malformed("missing x-oss-credential"))?;
    let datetime = query_value(req, "x-oss-date").ok_or_else(|| malformed("missing x-oss-date"))?;
    let expires =
        query_value(req, "x-oss-expires").ok_or_else(|| malformed("missing x-oss-expires"))?;
    let signature =
        query_value(req, "x-oss-signature").ok_or_else(|| malformed("missing x-oss-signature"))?;
    let scope = parse_credential(credential)?;
    let when = sign::parse_v4_datetime(datetime)
        .ok_or_else(|| malformed("x-oss-date must be yyyymmddThhmmssZ"))?;
    if !datetime.starts_with(scope.date) {
        return Err(malformed("credential date does not match x-oss-date"));
    }
    let expires: u64 = expires
        .parse()
        .map_err(|_| malformed("x-oss-expires must be a number of seconds"))?;
    if !(1..=v4::MAX_PRESIGN_EXPIRES).contains(&expires) {
        return Err(malformed("x-oss-expires must be 1..=604800"));
    }
    let secret = lookup(secrets, scope.access_key_id)?;
    if when > now && abs_diff(when, now) > MAX_SKEW {
        return Err(VerifyError::RequestTimeTooSkewed);
    }
    let expiry = when
        .checked_add(Duration::from_secs(expires))
        .ok_or_else(|| malformed("x-oss-expires out of range"))?;
    if now > expiry {
        return Err(VerifyError::Expired);
    }
    let additional = parse_additional(query_value(req, "x-oss-additional-headers").unwrap_or(""));
    check_v4_signature(req, &scope, datetime, &additional, &secret, signature)?;
    Ok(Verified {
        access_key_id: scope.access_key_id.to_owned(),
        version: SignatureVersion::V4,
        presigned: true,
    })
}
