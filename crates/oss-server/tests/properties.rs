//! Property tests of the local OSS server's request parsing, through
//! [`jit_oss_server::router`] with tower's `oneshot` (no socket): any request — method,
//! Host, path, query, headers, body — gets an answer, never a panic or a 500, and every
//! refusal is an OSS `<Error>` body naming the request id; any `Range` gets the whole
//! object, its exact slice, or 416; any `<Delete>` or `<CompleteMultipartUpload>` body is
//! parsed or refused as a client error, and well-formed ones do what they say.
//!
//! Case counts are bounded so that `cargo test --workspace` stays fast.

mod props;

use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use jit_oss_protocol::OssErrorBody;
use props::{runtime, send, server, Answer, BUCKET, OBJECT};
use proptest::prelude::*;

fn pick(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(items).prop_map(str::to_string)
}

/// Values that parsers meet: numbers at and past their limits, encodings, noise.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        pick(&[
            "",
            "2",
            "0",
            "1",
            "-1",
            "10000",
            "99999999999999999999",
            "url",
            "yes",
            "true",
            "%FF",
            "bytes=0-5",
            "bytes=-3",
            "\"etag\"",
            "*",
            "/test-bucket/obj",
            "/x",
            "Tue, 14 Nov 2023 22:13:20 GMT",
            "OSS AK:sig",
            "OSS4-HMAC-SHA256 Credential=a"
        ]),
        "[ -~]{0,12}",
        "[中é\t]{0,3}",
    ]
}

fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        pick(&[
            "127.0.0.1:9000",
            "test-bucket.localhost:9000",
            "localhost",
            "[::1]:1",
            "other.example.com",
            "a.b.localhost",
            "",
            "test-bucket.localhost.",
            "localhost:x"
        ]),
        "[a-z0-9.:\\[\\]-]{0,16}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        pick(&[
            "test-bucket",
            "obj",
            "no-such-bucket",
            "B",
            "%FF",
            "%2F",
            "..",
            ".",
            "",
            "a%20b",
            "%E4%B8%AD",
            "+",
            "%00"
        ]),
        "[a-zA-Z0-9%._~-]{0,8}",
        Just("k".repeat(1030)),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|p| format!("/{}", p.join("/")))
}

fn query() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    let name = prop_oneof![
        pick(&[
            "uploads",
            "uploadId",
            "partNumber",
            "append",
            "position",
            "delete",
            "list-type",
            "max-keys",
            "prefix",
            "delimiter",
            "marker",
            "continuation-token",
            "encoding-type",
            "start-after",
            "fetch-owner",
            "key-marker",
            "upload-id-marker",
            "max-uploads",
            "max-parts",
            "part-number-marker",
            "objectMeta",
            "bucketInfo",
            "location",
            "acl",
            "response-content-type",
            "response-expires",
            "x-oss-signature",
            "OSSAccessKeyId",
            "Signature",
            "Expires"
        ]),
        "[a-z-]{0,6}",
    ];
    prop::collection::vec((name, prop::option::of(value())), 0..4)
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = pick(&[
        "range",
        "content-type",
        "content-md5",
        "content-length",
        "x-oss-copy-source",
        "x-oss-forbid-overwrite",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "x-oss-meta-a",
        "x-oss-complete-all",
        "authorization",
        "date",
        "x-oss-date",
        "x-oss-content-sha256",
        "cache-control",
        "content-disposition",
        "x-oss-hash-crc64ecma",
        "x-oss-storage-class",
        "transfer-encoding",
    ]);
    prop::collection::vec((name, value()), 0..4)
}

/// Bodies: XML built from the request documents' element names, and bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let piece = pick(&[
        "<Delete>",
        "</Delete>",
        "<Quiet>true</Quiet>",
        "<Object>",
        "</Object>",
        "<Key>",
        "</Key>",
        "<Key/>",
        "obj",
        " a ",
        "&amp;",
        "&bad;",
        "<![CDATA[x]]>",
        "<CompleteMultipartUpload>",
        "</CompleteMultipartUpload>",
        "<Part>",
        "</Part>",
        "<PartNumber>",
        "</PartNumber>",
        "1",
        "4294967296",
        "<ETag>",
        "</ETag>",
        "\"",
        "<?xml version=\"1.0\"?>",
        "<",
        ">",
    ]);
    prop_oneof![
        3 => prop::collection::vec(piece, 0..12).prop_map(|p| p.concat().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..32),
    ]
}

