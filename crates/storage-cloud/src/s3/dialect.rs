//! The S3 dialect: AWS Signature V4 (`AWS4-HMAC-SHA256`, the signing key cached per
//! secret, day and region) of every attempt and of presigned URLs by
//! `jit_oss_protocol::s3`, with `x-amz-content-sha256` from the payload (the SHA-256
//! of a body in memory, `STREAMING-UNSIGNED-PAYLOAD-TRAILER` for a framed stream,
//! `UNSIGNED-PAYLOAD` otherwise); the `x-amz-*` headers; CRC-64/NVME in
//! `x-amz-checksum-crc64nvme` (base64 of the big-endian bytes), asked for with
//! `x-amz-checksum-mode: ENABLED`, full-object for multipart; streamed uploads framed
//! as `aws-chunked` with the checksum as a trailer; and the servers that refuse the
//! checksum (older MinIO, R2, moto) recognised.

use std::collections::VecDeque;
use std::time::SystemTime;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use jit_oss_protocol::s3::{self, request as names, PayloadHash, S3Request};
use jit_oss_protocol::v4core::SigningKey;
use jit_oss_protocol::Credentials;
use jit_storage::{StorageError, StorageResult};
use jit_wire::crc64::Crc64Algorithm;
use jit_wire::percent::encode_path;

use crate::engine::checksum::{ChecksumEncoding, ObjectChecksum};
use crate::engine::dialect::{ChecksumAtEnd, Dialect, PayloadView, SigningRequest, WireBody};
use crate::engine::signing_key::SigningKeyCache;
use crate::engine::vocabulary::Vocabulary;

/// The header S3 puts its request id in.
pub const S3_REQUEST_ID_HEADER: &str = "x-amz-request-id";

/// The checksum header (and trailer) of CRC-64/NVME.
const CHECKSUM_HEADER: &str = "x-amz-checksum-crc64nvme";

/// The header naming the algorithm of the checksum a request carries.
const SDK_CHECKSUM_ALGORITHM: &str = "x-amz-sdk-checksum-algorithm";

/// The size of the chunks of an `aws-chunked` body (S3 wants 8 KiB at least, but the
/// last).
const CHUNK: usize = 64 * 1024;

/// S3's header names and conventions.
pub(crate) static S3_VOCABULARY: Vocabulary = Vocabulary {
    service: "S3",
    name: "s3",
    request_id: S3_REQUEST_ID_HEADER,
    error_header: None,
    meta_prefix: "x-amz-meta-",
    storage_class: "x-amz-storage-class",
    copy_source: "x-amz-copy-source",
    url_encoded_listings: true,
};

/// S3's object checksum: CRC-64/NVME, sent with every upload whose checksum is known
/// (and as a trailer of streamed ones), asked for on reads, a full-object checksum for
/// multipart uploads with each part's in `ChecksumCRC64NVME`.
pub(crate) static S3_CHECKSUM: ObjectChecksum = ObjectChecksum {
    algorithm: Crc64Algorithm::Nvme,
    header: CHECKSUM_HEADER,
    encoding: ChecksumEncoding::Base64BigEndian,
    sent_with_uploads: true,
    ask: &[("x-amz-checksum-mode", "ENABLED")],
    multipart_initiate: &[
        ("x-amz-checksum-algorithm", "CRC64NVME"),
        ("x-amz-checksum-type", "FULL_OBJECT"),
    ],
    multipart_complete: &[("x-amz-checksum-type", "FULL_OBJECT")],
    part_element: Some("ChecksumCRC64NVME"),
    streamed_upload: &[(SDK_CHECKSUM_ALGORITHM, "CRC64NVME")],
};

/// S3 as the engine speaks it: the SigV4 region and signing-key cache. `Debug` shows
/// no key.
#[derive(Debug)]
pub(crate) struct S3Dialect {
    region: String,
    signing_key: SigningKeyCache,
}

impl S3Dialect {
    /// SigV4 in `region`.
    pub fn new(region: String) -> Self {
        Self {
            region,
            signing_key: SigningKeyCache::default(),
        }
    }

    /// The request as `jit_oss_protocol::s3` signs it: the raw path (the engine's is
    /// percent-encoded; S3's canonical URI encodes the raw one the same way), `host`
    /// first, then the engine's headers.
    fn s3_request(request: &SigningRequest) -> S3Request {
        let path = match &request.key {
            Some(key) => match request.path.strip_suffix(encode_path(key).as_str()) {
                Some(prefix) => format!("{prefix}{key}"),
                None => request.path.clone(),
            },
            None => request.path.clone(),
        };
        let mut req = S3Request::new(request.method.as_str(), path);
        req.query = request.query.clone();
        req.set_header("host", request.host.as_str());
        for (name, value) in &request.headers {
            req.set_header(name, value.clone());
        }
        req
    }

