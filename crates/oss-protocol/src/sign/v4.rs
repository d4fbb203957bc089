//! Signature V4 (`OSS4-HMAC-SHA256`): region-scoped HMAC-SHA256 signing in header
//! form (`Authorization: OSS4-HMAC-SHA256 Credential=…,AdditionalHeaders=…,Signature=…`)
//! and presigned form (`x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
//! `x-oss-expires`, `x-oss-additional-headers`, `x-oss-signature`).

use std::time::SystemTime;

use super::dates::format_v4_datetime;
use super::request::{is_header_name, RequestView, SignError, SignRequest};
use crate::credentials::Credentials;
use crate::encode::encode_path;
use crate::v4core::{self, SigningKey, OSS4};

/// The algorithm name in `Authorization` and `x-oss-signature-version`.
pub const ALGORITHM: &str = OSS4.algorithm;
/// The payload hash OSS clients send: the body is not hashed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The product in the credential scope.
pub const PRODUCT: &str = "oss";
/// The last element of the credential scope.
pub const TERMINATOR: &str = OSS4.terminator;
/// Longest lifetime of a V4 presigned URL, in seconds (7 days).
pub const MAX_PRESIGN_EXPIRES: u64 = 604_800;

/// The credential scope `yyyymmdd/region/oss/aliyun_v4_request`.
pub fn scope(date: &str, region: &str) -> String {
    scope_for_product(date, region, PRODUCT)
}

/// The credential scope for another product (e.g. `oss-cloudbox`).
pub fn scope_for_product(date: &str, region: &str, product: &str) -> String {
    OSS4.scope(date, region, product)
}

/// `/bucket/key` (or `/bucket/`, `/`), encoded except `A-Za-z0-9-._~/`.
pub fn canonical_uri(bucket: Option<&str>, key: Option<&str>) -> String {
    match bucket {
        Some(b) => encode_path(&format!("/{}/{}", b, key.unwrap_or(""))),
        None => "/".to_owned(),
    }
}

/// Every query parameter but `x-oss-signature`, names and values encoded (`/` as
/// `%2F`), sorted on the encoded forms; an empty value is written without `=`.
pub fn canonical_query(query: &[(&str, Option<&str>)]) -> String {
    OSS4.canonical_query(
        query
            .iter()
            .filter(|(n, _)| *n != "x-oss-signature")
            .map(|(n, v)| (*n, v.unwrap_or(""))),
    )
}

fn is_default_signed(name: &str) -> bool {
    name == "content-type" || name == "content-md5" || name.starts_with(OSS4.header_prefix)
}

/// Normalises a wanted list of additional headers as the SDKs do: lower-cased,
/// de-duplicated, sorted, without the always-signed ones (`content-type`,
/// `content-md5`, `x-oss-*`) and without headers the request does not carry.
pub fn additional_headers(headers: &[(&str, &str)], wanted: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = wanted
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty() && !is_default_signed(h))
        .filter(|h| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(h)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `content-type`, `content-md5`, `x-oss-*` and the additional headers, lower-cased,
/// sorted, values trimmed, each `name:value\n`.
pub fn canonical_headers(headers: &[(&str, &str)], additional: &[String]) -> String {
    OSS4.canonical_headers(headers, |n| {
        is_default_signed(n) || additional.iter().any(|a| a == n)
    })
}

/// The V4 canonical request. `additional` must already be normalised (see
/// [`additional_headers`]); the payload hash is `x-oss-content-sha256` if the request
/// carries it, else `UNSIGNED-PAYLOAD`.
pub fn canonical_request(req: &RequestView<'_>, additional: &[String]) -> String {
    v4core::canonical_request(
        req.method,
        &canonical_uri(req.bucket, req.key),
        &canonical_query(&req.query),
        &canonical_headers(&req.headers, additional),
        &additional.join(";"),
        req.header("x-oss-content-sha256")
            .map(str::trim)
            .unwrap_or(UNSIGNED_PAYLOAD),
    )
}

/// `OSS4-HMAC-SHA256\n<datetime>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(datetime: &str, scope: &str, canonical_request: &str) -> String {
    OSS4.string_to_sign(datetime, scope, canonical_request)
}

/// The signing key: HMAC-SHA256 chain over `"aliyun_v4" + secret` → date → region →
/// `oss` → `aliyun_v4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str) -> [u8; 32] {
    signing_key_for_product(secret, date, region, PRODUCT)
}

/// [`signing_key`] for another product.
pub fn signing_key_for_product(secret: &str, date: &str, region: &str, product: &str) -> [u8; 32] {
    OSS4.signing_key(secret, date, region, product).to_bytes()
}

/// Hex HMAC-SHA256 of the string to sign with the signing key.
pub fn signature(secret: &str, date: &str, region: &str, string_to_sign: &str) -> String {
    signature_with_key(&signing_key(secret, date, region), string_to_sign)
}

