//! Receiving request bodies: streaming an upload into the store's staging area while
//! computing its size, MD5 and CRC-64 ([`Digests`]), checking `Content-MD5`, copying a
//! stored blob in front of it (appends, copies), and reading small XML bodies whole.
//!
//! The CRC-64 (hardware, ~0.03 s per GiB) is computed as chunks arrive; the MD5 (~1.4 s
//! per GiB, and sequential) moves to a thread of its own for large bodies
//! ([`Md5Pipe`]), so that receiving and hashing run side by side. The staging area is
//! sized from `Content-Length` before the first byte arrives.

use axum::body::Body;
use axum::http::StatusCode;
use base64::Engine as _;
use futures::StreamExt;
use jit_oss_protocol::crc64::Crc64;

use super::context::Ctx;
use super::md5_worker::Md5Pipe;
use crate::error::{OssError, OssResult};
use crate::shared::body::{self as shared, keep_or_discard, CopyError};
use crate::store::staging::Staging;
use md5::{Digest as _, Md5};

/// Largest single upload OSS accepts (PutObject, UploadPart, one append): 5 GiB.
pub const MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// Largest CompleteMultipartUpload body read: 10,000 `<Part>`s of about 100 bytes each,
/// with room to spare for whitespace.
pub const MAX_COMPLETE_XML_BYTES: usize = 2 * 1024 * 1024;

/// Largest DeleteMultipleObjects body read: 1,000 keys of up to 1,023 bytes, even if
/// every character is written as an XML entity (`&amp;`, `&#10;`, ...).
pub const MAX_DELETE_XML_BYTES: usize = 8 * 1024 * 1024;

/// Size, MD5 and CRC-64 of received bytes.
#[derive(Debug, Clone, Copy)]
pub struct Digests {
    /// Bytes received.
    pub size: u64,
    /// MD5 of them.
    pub md5: [u8; 16],
    /// CRC-64/XZ of them.
    pub crc64: u64,
}

impl Digests {
    /// Upper-case MD5 hex, the ETag of a simple upload.
    pub fn etag(&self) -> String {
        hex::encode_upper(self.md5)
    }

    /// Base64 MD5, as in `Content-MD5`.
    pub fn content_md5(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.md5)
    }
}

/// Streams `body` into `staging`, hashing it, and checks `Content-MD5` if sent.
async fn receive(ctx: &Ctx<'_>, staging: &mut Staging, body: Body) -> OssResult<Digests> {
    let expected_md5 = match ctx.header("content-md5") {
        None => None,
        Some(value) => Some(parse_content_md5(value)?),
    };
    let mut md5 = Md5Pipe::new();
    let mut crc = Crc64::new();
    let mut size: u64 = 0;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| {
            OssError::new(
                StatusCode::BAD_REQUEST,
                "IncompleteBody",
                format!("The request body could not be read completely: {err}"),
            )
        })?;
        size += chunk.len() as u64;
        if size > MAX_UPLOAD_BYTES {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed object size.",
            ));
        }
        crc.update(&chunk);
        md5.update(&chunk).await?;
        staging.write(chunk).await?;
    }
    let digests = Digests {
        size,
        md5: md5.finish().await?,
        crc64: crc.value(),
    };
    if let Some(expected) = expected_md5 {
        if expected != digests.md5 {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified did not match what we received.",
            )
            .with_extra("ExpectedMD5", digests_b64(&expected))
            .with_extra("CalculatedMD5", digests.content_md5()));
        }
    }
    Ok(digests)
}

/// Receives `body` into a new staging area of `bucket`, after the bytes of `prefix`
/// (an existing blob, for appends), for the caller to commit. On any failure the staged
/// bytes are removed before returning (and if this future is dropped, when the staging
/// area is dropped).
pub async fn receive_staged(
    ctx: &Ctx<'_>,
    bucket: &str,
    body: Body,
    prefix: Option<&str>,
) -> OssResult<(Digests, Staging)> {
    let mut staging = ctx.store().staging(bucket).await?;
    let received = async {
        if let Some(blob) = prefix {
            copy_blob(ctx, &mut staging, bucket, blob).await?;
        }
        if let Some(length) = declared_length(ctx).filter(|&n| n <= MAX_UPLOAD_BYTES) {
            staging.reserve(length);
        }
        receive(ctx, &mut staging, body).await
    }
    .await;
    keep_or_discard(staging, received).await
}

/// Streams a stored blob of `source_bucket` into `staging`.
pub async fn copy_blob(
    ctx: &Ctx<'_>,
    staging: &mut Staging,
    source_bucket: &str,
    blob: &str,
) -> OssResult<()> {
    shared::copy_blob(ctx.store(), staging, source_bucket, blob, |_| {})
        .await
        .map_err(|err| match err {
            CopyError::Store(err) => err.into(),
            CopyError::Read(e) => OssError::internal(format!("reading blob: {e}")),
        })
}

/// The request's `Content-Length`, if it sent a valid one.
fn declared_length(ctx: &Ctx<'_>) -> Option<u64> {
    shared::declared_length(ctx.headers)
}

fn digests_b64(md5: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5)
}

/// Parses a `Content-MD5` header: base64 of 16 bytes, else InvalidDigest.
pub fn parse_content_md5(value: &str) -> OssResult<[u8; 16]> {
    shared::decode_content_md5(value).ok_or_else(|| {
        OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidDigest",
            "The Content-MD5 you specified is not valid.",
        )
    })
}

/// 400 EntityTooLarge for an XML body over `limit` bytes.
fn xml_too_large(limit: usize) -> OssError {
    OssError::new(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        format!("The XML request body must not exceed {limit} bytes."),
    )
}

/// Reads a small request body whole (XML requests), at most `limit` bytes, checking
/// `Content-MD5` if sent. A body whose Content-Length announces more is refused before
/// any of it is read; a chunked one is cut off at the limit. Memory stays bounded.
pub async fn read_small_body(ctx: &Ctx<'_>, body: Body, limit: usize) -> OssResult<bytes::Bytes> {
    if declared_length(ctx).is_some_and(|n| n > limit as u64) {
        return Err(xml_too_large(limit));
    }
    let mut buffer = bytes::BytesMut::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| {
            OssError::new(
                StatusCode::BAD_REQUEST,
                "IncompleteBody",
                format!("The request body could not be read completely: {err}"),
            )
        })?;
        if chunk.len() > limit - buffer.len() {
            return Err(xml_too_large(limit));
        }
        buffer.extend_from_slice(&chunk);
    }
    let bytes = buffer.freeze();
    if let Some(value) = ctx.header("content-md5") {
        let expected = parse_content_md5(value)?;
        let actual: [u8; 16] = Md5::digest(&bytes).into();
        if expected != actual {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified did not match what we received.",
            ));
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_md5_must_be_16_bytes() {
        assert!(parse_content_md5("1B2M2Y8AsgTpgAmY7PhCfg==").is_ok());
        assert_eq!(parse_content_md5("abc").unwrap_err().code, "InvalidDigest");
    }
}
