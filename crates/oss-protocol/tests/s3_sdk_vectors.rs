//! S3 SigV4 vectors produced offline by botocore / boto3 and the JavaScript SDK v3
//! (`@smithy/signature-v4`, `@aws-sdk/client-s3`, `@aws-sdk/s3-request-presigner`; see
//! `tests/vectors/README.md`). Every entry is recomputed with this crate byte for byte:
//! the URL path and query encoding, the canonical request the SDK signed, and the whole
//! `Authorization` header or every presigned query parameter including the signature.
//! The verifier must accept what the SDK sent (and refuse it under another secret), and
//! the `aws-chunked` bodies the SDKs wrote must decode, with the trailer checksum right.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use jit_oss_protocol::encode::{decode_component, parse_query};
use jit_oss_protocol::s3::request::{self, PRESIGN_PARAMS, X_AMZ_SIGNATURE};
use jit_oss_protocol::s3::{self, PayloadHash, S3ReceivedRequest, S3Request};
use jit_oss_protocol::v4core::sha256_hex;
use jit_oss_protocol::verify::SecretLookup;
use jit_oss_protocol::Credentials;
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    id: String,
    sdk: String,
    form: String,
    now: u64,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    region: String,
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    signed_headers: Vec<String>,
    expires_in: Option<u64>,
    canonical_request: Option<String>,
    chunked_body_b64: Option<String>,
}

const FILES: [&str; 2] = [
    include_str!("vectors/sdk_s3_vectors_python.json"),
    include_str!("vectors/sdk_s3_vectors_node.json"),
];

fn load() -> Vec<Vector> {
    FILES
        .iter()
        .flat_map(|f| {
            serde_json::from_str::<File>(f)
                .expect("vector JSON")
                .vectors
        })
        .collect()
}

struct OneKey(String, String);

impl SecretLookup for OneKey {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        (access_key_id == self.0).then(|| self.1.clone())
    }
}

/// Bitwise CRC-32 (ISO-HDLC), what `x-amz-checksum-crc32` carries (big-endian, base64).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

impl Vector {
    fn creds(&self) -> Credentials {
        match &self.session_token {
            Some(t) => Credentials::with_token(&self.access_key_id, &self.secret_access_key, t),
            None => Credentials::new(&self.access_key_id, &self.secret_access_key),
        }
    }

    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.now)
    }

    /// (raw path, raw query) of the URL.
    fn raw_parts(&self) -> (&str, &str) {
        let after_scheme = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |x| x.1);
        let path_and_query = &after_scheme[after_scheme.find('/').unwrap_or(after_scheme.len())..];
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        (if path.is_empty() { "/" } else { path }, query)
    }

    /// Raw query pairs as the SDK wrote them: a name without `=` is `None`.
    fn raw_query_pairs(&self) -> Vec<(String, Option<String>)> {
        let (_, query) = self.raw_parts();
        query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (decode_component(n), Some(decode_component(v))),
                None => (decode_component(p), None),
            })
            .collect()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Our request: the SDK's method, path and query, and the headers it signed (but
    /// those the signer sets itself).
    fn request(&self, query: Vec<(String, Option<String>)>) -> S3Request {
        let (path, _) = self.raw_parts();
        let mut req = S3Request::new(&self.method, decode_component(path));
        req.query = query;
        for (n, v) in &self.headers {
            let own = ["authorization", "x-amz-date", "x-amz-security-token"];
            let own =
                own.contains(&n.as_str()) || (self.form == "header" && n == "x-amz-content-sha256");
            if self.signed_headers.contains(n) && !own {
                req.headers.push((n.clone(), v.clone()));
            }
        }
        req
    }

    fn canonical(&self, req: &S3Request, payload: &str) -> String {
        let headers: Vec<(&str, &str)> = req
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        request::canonical_request(
            &req.method,
            &req.encoded_path(),
            req.query
                .iter()
                .filter(|(n, _)| n != X_AMZ_SIGNATURE)
                .map(|(n, v)| (n.as_str(), v.as_deref().unwrap_or(""))),
            &headers,
            &self.signed_headers,
            payload,
        )
    }
}

fn check_header(v: &Vector) -> S3Request {
    let (path, query) = v.raw_parts();
    let mut req = v.request(v.raw_query_pairs());
    // Our URL encoding is the SDK's, byte for byte.
    assert_eq!(req.encoded_path(), path, "{}: path encoding", v.id);
    assert_eq!(req.query_string(), query, "{}: query encoding", v.id);
    let sdk_payload = v.header("x-amz-content-sha256").expect("payload hash");
    let payload = PayloadHash::parse(sdk_payload).expect("a valid payload hash");
    let signed = s3::sign_header(&mut req, &v.creds(), &v.region, &payload, v.now())
        .unwrap_or_else(|e| panic!("{}: {e}", v.id));
    if let Some(creq) = &v.canonical_request {
        assert_eq!(
            &signed.canonical_request, creq,
            "{}: canonical request",
            v.id
        );
    }
    assert_eq!(
        req.header("authorization"),
        v.header("authorization"),
        "{}: Authorization",
        v.id
    );
    assert_eq!(req.header("x-amz-date"), v.header("x-amz-date"), "{}", v.id);
    assert_eq!(
        req.header("x-amz-security-token"),
        v.header("x-amz-security-token"),
        "{}",
        v.id
    );
    req
}

