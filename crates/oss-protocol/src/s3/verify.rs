//! Server-side verification of SigV4-signed S3 requests, header and presigned, with
//! or without an STS session token. Signatures are compared in constant time, the
//! clock is passed in, and no input makes it panic.
//!
//! The canonical URI is the received path decoded and encoded again (S3's rule, which
//! every SDK follows); a client that encoded its path otherwise (`%2F`, lower-case hex)
//! is also accepted when its path exactly as received matches.

use std::fmt;
use std::time::{Duration, SystemTime};

use super::chunked::ChunkChain;
use super::decode::ChunkedDecoder;
use super::error::S3VerifyError;
use super::request::{
    canonical_request, canonical_uri, PayloadHash, ALGORITHM, AMZ_CONTENT_SHA256, AMZ_DATE,
    AMZ_SECURITY_TOKEN, MAX_PRESIGN_EXPIRES, SERVICE, UNSIGNED_PAYLOAD, X_AMZ_ALGORITHM,
    X_AMZ_CREDENTIAL, X_AMZ_DATE, X_AMZ_EXPIRES, X_AMZ_SIGNATURE, X_AMZ_SIGNED_HEADERS,
};
use crate::encode::decode_component;
use crate::sign::{format_v4_datetime, parse_http_date, parse_v4_datetime};
use crate::v4core::{SigningKey, AWS4};
use crate::verify::SecretLookup;

/// A request as the server received it. `Debug` hides the session token.
#[derive(Clone, Copy)]
pub struct S3ReceivedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The path exactly as on the request line (percent-encoded), without the query.
    pub raw_path: &'a str,
    /// Percent-decoded query pairs in received order; a bare `?uploads` is
    /// `("uploads", "")` (see [`crate::encode::parse_query`]).
    pub query: &'a [(String, String)],
    /// Headers as received (names in any case). Must include `host` (with HTTP/2, the
    /// `:authority`).
    pub headers: &'a [(String, String)],
}

impl fmt::Debug for S3ReceivedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hide = |pairs: &'_ [(String, String)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| {
                    let secret = n.eq_ignore_ascii_case(AMZ_SECURITY_TOKEN);
                    (n.clone(), if secret { "***".to_owned() } else { v.clone() })
                })
                .collect()
        };
        f.debug_struct("S3ReceivedRequest")
            .field("method", &self.method)
            .field("raw_path", &self.raw_path)
            .field("query", &hide(self.query))
            .field("headers", &hide(self.headers))
            .finish()
    }
}

/// What the verifier allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3VerifyOptions {
    /// The server's region: a credential scoped to another region is refused
    /// (`AuthorizationHeaderMalformed`). `None` accepts any region.
    pub region: Option<String>,
    /// Largest clock difference accepted (S3: 15 minutes).
    pub max_skew: Duration,
}

impl Default for S3VerifyOptions {
    fn default() -> Self {
        S3VerifyOptions {
            region: None,
            max_skew: Duration::from_secs(15 * 60),
        }
    }
}

/// What a successful verification established. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct S3Verified {
    /// The access key id that signed the request.
    pub access_key_id: String,
    /// Whether the signature came in the query (presigned URL).
    pub presigned: bool,
    /// The region of the credential scope.
    pub region: String,
    /// The signing time `yyyymmddThhmmssZ`.
    pub datetime: String,
    /// The signed header names, as listed by the request.
    pub signed_headers: Vec<String>,
    /// What the signature says about the body; a [`PayloadHash::Sha256`] body must
    /// still be hashed and compared by the server (`XAmzContentSHA256Mismatch`).
    pub payload: PayloadHash,
    chain: Option<ChunkChain>,
}

impl S3Verified {
    /// The chunk-signature chain of a body sent with signed chunks.
    pub fn chunk_chain(&self) -> Option<ChunkChain> {
        self.chain.clone()
    }

    /// The decoder of an `aws-chunked` body (`STREAMING-*` payloads), checking chunk
    /// and trailer signatures where the payload is signed; `None` for other bodies.
    pub fn chunked_decoder(&self) -> Option<ChunkedDecoder> {
        match (&self.payload, &self.chain) {
            (PayloadHash::StreamingUnsignedTrailer, _) => Some(ChunkedDecoder::unsigned()),
            (p, Some(chain)) if p.has_signed_chunks() => {
                Some(ChunkedDecoder::signed(chain.clone(), p.has_trailer()))
            }
            _ => None,
        }
    }
}

