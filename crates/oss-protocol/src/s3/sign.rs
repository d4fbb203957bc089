//! AWS SigV4 signing of S3 requests: header form (`Authorization: AWS4-HMAC-SHA256
//! Credential=…, SignedHeaders=…, Signature=…` with `x-amz-date`,
//! `x-amz-content-sha256` and, for STS credentials, `x-amz-security-token`) and
//! presigned form (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
//! `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Security-Token`, `X-Amz-Signature`).
//! The clock is passed in.

use std::fmt;
use std::time::SystemTime;

use super::chunked::ChunkChain;
use super::request::{
    canonical_request, signed_header_names, PayloadHash, S3Request, ALGORITHM, AMZ_CONTENT_SHA256,
    AMZ_DATE, AMZ_SECURITY_TOKEN, MAX_PRESIGN_EXPIRES, PRESIGN_PARAMS, SERVICE, UNSIGNED_PAYLOAD,
    X_AMZ_ALGORITHM, X_AMZ_CREDENTIAL, X_AMZ_DATE, X_AMZ_EXPIRES, X_AMZ_SECURITY_TOKEN,
    X_AMZ_SIGNATURE, X_AMZ_SIGNED_HEADERS,
};
use crate::credentials::Credentials;
use crate::sign::{format_v4_datetime, SignError};
use crate::v4core::{SigningKey, AWS4};

/// The S3 signing key of `secret` for `date` (`yyyymmdd`) and `region`: HMAC-SHA256
/// chain over `"AWS4" + secret` → date → region → `s3` → `aws4_request`. Derive it once
/// a day and pass it to [`sign_header_with_key`].
pub fn signing_key(secret: &str, date: &str, region: &str) -> SigningKey {
    AWS4.signing_key(secret, date, region, SERVICE)
}

/// The credential scope `yyyymmdd/region/s3/aws4_request`.
pub fn scope(date: &str, region: &str) -> String {
    AWS4.scope(date, region, SERVICE)
}

/// What a header signature produced: the seed an `aws-chunked` body with signed chunks
/// chains from (see [`HeaderSignature::chunk_chain`]). `Debug` shows neither the key
/// nor the canonical request (which holds the session token).
#[derive(Clone)]
pub struct HeaderSignature {
    /// The signature in `Authorization`.
    pub signature: String,
    /// The signing time `yyyymmddThhmmssZ` (`x-amz-date`).
    pub datetime: String,
    /// The credential scope `yyyymmdd/region/s3/aws4_request`.
    pub scope: String,
    /// The canonical request that was signed (it may hold the session token).
    pub canonical_request: String,
    key: SigningKey,
}

impl fmt::Debug for HeaderSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("signature", &self.signature)
            .field("datetime", &self.datetime)
            .field("scope", &self.scope)
            .field(
                "canonical_request",
                &format_args!("<{} bytes>", self.canonical_request.len()),
            )
            .field("key", &self.key)
            .finish()
    }
}

