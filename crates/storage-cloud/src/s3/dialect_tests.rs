//! The S3 dialect's signatures checked by `jit_oss_protocol::s3`'s verifier (the one
//! serve-s3 uses): header and presigned, bodies in memory, streamed and framed, path
//! and virtual-host style, keys that need encoding, STS tokens; the aws-chunked
//! framing decoded back; refusals told apart from mismatches.

use super::*;
use futures::stream;
use jit_oss_protocol::s3::{verify_with, ChunkedDecoder, S3ReceivedRequest, S3VerifyOptions};
use jit_oss_protocol::verify::SecretLookup;
use jit_storage::{RemoteError, StorageErrorKind};
use std::sync::Arc;
use std::time::Duration;

const AK: &str = "AKIDEXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const KEY: &str = "dir/a b+c%d#e?f/文.txt";

struct Keys;

impl SecretLookup for Keys {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        (access_key_id == AK).then(|| SK.to_string())
    }
}

fn request(
    method: &str,
    path_style: bool,
    key: Option<&str>,
    payload: PayloadView,
) -> SigningRequest {
    let encoded = encode_path(key.unwrap_or(""));
    let (host, path) = if path_style {
        ("127.0.0.1:9000".to_string(), format!("/bkt/{encoded}"))
    } else {
        ("bkt.localhost:9000".to_string(), format!("/{encoded}"))
    };
    SigningRequest {
        method: method.to_string(),
        bucket: "bkt".into(),
        key: key.map(str::to_string),
        host,
        path,
        query: vec![
            ("uploadId".into(), Some("a/b c".into())),
            ("partNumber".into(), Some("1".into())),
        ],
        headers: vec![
            ("content-type".into(), "text/plain".into()),
            ("x-amz-meta-note".into(), "hi".into()),
        ],
        payload,
    }
}

/// What the server sees of `signed`: the path as sent, the query decoded, the headers.
fn verify(signed: &SigningRequest, now: SystemTime) -> Result<s3::S3Verified, s3::S3VerifyError> {
    let query: Vec<(String, String)> = signed
        .query
        .iter()
        .map(|(n, v)| (n.clone(), v.clone().unwrap_or_default()))
        .collect();
    let received = S3ReceivedRequest {
        method: &signed.method,
        raw_path: &signed.path,
        query: &query,
        headers: &signed.headers,
    };
    let options = S3VerifyOptions {
        region: Some("us-east-1".into()),
        ..S3VerifyOptions::default()
    };
    verify_with(&received, &Keys, now, &options)
}

fn header<'a>(req: &'a SigningRequest, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn header_signatures_verify_in_both_styles_for_every_payload() {
    let dialect = S3Dialect::new("us-east-1".into());
    let now = SystemTime::now();
    let body = Bytes::from_static(b"hello, s3");
    for path_style in [true, false] {
        for (payload, expected) in [
            (PayloadView::Empty, PayloadHash::empty()),
            (PayloadView::Bytes(body.clone()), PayloadHash::of(&body)),
            (PayloadView::Streamed, PayloadHash::Unsigned),
        ] {
            for key in [Some(KEY), None] {
                let mut req = request("PUT", path_style, key, payload.clone());
                dialect
                    .sign(&mut req, &Credentials::new(AK, SK), now)
                    .unwrap();
                assert_eq!(
                    header(&req, "x-amz-content-sha256"),
                    Some(expected.as_str())
                );
                assert!(header(&req, "x-amz-date").is_some());
                let auth = header(&req, "authorization").unwrap();
                assert!(
                    auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
                    "{auth}"
                );
                let verified = verify(&req, now)
                    .unwrap_or_else(|e| panic!("{path_style} {key:?} {payload:?}: {e:?}"));
                assert_eq!(verified.payload, expected);
                assert!(!verified.presigned);
                assert!(verified.signed_headers.contains(&"host".to_string()));
                assert!(verified
                    .signed_headers
                    .contains(&"x-amz-meta-note".to_string()));
            }
        }
    }
}

