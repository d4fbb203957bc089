//! What the integration tests share: a server with one bucket and key, and requests
//! signed by `jit_oss_protocol::s3` (header, presigned, aws-chunked) sent with reqwest.

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use jit_oss_protocol::s3::{
    encoded_length, presign, sign_header, ChunkedEncoder, HeaderSignature, PayloadHash, S3Request,
};
use jit_oss_protocol::Credentials;
use jit_s3_server::{start, RunningServer, ServerConfig};

pub const BUCKET: &str = "test-bucket";
pub const AK: &str = "AKIDTEST";
pub const SK: &str = "test-secret";
pub const REGION: &str = "us-east-1";

pub async fn server(root: Option<PathBuf>) -> RunningServer {
    start(ServerConfig {
        root,
        buckets: vec![BUCKET.to_owned()],
        credentials: vec![(AK.to_owned(), SK.to_owned())],
        ..ServerConfig::default()
    })
    .await
    .expect("start")
}

pub fn creds() -> Credentials {
    Credentials::new(AK, SK)
}

/// A path-style request to the server.
pub fn request(server: &RunningServer, method: &str, key: Option<&str>) -> S3Request {
    S3Request::path_style(method, BUCKET, key).with_header("host", server.local_addr().to_string())
}

/// An answer: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `<Code>` of an error body.
    pub fn code(&self) -> String {
        let text = self.text();
        text.split("<Code>")
            .nth(1)
            .and_then(|rest| rest.split("</Code>").next())
            .unwrap_or("")
            .to_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends `req` (already signed or presigned) with `body`.
pub async fn send(server: &RunningServer, req: &S3Request, body: Vec<u8>) -> Answer {
    let url = format!("{}{}", server.endpoint(), req.path_and_query());
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("method");
    let mut builder = client.request(method, url).body(body);
    for (name, value) in &req.headers {
        if name != "host" {
            builder = builder.header(name, value);
        }
    }
    let response = builder.send().await.expect("send");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("body").to_vec(),
    }
}

/// Signs `req` (body hash `payload`) at `now` with `credentials`, then sends it.
pub async fn signed_at(
    server: &RunningServer,
    mut req: S3Request,
    body: Vec<u8>,
    credentials: &Credentials,
    now: SystemTime,
) -> Answer {
    let payload = PayloadHash::of(&body);
    sign_header(&mut req, credentials, REGION, &payload, now).expect("sign");
    send(server, &req, body).await
}

/// Signs `req` with the test key now, hashing `body`, and sends it.
pub async fn signed(server: &RunningServer, req: S3Request, body: Vec<u8>) -> Answer {
    signed_at(server, req, body, &creds(), SystemTime::now()).await
}

/// Presigns `req` at `now` for `expires` seconds, then sends it.
pub async fn presigned(
    server: &RunningServer,
    mut req: S3Request,
    body: Vec<u8>,
    now: SystemTime,
    expires: u64,
) -> Answer {
    presign(&mut req, &creds(), REGION, now, expires).expect("presign");
    send(server, &req, body).await
}

/// An aws-chunked body of `data` in `chunk` byte pieces, signed (`signed`) or not,
/// with `trailers`; `edit` may spoil the encoded bytes before sending.
pub async fn chunked(
    server: &RunningServer,
    mut req: S3Request,
    data: &[u8],
    chunk: usize,
    signed: bool,
    trailers: &[(&str, &str)],
    edit: impl FnOnce(&mut Vec<u8>),
) -> Answer {
    let payload = match (signed, trailers.is_empty()) {
        (true, true) => PayloadHash::StreamingSigned,
        (true, false) => PayloadHash::StreamingSignedTrailer,
        (false, _) => PayloadHash::StreamingUnsignedTrailer,
    };
    req.set_header("content-encoding", "aws-chunked");
    req.set_header("x-amz-decoded-content-length", data.len().to_string());
    if let Some((name, _)) = trailers.first() {
        req.set_header("x-amz-trailer", *name);
    }
    let signature: HeaderSignature =
        sign_header(&mut req, &creds(), REGION, &payload, SystemTime::now()).expect("sign");
    let mut encoder = if signed {
        ChunkedEncoder::signed(signature.chunk_chain())
    } else {
        ChunkedEncoder::unsigned()
    };
    let mut body = Vec::new();
    for piece in data.chunks(chunk.max(1)) {
        encoder.encode_chunk(piece, &mut body);
    }
    encoder.finish(trailers, &mut body);
    assert_eq!(
        body.len() as u64,
        encoded_length(data.len() as u64, chunk as u64, signed, trailers)
    );
    // Content-Length is left unsigned (reqwest sets it), so that `edit` may cut the body.
    edit(&mut body);
    send(server, &req, body).await
}

pub fn ago(secs: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(secs)
}