/// The invariants every answer keeps.
fn check_answer(answer: &Answer) -> Result<(), TestCaseError> {
    prop_assert!(
        answer.status != StatusCode::INTERNAL_SERVER_ERROR,
        "500: {answer:?}"
    );
    let request_id = answer.header("x-oss-request-id");
    prop_assert!(request_id.is_some(), "no request id: {answer:?}");
    if answer.status.is_client_error() || answer.status.is_server_error() {
        // HEAD answers carry no body: the error document comes base64 in `x-oss-err`.
        let document = match answer.header("x-oss-err") {
            Some(encoded) if answer.body.is_empty() => BASE64.decode(encoded).unwrap_or_default(),
            _ => answer.body.clone(),
        };
        let error = OssErrorBody::parse(&document);
        prop_assert!(error.is_some(), "not an OSS error body: {answer:?}");
        let error = error.unwrap();
        prop_assert!(!error.code.is_empty(), "{answer:?}");
        prop_assert_eq!(Some(error.request_id.as_str()), request_id, "{:?}", answer);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_request_is_answered_without_panic_or_500(
        method in pick(&["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"]),
        host in host(),
        path in path(),
        query in query(),
        headers in headers(),
        body in body(),
    ) {
        runtime().block_on(async {
            let state = server().await;
            let Some(answer) = send(&state, &method, &host, &path, &query, &headers, body).await else {
                return Ok(()); // Not expressible as an HTTP request.
            };
            check_answer(&answer)
        })?;
    }
}

/// A `Range` header: the forms the server understands, and noise.
fn range_header() -> impl Strategy<Value = String> {
    let number = prop_oneof![0u64..80, Just(u64::MAX), any::<u64>()].prop_map(|n| n.to_string());
    prop_oneof![
        (number.clone(), number.clone()).prop_map(|(a, b)| format!("bytes={a}-{b}")),
        number.clone().prop_map(|a| format!("bytes={a}-")),
        number.prop_map(|n| format!("bytes=-{n}")),
        "(bytes|=|-|,| |[0-9]{1,3}|x){0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_range_gets_the_whole_object_its_exact_slice_or_416(range in range_header()) {
        runtime().block_on(async {
            let state = server().await;
            let headers = vec![("range".to_string(), range.clone())];
            let path = format!("/{BUCKET}/obj");
            let answer = send(&state, "GET", "127.0.0.1", &path, &[], &headers, Vec::new())
                .await
                .expect("a valid request");
            check_answer(&answer)?;
            let size = OBJECT.len();
            match answer.status {
                StatusCode::OK => prop_assert_eq!(&answer.body[..], OBJECT),
                StatusCode::PARTIAL_CONTENT => {
                    let cr = answer.header("content-range").unwrap_or_default().to_string();
                    let (span, total) = cr.strip_prefix("bytes ").unwrap().split_once('/').unwrap();
                    let (a, b) = span.split_once('-').unwrap();
                    let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
                    prop_assert_eq!(total, size.to_string());
                    prop_assert!(a <= b && b < size, "{}", cr);
                    prop_assert_eq!(&answer.body[..], &OBJECT[a..=b]);
                    let length = (b - a + 1).to_string();
                    prop_assert_eq!(answer.header("content-length"), Some(length.as_str()));
                }
                StatusCode::RANGE_NOT_SATISFIABLE => {
                    let expected = format!("bytes */{size}");
                    prop_assert_eq!(answer.header("content-range"), Some(expected.as_str()));
                }
                other => prop_assert!(false, "{range:?}: {other}"),
            }
            // The forms with a clear meaning get exactly it (the object is not empty).
            let spec = range.strip_prefix("bytes=").unwrap_or("");
            let (first, last) = spec.split_once('-').unwrap_or(("x", "x"));
            let (first, last) = (first.parse::<usize>().ok(), last.parse::<u64>().ok());
            let expected = match (first, last) {
                (Some(a), Some(b)) if (a as u64) <= b && a < size => Some((a, (b as usize).min(size - 1))),
                (Some(a), None) if spec.ends_with('-') && a < size => Some((a, size - 1)),
                (None, Some(n)) if spec.starts_with('-') && n > 0 => {
                    Some((size - (n.min(size as u64) as usize), size - 1))
                }
                _ => None,
            };
            if let Some((a, b)) = expected {
                prop_assert_eq!(answer.status, StatusCode::PARTIAL_CONTENT, "{}", range);
                prop_assert_eq!(&answer.body[..], &OBJECT[a..=b], "{}", range);
            }
            Ok(())
        })?;
    }

    #[test]
    fn any_delete_body_is_parsed_or_refused_and_a_valid_one_deletes(
        body in body(),
        keys in prop::collection::vec("[a-z ]{1,6}", 1..4),
        quiet in any::<bool>(),
    ) {
        runtime().block_on(async {
            let state = server().await;
            let query = [("delete".to_string(), None)];
            let bucket = format!("/{BUCKET}");
            let answer = send(&state, "POST", "127.0.0.1", &bucket, &query, &[], body).await.unwrap();
            check_answer(&answer)?;
            prop_assert!(answer.status == StatusCode::OK || answer.status.is_client_error(), "{answer:?}");

            for key in &keys {
                let path = format!("/{BUCKET}/{}", jit_wire_encode(key));
                let put = send(&state, "PUT", "127.0.0.1", &path, &[], &[], b"x".to_vec()).await.unwrap();
                prop_assert_eq!(put.status, StatusCode::OK, "{:?}", put);
            }
            let objects: String = keys
                .iter()
                .map(|k| format!("<Object><Key>{k}</Key></Object>"))
                .collect();
            let xml = format!("<Delete><Quiet>{quiet}</Quiet>{objects}</Delete>");
            let answer = send(&state, "POST", "127.0.0.1", &bucket, &query, &[], xml.into_bytes()).await.unwrap();
            prop_assert_eq!(answer.status, StatusCode::OK, "{:?}", answer);
            for key in &keys {
                let path = format!("/{BUCKET}/{}", jit_wire_encode(key));
                let head = send(&state, "HEAD", "127.0.0.1", &path, &[], &[], Vec::new()).await.unwrap();
                prop_assert_eq!(head.status, StatusCode::NOT_FOUND, "{:?} still there", key);
            }
            Ok(())
        })?;
    }

    #[test]
    fn any_complete_body_is_parsed_or_refused(body in body()) {
        runtime().block_on(async {
            let state = server().await;
            let path = format!("/{BUCKET}/mp");
            let initiated = send(&state, "POST", "127.0.0.1", &path, &[("uploads".into(), None)], &[], Vec::new())
                .await
                .unwrap();
            prop_assert_eq!(initiated.status, StatusCode::OK);
            let text = String::from_utf8_lossy(&initiated.body).to_string();
            let id = text.split("<UploadId>").nth(1).and_then(|t| t.split("</UploadId>").next()).unwrap().to_string();
            let part = [("partNumber".to_string(), Some("1".to_string())), ("uploadId".to_string(), Some(id.clone()))];
            let uploaded = send(&state, "PUT", "127.0.0.1", &path, &part, &[], b"part one".to_vec()).await.unwrap();
            prop_assert_eq!(uploaded.status, StatusCode::OK);

            let upload = [("uploadId".to_string(), Some(id))];
            let answer = send(&state, "POST", "127.0.0.1", &path, &upload, &[], body).await.unwrap();
            check_answer(&answer)?;
            prop_assert!(answer.status == StatusCode::OK || answer.status.is_client_error(), "{answer:?}");
            Ok(())
        })?;
    }
}

fn jit_wire_encode(key: &str) -> String {
    jit_oss_protocol::encode::encode_path(key)
}
