//! Request handlers, one module per API group ([`object`], [`bucket`], [`multipart`]),
//! and what they share: the request context, receiving a body into the store while
//! hashing it, request metadata and object response headers.

pub mod bucket;
pub mod multipart;
pub mod object;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use futures::StreamExt;
use jit_oss_protocol::crc64::Crc64;
use md5::{Digest, Md5};

use crate::error::{OssError, OssResult};
use crate::server::AppState;
use crate::store::{ObjectMeta, Staging, Store};
use crate::xml;

/// Largest single upload OSS accepts (PutObject, UploadPart, one append): 5 GiB.
pub const MAX_UPLOAD_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// Largest XML request body read (Delete, CompleteMultipartUpload).
pub const MAX_XML_BYTES: usize = 16 * 1024 * 1024;

/// Standard headers stored with an object and returned on GET/HEAD.
const STORED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

/// What a handler knows about the request besides its body.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// Shared server state.
    pub state: &'a AppState,
    /// HTTP method.
    pub method: &'a Method,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Decoded query pairs in order.
    pub query: &'a [(String, String)],
    /// The Host the client used (for Location and HostId).
    pub host: &'a str,
    /// Whether the bucket was named in the Host header.
    pub virtual_hosted: bool,
}

impl Ctx<'_> {
    /// The store.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// First query value of `name`.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the query has `name` (with or without a value).
    pub fn has(&self, name: &str) -> bool {
        self.query.iter().any(|(n, _)| n == name)
    }

    /// A request header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `encoding-type`: `Some("url")`, `None`, or InvalidArgument for anything else.
    pub fn encoding_type(&self) -> OssResult<Option<String>> {
        match self.q("encoding-type") {
            None | Some("") => Ok(None),
            Some("url") => Ok(Some("url".to_owned())),
            Some(other) => Err(OssError::invalid_argument(
                "The encoding-type must be url.",
                "encoding-type",
                other,
            )),
        }
    }

    /// Whether `x-oss-forbid-overwrite: true` was sent.
    pub fn forbid_overwrite(&self) -> bool {
        self.header("x-oss-forbid-overwrite")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// Encodes `text` for a response if `encoding-type=url` was asked for.
pub fn maybe_encode(text: &str, encoding: &Option<String>) -> String {
    match encoding {
        Some(_) => jit_oss_protocol::encode::encode_query_component(text),
        None => text.to_owned(),
    }
}

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
    let mut md5 = Md5::new();
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
        md5.update(&chunk);
        crc.update(&chunk);
        staging.write(chunk).await?;
    }
    let digests = Digests {
        size,
        md5: md5.finalize().into(),
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

/// Receives `body` as a new blob of `bucket`, after the bytes of `prefix` (an existing
/// blob, for appends). On any failure the staged bytes are removed before returning.
pub async fn receive_blob(
    ctx: &Ctx<'_>,
    bucket: &str,
    body: Body,
    prefix: Option<&str>,
) -> OssResult<(Digests, String)> {
    let mut staging = ctx.store().staging(bucket).await?;
    let received = async {
        if let Some(blob) = prefix {
            copy_blob(ctx, &mut staging, bucket, blob).await?;
        }
        receive(ctx, &mut staging, body).await
    }
    .await;
    match received {
        Ok(digests) => Ok((digests, ctx.store().finish(bucket, staging).await?)),
        Err(err) => {
            staging.discard().await;
            Err(err)
        }
    }
}

/// Streams a stored blob of `source_bucket` into `staging`.
pub async fn copy_blob(
    ctx: &Ctx<'_>,
    staging: &mut Staging,
    source_bucket: &str,
    blob: &str,
) -> OssResult<()> {
    let mut stream = ctx.store().open_blob(source_bucket, blob, None).await?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| OssError::internal(format!("reading blob: {e}")))?;
        staging.write(chunk).await?;
    }
    Ok(())
}

fn digests_b64(md5: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5)
}

/// Parses a `Content-MD5` header: base64 of 16 bytes, else InvalidDigest.
pub fn parse_content_md5(value: &str) -> OssResult<[u8; 16]> {
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .and_then(|bytes| <[u8; 16]>::try_from(bytes.as_slice()).ok())
        .ok_or_else(|| {
            OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            )
        })
}

/// Reads a small request body whole (XML requests), checking `Content-MD5` if sent.
pub async fn read_small_body(ctx: &Ctx<'_>, body: Body) -> OssResult<bytes::Bytes> {
    let bytes = axum::body::to_bytes(body, MAX_XML_BYTES)
        .await
        .map_err(|err| {
            OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                format!("The request body could not be read or is too large: {err}"),
            )
        })?;
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

