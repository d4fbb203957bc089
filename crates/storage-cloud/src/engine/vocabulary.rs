//! A dialect's words: the names of the headers and query conventions that differ
//! between object stores which otherwise share one API (OSS and S3: the same
//! operations, the same `<Error>` XML). Plain data, read by the whole engine.

/// The header names and conventions of one dialect.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    /// The service as messages name it: `OSS`, `S3`.
    pub service: &'static str,
    /// Its short lower-case name, for logs (`oss request`) and the User-Agent
    /// (`jit-storage-oss/…`).
    pub name: &'static str,
    /// The header an answer's request id comes in: `x-oss-request-id`,
    /// `x-amz-request-id`.
    pub request_id: &'static str,
    /// A header repeating the error XML, base64, on answers without a body (HEAD):
    /// OSS's `x-oss-err`; S3 has none.
    pub error_header: Option<&'static str>,
    /// The prefix of user metadata headers: `x-oss-meta-`, `x-amz-meta-`.
    pub meta_prefix: &'static str,
    /// The header naming an object's storage class: `x-oss-storage-class`,
    /// `x-amz-storage-class`.
    pub storage_class: &'static str,
    /// The header naming a copy's source (`/bucket/key`, key percent-encoded):
    /// `x-oss-copy-source`, `x-amz-copy-source`.
    pub copy_source: &'static str,
    /// Whether listings (ListObjectsV2, ListMultipartUploads) ask for
    /// `encoding-type=url` and decode the keys of the answer.
    pub url_encoded_listings: bool,
}
