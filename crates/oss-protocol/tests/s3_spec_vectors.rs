//! The AWS documented SigV4 examples for S3 listed in `shared/reference/s3-protocol.md`
//! (GET with Range, PUT with a body, `?lifecycle`, `?max-keys=2&prefix=J`, presigned
//! GET), the documented signed streaming upload (seed and chunk signatures), and the
//! trailer signature of the AWS Common Runtime's chunk-signer tests, recomputed byte
//! for byte with this crate; each signed request also passes the verifier.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jit_oss_protocol::encode::parse_query;
use jit_oss_protocol::s3::{
    self, encoded_length, ChunkedEncoder, PayloadHash, S3ReceivedRequest, S3Request,
};
use jit_oss_protocol::verify::SecretLookup;
use jit_oss_protocol::Credentials;

const AK: &str = "AKIAIOSFODNN7EXAMPLE";
const SK: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const HOST: &str = "examplebucket.s3.amazonaws.com";

/// 2013-05-24T00:00:00Z.
fn at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_369_353_600)
}

fn creds() -> Credentials {
    Credentials::new(AK, SK)
}

struct Key;

impl SecretLookup for Key {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        (access_key_id == AK).then(|| SK.to_owned())
    }
}

fn signature_of(auth: &str) -> &str {
    auth.rsplit_once("Signature=").unwrap().1
}

/// Checks the verifier accepts `req` as signed, and refuses it with another secret.
fn verifies(req: &S3Request) -> s3::S3Verified {
    let pq = req.path_and_query();
    let (path, q) = pq.split_once('?').unwrap_or((&pq, ""));
    let query = parse_query(q);
    let received = S3ReceivedRequest {
        method: &req.method,
        raw_path: path,
        query: &query,
        headers: &req.headers,
    };
    s3::verify(&received, &Key, at()).unwrap()
}

fn header_vector(req: S3Request, payload: PayloadHash, creq: Option<&str>, signature: &str) {
    let mut req = req;
    let signed = s3::sign_header(&mut req, &creds(), "us-east-1", &payload, at()).unwrap();
    if let Some(creq) = creq {
        assert_eq!(signed.canonical_request, creq);
    }
    assert_eq!(signed.signature, signature);
    let auth = req.header("authorization").unwrap();
    assert_eq!(signature_of(auth), signature);
    assert!(auth.starts_with(
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders="
    ));
    let v = verifies(&req);
    assert_eq!(v.access_key_id, AK);
    assert!(!v.presigned);
}

#[test]
fn get_object_with_range() {
    let req = S3Request::virtual_hosted("GET", Some("test.txt"))
        .with_header("Host", HOST)
        .with_header("Range", "bytes=0-9");
    header_vector(
        req,
        PayloadHash::empty(),
        Some(
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
             x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
}

#[test]
fn put_object() {
    let body = b"Welcome to Amazon S3.";
    let req = S3Request::virtual_hosted("PUT", Some("test$file.text"))
        .with_header("Host", HOST)
        .with_header("Date", "Fri, 24 May 2013 00:00:00 GMT")
        .with_header("x-amz-storage-class", "REDUCED_REDUNDANCY");
    assert_eq!(req.encoded_path(), "/test%24file.text");
    header_vector(
        req,
        PayloadHash::of(body),
        Some(
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n\
             host:examplebucket.s3.amazonaws.com\n\
             x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n\
             x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n\
             date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n\
             44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        ),
        "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
    );
}

#[test]
fn get_bucket_lifecycle() {
    let req = S3Request::virtual_hosted("GET", None)
        .with_header("Host", HOST)
        .with_query("lifecycle", None);
    header_vector(
        req,
        PayloadHash::empty(),
        Some(
            "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n\
             x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ),
        "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    );
}

#[test]
fn list_objects() {
    let req = S3Request::virtual_hosted("GET", None)
        .with_header("Host", HOST)
        .with_query("max-keys", Some("2"))
        .with_query("prefix", Some("J"));
    header_vector(
        req,
        PayloadHash::empty(),
        None,
        "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
    );
}

#[test]
fn presigned_get() {
    let mut req = S3Request::virtual_hosted("GET", Some("test.txt")).with_header("Host", HOST);
    s3::presign(&mut req, &creds(), "us-east-1", at(), 86_400).unwrap();
    assert_eq!(
        req.path_and_query(),
        "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    );
    let v = verifies(&req);
    assert!(v.presigned);
    assert_eq!(v.payload, PayloadHash::Unsigned);
}

const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const CHUNK_SIGNATURES: [&str; 3] = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
];
/// The AWS Common Runtime's trailer signature of `first:1st`, `second:2nd`,
/// `third:3rd` after the final chunk above (aws-crt chunk-signer tests).
const TRAILER_SIGNATURE: &str = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c";

#[test]
fn signed_streaming_upload() {
    let mut req = S3Request::new("PUT", "/examplebucket/chunkObject.txt")
        .with_header("Host", "s3.amazonaws.com")
        .with_header("x-amz-storage-class", "REDUCED_REDUNDANCY")
        .with_header("Content-Encoding", "aws-chunked")
        .with_header("x-amz-decoded-content-length", "66560")
        .with_header("Content-Length", "66824");
    assert_eq!(encoded_length(66_560, 65_536, true, &[]), 66_824);
    let seed = s3::sign_header(
        &mut req,
        &creds(),
        "us-east-1",
        &PayloadHash::StreamingSigned,
        at(),
    )
    .unwrap();
    assert_eq!(seed.signature, SEED);
    assert_eq!(
        req.header("authorization").unwrap(),
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
         SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;\
         x-amz-decoded-content-length;x-amz-storage-class, Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    );

    // The chain, chunk by chunk, and the body the encoder writes.
    let data = vec![b'a'; 66_560];
    let mut chain = seed.chunk_chain();
    assert_eq!(chain.sign_chunk(&data[..65_536]), CHUNK_SIGNATURES[0]);
    assert_eq!(chain.sign_chunk(&data[65_536..]), CHUNK_SIGNATURES[1]);
    assert_eq!(chain.sign_chunk(b""), CHUNK_SIGNATURES[2]);
    assert_eq!(
        chain.sign_trailers(&[("first", "1st"), ("second", "2nd"), ("third", "3rd")]),
        TRAILER_SIGNATURE
    );
    let mut body = Vec::new();
    let mut enc = ChunkedEncoder::signed(seed.chunk_chain());
    for piece in data.chunks(65_536) {
        enc.encode_chunk(piece, &mut body);
    }
    enc.finish(&[], &mut body);
    assert_eq!(body.len(), 66_824);
    let mut expected = format!("10000;chunk-signature={}\r\n", CHUNK_SIGNATURES[0]).into_bytes();
    expected.extend_from_slice(&data[..65_536]);
    expected.extend_from_slice(
        format!("\r\n400;chunk-signature={}\r\n", CHUNK_SIGNATURES[1]).as_bytes(),
    );
    expected.extend_from_slice(&data[65_536..]);
    expected.extend_from_slice(
        format!("\r\n0;chunk-signature={}\r\n\r\n", CHUNK_SIGNATURES[2]).as_bytes(),
    );
    assert_eq!(body, expected);

    // The server side: the seed verifies, and the body decodes with every chunk checked.
    let v = verifies(&req);
    assert_eq!(v.payload, PayloadHash::StreamingSigned);
    let mut dec = v.chunked_decoder().unwrap();
    let mut out = Vec::new();
    for piece in body.chunks(1000) {
        dec.feed(piece, &mut out).unwrap();
    }
    assert!(dec.finish().unwrap().is_empty());
    assert_eq!(out, data);
}