/// Hex HMAC-SHA256 of the string to sign with a signing key already derived (see
/// [`signing_key`]): one HMAC instead of five.
pub fn signature_with_key(signing_key: &[u8; 32], string_to_sign: &str) -> String {
    SigningKey::from_bytes(*signing_key).sign(string_to_sign)
}

/// Checks a hex signature against `string_to_sign` in constant time.
pub fn signature_matches(signing_key: &[u8; 32], string_to_sign: &str, provided_hex: &str) -> bool {
    // OSS writes signatures in lower-case hex; anything else is not the signature.
    SigningKey::from_bytes(*signing_key).matches(string_to_sign, provided_hex)
}

/// Signs `req` in place with an `Authorization` header for `region`.
///
/// Sets `x-oss-date`, `x-oss-content-sha256: UNSIGNED-PAYLOAD` and, with an STS token,
/// `x-oss-security-token`. `additional_headers` (e.g. `["host"]`) are signed if the
/// request carries them.
pub fn sign_header(
    req: &mut SignRequest,
    credentials: &Credentials,
    region: &str,
    additional_headers: &[&str],
    now: SystemTime,
) -> Result<(), SignError> {
    let secret = credentials.access_key_secret.expose();
    sign_header_with_key(req, credentials, region, additional_headers, now, |date| {
        signing_key(secret, date, region)
    })
}

/// [`sign_header`] with the signing key supplied by the caller: `key_for_date` gets the
/// `yyyymmdd` date of `now` and must return [`signing_key`] of the credentials' secret
/// for that date and `region`. Lets a client keep the day's key instead of re-deriving
/// it (four HMAC-SHA256) for every request; the result is identical.
pub fn sign_header_with_key(
    req: &mut SignRequest,
    credentials: &Credentials,
    region: &str,
    additional_headers: &[&str],
    now: SystemTime,
    key_for_date: impl FnOnce(&str) -> [u8; 32],
) -> Result<(), SignError> {
    if region.is_empty() {
        return Err(SignError::MissingRegion);
    }
    if let Some((name, _)) = req.headers.iter().find(|(name, _)| !is_header_name(name)) {
        return Err(SignError::InvalidHeaderName(name.clone()));
    }
    let datetime = format_v4_datetime(now)?;
    let date = &datetime[..8];
    req.remove_header("authorization");
    req.set_header("x-oss-date", datetime.as_str());
    req.set_header("x-oss-content-sha256", UNSIGNED_PAYLOAD);
    match &credentials.security_token {
        Some(tok) => req.set_header("x-oss-security-token", tok.expose()),
        None => req.remove_header("x-oss-security-token"),
    }
    let view = req.view();
    let additional = self::additional_headers(&view.headers, additional_headers);
    let scope = scope(date, region);
    let creq = canonical_request(&view, &additional);
    let sts = string_to_sign(&datetime, &scope, &creq);
    let sig = signature_with_key(&key_for_date(date), &sts);
    let mut auth = format!(
        "{ALGORITHM} Credential={}/{scope}",
        credentials.access_key_id
    );
    if !additional.is_empty() {
        auth.push_str(",AdditionalHeaders=");
        auth.push_str(&additional.join(";"));
    }
    auth.push_str(",Signature=");
    auth.push_str(&sig);
    req.set_header("authorization", auth);
    Ok(())
}

/// The query parameters a V4 presigned URL carries (any already present are replaced).
pub const PRESIGN_PARAMS: [&str; 7] = [
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-date",
    "x-oss-expires",
    "x-oss-additional-headers",
    "x-oss-security-token",
    "x-oss-signature",
];