fn check_query(v: &Vector) {
    let (path, query) = v.raw_parts();
    let sdk_pairs = v.raw_query_pairs();
    let user: Vec<(String, Option<String>)> = sdk_pairs
        .iter()
        .filter(|(n, _)| !PRESIGN_PARAMS.contains(&n.as_str()))
        .cloned()
        .collect();
    let mut req = v.request(user);
    assert_eq!(req.encoded_path(), path, "{}: path encoding", v.id);
    let expires = v.expires_in.expect("presigned vectors carry expires_in");
    s3::presign(&mut req, &v.creds(), &v.region, v.now(), expires)
        .unwrap_or_else(|e| panic!("{}: {e}", v.id));
    let signature = |q: &[(String, Option<String>)]| {
        q.iter()
            .find(|(n, _)| n == X_AMZ_SIGNATURE)
            .and_then(|(_, s)| s.clone())
    };
    assert_eq!(
        signature(&req.query),
        signature(&sdk_pairs),
        "{}: signature",
        v.id
    );
    let as_set = |q: &[(String, Option<String>)]| q.iter().cloned().collect::<BTreeSet<_>>();
    assert_eq!(as_set(&req.query), as_set(&sdk_pairs), "{}: query", v.id);
    if v.sdk.starts_with("botocore") || v.sdk.starts_with("boto3") {
        // botocore writes the operation's parameters, then ours in our order.
        assert_eq!(req.query_string(), query, "{}: query string", v.id);
    }
    if let Some(creq) = &v.canonical_request {
        let payload = req
            .header("x-amz-content-sha256")
            .unwrap_or("UNSIGNED-PAYLOAD");
        assert_eq!(
            &v.canonical(&req, payload),
            creq,
            "{}: canonical request",
            v.id
        );
    }
}

/// The body the SDK wrote: hashed bodies match their x-amz-content-sha256, aws-chunked
/// bodies decode to x-amz-decoded-content-length bytes whose CRC-32 is the trailer's.
fn check_body(v: &Vector, verified: &s3::S3Verified) {
    let Some(body) = &v.chunked_body_b64 else {
        return;
    };
    let body = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("base64 body");
    let decoded = match verified.chunked_decoder() {
        None => {
            if let PayloadHash::Sha256(h) = &verified.payload {
                assert_eq!(&sha256_hex(&body), h, "{}: body hash", v.id);
            }
            body
        }
        Some(mut dec) => {
            let mut out = Vec::new();
            for piece in body.chunks(5) {
                dec.feed(piece, &mut out)
                    .unwrap_or_else(|e| panic!("{}: {e}", v.id));
            }
            let trailers = dec.finish().unwrap_or_else(|e| panic!("{}: {e}", v.id));
            let names: Vec<&str> = trailers.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(
                names.join(","),
                v.header("x-amz-trailer").unwrap_or(""),
                "{}: trailers",
                v.id
            );
            assert_eq!(
                v.header("x-amz-decoded-content-length"),
                Some(out.len().to_string().as_str()),
                "{}",
                v.id
            );
            if let Some((_, crc)) = trailers.iter().find(|(n, _)| n == "x-amz-checksum-crc32") {
                assert_eq!(crc, &b64(&crc32(&out).to_be_bytes()), "{}: crc32", v.id);
            }
            out
        }
    };
    if let Some(crc) = v.header("x-amz-checksum-crc32") {
        assert_eq!(crc, b64(&crc32(&decoded).to_be_bytes()), "{}: crc32", v.id);
    }
}

#[test]
fn sdk_vectors_match_and_verify() {
    let vectors = load();
    assert!(vectors.len() >= 40, "only {} vectors", vectors.len());
    let mut kinds = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for v in &vectors {
        assert!(ids.insert(v.id.clone()), "duplicate id {}", v.id);
        let family = if v.sdk.starts_with("boto") {
            "python"
        } else {
            "node"
        };
        kinds.insert((family, v.form.clone(), v.session_token.is_some()));
        match v.form.as_str() {
            "header" => {
                check_header(v);
            }
            "query" => check_query(v),
            other => panic!("{}: unknown form {other}", v.id),
        }

        let (path, query) = v.raw_parts();
        let query = parse_query(query);
        let received = S3ReceivedRequest {
            method: &v.method,
            raw_path: path,
            query: &query,
            headers: &v.headers,
        };
        let secrets = OneKey(v.access_key_id.clone(), v.secret_access_key.clone());
        let got = s3::verify(&received, &secrets, v.now())
            .unwrap_or_else(|e| panic!("{}: verify rejected the SDK request: {e:?}", v.id));
        assert_eq!(got.access_key_id, v.access_key_id);
        assert_eq!(got.region, v.region);
        assert_eq!(got.presigned, v.form == "query", "{}", v.id);
        assert_eq!(got.signed_headers, v.signed_headers, "{}", v.id);
        check_body(v, &got);

        let wrong = OneKey(v.access_key_id.clone(), format!("{}x", v.secret_access_key));
        let e = s3::verify(&received, &wrong, v.now()).unwrap_err();
        assert_eq!(e.s3_code(), "SignatureDoesNotMatch", "{}", v.id);
    }
    for family in ["python", "node"] {
        for form in ["header", "query"] {
            for token in [false, true] {
                assert!(
                    kinds.contains(&(family, form.to_owned(), token)),
                    "missing {family} {form} token={token}"
                );
            }
        }
    }
}

#[test]
fn crc32_is_the_one_s3_uses() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
}
