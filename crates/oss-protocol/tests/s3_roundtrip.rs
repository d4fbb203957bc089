//! S3 SigV4 round trips: what `s3::sign_header` and `s3::presign` produce, carried
//! through the wire encoding, passes `s3::verify`; a change of any one character of
//! the method, path, query, a signed header, the signature or the secret is refused;
//! and every other refusal (expiry, skew, unsigned headers, malformed input, unknown
//! key, wrong region) has its S3 error code.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jit_oss_protocol::encode::parse_query;
use jit_oss_protocol::s3::{
    self, PayloadHash, S3ReceivedRequest, S3Request, S3Verified, S3VerifyError, S3VerifyOptions,
};
use jit_oss_protocol::v4core::AWS4;
use jit_oss_protocol::verify::SecretLookup;
use jit_oss_protocol::Credentials;

struct Keys(&'static str, String);

impl SecretLookup for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        (access_key_id == self.0).then(|| self.1.clone())
    }
}

const AK: &str = "AKIDROUNDTRIP";
const SK: &str = "round/trip+secret=";
const TOKEN: &str = "FwoGZX-session/token+==";

fn keys() -> Keys {
    Keys(AK, SK.to_owned())
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// A request as it arrives: method, raw path, decoded query, headers.
#[derive(Clone, Debug)]
struct Wire {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Wire {
    fn from(req: &S3Request) -> Wire {
        let pq = req.path_and_query();
        let (path, q) = pq.split_once('?').unwrap_or((&pq, ""));
        Wire {
            method: req.method.clone(),
            path: path.to_owned(),
            query: parse_query(q),
            headers: req.headers.clone(),
        }
    }

    fn verify_with(
        &self,
        secrets: &Keys,
        at: SystemTime,
        options: &S3VerifyOptions,
    ) -> Result<S3Verified, S3VerifyError> {
        let received = S3ReceivedRequest {
            method: &self.method,
            raw_path: &self.path,
            query: &self.query,
            headers: &self.headers,
        };
        s3::verify_with(&received, secrets, at, options)
    }

    fn verify(&self) -> Result<S3Verified, S3VerifyError> {
        self.verify_with(&keys(), now(), &S3VerifyOptions::default())
    }
}

fn sample() -> S3Request {
    S3Request::path_style("PUT", "bucket", Some("dir/a key+~中.txt"))
        .with_header("host", "127.0.0.1:9000")
        .with_header("content-type", "text/plain")
        .with_header("x-amz-meta-colour", "blue")
        .with_query("partNumber", Some("3"))
        .with_query("uploadId", Some("u/1 2"))
}

fn header_signed(creds: &Credentials) -> Wire {
    let mut r = sample();
    s3::sign_header(&mut r, creds, "us-east-1", &PayloadHash::of(b"body"), now()).unwrap();
    Wire::from(&r)
}

fn presigned(creds: &Credentials, expires: u64) -> Wire {
    let mut r = sample();
    s3::presign(&mut r, creds, "us-east-1", now(), expires).unwrap();
    Wire::from(&r)
}

fn all_forms() -> Vec<(&'static str, Wire)> {
    let plain = Credentials::new(AK, SK);
    let sts = Credentials::with_token(AK, SK, TOKEN);
    vec![
        ("header", header_signed(&plain)),
        ("header+token", header_signed(&sts)),
        ("presigned", presigned(&plain, 600)),
        ("presigned+token", presigned(&sts, 600)),
    ]
}

#[test]
fn every_form_verifies() {
    for (name, wire) in all_forms() {
        let v = wire.verify().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(v.access_key_id, AK, "{name}");
        assert_eq!(v.presigned, name.starts_with("presigned"), "{name}");
        assert_eq!(v.region, "us-east-1");
        assert!(v.signed_headers.contains(&"host".to_owned()), "{name}");
    }
    // Service-level and bucket-level requests, virtual-hosted, every payload kind.
    let c = Credentials::new(AK, SK);
    for (req, payload) in [
        (S3Request::new("GET", "/"), PayloadHash::empty()),
        (
            S3Request::virtual_hosted("GET", None).with_query("list-type", Some("2")),
            PayloadHash::Unsigned,
        ),
        (
            S3Request::path_style("POST", "b", None).with_query("delete", None),
            PayloadHash::of(b"<Delete/>"),
        ),
        (
            S3Request::virtual_hosted("PUT", Some("k")),
            PayloadHash::StreamingUnsignedTrailer,
        ),
        (
            S3Request::virtual_hosted("PUT", Some("k")),
            PayloadHash::StreamingSignedTrailer,
        ),
    ] {
        let mut req = req.with_header("host", "b.s3.amazonaws.com");
        s3::sign_header(&mut req, &c, "eu-central-1", &payload, now()).unwrap();
        let v = Wire::from(&req).verify().unwrap();
        assert_eq!(v.payload, payload);
        assert_eq!(v.chunked_decoder().is_some(), payload.is_streaming());
        assert_eq!(v.chunk_chain().is_some(), payload.has_signed_chunks());
    }
}

/// Every string with one character replaced by another, at each position. Letters
/// stay in their case (`%AD` and `%aD` are the same escape), digits stay digits.
fn one_char_changes(s: &str) -> Vec<String> {
    s.char_indices()
        .map(|(i, c)| {
            let other = match c {
                'z' => 'a',
                'Z' => 'A',
                '9' => '0',
                c if c.is_ascii_alphanumeric() => char::from(c as u8 + 1),
                _ => 'a',
            };
            let mut t = s.to_owned();
            t.replace_range(i..i + c.len_utf8(), &other.to_string());
            t
        })
        .collect()
}

#[test]
fn any_one_character_change_is_refused() {
    for (name, wire) in all_forms() {
        let mut variants: Vec<(String, Wire)> = Vec::new();
        for m in one_char_changes(&wire.method) {
            let mut w = wire.clone();
            w.method = m;
            variants.push(("method".into(), w));
        }
        for p in one_char_changes(&wire.path) {
            let mut w = wire.clone();
            w.path = p;
            variants.push(("path".into(), w));
        }
        for i in 0..wire.query.len() {
            for (part, field) in [("name", 0), ("value", 1)] {
                let original = if field == 0 {
                    &wire.query[i].0
                } else {
                    &wire.query[i].1
                };
                for changed in one_char_changes(original) {
                    let mut w = wire.clone();
                    if field == 0 {
                        w.query[i].0 = changed;
                    } else {
                        w.query[i].1 = changed;
                    }
                    variants.push((format!("query {} {part}", wire.query[i].0), w));
                }
            }
        }
        for i in 0..wire.headers.len() {
            for (part, field) in [("name", 0), ("value", 1)] {
                let original = if field == 0 {
                    &wire.headers[i].0
                } else {
                    &wire.headers[i].1
                };
                for changed in one_char_changes(original) {
                    let mut w = wire.clone();
                    if field == 0 {
                        w.headers[i].0 = changed;
                    } else {
                        w.headers[i].1 = changed;
                    }
                    variants.push((format!("header {} {part}", wire.headers[i].0), w));
                }
            }
        }
        assert!(variants.len() > 100, "{name}: {}", variants.len());
        for (what, w) in &variants {
            assert!(
                w.verify().is_err(),
                "{name}: changed {what} still verifies: {w:?}"
            );
        }
        for secret in one_char_changes(SK) {
            let e = wire
                .verify_with(&Keys(AK, secret), now(), &S3VerifyOptions::default())
                .unwrap_err();
            assert_eq!(e.s3_code(), "SignatureDoesNotMatch", "{name}");
        }
    }
}

#[test]
fn mismatch_reports_what_the_server_computed() {
    let mut w = header_signed(&Credentials::with_token(AK, SK, TOKEN));
    w.method = "POST".into();
    match w.verify().unwrap_err() {
        S3VerifyError::SignatureDoesNotMatch {
            access_key_id,
            canonical_request,
            string_to_sign,
            signature_provided,
        } => {
            assert_eq!(access_key_id, AK);
            assert!(canonical_request.starts_with(
                "POST\n/bucket/dir/a%20key%2B~%E4%B8%AD.txt\npartNumber=3&uploadId=u%2F1%202\n"
            ));
            assert!(string_to_sign.starts_with("AWS4-HMAC-SHA256\n20231114T221320Z\n"));
            assert_eq!(signature_provided.len(), 64);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn presigned_urls_expire_and_are_capped_at_seven_days() {
    let c = Credentials::new(AK, SK);
    let w = presigned(&c, 600);
    let opts = S3VerifyOptions::default();
    assert!(w
        .verify_with(&keys(), now() + Duration::from_secs(600), &opts)
        .is_ok());
    let e = w
        .verify_with(&keys(), now() + Duration::from_secs(601), &opts)
        .unwrap_err();
    assert_eq!(
        (e.s3_code(), e.message().as_str()),
        ("AccessDenied", "Request has expired")
    );
    assert!(matches!(e, S3VerifyError::Expired { .. }));
    // A URL dated more than the skew into the future is refused.
    let e = w
        .verify_with(&keys(), now() - Duration::from_secs(16 * 60), &opts)
        .unwrap_err();
    assert_eq!(e.s3_code(), "RequestTimeTooSkewed");
    // A week is the most; a hand-made URL asking for more is refused before its
    // signature is even looked at.
    let week = presigned(&c, 604_800);
    assert!(week
        .verify_with(&keys(), now() + Duration::from_secs(604_800), &opts)
        .is_ok());
    for bad in ["604801", "0", "-1", "1e3", "", "99999999999999999999999"] {
        let mut w = week.clone();
        for (n, v) in &mut w.query {
            if n == "X-Amz-Expires" {
                *v = bad.to_owned();
            }
        }
        let e = w.verify().unwrap_err();
        assert_eq!(e.s3_code(), "AuthorizationQueryParametersError", "{bad}");
        assert_eq!(e.http_status(), 400);
    }
}

#[test]
fn header_signing_refuses_skew_and_needs_a_date_and_payload_hash() {
    let w = header_signed(&Credentials::new(AK, SK));
    let opts = S3VerifyOptions::default();
    for off in [-901i64, 901] {
        let at = if off < 0 {
            now() - Duration::from_secs(901)
        } else {
            now() + Duration::from_secs(901)
        };
        let e = w.verify_with(&keys(), at, &opts).unwrap_err();
        assert_eq!(e.s3_code(), "RequestTimeTooSkewed", "{off}");
    }
    assert!(w
        .verify_with(&keys(), now() + Duration::from_secs(900), &opts)
        .is_ok());
    let without = |name: &str| {
        let mut w = w.clone();
        w.headers.retain(|(n, _)| n != name);
        w.verify().unwrap_err()
    };
    assert_eq!(without("x-amz-date").s3_code(), "AccessDenied");
    assert_eq!(without("x-amz-content-sha256").s3_code(), "InvalidRequest");
    let mut bad_hash = w.clone();
    for (n, v) in &mut bad_hash.headers {
        if n == "x-amz-content-sha256" {
            *v = "not-a-hash".into();
        }
    }
    assert_eq!(bad_hash.verify().unwrap_err().s3_code(), "InvalidArgument");
}

#[test]
fn unsigned_amz_headers_and_host_are_refused() {
    let mut w = header_signed(&Credentials::new(AK, SK));
    w.headers.push(("X-Amz-Meta-Extra".into(), "x".into()));
    match w.verify().unwrap_err() {
        S3VerifyError::HeadersNotSigned(h) => assert_eq!(h, vec!["x-amz-meta-extra"]),
        other => panic!("{other:?}"),
    }
    // An unsigned ordinary header is fine (a proxy may add one).
    let mut w = header_signed(&Credentials::new(AK, SK));
    w.headers.push(("user-agent".into(), "curl".into()));
    assert!(w.verify().is_ok());
    // A signature that does not cover host.
    let mut r = S3Request::new("GET", "/b/k").with_header("host", "h");
    s3::sign_header(
        &mut r,
        &Credentials::new(AK, SK),
        "r",
        &PayloadHash::Unsigned,
        now(),
    )
    .unwrap();
    let auth = r
        .header("authorization")
        .unwrap()
        .replace("SignedHeaders=host;", "SignedHeaders=");
    r.set_header("authorization", auth);
    let e = Wire::from(&r).verify().unwrap_err();
    assert!(
        matches!(e, S3VerifyError::HeadersNotSigned(ref h) if h == &["host"]),
        "{e:?}"
    );
}

#[test]
fn keys_regions_and_mechanisms() {
    let w = header_signed(&Credentials::new(AK, SK));
    let e = w
        .verify_with(
            &Keys("other", SK.into()),
            now(),
            &S3VerifyOptions::default(),
        )
        .unwrap_err();
    assert_eq!(e.s3_code(), "InvalidAccessKeyId");
    let in_region = |r: &str| S3VerifyOptions {
        region: Some(r.into()),
        ..S3VerifyOptions::default()
    };
    assert!(w
        .verify_with(&keys(), now(), &in_region("us-east-1"))
        .is_ok());
    let e = w
        .verify_with(&keys(), now(), &in_region("eu-west-1"))
        .unwrap_err();
    assert_eq!(e.s3_code(), "AuthorizationHeaderMalformed");
    assert!(e
        .message()
        .contains("'us-east-1' is wrong; expecting 'eu-west-1'"));
    let p = presigned(&Credentials::new(AK, SK), 60);
    let e = p
        .verify_with(&keys(), now(), &in_region("eu-west-1"))
        .unwrap_err();
    assert_eq!(e.s3_code(), "AuthorizationQueryParametersError");

    // Anonymous, V2, both mechanisms at once.
    let mut anon = w.clone();
    anon.headers.retain(|(n, _)| n != "authorization");
    assert!(matches!(anon.verify(), Err(S3VerifyError::Anonymous)));
    let mut v2 = anon.clone();
    v2.headers
        .push(("Authorization".into(), "AWS AK:c2lnbmF0dXJl".into()));
    assert_eq!(v2.verify().unwrap_err().s3_code(), "InvalidRequest");
    let mut v2q = anon.clone();
    v2q.query.push(("AWSAccessKeyId".into(), AK.into()));
    v2q.query.push(("Signature".into(), "x".into()));
    assert_eq!(v2q.verify().unwrap_err().s3_code(), "InvalidRequest");
    let mut both = p.clone();
    both.headers.extend(
        w.headers
            .iter()
            .filter(|(n, _)| n == "authorization")
            .cloned(),
    );
    assert_eq!(both.verify().unwrap_err().s3_code(), "InvalidArgument");
}

#[test]
fn malformed_authorization_headers() {
    let w = header_signed(&Credentials::new(AK, SK));
    let auth = w
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .unwrap()
        .1
        .clone();
    let cases = [
        auth.replace(", SignedHeaders", ", Bogus=1, SignedHeaders"),
        auth.replace("Credential=", "Credential=x, Credential="),
        auth.replace("/s3/", "/ec2/"),
        auth.replace("/aws4_request", "/aws5_request"),
        auth.replace("/20231114/", "/2023111/"),
        auth.replace("/20231114/", "/20231115/"),
        auth.replace(", Signature=", ", "),
        auth.replace("SignedHeaders=", "SignedHeaders=bad name;"),
        auth.replace("Credential=", "Credential"),
        "AWS4-HMAC-SHA256".to_owned(),
        "AWS4-HMAC-SHA256 ".to_owned(),
    ];
    for bad in cases {
        let mut w = w.clone();
        for (n, v) in &mut w.headers {
            if n == "authorization" {
                *v = bad.clone();
            }
        }
        let e = w.verify().unwrap_err();
        assert_eq!(e.s3_code(), "AuthorizationHeaderMalformed", "{bad}: {e:?}");
        assert_eq!(e.http_status(), 400);
    }
    // Extra spaces and no spaces after the commas are both accepted.
    for spacing in [",", ",   "] {
        let mut w = w.clone();
        for (n, v) in &mut w.headers {
            if n == "authorization" {
                *v = auth.replace(", ", spacing);
            }
        }
        assert!(w.verify().is_ok(), "{spacing:?}");
    }
}

#[test]
fn paths_encoded_otherwise_by_the_client_still_verify() {
    // A client that signs its path exactly as it sends it, `%2F` and all (S3's own
    // rule re-encodes the decoded path, which gives `/b/a/b`).
    let datetime = "20231114T221320Z";
    let headers = [
        ("host", "h"),
        ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ("x-amz-date", datetime),
    ];
    let signed: Vec<String> = headers.iter().map(|(n, _)| n.to_string()).collect();
    let creq = s3::request::canonical_request(
        "GET",
        "/b/a%2Fb",
        [],
        &headers,
        &signed,
        "UNSIGNED-PAYLOAD",
    );
    let scope = s3::sign::scope("20231114", "r");
    let sig =
        s3::signing_key(SK, "20231114", "r").sign(&AWS4.string_to_sign(datetime, &scope, &creq));
    let mut w = Wire {
        method: "GET".into(),
        path: "/b/a%2Fb".into(),
        query: Vec::new(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    };
    w.headers.push((
        "authorization".into(),
        s3::sign::authorization(AK, &scope, &signed, &sig),
    ));
    assert!(w.verify().is_ok());
    w.path = "/b/a/b".into();
    assert!(w.verify().is_err());
}

#[test]
fn errors_never_show_the_session_token() {
    let mut w = header_signed(&Credentials::with_token(AK, SK, TOKEN));
    w.method = "DELETE".into();
    let e = w.verify().unwrap_err();
    for s in [format!("{e:?}"), e.to_string(), e.message()] {
        assert!(!s.contains("session/token"), "{s}");
    }
    let w = header_signed(&Credentials::with_token(AK, SK, TOKEN));
    let v = w.verify().unwrap();
    assert!(!format!("{v:?}").contains("session/token"));
    let p = presigned(&Credentials::with_token(AK, SK, TOKEN), 60);
    for w in [&w, &p] {
        let received = S3ReceivedRequest {
            method: &w.method,
            raw_path: &w.path,
            query: &w.query,
            headers: &w.headers,
        };
        let d = format!("{received:?}");
        assert!(!d.contains("session/token") && d.contains("***"), "{d}");
    }
    let mut r = sample();
    s3::presign(
        &mut r,
        &Credentials::with_token(AK, SK, TOKEN),
        "r",
        now(),
        60,
    )
    .unwrap();
    assert!(!format!("{r:?}").contains("session/token"));
}
