//! Property tests of what OssType reads from a server, through its public API against a
//! fake server on 127.0.0.1 that answers with whatever the case says: any listing body
//! gives a page or an error, never a panic; a well-formed ListObjectsV2 answer gives back
//! exactly its (URL-decoded) keys, prefixes and token; any error answer becomes a
//! StorageError, with the code and request id of a well-formed OSS error body. Also any
//! JSON as an element's `OssConfig` is accepted or refused by `validate`, never a panic.
//!
//! The listing and error parsers are private: they are reached through
//! [`OssStorage::list`]. Case counts are bounded so that `cargo test --workspace` stays
//! fast.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jit_oss_protocol::encode::encode_query_component;
use jit_oss_protocol::OssErrorBody;
use jit_storage::{ListOptions, StorageMeta};
use jit_storage_cloud::{OssConfig, OssStorage};
use proptest::prelude::*;
use quick_xml::escape::escape;
use serde_json::{json, Value};

/// A server that answers every request with the status and body set last.
struct Fake {
    runtime: tokio::runtime::Runtime,
    answer: Arc<Mutex<(u16, Vec<u8>)>>,
    storage: OssStorage,
}

impl Fake {
    fn start() -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let answer = Arc::new(Mutex::new((200u16, Vec::new())));
        let shared = answer.clone();
        let addr: SocketAddr = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = axum::Router::new().fallback(move || {
                let (status, body) = shared.lock().unwrap().clone();
                async move {
                    let mut response: Response = body.into_response();
                    *response.status_mut() = StatusCode::from_u16(status).unwrap();
                    response
                }
            });
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            addr
        });
        let config: OssConfig = serde_json::from_value(json!({
            "accessKeyId": "AK",
            "accessKeySecret": "secret",
            "endPoint": format!("http://{addr}"),
            "bucketName": "fake-bucket",
            "region": "cn-hangzhou",
            "pathStyle": true,
            "maxRetries": 0
        }))
        .unwrap();
        let storage = OssStorage::new(&config).unwrap();
        Fake {
            runtime,
            answer,
            storage,
        }
    }

    fn list(
        &self,
        status: u16,
        body: Vec<u8>,
    ) -> jit_storage::StorageResult<jit_storage::ListPage> {
        *self.answer.lock().unwrap() = (status, body);
        self.runtime
            .block_on(self.storage.list(ListOptions::default()))
    }
}

/// XML built from the listing's element names, and bytes.
fn listing_noise() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        "<ListBucketResult>",
        "</ListBucketResult>",
        "<Contents>",
        "</Contents>",
        "<Key>",
        "</Key>",
        "<Size>",
        "</Size>",
        "-1",
        "18446744073709551616",
        "12",
        "<IsTruncated>",
        "</IsTruncated>",
        "true",
        "maybe",
        "<NextContinuationToken>",
        "</NextContinuationToken>",
        "<EncodingType>url</EncodingType>",
        "<CommonPrefixes><Prefix>",
        "</Prefix></CommonPrefixes>",
        "<LastModified>2024-13-45T99:00:00Z</LastModified>",
        "<ETag>\"</ETag>",
        "%FF",
        "%E4%B8",
        "&amp;",
        "&#0;",
        "&bad;",
        "<![CDATA[",
        "]]>",
        "<?xml version=\"1.0\"?>",
        "<",
        "a",
    ]);
    prop_oneof![
        3 => prop::collection::vec(piece, 0..14).prop_map(|p| p.concat().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..48),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 /%+&<>'\"._~-]{1,12}",
        "[中文☃é\u{1}]{1,4}",
        any::<String>().prop_filter("not empty", |s| !s.is_empty()),
    ]
}

/// A ListObjectsV2 answer: keys, prefixes, token, and whether they are URL-encoded.
fn listing(keys: &[(String, u64)], prefixes: &[String], token: Option<&str>, url: bool) -> String {
    let text = |s: &str| {
        if url {
            encode_query_component(s)
        } else {
            escape(s).into_owned()
        }
    };
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult>");
    xml.push_str("<Name>fake-bucket</Name>");
    if url {
        xml.push_str("<EncodingType>url</EncodingType>");
    }
    xml.push_str(&format!("<IsTruncated>{}</IsTruncated>", token.is_some()));
    if let Some(t) = token {
        xml.push_str(&format!(
            "<NextContinuationToken>{}</NextContinuationToken>",
            text(t)
        ));
    }
    for (k, size) in keys {
        xml.push_str(&format!(
            "<Contents><Key>{}</Key><LastModified>2024-01-02T03:04:05.000Z</LastModified>\
             <ETag>\"5B3C1A2E053D763E1B002CC607C5A0FE\"</ETag><Size>{size}</Size>\
             <StorageClass>Standard</StorageClass></Contents>",
            text(k)
        ));
    }
    for p in prefixes {
        xml.push_str(&format!(
            "<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>",
            text(p)
        ));
    }
    xml.push_str("</ListBucketResult>");
    xml
}