    /// What `x-amz-content-sha256` says of the payload.
    ///
    /// A body in memory is hashed with SHA-256, unless it is larger than
    /// [`UNSIGNED_ABOVE`] and carries a checksum header the server verifies (CRC-64/NVME
    /// on every upload while the server accepts checksums): then it is sent as
    /// `UNSIGNED-PAYLOAD`, as the AWS SDKs send checksummed bodies, since SHA-256 over
    /// every uploaded byte costs ~0.75 s of CPU per GiB and the checksum already proves
    /// the bytes. Small bodies (XML documents) and bodies without a checksum (a server
    /// that refuses them) keep the signed hash.
    fn payload_hash(request: &SigningRequest) -> PayloadHash {
        let framed = request
            .headers
            .iter()
            .find(|(n, _)| n == names::AMZ_CONTENT_SHA256)
            .and_then(|(_, v)| PayloadHash::parse(v));
        match (&request.payload, framed) {
            (_, Some(hash)) => hash,
            (PayloadView::Empty, None) => PayloadHash::empty(),
            (PayloadView::Bytes(bytes), None)
                if bytes.len() > UNSIGNED_ABOVE && carries_checksum(request) =>
            {
                PayloadHash::Unsigned
            }
            (PayloadView::Bytes(bytes), None) => PayloadHash::of(bytes),
            (PayloadView::Streamed, None) => PayloadHash::Unsigned,
        }
    }

    /// The signed request handed back to the engine: query and headers, `host`
    /// included (sent as signed, so that a default port written in the endpoint still
    /// matches).
    fn hand_back(request: &mut SigningRequest, signed: S3Request) {
        request.query = signed.query;
        request.headers = signed.headers;
    }
}

/// The S3 signing key as the engine's cache keeps it (raw bytes).
fn derive_key(secret: &str, date: &str, region: &str) -> [u8; 32] {
    s3::signing_key(secret, date, region).to_bytes()
}

fn sign_error(e: impl std::error::Error + Send + Sync + 'static) -> StorageError {
    StorageError::invalid_argument(e.to_string()).with_source(e)
}

impl Dialect for S3Dialect {
    fn vocabulary(&self) -> &'static Vocabulary {
        &S3_VOCABULARY
    }

    fn checksum(&self) -> &'static ObjectChecksum {
        &S3_CHECKSUM
    }

    fn sign(
        &self,
        request: &mut SigningRequest,
        credentials: &Credentials,
        now: SystemTime,
    ) -> StorageResult<()> {
        let mut req = Self::s3_request(request);
        // As the AWS SDKs do: name the algorithm of a checksum sent (in a header or a
        // trailer), which servers such as moto need to keep it.
        if req.header(CHECKSUM_HEADER).is_some() || req.header(names::AMZ_TRAILER).is_some() {
            req.set_header(SDK_CHECKSUM_ALGORITHM, "CRC64NVME");
        }
        let payload = Self::payload_hash(request);
        let secret = credentials.access_key_secret.expose();
        let region = self.region.as_str();
        s3::sign_header_with_key(&mut req, credentials, region, &payload, now, |date| {
            SigningKey::from_bytes(self.signing_key.key(secret, date, region, derive_key))
        })
        .map_err(sign_error)?;
        Self::hand_back(request, req);
        Ok(())
    }

    fn presign(
        &self,
        request: &mut SigningRequest,
        credentials: &Credentials,
        now: SystemTime,
        expires_secs: u64,
    ) -> StorageResult<()> {
        let mut req = Self::s3_request(request);
        s3::presign(&mut req, credentials, &self.region, now, expires_secs).map_err(sign_error)?;
        Self::hand_back(request, req);
        Ok(())
    }

    /// A refusal of the checksum itself (not a checksum that does not match, which is
    /// `BadDigest`/`XAmzContentChecksumMismatch`): a 400 or 501 whose code says the
    /// header or algorithm is not implemented or not valid and whose message names the
    /// checksum (R2: `NotImplemented … x-amz-checksum-algorithm`; older MinIO and moto:
    /// `InvalidArgument`/`InvalidRequest` naming the algorithm).
    fn refuses_checksum(&self, err: &StorageError) -> bool {
        let code = err.code().unwrap_or("");
        let status = err.remote().and_then(|r| r.status).unwrap_or(0);
        let refusal_code = matches!(
            code,
            "NotImplemented" | "InvalidArgument" | "InvalidRequest" | "UnsupportedArgument"
        ) || (code.is_empty() && matches!(status, 400 | 501));
        let message = err.message().to_ascii_lowercase();
        let about_checksum = message.contains("checksum") || message.contains("crc64");
        refusal_code && about_checksum
    }

    /// `aws-chunked` with the CRC-64/NVME trailer
    /// (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`) when the length is known; otherwise the
    /// body as it is.
    fn frame_upload(&self, body: WireBody, checksum: ChecksumAtEnd) -> WireBody {
        let Some(decoded) = body.length else {
            return body;
        };
        // Base64 of eight bytes is always twelve characters.
        let placeholder = [(CHECKSUM_HEADER, "AAAAAAAAAAA=")];
        let length = s3::encoded_length(decoded, CHUNK as u64, false, &placeholder);
        let mut headers = body.headers;
        headers.extend([
            ("content-encoding".to_string(), "aws-chunked".to_string()),
            (
                names::AMZ_DECODED_CONTENT_LENGTH.to_string(),
                decoded.to_string(),
            ),
            (names::AMZ_TRAILER.to_string(), CHECKSUM_HEADER.to_string()),
            (
                names::AMZ_CONTENT_SHA256.to_string(),
                PayloadHash::StreamingUnsignedTrailer.as_str().to_string(),
            ),
        ]);
        WireBody {
            stream: aws_chunked(body.stream, checksum),
            length: Some(length),
            headers,
        }
    }
}

