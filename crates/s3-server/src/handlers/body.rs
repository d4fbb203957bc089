//! Receiving request bodies: an upload is streamed into the store's staging area
//! (or a small XML body into memory) while it is decoded from `aws-chunked` where it
//! was sent so, and hashed (MD5 for the ETag, CRC-64/XZ for the store, CRC-64/NVME
//! always, the checksum the client asked for, SHA-256 when the signature names the
//! body's hash). At the end every claim about the body is checked: `Content-MD5`
//! (BadDigest), a hex `x-amz-content-sha256` (XAmzContentSHA256Mismatch),
//! `x-amz-decoded-content-length` (IncompleteBody), the trailers against
//! `x-amz-trailer`, and an `x-amz-checksum-*` header or trailer (BadDigest). On any
//! failure the staged bytes are discarded: nothing of a bad body is ever kept (the
//! decoder writes a chunk's bytes before it has checked that chunk's signature).

use axum::body::Body;
use axum::http::StatusCode;
use base64::prelude::{Engine as _, BASE64_STANDARD};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use jit_oss_protocol::crc64::Crc64;
use jit_oss_protocol::s3::{ChunkedDecoder, ChunkedError, PayloadHash};
use jit_oss_server::shared::body::{declared_length, decode_content_md5, keep_or_discard};
use jit_oss_server::store::Staging;
use md5::{Digest as _, Md5};
use sha2::Sha256;

use super::context::Ctx;
use crate::checksum::{self, Algorithm, Hasher};
use crate::error::{S3Error, S3Result};

/// Largest single upload S3 accepts (PutObject, UploadPart): 5 GiB.
pub const MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// Largest XML request body read (CompleteMultipartUpload of 10,000 parts,
/// DeleteObjects of 1,000 keys).
pub const MAX_XML_BYTES: usize = 8 * 1024 * 1024;

/// What was received and what it hashes to.
#[derive(Debug, Clone)]
pub struct Received {
    /// Decoded bytes received.
    pub size: u64,
    /// Their MD5.
    pub md5: [u8; 16],
    /// Their CRC-64/XZ (what the store keeps for serve-oss).
    pub crc64_xz: u64,
    /// The checksum the client asked for (header, trailer or
    /// `x-amz-sdk-checksum-algorithm`), if any.
    pub requested: Option<Algorithm>,
    /// The checksums kept: the requested one first, then CRC-64/NVME.
    pub checksums: Vec<(String, String)>,
}

impl Received {
    /// Lower-case hex MD5, the ETag of a single upload.
    pub fn etag(&self) -> String {
        hex::encode(self.md5)
    }

    /// Base64 MD5, as in `Content-MD5`.
    pub fn content_md5(&self) -> String {
        BASE64_STANDARD.encode(self.md5)
    }
}

/// Where received bytes go.
enum Sink<'s> {
    Staging(&'s mut Staging),
    Memory(&'s mut BytesMut, usize),
}

impl Sink<'_> {
    async fn write(&mut self, data: Bytes) -> S3Result<()> {
        match self {
            Sink::Staging(staging) => Ok(staging.write(data).await?),
            Sink::Memory(buffer, limit) => {
                if data.len() > *limit - buffer.len() {
                    return Err(S3Error::new(
                        StatusCode::BAD_REQUEST,
                        "MaxMessageLengthExceeded",
                        "Your request was too big.",
                    ));
                }
                buffer.extend_from_slice(&data);
                Ok(())
            }
        }
    }
}

fn chunked_error(err: ChunkedError) -> S3Error {
    let status = StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    S3Error::new(status, err.s3_code(), err.to_string())
}

/// The `x-amz-checksum-<algorithm>` headers sent (not `-mode`, `-type`, `-algorithm`).
fn checksum_headers(ctx: &Ctx<'_>) -> S3Result<Option<(Algorithm, String)>> {
    let mut found = Vec::new();
    for (name, value) in ctx.headers {
        if let Some(algorithm) = Algorithm::from_header(name.as_str()) {
            let value = value.to_str().unwrap_or("").trim().to_owned();
            found.push((algorithm, value));
        }
    }
    if found.len() > 1 {
        return Err(S3Error::invalid_request(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        ));
    }
    Ok(found.pop())
}

/// The trailers `x-amz-trailer` announces: at most one, an `x-amz-checksum-*`.
fn announced_trailer(ctx: &Ctx<'_>) -> S3Result<Option<Algorithm>> {
    let Some(list) = ctx.header("x-amz-trailer") else {
        return Ok(None);
    };
    let names: Vec<&str> = list
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();
    match names[..] {
        [] => Ok(None),
        [one] => Algorithm::from_header(one).map(Some).ok_or_else(|| {
            S3Error::invalid_request(format!("The trailer {one} is not supported."))
        }),
        _ => Err(S3Error::invalid_request(
            "Expecting a single x-amz-checksum- trailer. Multiple checksum Types are not allowed.",
        )),
    }
}

