//! Vectors produced offline by the official SDKs (`oss2`, `alibabacloud-oss-v2`,
//! `ali-oss`; see `tests/vectors/README.md`): every entry is recomputed with this crate
//! and must match byte for byte, and `verify` must accept what the SDK produced.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jit_oss_protocol::encode::{decode_component, parse_query};
use jit_oss_protocol::sign::{v1, v4, SignRequest, SignatureVersion};
use jit_oss_protocol::verify::{verify, ReceivedRequest, SecretLookup};
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
    version: String,
    form: String,
    now: u64,
    access_key_id: String,
    access_key_secret: String,
    security_token: Option<String>,
    region: String,
    method: String,
    bucket: String,
    key: Option<String>,
    url: String,
    headers: Vec<(String, String)>,
    additional_headers: Vec<String>,
    expires_in: Option<u64>,
}

const FILES: [&str; 2] = [
    include_str!("vectors/sdk_vectors_python.json"),
    include_str!("vectors/sdk_vectors_node.json"),
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

impl Vector {
    fn creds(&self) -> Credentials {
        match &self.security_token {
            Some(t) => Credentials::with_token(&self.access_key_id, &self.access_key_secret, t),
            None => Credentials::new(&self.access_key_id, &self.access_key_secret),
        }
    }

    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.now)
    }

    /// (decoded key from the URL path, decoded query pairs) of the SDK's URL.
    fn url_parts(&self) -> (Option<String>, Vec<(String, String)>) {
        let after_scheme = self
            .url
            .split_once("://")
            .map_or(self.url.as_str(), |x| x.1);
        let path_and_query = &after_scheme[after_scheme.find('/').unwrap_or(after_scheme.len())..];
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let key = decode_component(path.strip_prefix('/').unwrap_or(path));
        ((!key.is_empty()).then_some(key), parse_query(query))
    }

    fn additional(&self) -> Vec<&str> {
        self.additional_headers.iter().map(String::as_str).collect()
    }

    fn request(&self, query: &[(String, String)], skip_header: &str) -> SignRequest {
        SignRequest {
            method: self.method.clone(),
            bucket: Some(self.bucket.clone()),
            key: self.key.clone(),
            query: query
                .iter()
                .map(|(n, v)| (n.clone(), (!v.is_empty()).then(|| v.clone())))
                .collect(),
            headers: self
                .headers
                .iter()
                .filter(|(n, _)| n != skip_header)
                .cloned()
                .collect(),
        }
    }

    fn sdk_header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{}: no {name} header", self.id))
    }
}

/// `Credential`, `AdditionalHeaders`, `Signature` of a V4 Authorization, in any order.
fn v4_fields(auth: &str) -> BTreeSet<String> {
    auth.strip_prefix("OSS4-HMAC-SHA256 ")
        .expect("V4 authorization")
        .split(',')
        .map(|f| f.trim().to_owned())
        .collect()
}

fn check_header(v: &Vector, query: &[(String, String)]) {
    let sdk_auth = v.sdk_header("authorization");
    let mut req = v.request(query, "authorization");
    let ours = match v.version.as_str() {
        "v1" => {
            v1::sign_header(&mut req, &v.creds(), v.now()).unwrap();
            req.header("authorization").unwrap().to_owned()
        }
        _ => {
            v4::sign_header(&mut req, &v.creds(), &v.region, &v.additional(), v.now()).unwrap();
            req.header("authorization").unwrap().to_owned()
        }
    };
    if v.version == "v1" || !sdk_auth.contains(", ") {
        assert_eq!(ours, sdk_auth, "{}: Authorization", v.id);
    } else {
        // oss2 writes `, ` between the fields; every field must still match exactly.
        assert_eq!(
            v4_fields(&ours),
            v4_fields(sdk_auth),
            "{}: Authorization fields",
            v.id
        );
    }
}

fn check_query(v: &Vector, sdk_query: &[(String, String)]) {
    let signature_params: &[&str] = if v.version == "v1" {
        &v1::PRESIGN_PARAMS
    } else {
        &v4::PRESIGN_PARAMS
    };
    let user: Vec<(String, String)> = sdk_query
        .iter()
        .filter(|(n, _)| !signature_params.contains(&n.as_str()))
        .cloned()
        .collect();
    let mut req = v.request(&user, "");
    let expires = v.expires_in.expect("presign vectors carry expires_in");
    if v.version == "v1" {
        v1::presign(&mut req, &v.creds(), v.now() + Duration::from_secs(expires)).unwrap();
    } else {
        v4::presign(
            &mut req,
            &v.creds(),
            &v.region,
            &v.additional(),
            v.now(),
            expires,
        )
        .unwrap();
    }
    let ours = parse_query(&req.query_string());
    let sig_name = if v.version == "v1" {
        "Signature"
    } else {
        "x-oss-signature"
    };
    let find = |q: &[(String, String)]| {
        q.iter()
            .find(|(n, _)| n == sig_name)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    };
    assert_eq!(find(&ours), find(sdk_query), "{}: signature", v.id);
    let as_set = |q: &[(String, String)]| q.iter().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        as_set(&ours),
        as_set(sdk_query),
        "{}: query parameters",
        v.id
    );
}

#[test]
fn sdk_vectors_match_and_verify() {
    let vectors = load();
    assert!(vectors.len() >= 25, "only {} vectors", vectors.len());
    let mut kinds = BTreeSet::new();
    for v in &vectors {
        let (url_key, query) = v.url_parts();
        assert_eq!(url_key, v.key, "{}: key encoded in the URL", v.id);
        kinds.insert((
            v.sdk.split(' ').next().unwrap().to_owned(),
            v.version.clone(),
            v.form.clone(),
        ));
        match v.form.as_str() {
            "header" => check_header(v, &query),
            "query" => check_query(v, &query),
            other => panic!("{}: unknown form {other}", v.id),
        }

        let received = ReceivedRequest {
            method: &v.method,
            bucket: Some(&v.bucket),
            key: v.key.as_deref(),
            query: &query,
            headers: &v.headers,
        };
        let secrets = OneKey(v.access_key_id.clone(), v.access_key_secret.clone());
        let got = verify(&received, &secrets, v.now())
            .unwrap_or_else(|e| panic!("{}: verify rejected the SDK request: {e:?}", v.id));
        assert_eq!(got.access_key_id, v.access_key_id);
        assert_eq!(got.presigned, v.form == "query", "{}", v.id);
        let version = if v.version == "v1" {
            SignatureVersion::V1
        } else {
            SignatureVersion::V4
        };
        assert_eq!(got.version, version, "{}", v.id);

        // And the same request with the wrong secret is refused.
        let wrong = OneKey(v.access_key_id.clone(), format!("{}x", v.access_key_secret));
        assert!(verify(&received, &wrong, v.now()).is_err(), "{}", v.id);
    }
    // Every SDK contributed both versions in both forms.
    for sdk in ["oss2", "alibabacloud-oss-v2", "ali-oss"] {
        for version in ["v1", "v4"] {
            for form in ["header", "query"] {
                assert!(
                    kinds.contains(&(sdk.to_owned(), version.to_owned(), form.to_owned())),
                    "missing {sdk} {version} {form}"
                );
            }
        }
    }
}
