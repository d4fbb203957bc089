//! Fuzz target: sign any request (method, bucket, key, query, headers, credentials) in
//! each of the four forms, send its query through the wire encoding, and verify it.
//! Invariants: it verifies as the signer's key; the same request with another key is
//! refused as SignatureDoesNotMatch.

#![no_main]

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use jit_oss_protocol::encode::parse_query;
use jit_oss_protocol::sign::{v1, v4, SignRequest};
use jit_oss_protocol::verify::{verify, ReceivedRequest, SecretLookup, VerifyError};
use jit_oss_protocol::Credentials;
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;

/// Names the signers set themselves or that pick the signing form.
const RESERVED: &[&str] = &[
    "authorization",
    "date",
    "x-oss-date",
    "x-oss-security-token",
    "security-token",
    "ossaccesskeyid",
    "expires",
    "signature",
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-expires",
    "x-oss-additional-headers",
    "x-oss-signature",
];

/// The characters of an HTTP token (RFC 9110 `tchar`).
const TOKEN: &[u8] =
    b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

#[derive(Arbitrary, Debug)]
struct Input {
    form: u8,
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    query: Vec<(String, Option<String>)>,
    headers: Vec<(String, String)>,
    additional: Vec<String>,
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    skew: u16,
}

struct Keys(HashMap<String, String>);

impl SecretLookup for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self.0.get(access_key_id).cloned()
    }
}

/// `raw` mapped into `alphabet`, or `fallback` when empty.
fn within(raw: &str, alphabet: &[u8], fallback: &str) -> String {
    let out: String = raw
        .bytes()
        .map(|b| alphabet[usize::from(b) % alphabet.len()] as char)
        .collect();
    if out.is_empty() {
        fallback.to_string()
    } else {
        out
    }
}

fn reserved(name: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

fuzz_target!(|input: Input| {
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let ak = within(
        &input.access_key_id,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/-",
        "AK",
    );
    let region = within(
        &input.region,
        b"abcdefghijklmnopqrstuvwxyz0123456789-",
        "cn-hangzhou",
    );
    let mut request = SignRequest::new(within(&input.method, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "GET"));
    request.bucket = input.bucket;
    request.key = input.key;
    for (name, value) in input.query {
        if !reserved(&name) {
            request.push_query(name, value);
        }
    }
    for (name, value) in input.headers {
        // Header names are HTTP tokens (no `,` or `;`, which the V4 header's syntax uses).
        let name = within(&name, TOKEN, "x-oss-meta-a");
        if !reserved(&name) {
            request.set_header(name, value);
        }
    }
    let credentials = match input.token {
        Some(t) => Credentials::with_token(&ak, &input.secret, t),
        None => Credentials::new(&ak, &input.secret),
    };
    let additional: Vec<&str> = input.additional.iter().map(String::as_str).collect();
    let signed = match input.form % 4 {
        0 => v1::sign_header(&mut request, &credentials, now),
        1 => v1::presign(&mut request, &credentials, now + Duration::from_secs(600)),
        2 => v4::sign_header(&mut request, &credentials, &region, &additional, now),
        _ => v4::presign(&mut request, &credentials, &region, &additional, now, 600),
    };
    signed.expect("signing at a valid time");

    let query = parse_query(&request.query_string());
    let keys = Keys(HashMap::from([(ak.clone(), input.secret.clone())]));
    let at = now + Duration::from_secs(u64::from(input.skew) % 600);
    let received = ReceivedRequest {
        method: &request.method,
        bucket: request.bucket.as_deref(),
        key: request.key.as_deref(),
        query: &query,
        headers: &request.headers,
    };
    let verified = verify(&received, &keys, at);
    assert!(
        verified.as_ref().is_ok_and(|v| v.access_key_id == ak),
        "form {}: {verified:?} for {request:?}",
        input.form % 4
    );
    if request.bucket.is_some() {
        let moved = format!("{}x", request.key.as_deref().unwrap_or(""));
        let received = ReceivedRequest {
            key: Some(&moved),
            ..received
        };
        let got = verify(&received, &keys, at);
        assert!(
            matches!(got, Err(VerifyError::SignatureDoesNotMatch { .. })),
            "a moved key: {got:?}"
        );
    }
});