#[test]
fn large_checksummed_bodies_go_unsigned_small_or_unchecked_ones_are_hashed() {
    let dialect = S3Dialect::new("us-east-1".into());
    let now = SystemTime::now();
    let large = Bytes::from(vec![7u8; UNSIGNED_ABOVE + 1]);
    let small = Bytes::from(vec![7u8; UNSIGNED_ABOVE]);
    for (body, checksum, expected) in [
        (large.clone(), true, PayloadHash::Unsigned),
        (large.clone(), false, PayloadHash::of(&large)),
        (small.clone(), true, PayloadHash::of(&small)),
    ] {
        let mut req = request("PUT", true, Some(KEY), PayloadView::Bytes(body));
        if checksum {
            req.headers
                .push(("x-amz-checksum-crc64nvme".into(), "AAAAAAAAAAA=".into()));
        }
        dialect
            .sign(&mut req, &Credentials::new(AK, SK), now)
            .unwrap();
        assert_eq!(
            header(&req, "x-amz-content-sha256"),
            Some(expected.as_str())
        );
        assert_eq!(verify(&req, now).unwrap().payload, expected);
    }
}

#[test]
fn a_changed_request_or_secret_does_not_verify() {
    let dialect = S3Dialect::new("us-east-1".into());
    let now = SystemTime::now();
    let mut req = request("GET", true, Some(KEY), PayloadView::Empty);
    dialect
        .sign(&mut req, &Credentials::new(AK, SK), now)
        .unwrap();
    let mut tampered = req.clone();
    tampered.path = tampered.path.replace("dir", "other");
    assert!(verify(&tampered, now).is_err());
    let mut wrong = request("GET", true, Some(KEY), PayloadView::Empty);
    dialect
        .sign(&mut wrong, &Credentials::new(AK, "not-the-secret"), now)
        .unwrap();
    let err = verify(&wrong, now).unwrap_err();
    assert_eq!(err.s3_code(), "SignatureDoesNotMatch");
    // Another region's scope is refused.
    let mut other = request("GET", true, Some(KEY), PayloadView::Empty);
    S3Dialect::new("eu-west-1".into())
        .sign(&mut other, &Credentials::new(AK, SK), now)
        .unwrap();
    assert!(verify(&other, now).is_err());
}

#[test]
fn sts_tokens_are_signed_and_cached_keys_match_fresh_ones() {
    let dialect = S3Dialect::new("us-east-1".into());
    let now = SystemTime::now();
    let creds = Credentials::with_token(AK, SK, "the-session-token");
    for _ in 0..2 {
        let mut req = request("HEAD", false, Some("k"), PayloadView::Empty);
        dialect.sign(&mut req, &creds, now).unwrap();
        assert_eq!(
            header(&req, "x-amz-security-token"),
            Some("the-session-token")
        );
        verify(&req, now).unwrap();
    }
    assert!(!format!("{dialect:?}").contains(SK));
}

#[test]
fn presigned_urls_verify_and_expire() {
    let dialect = S3Dialect::new("us-east-1".into());
    let now = SystemTime::now();
    for path_style in [true, false] {
        let mut req = request("GET", path_style, Some(KEY), PayloadView::Empty);
        req.headers.clear();
        req.query = vec![("response-content-type".into(), Some("text/plain".into()))];
        let creds = Credentials::with_token(AK, SK, "tok");
        dialect.presign(&mut req, &creds, now, 300).unwrap();
        let names: Vec<&str> = req.query.iter().map(|(n, _)| n.as_str()).collect();
        for param in [
            "X-Amz-Algorithm",
            "X-Amz-Credential",
            "X-Amz-Date",
            "X-Amz-Expires",
            "X-Amz-SignedHeaders",
            "X-Amz-Signature",
            "X-Amz-Security-Token",
        ] {
            assert!(names.contains(&param), "{param} in {names:?}");
        }
        assert!(header(&req, "authorization").is_none());
        let verified = verify(&req, now).unwrap();
        assert!(verified.presigned);
        let err = verify(&req, now + Duration::from_secs(301)).unwrap_err();
        assert_eq!(err.s3_code(), "AccessDenied");
    }
    let mut req = request("GET", true, Some("k"), PayloadView::Empty);
    let err = dialect
        .presign(&mut req, &Credentials::new(AK, SK), now, 604_801)
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::InvalidArgument);
}