/// Presigns `req` in place for `region`, valid `expires_secs` (1..=604800) from `now`.
///
/// Appends `x-oss-signature-version`, `x-oss-credential`, `x-oss-date`,
/// `x-oss-expires`, `x-oss-additional-headers` (if any), `x-oss-security-token` (STS)
/// and finally `x-oss-signature` to the query.
pub fn presign(
    req: &mut SignRequest,
    credentials: &Credentials,
    region: &str,
    additional_headers: &[&str],
    now: SystemTime,
    expires_secs: u64,
) -> Result<(), SignError> {
    if region.is_empty() {
        return Err(SignError::MissingRegion);
    }
    if !(1..=MAX_PRESIGN_EXPIRES).contains(&expires_secs) {
        return Err(SignError::InvalidExpires(expires_secs));
    }
    let datetime = format_v4_datetime(now)?;
    let date = &datetime[..8];
    for name in PRESIGN_PARAMS {
        req.remove_query(name);
    }
    let additional = self::additional_headers(&req.view().headers, additional_headers);
    let scope = scope(date, region);
    req.push_query("x-oss-signature-version", Some(ALGORITHM.to_owned()));
    req.push_query(
        "x-oss-credential",
        Some(format!("{}/{scope}", credentials.access_key_id)),
    );
    req.push_query("x-oss-date", Some(datetime.clone()));
    req.push_query("x-oss-expires", Some(expires_secs.to_string()));
    if !additional.is_empty() {
        req.push_query("x-oss-additional-headers", Some(additional.join(";")));
    }
    if let Some(tok) = &credentials.security_token {
        req.push_query("x-oss-security-token", Some(tok.expose().to_owned()));
    }
    let creq = canonical_request(&req.view(), &additional);
    let sts = string_to_sign(&datetime, &scope, &creq);
    let sig = signature(credentials.access_key_secret.expose(), date, region, &sts);
    req.push_query("x-oss-signature", Some(sig));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_name_http_cannot_carry_is_refused_not_signed() {
        let credentials = Credentials::new("ak", "sk");
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        for bad in ["a,b", "with space", "", "é"] {
            let mut req = SignRequest::new("GET")
                .with_bucket("b")
                .with_header(bad, "v");
            let err = sign_header(&mut req, &credentials, "cn-hangzhou", &[], now).unwrap_err();
            assert!(
                matches!(err, SignError::InvalidHeaderName(_)),
                "{bad:?}: {err}"
            );
        }
        let mut req = SignRequest::new("GET")
            .with_bucket("b")
            .with_header("x-oss-meta-ok_name.1", "v");
        sign_header(&mut req, &credentials, "cn-hangzhou", &[], now).unwrap();
    }

    #[test]
    fn only_the_exact_lower_case_hex_signature_matches() {
        let key = signing_key("secret", "20250411", "cn-hangzhou");
        let good = signature("secret", "20250411", "cn-hangzhou", "sts");
        assert!(signature_matches(&key, "sts", &good));
        assert!(!signature_matches(&key, "sts", &good.to_ascii_uppercase()));
        assert!(!signature_matches(&key, "sts", &format!(" {good}")));
        assert!(!signature_matches(&key, "sts", &good[..63]));
        assert!(!signature_matches(&key, "other", &good));
    }

    #[test]
    fn a_supplied_signing_key_signs_like_the_derived_one() {
        let c = Credentials::with_token("ak", "sk", "tok");
        // 2023-11-14T22:13:20Z
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let base = SignRequest::new("PUT")
            .with_bucket("b")
            .with_key("a b.txt")
            .with_query("partNumber", Some("2"));
        let mut derived = base.clone();
        sign_header(&mut derived, &c, "cn-hangzhou", &["host"], now).unwrap();
        let mut supplied = base.clone();
        let mut asked = None;
        sign_header_with_key(&mut supplied, &c, "cn-hangzhou", &["host"], now, |date| {
            asked = Some(date.to_owned());
            signing_key("sk", date, "cn-hangzhou")
        })
        .unwrap();
        assert_eq!(asked.as_deref(), Some("20231114"));
        assert_eq!(supplied, derived);
        // Another key gives another signature.
        let mut other = base;
        sign_header_with_key(&mut other, &c, "cn-hangzhou", &[], now, |date| {
            signing_key("other", date, "cn-hangzhou")
        })
        .unwrap();
        assert_ne!(
            other.header("authorization"),
            derived.header("authorization")
        );
        assert_eq!(
            signature_with_key(&signing_key("s", "20250411", "r"), "sts"),
            signature("s", "20250411", "r", "sts")
        );
    }

    #[test]
    fn canonical_query_rules() {
        let q = [
            ("x-oss-signature", Some("zzz")),
            ("prefix", Some("a/b c")),
            ("acl", None),
            ("empty", Some("")),
            ("Upper", Some("1")),
        ];
        assert_eq!(canonical_query(&q), "Upper=1&acl&empty&prefix=a%2Fb%20c");
    }

    #[test]
    fn canonical_uri_forms() {
        assert_eq!(canonical_uri(None, None), "/");
        assert_eq!(canonical_uri(Some("b"), None), "/b/");
        assert_eq!(
            canonical_uri(Some("b"), Some("a b/+%中")),
            "/b/a%20b/%2B%25%E4%B8%AD"
        );
    }

    #[test]
    fn additional_header_normalisation() {
        let h = [("host", "h"), ("content-type", "t"), ("range", "r")];
        assert_eq!(
            additional_headers(
                &h,
                &[
                    "Host",
                    "content-type",
                    "x-oss-meta-a",
                    "range",
                    "host",
                    "absent"
                ]
            ),
            vec!["host".to_owned(), "range".to_owned()]
        );
    }

    #[test]
    fn presign_rejects_bad_expiry_and_region() {
        let c = Credentials::new("ak", "sk");
        let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let mut r = SignRequest::new("GET").with_bucket("b").with_key("k");
        assert_eq!(
            presign(&mut r, &c, "cn-hangzhou", &[], now, 0),
            Err(SignError::InvalidExpires(0))
        );
        assert_eq!(
            presign(&mut r, &c, "cn-hangzhou", &[], now, 604_801),
            Err(SignError::InvalidExpires(604_801))
        );
        assert_eq!(
            presign(&mut r, &c, "", &[], now, 60),
            Err(SignError::MissingRegion)
        );
        assert!(presign(&mut r, &c, "cn-hangzhou", &[], now, 604_800).is_ok());
    }
}
