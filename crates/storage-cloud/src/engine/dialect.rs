//! The [`Dialect`]: everything the engine asks of the protocol it speaks, so that OSS
//! and the S3 family run on the same reads, writes, multipart uploads, retries and
//! error mapping. A dialect signs each attempt and presigns URLs, names its headers
//! (a [`Vocabulary`]), says which checksum the server keeps for an object and how it
//! is exchanged (an [`ObjectChecksum`]), recognises a server refusing that checksum,
//! and may frame a streamed upload body (S3's `aws-chunked` with a checksum trailer).
//!
//! What the two share is the engine's and not asked here: the operations and their
//! query parameters (`list-type=2`, `uploads`, `partNumber`, `uploadId`, `delete`),
//! the `<Error><Code/><Message/><RequestId/>` XML and the codes' meanings, URLs and
//! addressing styles, presigned lifetimes (1 s to 7 days).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures::stream::BoxStream;
use jit_oss_protocol::Credentials;
use jit_storage::{StorageError, StorageResult};

use crate::engine::checksum::ObjectChecksum;
use crate::engine::vocabulary::Vocabulary;

/// The body of a request as the signer sees it (SigV4 hashes bytes in memory; OSS
/// signs no payload).
#[derive(Debug, Clone)]
pub(crate) enum PayloadView {
    /// No body.
    Empty,
    /// A body in memory.
    Bytes(Bytes),
    /// A body streamed from a file or a stream, not known before it is sent.
    Streamed,
}

/// One request as a dialect signs it: where it goes and what it carries. Header names
/// are lower case; the key and query values are raw (not percent-encoded).
///
/// The engine fills it, the dialect adds its headers (date, payload hash, security
/// token, `Authorization`) or, presigning, its query parameters; the engine then sends
/// exactly `headers` in that order to `scheme://host` + `path` + `?` + `query`.
#[derive(Debug, Clone)]
pub(crate) struct SigningRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// The bucket.
    pub bucket: String,
    /// The raw object key; `None` for requests about the bucket.
    pub key: Option<String>,
    /// `host[:port]` the request goes to (`bucket.endpoint` in virtual-host style).
    pub host: String,
    /// The percent-encoded path as sent (`/bucket/key` in path style, `/key` otherwise).
    pub path: String,
    /// Raw query pairs in URL order (`None`: a bare name such as `uploads`).
    pub query: Vec<(String, Option<String>)>,
    /// Headers, names lower case, in the order given.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub payload: PayloadView,
}

/// An upload body on its way to the wire: what the HTTP client sends, its
/// `Content-Length` when known, and the headers its framing needs.
pub(crate) struct WireBody {
    /// The bytes to send.
    pub stream: BoxStream<'static, Result<Bytes, std::io::Error>>,
    /// `Content-Length`, when known.
    pub length: Option<u64>,
    /// Headers the body needs (e.g. `content-encoding: aws-chunked`), added to the
    /// request's.
    pub headers: Vec<(String, String)>,
}

/// The checksum of an upload body, to be asked once the body's last byte has been
/// read (for a trailer).
pub(crate) type ChecksumAtEnd = Arc<dyn Fn() -> u64 + Send + Sync>;

/// What differs between the object stores the engine speaks to.
///
/// Held by the engine's core as `Arc<dyn Dialect>`; implementations are `OssDialect`
/// (V4 or V1 signing, `x-oss-*` headers, CRC-64/XZ) and, for the S3 family,
/// `S3Dialect` (SigV4, `x-amz-*` headers, CRC-64/NVME, `aws-chunked` uploads).
pub(crate) trait Dialect: Send + Sync + fmt::Debug {
    /// The dialect's header names and conventions.
    fn vocabulary(&self) -> &'static Vocabulary;

    /// The object checksum: algorithm, header, encoding, and how it is asked for.
    fn checksum(&self) -> &'static ObjectChecksum;

    /// Signs one attempt with `credentials` at `now`: adds the headers that
    /// authenticate it (and the security token of temporary credentials). Called
    /// afresh for every attempt.
    fn sign(
        &self,
        request: &mut SigningRequest,
        credentials: &Credentials,
        now: SystemTime,
    ) -> StorageResult<()>;

    /// Presigns `request` with `credentials` for `expires_secs` (1 s to 7 days, checked
    /// by the engine) from `now`: adds the query parameters of the URL.
    fn presign(
        &self,
        request: &mut SigningRequest,
        credentials: &Credentials,
        now: SystemTime,
        expires_secs: u64,
    ) -> StorageResult<()>;

    /// Whether `err`, the failure of a request carrying the checksum headers, is the
    /// server refusing them (it does not support the algorithm). The engine then sends
    /// no checksum headers for this element from then on, says so in a debug log, and
    /// checks transfers by their length (and any checksum answers still carry). None
    /// by default.
    fn refuses_checksum(&self, err: &StorageError) -> bool {
        let _ = err;
        false
    }

    /// The wire form of a streamed upload body (a file, a one-shot stream), whose
    /// checksum is known only once it has been read: `checksum` gives it then. By
    /// default the body as it is; an S3 dialect may frame it as `aws-chunked` with a
    /// checksum trailer. Called only while the server takes checksums.
    fn frame_upload(&self, body: WireBody, checksum: ChecksumAtEnd) -> WireBody {
        let _ = checksum;
        body
    }
}