fn too_large() -> S3Error {
    S3Error::new(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed object size.",
    )
}

fn mismatch(algorithm: Algorithm) -> S3Error {
    S3Error::bad_digest(format!(
        "The {} you specified did not match the calculated checksum.",
        algorithm.upper()
    ))
}

/// Receives `body` into `sink`: decodes, hashes and checks it (see the module docs).
/// `default_algorithm` is computed when the request names none (a part of an upload
/// created with a checksum algorithm).
async fn receive(
    ctx: &Ctx<'_>,
    body: Body,
    mut sink: Sink<'_>,
    default_algorithm: Option<Algorithm>,
    checksum_headers_describe_body: bool,
) -> S3Result<Received> {
    let payload = match ctx.verified {
        Some(v) => v.payload.clone(),
        None => ctx
            .header("x-amz-content-sha256")
            .and_then(|v| PayloadHash::parse(v.trim()))
            .unwrap_or(PayloadHash::Unsigned),
    };
    let mut decoder = match ctx.verified {
        Some(v) => v.chunked_decoder(),
        None if payload.is_streaming() => Some(ChunkedDecoder::unsigned()),
        None => None,
    };
    let declared =
        match ctx.header("x-amz-decoded-content-length") {
            Some(v) => Some(v.trim().parse::<u64>().map_err(|_| {
                S3Error::invalid_argument(
                    "x-amz-decoded-content-length must be a number",
                    "x-amz-decoded-content-length",
                    v,
                )
            })?),
            None if decoder.is_some() => return Err(S3Error::new(
                StatusCode::LENGTH_REQUIRED,
                "MissingContentLength",
                "You must provide the x-amz-decoded-content-length header for aws-chunked bodies.",
            )),
            None => None,
        };
    let announced = declared.or_else(|| declared_length(ctx.headers));
    if announced.is_some_and(|n| n > MAX_UPLOAD_BYTES) {
        return Err(too_large());
    }
    let in_header = if checksum_headers_describe_body {
        checksum_headers(ctx)?
    } else {
        None
    };
    let in_trailer = announced_trailer(ctx)?;
    if in_trailer.is_some() && !payload.has_trailer() {
        return Err(S3Error::invalid_request(
            "x-amz-trailer needs an aws-chunked body with trailers (STREAMING-...-TRAILER).",
        ));
    }
    if in_header.is_some() && in_trailer.is_some() {
        return Err(S3Error::invalid_request(
            "Expecting a single x-amz-checksum- header or trailer, not both.",
        ));
    }
    if let Some((algorithm, value)) = &in_header {
        if !checksum::is_well_formed(*algorithm, value) {
            return Err(S3Error::invalid_request(format!(
                "Value for x-amz-checksum-{} header is invalid.",
                algorithm.name()
            )));
        }
    }
    let requested = in_header
        .as_ref()
        .map(|(a, _)| *a)
        .or(in_trailer)
        .or_else(|| {
            ctx.header("x-amz-sdk-checksum-algorithm")
                .and_then(Algorithm::parse)
        })
        .or(default_algorithm);
    let expected_md5 = match ctx.header("content-md5") {
        None => None,
        Some(value) => Some(parse_content_md5(value)?),
    };
    let mut md5 = Md5::new();
    let mut crc64 = Crc64::new();
    let mut nvme = Hasher::new(Algorithm::Crc64Nvme);
    let mut asked = requested
        .filter(|a| *a != Algorithm::Crc64Nvme)
        .map(Hasher::new);
    let mut sha256 = match &payload {
        PayloadHash::Sha256(_) => Some(Sha256::new()),
        _ => None,
    };
    let mut size: u64 = 0;
    let mut out = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| {
            S3Error::incomplete_body(format!(
                "The request body could not be read completely: {err}"
            ))
        })?;
        if let Some(h) = &mut sha256 {
            h.update(&chunk);
        }
        let data = match &mut decoder {
            Some(decoder) => {
                out.clear();
                decoder.feed(&chunk, &mut out).map_err(chunked_error)?;
                Bytes::copy_from_slice(&out)
            }
            None => chunk,
        };
        if data.is_empty() {
            continue;
        }
        size += data.len() as u64;
        if size > MAX_UPLOAD_BYTES {
            return Err(too_large());
        }
        if declared.is_some_and(|d| size > d) {
            return Err(S3Error::incomplete_body(
                "The body holds more bytes than x-amz-decoded-content-length says.",
            ));
        }
        md5.update(&data);
        crc64.update(&data);
        nvme.update(&data);
        if let Some(h) = &mut asked {
            h.update(&data);
        }
        sink.write(data).await?;
    }
    let trailers = match decoder {
        Some(decoder) => decoder.finish().map_err(chunked_error)?,
        None => Vec::new(),
    };
    if let Some(d) = declared {
        if size != d {
            return Err(S3Error::incomplete_body(format!(
                "You did not provide the number of bytes specified by x-amz-decoded-content-length ({d}); got {size}."
            )));
        }
    }
    if let (Some(h), PayloadHash::Sha256(claimed)) = (sha256, &payload) {
        let computed = hex::encode(h.finalize());
        if !computed.eq_ignore_ascii_case(claimed) {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )
            .with_extra("ClientComputedContentSHA256", claimed.clone())
            .with_extra("S3ComputedContentSHA256", computed));
        }
    }
    let md5: [u8; 16] = md5.finalize().into();
    if expected_md5.is_some_and(|e| e != md5) {
        return Err(S3Error::bad_digest(
            "The Content-MD5 you specified did not match what we received.",
        ));
    }
    let value_of = |a: Algorithm| -> String {
        match (&asked, a) {
            (_, Algorithm::Crc64Nvme) => nvme.base64(),
            (Some(h), _) => h.base64(),
            (None, _) => String::new(),
        }
    };
    let trailer_value = match in_trailer {
        Some(algorithm) => {
            let name = algorithm.header();
            let others = trailers.iter().any(|(n, _)| !n.eq_ignore_ascii_case(&name));
            let value = trailers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                .map(|(_, v)| v.clone());
            match value {
                Some(v) if !others => Some((algorithm, v)),
                _ => {
                    return Err(S3Error::invalid_request(format!(
                        "The trailers sent do not match x-amz-trailer ({name})."
                    )))
                }
            }
        }
        None if !trailers.is_empty() => {
            return Err(S3Error::invalid_request(
                "The body carries trailers that x-amz-trailer did not announce.",
            ))
        }
        None => None,
    };
    if let Some((algorithm, claimed)) = in_header.or(trailer_value) {
        if claimed.trim() != value_of(algorithm) {
            return Err(mismatch(algorithm));
        }
    }
    let mut checksums = Vec::new();
    if let Some(a) = requested {
        checksums.push((a.name().to_owned(), value_of(a)));
    }
    if requested != Some(Algorithm::Crc64Nvme) {
        checksums.push((Algorithm::Crc64Nvme.name().to_owned(), nvme.base64()));
    }
    Ok(Received {
        size,
        md5,
        crc64_xz: crc64.value(),
        requested,
        checksums,
    })
}

