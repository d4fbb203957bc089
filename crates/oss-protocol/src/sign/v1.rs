//! Signature V1 (HMAC-SHA1): `Authorization: OSS ak:sig` and presigned URLs with
//! `OSSAccessKeyId`, `Expires`, `Signature`.
//!
//! StringToSign = `VERB\nContent-MD5\nContent-Type\nDate\n` + canonical `x-oss-*`
//! headers + `/bucket/rawkey?whitelisted-subresources`.

use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::dates::{format_http_date, unix_seconds};
use super::request::{RequestView, SignError, SignRequest};
use crate::credentials::Credentials;

type HmacSha1 = Hmac<Sha1>;

/// Query parameters that are part of the V1 canonicalized resource (sub-resources).
/// The union of the lists in the official SDKs; `prefix`, `marker`, `max-keys`,
/// `delimiter` and the signature parameters themselves are not in it.
pub const SUBRESOURCES: &[&str] = &[
    "accessPoint",
    "accessPointPolicy",
    "acl",
    "append",
    "asyncFetch",
    "bucketArchiveDirectRead",
    "bucketInfo",
    "callback",
    "callback-var",
    "cloudboxes",
    "cname",
    "comp",
    "continuation-token",
    "cors",
    "delete",
    "encryption",
    "endTime",
    "group",
    "httpsConfig",
    "inventory",
    "inventoryId",
    "lifecycle",
    "link",
    "live",
    "location",
    "logging",
    "metaQuery",
    "objectInfo",
    "objectMeta",
    "partNumber",
    "policy",
    "position",
    "publicAccessBlock",
    "qos",
    "qosInfo",
    "qosRequester",
    "redundancyTransition",
    "referer",
    "regionList",
    "replication",
    "replicationLocation",
    "replicationProgress",
    "requestPayment",
    "requesterQosInfo",
    "resourceGroup",
    "resourcePool",
    "resourcePoolBuckets",
    "resourcePoolInfo",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "security-token",
    "sequential",
    "startTime",
    "stat",
    "status",
    "style",
    "styleName",
    "symlink",
    "tagging",
    "transferAcceleration",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "vod",
    "website",
    "worm",
    "wormExtend",
    "wormId",
    "x-oss-ac-forward-allow",
    "x-oss-ac-source-ip",
    "x-oss-ac-subnet-mask",
    "x-oss-ac-vpc-id",
    "x-oss-access-point-name",
    "x-oss-async-process",
    "x-oss-process",
    "x-oss-redundancy-transition-taskid",
    "x-oss-request-payer",
    "x-oss-target-redundancy-type",
    "x-oss-traffic-limit",
    "x-oss-write-get-object-response",
];

/// Whether a query parameter is a signed V1 sub-resource (case-sensitive, as OSS).
pub fn is_subresource(name: &str) -> bool {
    SUBRESOURCES.binary_search(&name).is_ok()
}

/// `x-oss-*` headers, names lower-cased, sorted, values trimmed, each `name:value\n`.
pub fn canonicalized_oss_headers(headers: &[(&str, &str)]) -> String {
    let mut oss: Vec<(String, &str)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim()))
        .filter(|(n, _)| n.starts_with("x-oss-"))
        .collect();
    oss.sort();
    oss.iter().map(|(n, v)| format!("{n}:{v}\n")).collect()
}

/// `/bucket/rawkey` (or `/` without a bucket) + `?` + sorted whitelisted sub-resources.
pub fn canonicalized_resource(
    bucket: Option<&str>,
    key: Option<&str>,
    query: &[(&str, Option<&str>)],
) -> String {
    let mut out = match bucket {
        Some(b) => format!("/{}/{}", b, key.unwrap_or("")),
        None => "/".to_owned(),
    };
    let mut subs: Vec<(&str, &str)> = query
        .iter()
        .filter(|(n, _)| is_subresource(n))
        .map(|(n, v)| (*n, v.unwrap_or("")))
        .collect();
    subs.sort();
    for (i, (n, v)) in subs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(n);
        if !v.is_empty() {
            out.push('=');
            out.push_str(v);
        }
    }
    out
}

