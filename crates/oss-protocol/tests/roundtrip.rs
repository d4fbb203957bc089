//! Sign with `sign::*`, verify with `verify::verify`: all four forms are accepted, and
//! tampering, wrong secrets, expiry and clock skew are each rejected with their kind.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jit_oss_protocol::encode::parse_query;
use jit_oss_protocol::sign::{v1, v4, SignRequest, SignatureVersion};
use jit_oss_protocol::verify::{
    verify, ReceivedRequest, SecretLookup, Verified, VerifyError, MAX_V1_PRESIGN_AHEAD,
};
use jit_oss_protocol::Credentials;

struct Keys(HashMap<String, String>);

impl SecretLookup for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self.0.get(access_key_id).cloned()
    }
}

fn keys() -> Keys {
    Keys(HashMap::from([
        ("AKID".to_owned(), "secret-1".to_owned()),
        ("STS.tmp".to_owned(), "secret-2".to_owned()),
    ]))
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// What a server would see: the query re-parsed from the encoded URL query.
struct Wire {
    method: String,
    bucket: Option<String>,
    key: Option<String>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
}

impl Wire {
    fn from(req: &SignRequest) -> Wire {
        Wire {
            method: req.method.clone(),
            bucket: req.bucket.clone(),
            key: req.key.clone(),
            query: parse_query(&req.query_string()),
            headers: req.headers.clone(),
        }
    }

    fn verify_at(&self, at: SystemTime) -> Result<Verified, VerifyError> {
        let r = ReceivedRequest {
            method: &self.method,
            bucket: self.bucket.as_deref(),
            key: self.key.as_deref(),
            query: &self.query,
            headers: &self.headers,
        };
        verify(&r, &keys(), at)
    }

    fn verify(&self) -> Result<Verified, VerifyError> {
        self.verify_at(now())
    }
}

fn sample() -> SignRequest {
    SignRequest::new("PUT")
        .with_bucket("bkt")
        .with_key("dir/a b+c%d#e?f~中文.txt")
        .with_query("partNumber", Some("3"))
        .with_query("uploadId", Some("0004B9895DBBB6EC98E"))
        .with_query("prefix", Some("x/y"))
        .with_header("content-type", "text/plain")
        .with_header("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")
        .with_header("x-oss-meta-author", "alice")
        .with_header("host", "bkt.oss-cn-hangzhou.aliyuncs.com")
}

fn creds() -> Credentials {
    Credentials::new("AKID", "secret-1")
}

fn sts_creds() -> Credentials {
    Credentials::with_token("STS.tmp", "secret-2", "token/with+chars=")
}

type Signer = fn(&mut SignRequest, &Credentials);

fn v1_header(r: &mut SignRequest, c: &Credentials) {
    v1::sign_header(r, c, now()).unwrap();
}
fn v1_query(r: &mut SignRequest, c: &Credentials) {
    v1::presign(r, c, now() + Duration::from_secs(600)).unwrap();
}
fn v4_header(r: &mut SignRequest, c: &Credentials) {
    v4::sign_header(r, c, "cn-hangzhou", &["host"], now()).unwrap();
}
fn v4_query(r: &mut SignRequest, c: &Credentials) {
    v4::presign(r, c, "cn-hangzhou", &["host"], now(), 600).unwrap();
}

const FORMS: [(Signer, SignatureVersion, bool); 4] = [
    (v1_header, SignatureVersion::V1, false),
    (v1_query, SignatureVersion::V1, true),
    (v4_header, SignatureVersion::V4, false),
    (v4_query, SignatureVersion::V4, true),
];

#[test]
fn all_forms_verify_with_and_without_token() {
    for (sign, version, presigned) in FORMS {
        for (c, ak) in [(creds(), "AKID"), (sts_creds(), "STS.tmp")] {
            let mut r = sample();
            sign(&mut r, &c);
            let got = Wire::from(&r)
                .verify()
                .unwrap_or_else(|e| panic!("{version:?} {presigned}: {e:?}"));
            assert_eq!(
                got,
                Verified {
                    access_key_id: ak.to_owned(),
                    version,
                    presigned
                }
            );
        }
    }
}

#[test]
fn service_and_bucket_level_requests_verify() {
    for (sign, ..) in FORMS {
        for base in [
            SignRequest::new("GET").with_header("host", "oss-cn-hangzhou.aliyuncs.com"),
            SignRequest::new("GET")
                .with_bucket("bkt")
                .with_query("acl", None)
                .with_header("host", "bkt.oss-cn-hangzhou.aliyuncs.com"),
        ] {
            let mut r = base;
            sign(&mut r, &creds());
            assert!(Wire::from(&r).verify().is_ok());
        }
    }
}

fn assert_mismatch(res: Result<Verified, VerifyError>, what: &str) {
    match res {
        Err(VerifyError::SignatureDoesNotMatch { string_to_sign }) => {
            assert!(!string_to_sign.is_empty(), "{what}")
        }
        other => panic!("{what}: expected SignatureDoesNotMatch, got {other:?}"),
    }
}

#[test]
fn tampering_is_detected() {
    for (sign, version, presigned) in FORMS {
        let what = format!("{version:?} presigned={presigned}");
        let mut r = sample();
        sign(&mut r, &creds());
        let good = Wire::from(&r);
        assert!(good.verify().is_ok());

        let mut w = Wire::from(&r);
        w.key = Some("dir/other.txt".to_owned());
        assert_mismatch(w.verify(), &format!("{what}: key"));

        let mut w = Wire::from(&r);
        for h in w
            .headers
            .iter_mut()
            .filter(|(n, _)| n == "x-oss-meta-author")
        {
            h.1 = "mallory".to_owned();
        }
        assert_mismatch(w.verify(), &format!("{what}: meta header"));

        let mut w = Wire::from(&r);
        for h in w.headers.iter_mut().filter(|(n, _)| n == "content-type") {
            h.1 = "text/html".to_owned();
        }
        assert_mismatch(w.verify(), &format!("{what}: content-type"));

        let mut w = Wire::from(&r);
        w.method = "DELETE".to_owned();
        assert_mismatch(w.verify(), &format!("{what}: method"));

        let mut w = Wire::from(&r);
        for q in w.query.iter_mut().filter(|(n, _)| n == "partNumber") {
            q.1 = "4".to_owned();
        }
        assert_mismatch(w.verify(), &format!("{what}: sub-resource"));

        // Signed with the wrong secret.
        let mut r = sample();
        sign(&mut r, &Credentials::new("AKID", "not-the-secret"));
        assert_mismatch(Wire::from(&r).verify(), &format!("{what}: secret"));

        // Unknown access key.
        let mut r = sample();
        sign(&mut r, &Credentials::new("NOPE", "secret-1"));
        assert!(matches!(
            Wire::from(&r).verify(),
            Err(VerifyError::InvalidAccessKeyId { access_key_id }) if access_key_id == "NOPE"
        ));
    }
}

#[test]
fn v1_ignores_unsigned_list_parameters_but_v4_does_not() {
    let mut r = sample();
    v1_header(&mut r, &creds());
    let mut w = Wire::from(&r);
    for q in w.query.iter_mut().filter(|(n, _)| n == "prefix") {
        q.1 = "changed".to_owned();
    }
    assert!(w.verify().is_ok(), "prefix is not a V1 sub-resource");

    let mut r = sample();
    v4_header(&mut r, &creds());
    let mut w = Wire::from(&r);
    for q in w.query.iter_mut().filter(|(n, _)| n == "prefix") {
        q.1 = "changed".to_owned();
    }
    assert_mismatch(w.verify(), "V4 signs every parameter");
}

#[test]
fn presigned_urls_expire() {
    let mut r = sample();
    v1_query(&mut r, &creds());
    let w = Wire::from(&r);
    assert!(w.verify_at(now() + Duration::from_secs(600)).is_ok());
    assert!(matches!(
        w.verify_at(now() + Duration::from_secs(601)),
        Err(VerifyError::Expired)
    ));

    let mut r = sample();
    v4_query(&mut r, &creds());
    let w = Wire::from(&r);
    assert!(w.verify_at(now() + Duration::from_secs(600)).is_ok());
    assert!(matches!(
        w.verify_at(now() + Duration::from_secs(601)),
        Err(VerifyError::Expired)
    ));
    // Presigned for the future beyond the allowed skew.
    assert!(matches!(
        w.verify_at(now() - Duration::from_secs(16 * 60)),
        Err(VerifyError::RequestTimeTooSkewed)
    ));
}

#[test]
fn v1_presigned_urls_live_at_most_seven_days_plus_skew() {
    let longest = MAX_V1_PRESIGN_AHEAD;
    assert_eq!(longest, Duration::from_secs(7 * 24 * 3600 + 15 * 60));
    for (ahead, accepted) in [
        (longest, true),
        (longest + Duration::from_secs(1), false),
        (Duration::from_secs(100 * 365 * 24 * 3600), false),
    ] {
        let mut r = sample();
        v1::presign(&mut r, &creds(), now() + ahead).unwrap();
        let got = Wire::from(&r).verify();
        if accepted {
            assert!(got.is_ok(), "{ahead:?}: {got:?}");
        } else {
            assert!(
                matches!(got, Err(VerifyError::Malformed(_))),
                "{ahead:?}: {got:?}"
            );
        }
    }
    // The largest number Expires can hold is refused the same way, without overflow.
    let mut r = sample();
    v1_query(&mut r, &creds());
    let mut w = Wire::from(&r);
    for q in w.query.iter_mut().filter(|(n, _)| n == "Expires") {
        q.1 = u64::MAX.to_string();
    }
    assert!(matches!(w.verify(), Err(VerifyError::Malformed(_))));
}

#[test]
fn header_signing_rejects_skew() {
    for sign in [v1_header as Signer, v4_header] {
        let mut r = sample();
        sign(&mut r, &creds());
        let w = Wire::from(&r);
        assert!(w.verify_at(now() + Duration::from_secs(15 * 60)).is_ok());
        assert!(w.verify_at(now() - Duration::from_secs(15 * 60)).is_ok());
        for off in [15 * 60 + 1, 3600] {
            assert!(matches!(
                w.verify_at(now() + Duration::from_secs(off)),
                Err(VerifyError::RequestTimeTooSkewed)
            ));
            assert!(matches!(
                w.verify_at(now() - Duration::from_secs(off)),
                Err(VerifyError::RequestTimeTooSkewed)
            ));
        }
    }
}

#[test]
fn v4_authorization_spacing_and_field_order_accepted() {
    let mut r = sample();
    v4_header(&mut r, &creds());
    let auth = r.header("authorization").unwrap().to_owned();
    let rest = auth.strip_prefix("OSS4-HMAC-SHA256 ").unwrap();
    let fields: Vec<&str> = rest.split(',').collect();
    assert_eq!(fields.len(), 3);
    for variant in [
        format!("OSS4-HMAC-SHA256 {}", fields.join(", ")),
        format!(
            "OSS4-HMAC-SHA256 {}, {}, {}",
            fields[0], fields[2], fields[1]
        ),
    ] {
        let mut w = Wire::from(&r);
        for h in w.headers.iter_mut().filter(|(n, _)| n == "authorization") {
            h.1 = variant.clone();
        }
        assert!(w.verify().is_ok(), "{variant}");
    }
}

#[test]
fn anonymous_and_malformed() {
    let w = Wire::from(&sample());
    assert!(matches!(w.verify(), Err(VerifyError::Anonymous)));

    let cases: &[(&str, &str)] = &[
        ("authorization", "OSS no-colon"),
        ("authorization", "Bearer abc"),
        (
            "authorization",
            "OSS4-HMAC-SHA256 Credential=AKID/2023/cn/oss/aliyun_v4_request,Signature=00",
        ),
        ("authorization", "OSS4-HMAC-SHA256 Signature=00"),
        ("authorization", "OSS4-HMAC-SHA256 garbage"),
    ];
    for (name, value) in cases {
        let mut w = Wire::from(&sample());
        w.headers.push(((*name).to_owned(), (*value).to_owned()));
        w.headers.push((
            "date".to_owned(),
            "Tue, 14 Nov 2023 22:13:20 GMT".to_owned(),
        ));
        assert!(
            matches!(w.verify(), Err(VerifyError::Malformed(_))),
            "{value}"
        );
    }

    // V4 credential date disagreeing with x-oss-date.
    let mut r = sample();
    v4_header(&mut r, &creds());
    let auth = r
        .header("authorization")
        .unwrap()
        .replace("/20231114/", "/20231113/");
    let mut w = Wire::from(&r);
    for h in w.headers.iter_mut().filter(|(n, _)| n == "authorization") {
        h.1 = auth.clone();
    }
    assert!(matches!(w.verify(), Err(VerifyError::Malformed(_))));

    // V4 presign expiry out of range and non-numeric V1 Expires.
    let mut r = sample();
    v4_query(&mut r, &creds());
    let mut w = Wire::from(&r);
    for q in w.query.iter_mut().filter(|(n, _)| n == "x-oss-expires") {
        q.1 = "604801".to_owned();
    }
    assert!(matches!(w.verify(), Err(VerifyError::Malformed(_))));
    let mut r = sample();
    v1_query(&mut r, &creds());
    let mut w = Wire::from(&r);
    for q in w.query.iter_mut().filter(|(n, _)| n == "Expires") {
        q.1 = "soon".to_owned();
    }
    assert!(matches!(w.verify(), Err(VerifyError::Malformed(_))));
}

#[test]
fn region_is_whatever_the_client_signed_for() {
    let mut r = sample();
    v4::sign_header(&mut r, &creds(), "ap-southeast-1", &[], now()).unwrap();
    assert!(Wire::from(&r).verify().is_ok());
    // Changing the region in the credential invalidates the signature.
    let auth = r
        .header("authorization")
        .unwrap()
        .replace("ap-southeast-1", "cn-beijing");
    let mut w = Wire::from(&r);
    for h in w.headers.iter_mut().filter(|(n, _)| n == "authorization") {
        h.1 = auth.clone();
    }
    assert_mismatch(w.verify(), "region");
}

#[test]
fn errors_do_not_leak_the_token() {
    let mut r = sample();
    v1_header(&mut r, &sts_creds());
    let mut w = Wire::from(&r);
    w.key = Some("other".to_owned());
    let err = w.verify().unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("token/with+chars="), "{shown}");
    assert_eq!(err.oss_code(), "SignatureDoesNotMatch");
    assert_eq!(err.http_status(), 403);
}