/// `stream` as unsigned `aws-chunked` chunks of [`CHUNK`] bytes (the last shorter:
/// fixed sizes, so that the length announced up front is exact), then the final chunk
/// and the checksum trailer `checksum` gives once every byte has been read. A chunk
/// that lies within one piece of the input is handed on as a slice of it, without a
/// copy; only chunks straddling two pieces are copied.
fn aws_chunked(
    stream: futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>>,
    checksum: ChecksumAtEnd,
) -> futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>> {
    struct State {
        input: futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>>,
        pending: BytesMut,
        ready: VecDeque<Bytes>,
        checksum: ChecksumAtEnd,
        done: bool,
    }
    /// One unsigned chunk: its size line, the data, CRLF (what `ChunkedEncoder` writes).
    fn push_chunk(ready: &mut VecDeque<Bytes>, data: Bytes) {
        ready.push_back(Bytes::from(format!("{:x}\r\n", data.len())));
        ready.push_back(data);
        ready.push_back(Bytes::from_static(b"\r\n"));
    }
    let state = State {
        input: stream,
        pending: BytesMut::new(),
        ready: VecDeque::new(),
        checksum,
        done: false,
    };
    futures::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(bytes) = s.ready.pop_front() {
                return Some((Ok(bytes), s));
            }
            if s.done {
                return None;
            }
            match s.input.next().await {
                Some(Ok(mut bytes)) => {
                    if !s.pending.is_empty() {
                        let take = (CHUNK - s.pending.len()).min(bytes.len());
                        s.pending.extend_from_slice(&bytes.split_to(take));
                        if s.pending.len() == CHUNK {
                            push_chunk(&mut s.ready, s.pending.split().freeze());
                        }
                    }
                    while bytes.len() >= CHUNK {
                        push_chunk(&mut s.ready, bytes.split_to(CHUNK));
                    }
                    if !bytes.is_empty() {
                        s.pending.extend_from_slice(&bytes);
                    }
                }
                Some(Err(e)) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
                None => {
                    if !s.pending.is_empty() {
                        push_chunk(&mut s.ready, s.pending.split().freeze());
                    }
                    let value = S3_CHECKSUM.encode((s.checksum)());
                    let mut end = Vec::with_capacity(64);
                    s3::ChunkedEncoder::unsigned().finish(&[(CHECKSUM_HEADER, &value)], &mut end);
                    s.ready.push_back(Bytes::from(end));
                    s.done = true;
                }
            }
        }
    })
    .boxed()
}

/// Bodies in memory up to this size are always signed with their SHA-256.
const UNSIGNED_ABOVE: usize = 64 * 1024;

/// Whether the request carries a checksum of its body the server checks.
fn carries_checksum(request: &SigningRequest) -> bool {
    request.headers.iter().any(|(name, _)| {
        name.strip_prefix("x-amz-checksum-")
            .is_some_and(|algorithm| !matches!(algorithm, "mode" | "type" | "algorithm"))
    })
}

#[cfg(test)]
#[path = "dialect_tests.rs"]
mod tests;
