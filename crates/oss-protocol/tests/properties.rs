//! Property tests of V1/V4 signing and verification, for any request: whatever the key,
//! bucket, method, query and headers, each of the four forms (V1/V4, header/presigned)
//! verifies after the query went through the wire encoding, a changed key or secret
//! is caught, and [`verify`] answers (never panics) for any received request, accepting
//! only known access keys. Also: the query encoding round-trips, and OSS error bodies
//! round-trip through `to_xml` and `parse`, which never panics on any bytes.
//!
//! Case counts are bounded so that `cargo test --workspace` stays fast.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jit_oss_protocol::encode::{encode_query, parse_query};
use jit_oss_protocol::sign::{v1, v4, SignRequest};
use jit_oss_protocol::verify::{verify, ReceivedRequest, SecretLookup, VerifyError};
use jit_oss_protocol::{Credentials, OssErrorBody};
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
    "date",
    "x-oss-date",
    "x-oss-security-token",
    "security-token",
    "OSSAccessKeyId",
    "Expires",
    "Signature",
    "x-oss-signature-version",
    "x-oss-credential",
    "x-oss-expires",
    "x-oss-additional-headers",
    "x-oss-signature",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 /%+&=?#;:,._~*'()!$@\\[\\]-]{0,12}",
        "[中文☃é \t]{0,4}",
        any::<String>(),
    ]
}

fn query_name() -> impl Strategy<Value = String> {
    prop_oneof![
        // Sub-resources (signed by V1 too) and ordinary parameters.
        prop::sample::select(vec![
            "uploadId",
            "partNumber",
            "acl",
            "uploads",
            "prefix",
            "marker"
        ])
        .prop_map(str::to_string),
        text(),
    ]
    .prop_filter("reserved", |n| !RESERVED.contains(&n.as_str()))
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "x-oss-meta-[a-z0-9-]{1,8}",
        prop::sample::select(vec![
            "content-type",
            "content-md5",
            "host",
            "range",
            "x-oss-acl"
        ])
        .prop_map(str::to_string),
        "[a-zA-Z][a-zA-Z0-9-]{0,10}",
    ]
    .prop_filter("reserved", |n| {
        !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(n))
    })
}

/// What a client signs: method, bucket, key, query, headers, and the credentials.
#[derive(Debug, Clone)]
struct Case {
    request: SignRequest,
    access_key_id: String,
    secret: String,
    token: Option<String>,
    region: String,
    additional: Vec<String>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        "[A-Za-z]{1,7}",
        prop::option::weighted(0.9, "[a-z0-9-]{3,20}"),
        prop::option::weighted(0.9, text()),
        prop::collection::vec((query_name(), prop::option::of(text())), 0..5),
        prop::collection::vec((header_name(), text()), 0..5),
        "[A-Za-z0-9._:/-]{1,16}",
        any::<String>(),
        prop::option::of(text()),
        "[a-z0-9-]{1,16}",
        prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    )
        .prop_map(
            |(method, bucket, key, query, headers, ak, secret, token, region, picks)| {
                let mut request = SignRequest::new(method);
                request.bucket = bucket;
                request.key = key;
                for (n, v) in query {
                    request = request.with_query(n, v.as_deref());
                }
                for (n, v) in headers {
                    request = request.with_header(n, v);
                }
                let mut additional: Vec<String> = picks
                    .iter()
                    .filter(|_| !request.headers.is_empty())
                    .map(|i| request.headers[i.index(request.headers.len())].0.clone())
                    .collect();
                additional.push("host".to_string());
                Case {
                    request,
                    access_key_id: ak,
                    secret,
                    token,
                    region,
                    additional,
                }
            },
        )
}

#[derive(Debug, Clone, Copy)]
enum Form {
    V1Header,
    V1Query,
    V4Header,
    V4Query,
}

const FORMS: [Form; 4] = [Form::V1Header, Form::V1Query, Form::V4Header, Form::V4Query];

fn sign(case: &Case, form: Form, secret: &str) -> SignRequest {
    let credentials = match &case.token {
        Some(t) => Credentials::with_token(&case.access_key_id, secret, t),
        None => Credentials::new(&case.access_key_id, secret),
    };
    let additional: Vec<&str> = case.additional.iter().map(String::as_str).collect();
    let mut r = case.request.clone();
    match form {
        Form::V1Header => v1::sign_header(&mut r, &credentials, now()),
        Form::V1Query => v1::presign(&mut r, &credentials, now() + Duration::from_secs(600)),
        Form::V4Header => v4::sign_header(&mut r, &credentials, &case.region, &additional, now()),
        Form::V4Query => v4::presign(&mut r, &credentials, &case.region, &additional, now(), 600),
    }
    .expect("signing at a valid time");
    r
}