/// Verifies a received request at time `now` with the default options (any region,
/// 15 minutes of skew).
pub fn verify(
    req: &S3ReceivedRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SystemTime,
) -> Result<S3Verified, S3VerifyError> {
    verify_with(req, secrets, now, &S3VerifyOptions::default())
}

/// Verifies a received request at time `now`: `Authorization` header or `X-Amz-*`
/// query parameters (both at once is refused); neither is [`S3VerifyError::Anonymous`].
pub fn verify_with(
    req: &S3ReceivedRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SystemTime,
    options: &S3VerifyOptions,
) -> Result<S3Verified, S3VerifyError> {
    let auth = header(req, "authorization");
    let query_auth = [X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_SIGNATURE]
        .iter()
        .any(|n| query(req, n).is_some());
    let v2_query = query(req, "AWSAccessKeyId").is_some() || query(req, "Signature").is_some();
    match (auth, query_auth || v2_query) {
        (Some(_), true) => Err(S3VerifyError::InvalidArgument(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, \
             Signature query string parameter or the Authorization header should be specified"
                .to_owned(),
        )),
        (Some(auth), false) => verify_header(req, auth, secrets, now, options),
        (None, true) if query_auth => verify_query(req, secrets, now, options),
        (None, true) => Err(S3VerifyError::UnsupportedMechanism),
        (None, false) => Err(S3VerifyError::Anonymous),
    }
}

fn header<'a>(req: &'a S3ReceivedRequest<'_>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn query<'a>(req: &'a S3ReceivedRequest<'_>, name: &str) -> Option<&'a str> {
    req.query
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[derive(Clone, Copy)]
enum Form {
    Header,
    Query,
}

impl Form {
    fn malformed(self, msg: impl Into<String>) -> S3VerifyError {
        match self {
            Form::Header => S3VerifyError::AuthorizationHeaderMalformed(msg.into()),
            Form::Query => S3VerifyError::AuthorizationQueryParametersError(msg.into()),
        }
    }
}

/// The parts of `ak/yyyymmdd/region/s3/aws4_request`.
struct Credential<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
}

fn parse_credential<'a>(
    form: Form,
    credential: &'a str,
    options: &S3VerifyOptions,
) -> Result<Credential<'a>, S3VerifyError> {
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts[..] else {
        return Err(form.malformed(
            "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"",
        ));
    };
    if access_key_id.is_empty()
        || region.is_empty()
        || date.len() != 8
        || !date.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(form.malformed(
            "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"",
        ));
    }
    if service != SERVICE {
        return Err(form.malformed(format!(
            "incorrect service \"{service}\"; this endpoint belongs to \"{SERVICE}\""
        )));
    }
    if terminator != AWS4.terminator {
        return Err(form.malformed(format!(
            "incorrect terminal \"{terminator}\"; this endpoint uses \"{}\"",
            AWS4.terminator
        )));
    }
    if let Some(expected) = &options.region {
        if region != expected {
            return Err(form.malformed(format!(
                "the region '{region}' is wrong; expecting '{expected}'"
            )));
        }
    }
    Ok(Credential {
        access_key_id,
        date,
        region,
    })
}

fn parse_signed_headers(form: Form, list: &str) -> Result<Vec<String>, S3VerifyError> {
    let names: Vec<String> = list.split(';').map(str::to_ascii_lowercase).collect();
    if names.iter().any(|n| !crate::sign::is_header_name(n)) {
        return Err(form.malformed("SignedHeaders must be header names separated by ';'"));
    }
    Ok(names)
}

/// `host` and every `x-amz-*` header present must be signed.
fn check_all_signed(req: &S3ReceivedRequest<'_>, signed: &[String]) -> Result<(), S3VerifyError> {
    let mut missing: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n == "host" || n.starts_with(AWS4.header_prefix))
        .filter(|n| !signed.contains(n))
        .collect();
    if !signed.iter().any(|s| s == "host") && !missing.iter().any(|m| m == "host") {
        missing.push("host".to_owned());
    }
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(S3VerifyError::HeadersNotSigned(missing))
    }
}

