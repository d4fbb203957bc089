//! Property tests of S3 SigV4, for any request: whatever the method, path, query,
//! headers, credentials, region and payload kind, both forms (header, presigned)
//! verify after the wire encoding; a changed path or secret is caught; `s3::verify`
//! answers (never panics) for any received request; and `aws-chunked` bodies
//! round-trip through the encoder and the decoder in pieces of any size, while the
//! decoder never panics on any bytes.
//!
//! Case counts are bounded so that `cargo test --workspace` stays fast.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jit_oss_protocol::encode::parse_query;
use jit_oss_protocol::s3::{
    self, ChunkChain, ChunkedDecoder, ChunkedEncoder, PayloadHash, S3ReceivedRequest, S3Request,
    S3Verified, S3VerifyError,
};
use jit_oss_protocol::v4core::AWS4;
use jit_oss_protocol::verify::SecretLookup;
use jit_oss_protocol::Credentials;
use proptest::prelude::*;

struct Keys(HashMap<String, String>);

impl SecretLookup for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self.0.get(access_key_id).cloned()
    }
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// Query and header names the signers set themselves or that pick the signing form.
const RESERVED: &[&str] = &[
    "authorization",
    "host",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-security-token",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Security-Token",
    "X-Amz-Signature",
    "AWSAccessKeyId",
    "Signature",
];

fn reserved(name: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 /%+&=?#;:,._~*'()!$@\\[\\]-]{0,12}",
        "[中文☃é \t]{0,4}",
        any::<String>(),
    ]
}

fn query_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "uploadId",
            "partNumber",
            "uploads",
            "list-type",
            "prefix",
            "continuation-token",
            "x-id",
        ])
        .prop_map(str::to_string),
        text(),
    ]
    // A nameless bare parameter leaves nothing in the URL to verify.
    .prop_filter("reserved or nameless", |n| !reserved(n) && !n.is_empty())
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "x-amz-meta-[a-z0-9-]{1,8}",
        prop::sample::select(vec![
            "content-type",
            "content-md5",
            "range",
            "x-amz-storage-class",
            "user-agent",
            "expect",
            "cache-control",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z][a-zA-Z0-9-]{0,10}",
    ]
    .prop_filter("reserved", |n| !reserved(n))
}

fn payload() -> impl Strategy<Value = PayloadHash> {
    prop_oneof![
        Just(PayloadHash::Unsigned),
        Just(PayloadHash::empty()),
        Just(PayloadHash::StreamingUnsignedTrailer),
        Just(PayloadHash::StreamingSigned),
        Just(PayloadHash::StreamingSignedTrailer),
        any::<Vec<u8>>().prop_map(|b| PayloadHash::of(&b)),
    ]
}

/// What a client signs, and with what.
#[derive(Debug, Clone)]
struct Case {
    request: S3Request,
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    payload: PayloadHash,
}

fn case() -> impl Strategy<Value = Case> {
    (
        "[A-Za-z]{1,7}",
        text(),
        prop::collection::vec((query_name(), prop::option::of(text())), 0..5),
        prop::collection::vec((header_name(), text()), 0..5),
        "[A-Za-z0-9._-]{1,16}",
        any::<String>(),
        prop::option::of(text()),
        "[a-z0-9-]{1,16}",
        payload(),
    )
        .prop_map(
            |(method, path, query, headers, ak, secret, token, region, payload)| {
                let mut request =
                    S3Request::new(method, path).with_header("host", "h.example:9000");
                for (n, v) in query {
                    request = request.with_query(n, v.as_deref());
                }
                for (n, v) in headers {
                    request = request.with_header(n, v);
                }
                Case {
                    request,
                    access_key_id: ak,
                    secret,
                    token,
                    region,
                    payload,
                }
            },
        )
}

fn sign(case: &Case, presigned: bool, secret: &str) -> S3Request {
    let credentials = match &case.token {
        Some(t) => Credentials::with_token(&case.access_key_id, secret, t),
        None => Credentials::new(&case.access_key_id, secret),
    };
    let mut r = case.request.clone();
    if presigned {
        s3::presign(&mut r, &credentials, &case.region, now(), 600).expect("presigns");
    } else {
        s3::sign_header(&mut r, &credentials, &case.region, &case.payload, now()).expect("signs");
    }
    r
}