/// Verifies `r` as a server receives it: the query re-parsed from the encoded URL query.
fn verify_on_wire(
    r: &SignRequest,
    keys: &Keys,
    at: SystemTime,
) -> Result<jit_oss_protocol::Verified, VerifyError> {
    let query = parse_query(&r.query_string());
    let received = ReceivedRequest {
        method: &r.method,
        bucket: r.bucket.as_deref(),
        key: r.key.as_deref(),
        query: &query,
        headers: &r.headers,
    };
    verify(&received, keys, at)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_form_verifies_what_it_signed(case in case(), skew in 0u64..600) {
        let keys = Keys(HashMap::from([(case.access_key_id.clone(), case.secret.clone())]));
        for form in FORMS {
            let signed = sign(&case, form, &case.secret);
            let at = now() + Duration::from_secs(skew);
            let verified = verify_on_wire(&signed, &keys, at);
            prop_assert!(verified.is_ok(), "{form:?}: {verified:?} for {signed:?}");
            let verified = verified.unwrap();
            prop_assert_eq!(&verified.access_key_id, &case.access_key_id);
            prop_assert_eq!(
                verified.presigned,
                matches!(form, Form::V1Query | Form::V4Query)
            );
        }
    }

    #[test]
    fn a_changed_key_or_secret_is_caught(case in case(), other_secret in any::<String>()) {
        prop_assume!(case.request.bucket.is_some() && other_secret != case.secret);
        let keys = Keys(HashMap::from([(case.access_key_id.clone(), case.secret.clone())]));
        for form in FORMS {
            let mut moved = sign(&case, form, &case.secret);
            moved.key = Some(format!("{}x", moved.key.as_deref().unwrap_or("")));
            let got = verify_on_wire(&moved, &keys, now());
            prop_assert!(
                matches!(got, Err(VerifyError::SignatureDoesNotMatch { .. })),
                "{form:?} key changed: {got:?}"
            );
            let forged = sign(&case, form, &other_secret);
            let got = verify_on_wire(&forged, &keys, now());
            prop_assert!(
                matches!(got, Err(VerifyError::SignatureDoesNotMatch { .. })),
                "{form:?} wrong secret: {got:?}"
            );
        }
    }

    #[test]
    fn query_strings_round_trip(pairs in prop::collection::vec((text(), prop::option::of(text())), 0..6)) {
        let encoded = encode_query(pairs.iter().map(|(n, v)| (n.as_str(), v.as_deref())));
        let expected: Vec<(String, String)> = pairs
            .iter()
            // A nameless bare parameter leaves nothing in the URL.
            .filter(|(n, v)| !(n.is_empty() && v.is_none()))
            .map(|(n, v)| (n.clone(), v.clone().unwrap_or_default()))
            .collect();
        prop_assert_eq!(parse_query(&encoded), expected);
    }
}

/// Pieces of signature syntax, so that arbitrary requests get past the first checks.
fn sig_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("OSS4-HMAC-SHA256 ".to_string()),
        Just("OSS ".to_string()),
        Just("AK".to_string()),
        Just("Credential=".to_string()),
        Just("AdditionalHeaders=".to_string()),
        Just("Signature=".to_string()),
        Just("/20231114/cn-hangzhou/oss/aliyun_v4_request".to_string()),
        Just("20231114T221320Z".to_string()),
        Just("Tue, 14 Nov 2023 22:13:20 GMT".to_string()),
        Just("1700000600".to_string()),
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

fn received_parts() -> impl Strategy<Value = (String, Pairs, Pairs)> {
    let header_names = prop::sample::select(vec![
        "authorization",
        "date",
        "x-oss-date",
        "x-oss-security-token",
        "content-type",
        "x-oss-content-sha256",
        "host",
    ]);
    let query_names = prop::sample::select(vec![
        "OSSAccessKeyId",
        "Expires",
        "Signature",
        "security-token",
        "x-oss-signature-version",
        "x-oss-credential",
        "x-oss-date",
        "x-oss-expires",
        "x-oss-additional-headers",
        "x-oss-signature",
        "acl",
    ]);
    (
        "[A-Z]{0,6}",
        prop::collection::vec((header_names.prop_map(str::to_string), sig_text()), 0..4),
        prop::collection::vec((query_names.prop_map(str::to_string), sig_text()), 0..6),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn verification_answers_any_request(
        (method, headers, query) in received_parts(),
        key in prop::option::of(text()),
        at in prop_oneof![Just(0u64), Just(1_700_000_000), any::<u32>().prop_map(u64::from)],
    ) {
        let keys = Keys(HashMap::from([("AK".to_string(), "secret".to_string())]));
        let received = ReceivedRequest {
            method: &method,
            bucket: Some("bucket"),
            key: key.as_deref(),
            query: &query,
            headers: &headers,
        };
        match verify(&received, &keys, UNIX_EPOCH + Duration::from_secs(at)) {
            Ok(v) => prop_assert_eq!(v.access_key_id, "AK"),
            Err(e) => {
                // Every refusal maps to an OSS answer.
                prop_assert!(matches!(e.http_status(), 400 | 403));
                prop_assert!(!e.oss_code().is_empty());
            }
        }
    }

    #[test]
    fn error_bodies_parse_any_bytes_without_panicking(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..64),
            "(<Error>|</Error>|<Code>|</Code>|<Message>|</Message>|<Error/>|<[A-Za-z]{1,3}>|</[A-Za-z]{1,3}>|<!\\[CDATA\\[|\\]\\]>|&amp;|&#[0-9]{1,7};|&[a-z]{0,4};|<\\?xml version=\"1.0\"\\?>|[a-z <>&/]){0,12}"
                .prop_map(String::into_bytes),
        ],
    ) {
        let _ = OssErrorBody::parse(&body);
    }
}

fn xml_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_.-]{0,8}".prop_filter("reserved names", |n| {
        !n.to_ascii_lowercase().starts_with("xml")
            && !["Code", "Message", "RequestId", "HostId"].contains(&n.as_str())
    })
}

/// Element text as OSS sends it: no surrounding whitespace (the parser trims it).
fn xml_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 <>&'\"/=;:\\]\\[-]{0,16}",
        "[^\u{0}-\u{1f}\u{7f}\u{fffe}\u{ffff}]{0,12}",
    ]
    .prop_map(|s| s.trim().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn error_bodies_round_trip(
        code in xml_text(),
        message in xml_text(),
        request_id in xml_text(),
        host_id in xml_text(),
        extra in prop::collection::vec((xml_name(), xml_text()), 0..4),
    ) {
        let body = OssErrorBody { code, message, request_id, host_id, extra };
        let xml = body.to_xml();
        prop_assert_eq!(OssErrorBody::parse(xml.as_bytes()), Some(body), "{}", xml);
    }
}