fn lookup(secrets: &dyn SecretLookup, access_key_id: &str) -> Result<String, S3VerifyError> {
    secrets
        .secret_for(access_key_id)
        .ok_or_else(|| S3VerifyError::InvalidAccessKeyId {
            access_key_id: access_key_id.to_owned(),
        })
}

fn parse_payload(value: &str) -> Result<PayloadHash, S3VerifyError> {
    PayloadHash::parse(value.trim()).ok_or_else(|| {
        S3VerifyError::InvalidArgument(
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, \
             STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or \
             a valid sha256 value"
                .to_owned(),
        )
    })
}

fn abs_diff(a: SystemTime, b: SystemTime) -> Duration {
    a.duration_since(b).unwrap_or_else(|e| e.duration())
}

/// Everything the signature check needs once the syntax has been accepted.
struct Check<'a> {
    credential: Credential<'a>,
    datetime: &'a str,
    signed: Vec<String>,
    signature: &'a str,
    payload: PayloadHash,
    presigned: bool,
}

fn check_signature(
    req: &S3ReceivedRequest<'_>,
    check: Check<'_>,
    secret: &str,
) -> Result<S3Verified, S3VerifyError> {
    let Check {
        credential,
        datetime,
        signed,
        signature,
        payload,
        presigned,
    } = check;
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let query = || {
        req.query
            .iter()
            .filter(|(n, _)| !(presigned && n == X_AMZ_SIGNATURE))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    };
    let scope = AWS4.scope(credential.date, credential.region, SERVICE);
    let key: SigningKey = AWS4.signing_key(secret, credential.date, credential.region, SERVICE);
    let normalised = canonical_uri(&decode_component(req.raw_path));
    let mut uris = vec![normalised];
    if req.raw_path.starts_with('/') && req.raw_path != uris[0] {
        uris.push(req.raw_path.to_owned());
    }
    let mut first_failure = None;
    for uri in &uris {
        let creq = canonical_request(
            req.method,
            uri,
            query(),
            &headers,
            &signed,
            payload.as_str(),
        );
        let sts = AWS4.string_to_sign(datetime, &scope, &creq);
        if key.matches(&sts, signature) {
            let chain = payload
                .has_signed_chunks()
                .then(|| ChunkChain::new(key, datetime, scope.clone(), signature));
            return Ok(S3Verified {
                access_key_id: credential.access_key_id.to_owned(),
                presigned,
                region: credential.region.to_owned(),
                datetime: datetime.to_owned(),
                signed_headers: signed,
                payload,
                chain,
            });
        }
        first_failure.get_or_insert((creq, sts));
    }
    let (canonical_request, string_to_sign) = first_failure.unwrap_or_default();
    Err(S3VerifyError::SignatureDoesNotMatch {
        access_key_id: credential.access_key_id.to_owned(),
        canonical_request,
        string_to_sign,
        signature_provided: signature.to_owned(),
    })
}