/// Verifies `r` as a server receives it: raw path and query from the encoded URL.
fn verify_on_wire(r: &S3Request, keys: &Keys, at: SystemTime) -> Result<S3Verified, S3VerifyError> {
    let pq = r.path_and_query();
    let (path, query) = pq.split_once('?').unwrap_or((&pq, ""));
    let query = parse_query(query);
    let received = S3ReceivedRequest {
        method: &r.method,
        raw_path: path,
        query: &query,
        headers: &r.headers,
    };
    s3::verify(&received, keys, at)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn both_forms_verify_what_they_signed(case in case(), skew in 0u64..600) {
        let keys = Keys(HashMap::from([(case.access_key_id.clone(), case.secret.clone())]));
        for presigned in [false, true] {
            let signed = sign(&case, presigned, &case.secret);
            let got = verify_on_wire(&signed, &keys, now() + Duration::from_secs(skew));
            prop_assert!(got.is_ok(), "presigned={presigned}: {got:?} for {signed:?}");
            let got = got.unwrap();
            prop_assert_eq!(&got.access_key_id, &case.access_key_id);
            prop_assert_eq!(got.presigned, presigned);
            if !presigned {
                prop_assert_eq!(&got.payload, &case.payload);
            }
        }
    }

    #[test]
    fn a_changed_path_or_secret_is_caught(case in case(), other_secret in any::<String>()) {
        prop_assume!(other_secret != case.secret);
        let keys = Keys(HashMap::from([(case.access_key_id.clone(), case.secret.clone())]));
        for presigned in [false, true] {
            let mut moved = sign(&case, presigned, &case.secret);
            moved.path.push('x');
            let got = verify_on_wire(&moved, &keys, now());
            prop_assert!(
                matches!(got, Err(S3VerifyError::SignatureDoesNotMatch { .. })),
                "presigned={presigned} path changed: {got:?}"
            );
            let forged = sign(&case, presigned, &other_secret);
            let got = verify_on_wire(&forged, &keys, now());
            prop_assert!(
                matches!(got, Err(S3VerifyError::SignatureDoesNotMatch { .. })),
                "presigned={presigned} wrong secret: {got:?}"
            );
        }
    }
}

/// Pieces of SigV4 syntax, so that arbitrary requests get past the first checks.
fn sig_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("AWS4-HMAC-SHA256 ".to_string()),
        Just("AWS4-HMAC-SHA256".to_string()),
        Just("AWS ".to_string()),
        Just("AK".to_string()),
        Just("Credential=".to_string()),
        Just("SignedHeaders=".to_string()),
        Just("host;x-amz-date".to_string()),
        Just("Signature=".to_string()),
        Just("/20231114/us-east-1/s3/aws4_request".to_string()),
        Just("20231114T221320Z".to_string()),
        Just("Tue, 14 Nov 2023 22:13:20 GMT".to_string()),
        Just("UNSIGNED-PAYLOAD".to_string()),
        Just("STREAMING-AWS4-HMAC-SHA256-PAYLOAD".to_string()),
        Just("604800".to_string()),
        Just("18446744073709551615".to_string()),
        Just("99991231T235959Z".to_string()),
        "[0-9a-f]{64}",
        "[,;:=/ ]",
        text(),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|v| v.concat())
}

/// Name-value pairs (headers or query).
type Pairs = Vec<(String, String)>;

fn received_parts() -> impl Strategy<Value = (String, String, Pairs, Pairs)> {
    let header_names = prop::sample::select(vec![
        "authorization",
        "Authorization",
        "date",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
        "host",
        "x-amz-meta-a",
    ]);
    let query_names = prop::sample::select(vec![
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Security-Token",
        "X-Amz-Signature",
        "X-Amz-Content-Sha256",
        "AWSAccessKeyId",
        "Signature",
        "uploads",
    ]);
    (
        "[A-Z]{0,6}",
        prop_oneof![text(), "(/|%[0-9A-Fa-f]{0,2}|[a-z]){0,8}"],
        prop::collection::vec((header_names.prop_map(str::to_string), sig_text()), 0..5),
        prop::collection::vec((query_names.prop_map(str::to_string), sig_text()), 0..7),
    )
}