/// The V1 StringToSign. `date` is the `Date`/`x-oss-date` value for header signing,
/// or the Unix `Expires` for presigned URLs.
pub fn string_to_sign(req: &RequestView<'_>, date: &str) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}{}",
        req.method,
        req.header("content-md5").unwrap_or(""),
        req.header("content-type").unwrap_or(""),
        date,
        canonicalized_oss_headers(&req.headers),
        canonicalized_resource(req.bucket, req.key, &req.query)
    )
}

fn mac(secret: &str, string_to_sign: &str) -> HmacSha1 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut m = <HmacSha1 as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(string_to_sign.as_bytes());
    m
}

/// `base64(HMAC-SHA1(secret, string_to_sign))`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    BASE64.encode(mac(secret, string_to_sign).finalize().into_bytes())
}

/// Checks a base64 signature against the expected one in constant time.
pub fn signature_matches(secret: &str, string_to_sign: &str, provided_b64: &str) -> bool {
    match BASE64.decode(provided_b64.trim()) {
        Ok(bytes) => mac(secret, string_to_sign).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

/// The date used in the StringToSign of a header-signed request: `x-oss-date` if
/// present (as ali-oss sends it), else `Date`.
pub fn header_date<'a>(req: &'a RequestView<'_>) -> Option<&'a str> {
    req.header("x-oss-date").or_else(|| req.header("date"))
}

/// Signs `req` in place with an `Authorization` header.
///
/// Sets `date` (from `now`) and, with an STS token, `x-oss-security-token`. If the
/// request already carries `x-oss-date`, that value is what gets signed.
pub fn sign_header(
    req: &mut SignRequest,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<(), SignError> {
    req.remove_header("authorization");
    req.set_header("date", format_http_date(now)?);
    match &credentials.security_token {
        Some(tok) => req.set_header("x-oss-security-token", tok.expose()),
        None => req.remove_header("x-oss-security-token"),
    }
    let view = req.view();
    let date = header_date(&view).unwrap_or("").to_owned();
    let sts = string_to_sign(&view, &date);
    let sig = signature(credentials.access_key_secret.expose(), &sts);
    req.set_header(
        "authorization",
        format!("OSS {}:{}", credentials.access_key_id, sig),
    );
    Ok(())
}

/// The query parameters a V1 presigned URL carries (any already present are replaced).
pub const PRESIGN_PARAMS: [&str; 4] = ["OSSAccessKeyId", "Expires", "Signature", "security-token"];

/// Presigns `req` in place: appends `security-token` (STS), `OSSAccessKeyId`,
/// `Expires` and `Signature` to its query. `expires_at` is the absolute expiry time.
/// Headers left in `req` (Content-Type, Content-MD5, `x-oss-*`) are signed too and
/// must be sent by whoever uses the URL.
pub fn presign(
    req: &mut SignRequest,
    credentials: &Credentials,
    expires_at: SystemTime,
) -> Result<(), SignError> {
    let expires = unix_seconds(expires_at)?.to_string();
    for name in PRESIGN_PARAMS {
        req.remove_query(name);
    }
    if let Some(tok) = &credentials.security_token {
        req.push_query("security-token", Some(tok.expose().to_owned()));
    }
    let sts = string_to_sign(&req.view(), &expires);
    let sig = signature(credentials.access_key_secret.expose(), &sts);
    req.push_query("OSSAccessKeyId", Some(credentials.access_key_id.clone()));
    req.push_query("Expires", Some(expires));
    req.push_query("Signature", Some(sig));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitelist_is_sorted_for_binary_search() {
        let mut sorted = SUBRESOURCES.to_vec();
        sorted.sort();
        assert_eq!(sorted, SUBRESOURCES);
        assert!(is_subresource("uploadId"));
        assert!(!is_subresource("prefix"));
        assert!(!is_subresource("uploadid"));
    }

    #[test]
    fn resource_filters_and_sorts() {
        let q = [
            ("prefix", Some("p")),
            ("uploadId", Some("u1")),
            ("partNumber", Some("2")),
            ("acl", None),
            ("max-keys", Some("10")),
        ];
        assert_eq!(
            canonicalized_resource(Some("b"), Some("k k"), &q),
            "/b/k k?acl&partNumber=2&uploadId=u1"
        );
        assert_eq!(canonicalized_resource(Some("b"), None, &[]), "/b/");
        assert_eq!(
            canonicalized_resource(None, None, &[("prefix", Some("x"))]),
            "/"
        );
    }
}