/// Content-Type, stored standard headers and user metadata sent with an upload.
#[derive(Debug, Clone)]
pub struct RequestMeta {
    /// Content-Type, `application/octet-stream` if none was sent.
    pub content_type: String,
    /// Standard headers to store.
    pub headers: Vec<(String, String)>,
    /// `x-oss-meta-*` headers.
    pub user_meta: Vec<(String, String)>,
}

/// Collects the metadata an upload request carries.
pub fn request_meta(headers: &HeaderMap) -> RequestMeta {
    let text = |v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .map(text)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let stored = STORED_HEADERS
        .iter()
        .filter_map(|name| headers.get(*name).map(|v| ((*name).to_owned(), text(v))))
        .collect();
    let mut user_meta: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-oss-meta-"))
        .map(|(name, value)| (name.as_str().to_owned(), text(value)))
        .collect();
    user_meta.sort();
    RequestMeta {
        content_type,
        headers: stored,
        user_meta,
    }
}

/// Adds a header if the value is a valid header value.
pub fn put_header(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

/// The quoted form of an ETag, as sent in headers and XML.
pub fn quoted(etag: &str) -> String {
    format!("\"{etag}\"")
}

/// Headers describing an object on GET/HEAD (without Content-Length).
pub fn object_headers(meta: &ObjectMeta) -> HeaderMap {
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "content-type", &meta.content_type);
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    put_header(
        &mut headers,
        "last-modified",
        &xml::http_date(meta.last_modified),
    );
    put_header(&mut headers, "accept-ranges", "bytes");
    put_header(&mut headers, "x-oss-object-type", meta.object_type.as_str());
    put_header(&mut headers, "x-oss-storage-class", "Standard");
    put_header(
        &mut headers,
        "x-oss-hash-crc64ecma",
        &meta.crc64.to_string(),
    );
    if let Some(md5) = &meta.content_md5 {
        put_header(&mut headers, "content-md5", md5);
    }
    if meta.object_type == crate::store::ObjectType::Appendable {
        put_header(
            &mut headers,
            "x-oss-next-append-position",
            &meta.size.to_string(),
        );
    }
    for (name, value) in meta.headers.iter().chain(meta.user_meta.iter()) {
        put_header(&mut headers, name, value);
    }
    headers
}

/// A response with `status`, `headers` and `body`.
pub fn respond(status: StatusCode, headers: HeaderMap, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// A 200 response with an XML body.
pub fn xml_response(xml: String, mut headers: HeaderMap) -> Response {
    put_header(&mut headers, "content-type", "application/xml");
    respond(StatusCode::OK, headers, Body::from(xml))
}

/// Parses a decimal query parameter with a default and an inclusive upper bound.
pub fn parse_count(ctx: &Ctx<'_>, name: &str, default: usize, max: usize) -> OssResult<usize> {
    match ctx.q(name) {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(OssError::invalid_argument(
                format!("Argument {name} must be an integer between 0 and {max}."),
                name,
                text,
            )),
        },
    }
}

/// Fails with InvalidBucketName unless `bucket` is a valid name.
pub fn check_bucket_name(bucket: &str) -> OssResult<()> {
    if crate::config::is_valid_bucket_name(bucket) {
        Ok(())
    } else {
        Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .with_extra("BucketName", bucket))
    }
}

/// Groups sorted names under `prefix` by `delimiter`: returns, for `name`, either the
/// common prefix it rolls up into, or `None` if it is listed itself.
pub fn common_prefix<'n>(name: &'n str, prefix: &str, delimiter: &str) -> Option<&'n str> {
    if delimiter.is_empty() {
        return None;
    }
    let rest = name.get(prefix.len()..)?;
    rest.find(delimiter)
        .map(|at| &name[..prefix.len() + at + delimiter.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefixes_roll_up_at_the_first_delimiter() {
        assert_eq!(common_prefix("a/b/c", "", "/"), Some("a/"));
        assert_eq!(common_prefix("a/b/c", "a/", "/"), Some("a/b/"));
        assert_eq!(common_prefix("a/b", "a/", "/"), None);
        assert_eq!(common_prefix("a/b", "", ""), None);
        assert_eq!(common_prefix("x--y--z", "", "--"), Some("x--"));
    }

    #[test]
    fn content_md5_must_be_16_bytes() {
        assert!(parse_content_md5("1B2M2Y8AsgTpgAmY7PhCfg==").is_ok());
        assert_eq!(parse_content_md5("abc").unwrap_err().code, "InvalidDigest");
    }
}