impl HeaderSignature {
    /// The chunk-signature chain seeded with this signature, for a body sent as
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)`.
    pub fn chunk_chain(&self) -> ChunkChain {
        ChunkChain::new(
            self.key,
            self.datetime.clone(),
            self.scope.clone(),
            self.signature.clone(),
        )
    }
}

fn check_request(req: &S3Request, region: &str) -> Result<(), SignError> {
    if region.is_empty() {
        return Err(SignError::MissingRegion);
    }
    if let Some((name, _)) = req
        .headers
        .iter()
        .find(|(name, _)| !crate::sign::is_header_name(name))
    {
        return Err(SignError::InvalidHeaderName(name.clone()));
    }
    if req.header("host").is_none() {
        return Err(SignError::MissingHost);
    }
    Ok(())
}

/// The `Authorization` header value.
pub fn authorization(
    access_key_id: &str,
    scope: &str,
    signed: &[String],
    signature: &str,
) -> String {
    format!(
        "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={}, Signature={signature}",
        signed.join(";")
    )
}

/// Signs `req` in place with an `Authorization` header for `region`.
///
/// Sets `x-amz-date`, `x-amz-content-sha256` (from `payload`) and, with an STS token,
/// `x-amz-security-token`; then signs every header the request carries (it must carry
/// `host`) except the [unsignable](super::request::UNSIGNABLE_HEADERS) ones.
pub fn sign_header(
    req: &mut S3Request,
    credentials: &Credentials,
    region: &str,
    payload: &PayloadHash,
    now: SystemTime,
) -> Result<HeaderSignature, SignError> {
    let secret = credentials.access_key_secret.expose();
    sign_header_with_key(req, credentials, region, payload, now, |date| {
        signing_key(secret, date, region)
    })
}

/// [`sign_header`] with the signing key supplied by the caller: `key_for_date` gets the
/// `yyyymmdd` date of `now` and must return [`signing_key`] of the credentials' secret
/// for that date and `region`. The result is identical; a client keeps the day's key.
pub fn sign_header_with_key(
    req: &mut S3Request,
    credentials: &Credentials,
    region: &str,
    payload: &PayloadHash,
    now: SystemTime,
    key_for_date: impl FnOnce(&str) -> SigningKey,
) -> Result<HeaderSignature, SignError> {
    check_request(req, region)?;
    let datetime = format_v4_datetime(now)?;
    let date = &datetime[..8];
    req.remove_header("authorization");
    req.set_header(AMZ_DATE, datetime.as_str());
    req.set_header(AMZ_CONTENT_SHA256, payload.as_str());
    match &credentials.security_token {
        Some(tok) => req.set_header(AMZ_SECURITY_TOKEN, tok.expose()),
        None => req.remove_header(AMZ_SECURITY_TOKEN),
    }
    let scope = scope(date, region);
    let signed = signed_header_names(req.headers.iter().map(|(n, _)| n.as_str()));
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let creq = canonical_request(
        &req.method,
        &req.encoded_path(),
        req.query
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_deref().unwrap_or(""))),
        &headers,
        &signed,
        payload.as_str(),
    );
    let key = key_for_date(date);
    let signature = key.sign(&AWS4.string_to_sign(&datetime, &scope, &creq));
    let auth = authorization(&credentials.access_key_id, &scope, &signed, &signature);
    req.set_header("authorization", auth);
    Ok(HeaderSignature {
        signature,
        datetime,
        scope,
        canonical_request: creq,
        key,
    })
}

/// Presigns `req` in place for `region`, valid `expires_secs` (1..=604800) from `now`.
///
/// Appends `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
/// `X-Amz-SignedHeaders`, `X-Amz-Security-Token` (STS) and finally `X-Amz-Signature`
/// to the query (replacing any already there). Every header the request carries is
/// signed (it must carry `host`); whoever uses the URL must send them. The payload is
/// `UNSIGNED-PAYLOAD` unless the request carries `x-amz-content-sha256`.
pub fn presign(
    req: &mut S3Request,
    credentials: &Credentials,
    region: &str,
    now: SystemTime,
    expires_secs: u64,
) -> Result<(), SignError> {
    check_request(req, region)?;
    if !(1..=MAX_PRESIGN_EXPIRES).contains(&expires_secs) {
        return Err(SignError::InvalidExpires(expires_secs));
    }
    let datetime = format_v4_datetime(now)?;
    let date = &datetime[..8];
    for name in PRESIGN_PARAMS {
        req.remove_query(name);
    }
    let scope = scope(date, region);
    let signed = signed_header_names(req.headers.iter().map(|(n, _)| n.as_str()));
    req.push_query(X_AMZ_ALGORITHM, Some(ALGORITHM.to_owned()));
    req.push_query(
        X_AMZ_CREDENTIAL,
        Some(format!("{}/{scope}", credentials.access_key_id)),
    );
    req.push_query(X_AMZ_DATE, Some(datetime.clone()));
    req.push_query(X_AMZ_EXPIRES, Some(expires_secs.to_string()));
    req.push_query(X_AMZ_SIGNED_HEADERS, Some(signed.join(";")));
    if let Some(tok) = &credentials.security_token {
        req.push_query(X_AMZ_SECURITY_TOKEN, Some(tok.expose().to_owned()));
    }
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let payload = req.header(AMZ_CONTENT_SHA256).unwrap_or(UNSIGNED_PAYLOAD);
    let creq = canonical_request(
        &req.method,
        &req.encoded_path(),
        req.query
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_deref().unwrap_or(""))),
        &headers,
        &signed,
        payload.trim(),
    );
    let key = signing_key(credentials.access_key_secret.expose(), date, region);
    let signature = key.sign(&AWS4.string_to_sign(&datetime, &scope, &creq));
    req.push_query(X_AMZ_SIGNATURE, Some(signature));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn refuses_what_it_cannot_sign() {
        let c = Credentials::new("ak", "sk");
        let mut no_host = S3Request::new("GET", "/k");
        assert_eq!(
            sign_header(&mut no_host, &c, "us-east-1", &PayloadHash::Unsigned, now()).err(),
            Some(SignError::MissingHost)
        );
        let mut r = S3Request::new("GET", "/k").with_header("host", "h");
        assert_eq!(
            sign_header(&mut r, &c, "", &PayloadHash::Unsigned, now()).err(),
            Some(SignError::MissingRegion)
        );
        r.headers.push(("bad name".into(), "v".into()));
        assert!(matches!(
            presign(&mut r, &c, "us-east-1", now(), 60),
            Err(SignError::InvalidHeaderName(_))
        ));
        let mut r = S3Request::new("GET", "/k").with_header("host", "h");
        for bad in [0, MAX_PRESIGN_EXPIRES + 1] {
            assert_eq!(
                presign(&mut r, &c, "us-east-1", now(), bad),
                Err(SignError::InvalidExpires(bad))
            );
        }
        presign(&mut r, &c, "us-east-1", now(), MAX_PRESIGN_EXPIRES).unwrap();
        assert_eq!(
            sign_header(
                &mut r,
                &c,
                "us-east-1",
                &PayloadHash::Unsigned,
                UNIX_EPOCH - Duration::from_secs(1)
            )
            .err(),
            Some(SignError::TimeOutOfRange)
        );
    }

    #[test]
    fn supplied_key_signs_the_same_and_resigning_replaces() {
        let c = Credentials::with_token("ak", "sk", "tok");
        let base = S3Request::new("PUT", "/b/k").with_header("host", "h");
        let mut a = base.clone();
        let sig = sign_header(&mut a, &c, "eu-west-1", &PayloadHash::of(b"x"), now()).unwrap();
        let mut b = base;
        sign_header_with_key(
            &mut b,
            &c,
            "eu-west-1",
            &PayloadHash::of(b"x"),
            now(),
            |d| {
                assert_eq!(d, "20231114");
                signing_key("sk", d, "eu-west-1")
            },
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.header(AMZ_SECURITY_TOKEN), Some("tok"));
        let dbg = format!("{sig:?}");
        assert!(
            dbg.contains("SigningKey(***)") && !dbg.contains("tok"),
            "{dbg}"
        );
        // Signing again (a retry) gives one Authorization, one date, one token.
        let later = now() + Duration::from_secs(5);
        sign_header(&mut a, &c, "eu-west-1", &PayloadHash::Unsigned, later).unwrap();
        assert_eq!(a.headers.len(), b.headers.len());
        assert_ne!(a.header("authorization"), b.header("authorization"));
        assert_eq!(a.header(AMZ_CONTENT_SHA256), Some(UNSIGNED_PAYLOAD));
    }
}