fn verify_header(
    req: &S3ReceivedRequest<'_>,
    auth: &str,
    secrets: &dyn SecretLookup,
    now: SystemTime,
    options: &S3VerifyOptions,
) -> Result<S3Verified, S3VerifyError> {
    let form = Form::Header;
    let auth = auth.trim();
    let fields = match auth.strip_prefix(ALGORITHM) {
        Some(rest) if rest.is_empty() || rest.starts_with([' ', '\t']) => rest,
        _ => return Err(S3VerifyError::UnsupportedMechanism),
    };
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for field in fields.split(',') {
        let field = field.trim();
        if field.is_empty() {
            continue;
        }
        let (name, value) = field
            .split_once('=')
            .ok_or_else(|| form.malformed(format!("malformed field \"{field}\"")))?;
        let slot = match name.trim() {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            other => return Err(form.malformed(format!("unknown field \"{other}\""))),
        };
        if slot.replace(value.trim()).is_some() {
            return Err(form.malformed(format!("field \"{}\" given twice", name.trim())));
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(form
            .malformed("the Authorization header needs Credential, SignedHeaders and Signature"));
    };
    let credential = parse_credential(form, credential, options)?;
    let signed = parse_signed_headers(form, signed)?;
    let secret = lookup(secrets, credential.access_key_id)?;
    let date_header;
    let (datetime, when) = match header(req, AMZ_DATE) {
        Some(d) => {
            let d = d.trim();
            (d, parse_v4_datetime(d).ok_or(S3VerifyError::MissingDate)?)
        }
        None => {
            let when = header(req, "date")
                .and_then(parse_http_date)
                .ok_or(S3VerifyError::MissingDate)?;
            date_header = format_v4_datetime(when).map_err(|_| S3VerifyError::MissingDate)?;
            (date_header.as_str(), when)
        }
    };
    if !datetime.starts_with(credential.date) {
        return Err(form.malformed("Invalid credential date. Date is not the same as X-Amz-Date."));
    }
    if abs_diff(now, when) > options.max_skew {
        return Err(S3VerifyError::RequestTimeTooSkewed {
            request_time: when,
            server_time: now,
        });
    }
    let payload =
        parse_payload(header(req, AMZ_CONTENT_SHA256).ok_or(S3VerifyError::MissingContentSha256)?)?;
    check_all_signed(req, &signed)?;
    let check = Check {
        credential,
        datetime,
        signed,
        signature,
        payload,
        presigned: false,
    };
    check_signature(req, check, &secret)
}

fn verify_query(
    req: &S3ReceivedRequest<'_>,
    secrets: &dyn SecretLookup,
    now: SystemTime,
    options: &S3VerifyOptions,
) -> Result<S3Verified, S3VerifyError> {
    let form = Form::Query;
    let params = (
        query(req, X_AMZ_ALGORITHM),
        query(req, X_AMZ_CREDENTIAL),
        query(req, X_AMZ_DATE),
        query(req, X_AMZ_EXPIRES),
        query(req, X_AMZ_SIGNED_HEADERS),
        query(req, X_AMZ_SIGNATURE),
    );
    let (
        Some(algorithm),
        Some(credential),
        Some(datetime),
        Some(expires),
        Some(signed),
        Some(signature),
    ) = params
    else {
        return Err(form.malformed(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, \
             X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and \
             X-Amz-Expires parameters.",
        ));
    };
    if algorithm != ALGORITHM {
        return Err(form.malformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""));
    }
    let credential = parse_credential(form, credential, options)?;
    let when = parse_v4_datetime(datetime).ok_or_else(|| {
        form.malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    })?;
    if !datetime.starts_with(credential.date) {
        return Err(form.malformed("Invalid credential date. Date is not the same as X-Amz-Date."));
    }
    if expires.is_empty() || !expires.bytes().all(|b| b.is_ascii_digit()) {
        return Err(form.malformed("X-Amz-Expires should be a number"));
    }
    let expires_secs: u64 = expires.parse().unwrap_or(u64::MAX);
    if expires_secs > MAX_PRESIGN_EXPIRES {
        return Err(
            form.malformed("X-Amz-Expires must be less than a week (in seconds) that is 604800")
        );
    }
    if expires_secs == 0 {
        return Err(form.malformed("X-Amz-Expires must be at least 1 second"));
    }
    let signed = parse_signed_headers(form, signed)?;
    let secret = lookup(secrets, credential.access_key_id)?;
    if when > now && abs_diff(when, now) > options.max_skew {
        return Err(S3VerifyError::RequestTimeTooSkewed {
            request_time: when,
            server_time: now,
        });
    }
    let expiry = when
        .checked_add(Duration::from_secs(expires_secs))
        .ok_or_else(|| form.malformed("X-Amz-Date is out of range"))?;
    if now > expiry {
        return Err(S3VerifyError::Expired {
            expires: expiry,
            server_time: now,
        });
    }
    let payload = match header(req, AMZ_CONTENT_SHA256).or_else(|| {
        req.query
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(AMZ_CONTENT_SHA256))
            .map(|(_, v)| v.as_str())
    }) {
        Some(v) => parse_payload(v)?,
        None => parse_payload(UNSIGNED_PAYLOAD)?,
    };
    check_all_signed(req, &signed)?;
    let check = Check {
        credential,
        datetime,
        signed,
        signature,
        payload,
        presigned: true,
    };
    check_signature(req, check, &secret)
}