#[test]
fn any_listing_body_gives_a_page_or_an_error() {
    let fake = Fake::start();
    proptest!(ProptestConfig::with_cases(256), |(body in listing_noise())| {
        let _ = fake.list(200, body);
    });
}

#[test]
fn well_formed_listings_give_back_their_keys_prefixes_and_token() {
    let fake = Fake::start();
    proptest!(ProptestConfig::with_cases(256), |(
        keys in prop::collection::vec((key(), any::<u64>()), 0..4),
        prefixes in prop::collection::vec(key(), 0..3),
        token in prop::option::of("[a-zA-Z0-9+/=-]{1,12}"),
        url in any::<bool>(),
    )| {
        // Without URL encoding, XML text loses surrounding whitespace and cannot carry
        // every control character: the client always asks for `encoding-type=url`.
        let plain = |s: &String| s.trim() == s && !s.chars().any(|c| c.is_control());
        prop_assume!(url || (keys.iter().all(|(k, _)| plain(k)) && prefixes.iter().all(plain)));
        let body = listing(&keys, &prefixes, token.as_deref(), url);
        let page = fake.list(200, body.clone().into_bytes());
        prop_assert!(page.is_ok(), "{:?} for {}", page, body);
        let page = page.unwrap();
        let got: Vec<(String, u64)> = page.objects.iter().map(|o| (o.key.clone(), o.size)).collect();
        prop_assert_eq!(got, keys);
        prop_assert_eq!(page.common_prefixes, prefixes);
        prop_assert_eq!(page.next_token, token);
        for o in &page.objects {
            prop_assert_eq!(o.etag.as_deref(), Some("5B3C1A2E053D763E1B002CC607C5A0FE"));
            prop_assert!(o.last_modified.is_some());
        }
    });
}

#[test]
fn any_error_answer_becomes_a_storage_error_with_its_code() {
    let fake = Fake::start();
    proptest!(ProptestConfig::with_cases(256), |(
        status in prop::sample::select(vec![400u16, 403, 404, 409, 416, 429, 500, 501, 503]),
        code in "[A-Za-z]{1,16}",
        request_id in "[0-9A-F]{0,24}",
        noise in listing_noise(),
        well_formed in any::<bool>(),
    )| {
        let body = if well_formed {
            let mut b = OssErrorBody::new(code.clone(), "message <&>");
            b.request_id = request_id.clone();
            b.to_xml().into_bytes()
        } else {
            noise
        };
        let err = fake.list(status, body);
        prop_assert!(err.is_err(), "HTTP {} listed", status);
        let err = err.unwrap_err();
        if well_formed {
            prop_assert_eq!(err.code(), Some(code.as_str()), "{}", err);
            if !request_id.is_empty() {
                prop_assert_eq!(err.request_id(), Some(request_id.as_str()), "{}", err);
            }
        }
    });
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![-1i64, 0, 1, 100, 101, 1 << 40]).prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "v1",
            "v4",
            "V4",
            "http://127.0.0.1:1",
            "https://oss-cn-hangzhou.aliyuncs.com",
            "ftp://x",
            "oss-cn-hangzhou.aliyuncs.com",
            "cn-hangzhou",
            "my-bucket",
            "B",
            "${X}",
            "http://[::1",
            "http://a b",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(1, 4, 2, |inner| {
        prop::collection::vec(inner, 0..2).prop_map(Value::Array)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_json_config_is_accepted_or_refused_by_name(
        fields in prop::collection::btree_map(
            prop::sample::select(vec![
                "accessKeyId", "accessKeySecret", "endPoint", "bucketName", "region",
                "securityToken", "signatureVersion", "secure", "customDomain", "pathStyle",
                "maxRetries", "retryBaseMs", "retryMaxMs", "retryDeadlineSeconds",
                "timeoutSeconds", "multipartThreshold", "partSize", "multipartConcurrency",
                "unknownField",
            ]),
            json_value(),
            0..12,
        ),
    ) {
        let object: serde_json::Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        if let Ok(config) = serde_json::from_value::<OssConfig>(Value::Object(object)) {
            if let Err(e) = config.validate() {
                prop_assert!(!e.field.is_empty(), "{:?}", e);
            }
        }
    }
}
