//! Helpers of the S3 checks: the CRC-64/NVME of bytes as S3 writes it, and requests
//! SigV4-signed by `jit_oss_protocol::s3` sent straight to a server.

use base64::Engine as _;
use jit_wire::crc64::Crc64Algorithm;

pub fn nvme_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(Crc64Algorithm::Nvme.checksum(data).to_be_bytes())
}

/// Sends `method` to moto for `/bucket/key` (path style), SigV4-signed (moto wants a
/// signed request, though it checks no signature) with `headers` and `body`.
pub async fn signed(
    addr: std::net::SocketAddr,
    method: &str,
    bucket: &str,
    key: &str,
    headers: &[(&str, &str)],
    body: &'static [u8],
) -> reqwest::Response {
    use jit_oss_protocol::s3::{sign_header, PayloadHash, S3Request};
    let mut req =
        S3Request::path_style(method, bucket, Some(key)).with_header("host", addr.to_string());
    for (n, v) in headers {
        req.set_header(n, *v);
    }
    let creds = jit_oss_protocol::Credentials::new(super::AK, super::SK);
    sign_header(
        &mut req,
        &creds,
        "us-east-1",
        &PayloadHash::of(body),
        std::time::SystemTime::now(),
    )
    .unwrap();
    let mut builder = reqwest::Client::new().request(
        method.parse().unwrap(),
        format!("http://{addr}{}", req.path_and_query()),
    );
    for (n, v) in &req.headers {
        if n != "host" {
            builder = builder.header(n, v);
        }
    }
    builder.body(body).send().await.unwrap()
}