#[tokio::test]
async fn streamed_uploads_are_aws_chunked_with_the_checksum_trailer() {
    let dialect = S3Dialect::new("us-east-1".into());
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let crc = S3_CHECKSUM.of(&data);
    let mut wire_headers = Vec::new();
    // Pieces smaller than a chunk, exactly one, larger, and the whole body at once.
    for piece in [7_000, CHUNK, 100_000, 200_000] {
        let pieces: Vec<Result<Bytes, std::io::Error>> = data
            .chunks(piece)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body = WireBody {
            stream: stream::iter(pieces).boxed(),
            length: Some(data.len() as u64),
            headers: Vec::new(),
        };
        let framed = dialect.frame_upload(body, Arc::new(move || crc));
        wire_headers = framed.headers.clone();
        let announced = framed.length.unwrap();
        let wire: Vec<u8> = framed
            .stream
            .map(|b| b.unwrap())
            .collect::<Vec<_>>()
            .await
            .concat();
        assert_eq!(wire.len() as u64, announced, "pieces of {piece}");
        let mut decoder = ChunkedDecoder::unsigned();
        let mut out = Vec::new();
        decoder.feed(&wire, &mut out).unwrap();
        let trailers = decoder.finish().unwrap();
        assert_eq!(out, data);
        assert_eq!(
            trailers,
            vec![(CHECKSUM_HEADER.to_string(), S3_CHECKSUM.encode(crc))]
        );
    }

    // Signed as STREAMING-UNSIGNED-PAYLOAD-TRAILER, and verified so.
    let mut req = request("PUT", true, Some("big"), PayloadView::Streamed);
    req.query.clear();
    req.headers.extend(wire_headers);
    let now = SystemTime::now();
    dialect
        .sign(&mut req, &Credentials::new(AK, SK), now)
        .unwrap();
    assert_eq!(header(&req, "content-encoding"), Some("aws-chunked"));
    assert_eq!(header(&req, "x-amz-decoded-content-length"), Some("200000"));
    let verified = verify(&req, now).unwrap();
    assert_eq!(verified.payload, PayloadHash::StreamingUnsignedTrailer);

    // Unknown length: the body as it is.
    let plain = dialect.frame_upload(
        WireBody {
            stream: stream::empty().boxed(),
            length: None,
            headers: Vec::new(),
        },
        Arc::new(|| 0),
    );
    assert!(plain.headers.is_empty());
}

fn remote(status: u16, code: &str, message: &str) -> StorageError {
    StorageError::new(StorageErrorKind::InvalidArgument, message).with_remote(RemoteError {
        status: Some(status),
        code: Some(code.to_string()),
        ..RemoteError::default()
    })
}

#[test]
fn checksum_refusals_are_told_from_mismatches() {
    let dialect = S3Dialect::new("auto".into());
    assert!(!dialect.refuses_checksum(&remote(
        400,
        "BadDigest",
        "The CRC64NVME you specified did not match"
    )));
    assert!(!dialect.refuses_checksum(&remote(400, "InvalidArgument", "Invalid part number")));
    assert!(!dialect.refuses_checksum(&remote(403, "AccessDenied", "checksum")));
    assert!(dialect.refuses_checksum(&remote(
        501,
        "NotImplemented",
        "Header 'x-amz-checksum-algorithm' with value 'CRC64NVME' not implemented"
    )));
    assert!(dialect.refuses_checksum(&remote(
        400,
        "InvalidRequest",
        "Value for x-amz-checksum-crc64nvme header is invalid."
    )));
}

#[test]
fn the_vocabulary_is_s3s() {
    assert_eq!(S3_VOCABULARY.request_id, "x-amz-request-id");
    assert_eq!(S3_VOCABULARY.meta_prefix, "x-amz-meta-");
    assert_eq!(S3_VOCABULARY.copy_source, "x-amz-copy-source");
    assert_eq!(
        S3_CHECKSUM.encode(S3_CHECKSUM.of(b"123456789")),
        "rosUhgp5mIg="
    );
}