/// Receives an upload into a new staging area of `bucket`, for the caller to commit.
/// On failure the staged bytes are removed before returning (and, if this future is
/// dropped, when the staging area is dropped).
pub async fn receive_staged(
    ctx: &Ctx<'_>,
    bucket: &str,
    body: Body,
    default_algorithm: Option<Algorithm>,
) -> S3Result<(Received, Staging)> {
    let mut staging = ctx.store().staging(bucket).await?;
    let received = receive(
        ctx,
        body,
        Sink::Staging(&mut staging),
        default_algorithm,
        true,
    )
    .await;
    keep_or_discard(staging, received).await
}

/// Reads a small request body (an XML document) whole, with the same checks as an
/// upload; a Content-Length over the limit is refused before reading. Without
/// `checksum_headers_describe_body` an `x-amz-checksum-*` header is left to the caller
/// (CompleteMultipartUpload's is the whole object's).
pub async fn read_small_body(
    ctx: &Ctx<'_>,
    body: Body,
    checksum_headers_describe_body: bool,
) -> S3Result<Bytes> {
    if declared_length(ctx.headers).is_some_and(|n| n > MAX_XML_BYTES as u64) {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "MaxMessageLengthExceeded",
            "Your request was too big.",
        ));
    }
    let mut buffer = BytesMut::new();
    receive(
        ctx,
        body,
        Sink::Memory(&mut buffer, MAX_XML_BYTES),
        None,
        checksum_headers_describe_body,
    )
    .await?;
    Ok(buffer.freeze())
}

/// Parses a `Content-MD5` header: base64 of 16 bytes, else InvalidDigest.
pub fn parse_content_md5(value: &str) -> S3Result<[u8; 16]> {
    decode_content_md5(value).ok_or_else(|| {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "InvalidDigest",
            "The Content-MD5 you specified was invalid.",
        )
    })
}