fn chain() -> ChunkChain {
    ChunkChain::new(
        AWS4.signing_key("secret", "20231114", "us-east-1", "s3"),
        "20231114T221320Z",
        "20231114/us-east-1/s3/aws4_request",
        "0".repeat(64),
    )
}

/// Bytes that look like aws-chunked framing often enough to reach every state.
fn chunked_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        "[0-9a-fA-F]{1,3}".prop_map(String::into_bytes),
        Just(b"\r\n".to_vec()),
        Just(b";chunk-signature=".to_vec()),
        "[0-9a-f]{64}".prop_map(String::into_bytes),
        Just(b"x-amz-checksum-crc32:AAAAAA==".to_vec()),
        Just(b"x-amz-trailer-signature:".to_vec()),
        Just(b"0\r\n\r\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn verification_answers_any_request(
        (method, path, headers, query) in received_parts(),
        at in prop_oneof![Just(0u64), Just(1_700_000_000), any::<u32>().prop_map(u64::from), Just(u64::MAX / 4)],
    ) {
        let keys = Keys(HashMap::from([("AK".to_string(), "secret".to_string())]));
        let received = S3ReceivedRequest {
            method: &method,
            raw_path: &path,
            query: &query,
            headers: &headers,
        };
        let at = UNIX_EPOCH.checked_add(Duration::from_secs(at)).unwrap_or(UNIX_EPOCH);
        match s3::verify(&received, &keys, at) {
            Ok(v) => prop_assert_eq!(v.access_key_id, "AK"),
            Err(e) => {
                // Every refusal maps to an S3 answer.
                prop_assert!(matches!(e.http_status(), 400 | 403));
                prop_assert!(!e.s3_code().is_empty() && !e.message().is_empty());
            }
        }
    }

    #[test]
    fn the_decoder_answers_any_bytes(
        body in prop_oneof![chunked_bytes(), prop::collection::vec(any::<u8>(), 0..64)],
        piece in 1usize..40,
        signed in any::<bool>(),
        trailer in any::<bool>(),
    ) {
        let mut dec = if signed {
            ChunkedDecoder::signed(chain(), trailer)
        } else {
            ChunkedDecoder::unsigned()
        };
        let mut out = Vec::new();
        let mut failed = false;
        for p in body.chunks(piece) {
            if dec.feed(p, &mut out).is_err() {
                failed = true;
                break;
            }
        }
        prop_assert!(out.len() as u64 == dec.decoded_len());
        let finished = dec.finish();
        prop_assert!(!(failed && finished.is_ok()));
        if let Err(e) = finished {
            prop_assert!(matches!(e.http_status(), 400 | 403) && !e.s3_code().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn chunked_bodies_round_trip(
        data in prop::collection::vec(any::<u8>(), 0..3000),
        chunk in 1usize..700,
        piece in 1usize..500,
        signed in any::<bool>(),
        trailers in prop::collection::vec(("x-amz-checksum-[a-z0-9]{1,9}", "[A-Za-z0-9+/=]{0,12}"), 0..3),
    ) {
        let trailer_refs: Vec<(&str, &str)> =
            trailers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let mut enc = if signed { ChunkedEncoder::signed(chain()) } else { ChunkedEncoder::unsigned() };
        let mut body = Vec::new();
        for c in data.chunks(chunk) {
            enc.encode_chunk(c, &mut body);
        }
        enc.finish(&trailer_refs, &mut body);
        prop_assert_eq!(
            s3::encoded_length(data.len() as u64, chunk as u64, signed, &trailer_refs),
            body.len() as u64
        );
        let mut dec = if signed {
            ChunkedDecoder::signed(chain(), !trailers.is_empty())
        } else {
            ChunkedDecoder::unsigned()
        };
        let mut out = Vec::new();
        for p in body.chunks(piece) {
            dec.feed(p, &mut out).unwrap();
        }
        let got = dec.finish().unwrap();
        prop_assert_eq!(out, data);
        prop_assert_eq!(got, trailers);
    }
}
