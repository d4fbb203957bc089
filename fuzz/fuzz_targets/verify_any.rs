//! Fuzz target: any received request (method, bucket, key, query, headers, clock) to
//! `verify`, with values often made of signature syntax. Invariants: no panic; only the
//! one known access key is ever accepted; every refusal maps to 400 or 403.

#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use jit_oss_protocol::verify::{verify, ReceivedRequest, SecretLookup};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "authorization",
    "date",
    "x-oss-date",
    "x-oss-security-token",
    "content-type",
    "x-oss-content-sha256",
    "host",
    "OSSAccessKeyId",
    "Expires",
    "Signature",
    "security-token",
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-expires",
    "x-oss-additional-headers",
    "x-oss-signature",
    "acl",
];

const PIECES: &[&str] = &[
    "OSS4-HMAC-SHA256 ",
    "OSS ",
    "AK",
    "Credential=",
    "AdditionalHeaders=",
    "Signature=",
    "/20231114/cn-hangzhou/oss/aliyun_v4_request",
    "20231114T221320Z",
    "Tue, 14 Nov 2023 22:13:20 GMT",
    "1700000600",
    "604800",
    "18446744073709551615",
    ",",
    ";",
    ":",
    "=",
    "/",
    " ",
];

#[derive(Arbitrary, Debug)]
enum Part {
    Piece(u8),
    Text(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    query: Vec<(u8, Vec<Part>)>,
    headers: Vec<(u8, Vec<Part>)>,
    now: u64,
}

struct Keys;

impl SecretLookup for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        (access_key_id == "AK").then(|| "secret".to_string())
    }
}

fn pairs(raw: Vec<(u8, Vec<Part>)>) -> Vec<(String, String)> {
    raw.into_iter()
        .map(|(name, parts)| {
            let value: String = parts
                .into_iter()
                .map(|p| match p {
                    Part::Piece(i) => PIECES[usize::from(i) % PIECES.len()].to_string(),
                    Part::Text(t) => t,
                })
                .collect();
            (NAMES[usize::from(name) % NAMES.len()].to_string(), value)
        })
        .collect()
}

fuzz_target!(|input: Input| {
    let query = pairs(input.query);
    let headers = pairs(input.headers);
    let received = ReceivedRequest {
        method: &input.method,
        bucket: input.bucket.as_deref(),
        key: input.key.as_deref(),
        query: &query,
        headers: &headers,
    };
    // Any instant up to about year 2300.
    let now = UNIX_EPOCH + Duration::from_secs(input.now % 10_000_000_000);
    match verify(&received, &Keys, now) {
        Ok(v) => assert_eq!(v.access_key_id, "AK"),
        Err(e) => assert!(matches!(e.http_status(), 400 | 403)),
    }
});
