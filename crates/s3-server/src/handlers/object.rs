//! Object API: PutObject, GetObject (Range, conditions, `response-*` overrides,
//! checksums with `x-amz-checksum-mode: ENABLED`), HeadObject, DeleteObject and
//! CopyObject (`x-amz-copy-source`, `x-amz-metadata-directive`).

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use jit_oss_server::store::{now_secs, ByteStream, Expect, ObjectMeta, ObjectType, Staging};

use super::body::receive_staged;
use super::context::Ctx;
use super::response::{
    checksum_headers, checksum_type, object_headers, put_header, quoted, respond, stored_headers,
    xml_response,
};
use crate::addressing;
use crate::checksum::Algorithm;
use crate::error::{S3Error, S3Result};
use crate::xml::{iso8601, Doc};
use jit_oss_server::shared::body::CopyError;
use jit_oss_server::shared::read::{
    self, etag_matches, length_headers, parse_range, Condition, OpenError, RangeAnswer,
    RESPONSE_OVERRIDES,
};

/// PutObject.
pub async fn put(ctx: &Ctx<'_>, bucket: &str, key: &str, body: Body) -> S3Result<Response> {
    ctx.store().bucket_created(bucket)?;
    let (received, staging) = receive_staged(ctx, bucket, body, None).await?;
    let stored = stored_headers(ctx.headers);
    let meta = ObjectMeta {
        key: key.to_owned(),
        size: received.size,
        etag: received.etag(),
        crc64: received.crc64_xz,
        content_md5: Some(received.content_md5()),
        content_type: stored.content_type,
        last_modified: now_secs(),
        object_type: ObjectType::Normal,
        headers: stored.headers,
        user_meta: stored.user_meta,
        checksums: received.checksums.clone(),
        blob: String::new(),
    };
    ctx.store()
        .commit_staged(bucket, staging, meta.clone(), Expect::Any)
        .await?;
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    checksum_headers(&mut headers, &received.checksums[..1]);
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

fn precondition_failed(condition: &str) -> S3Error {
    S3Error::new(
        StatusCode::PRECONDITION_FAILED,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
    )
    .with_extra("Condition", condition)
}

/// If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since: `Some` 304,
/// an error for 412, `None` to go ahead.
fn check_conditions(ctx: &Ctx<'_>, meta: &ObjectMeta) -> S3Result<Option<Response>> {
    match read::check_conditions(ctx.headers, meta) {
        Condition::Go => Ok(None),
        Condition::Failed(condition) => Err(precondition_failed(condition)),
        Condition::NotModified => {
            let mut headers = HeaderMap::new();
            put_header(&mut headers, "etag", &quoted(&meta.etag));
            Ok(Some(respond(
                StatusCode::NOT_MODIFIED,
                headers,
                Body::empty(),
            )))
        }
    }
}

/// Opens an object's bytes, re-reading its metadata if it was replaced meanwhile.
async fn open_current(
    ctx: &Ctx<'_>,
    bucket: &str,
    key: &str,
    meta: ObjectMeta,
    range: Option<(u64, u64)>,
) -> S3Result<(ObjectMeta, ByteStream)> {
    read::open_current(ctx.store(), bucket, key, meta, range)
        .await
        .map_err(|err| match err {
            OpenError::Store(err) => err.into(),
            OpenError::Changed => S3Error::new(
                StatusCode::CONFLICT,
                "OperationAborted",
                "The object changed while it was being read; retry.",
            ),
            OpenError::KeptChanging => S3Error::internal("object kept changing while opening it"),
        })
}

/// GetObject (`head_only`: HeadObject).
pub async fn get(ctx: &Ctx<'_>, bucket: &str, key: &str, head_only: bool) -> S3Result<Response> {
    let meta = ctx.store().head(bucket, key)?;
    if let Some(response) = check_conditions(ctx, &meta)? {
        return Ok(response);
    }
    let range = match parse_range(ctx.header("range"), meta.size) {
        RangeAnswer::Whole => None,
        RangeAnswer::Part(first, last) => Some((first, last)),
        RangeAnswer::Unsatisfiable => {
            return Err(S3Error::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable",
            )
            .with_extra("RangeRequested", ctx.header("range").unwrap_or(""))
            .with_extra("ActualObjectSize", meta.size.to_string())
            .with_header("content-range", format!("bytes */{}", meta.size)));
        }
    };
    let (meta, stream) = if head_only {
        (meta, None)
    } else {
        let (meta, stream) = open_current(ctx, bucket, key, meta, range).await?;
        (meta, Some(stream))
    };
    let mut headers = object_headers(&meta);
    // Only the checksum the object was uploaded with, as S3: a client validates every
    // full-object value it gets, and skips only when all of them are composite.
    if ctx.checksum_mode() && range.is_none() {
        checksum_headers(&mut headers, meta.checksums.get(..1).unwrap_or_default());
    }
    if meta.object_type == ObjectType::Multipart {
        if let Some((_, n)) = meta.etag.rsplit_once('-') {
            put_header(&mut headers, "x-amz-mp-parts-count", n);
        }
    }
    for (param, header) in RESPONSE_OVERRIDES {
        if let Some(value) = ctx.q(param) {
            put_header(&mut headers, header, value);
        }
    }
    let status = length_headers(&mut headers, range, meta.size);
    let body = match stream {
        Some(stream) if *ctx.method != Method::HEAD => Body::from_stream(stream),
        _ => Body::empty(),
    };
    Ok(respond(status, headers, body))
}

/// DeleteObject: 204 whether or not the key existed.
pub async fn delete(ctx: &Ctx<'_>, bucket: &str, key: &str) -> S3Result<Response> {
    ctx.store().delete_object(bucket, key).await?;
    Ok(respond(
        StatusCode::NO_CONTENT,
        HeaderMap::new(),
        Body::empty(),
    ))
}

/// Splits `x-amz-copy-source` (`[/]bucket/key[?versionId=…]`, key URL-encoded).
fn parse_copy_source(value: &str) -> S3Result<(String, String)> {
    let invalid =
        || S3Error::invalid_argument("Invalid copy source object key", "x-amz-copy-source", value);
    let trimmed = value.trim();
    let trimmed = trimmed.strip_prefix('/').unwrap_or(trimmed);
    let trimmed = trimmed.split_once('?').map_or(trimmed, |(path, _)| path);
    let (bucket, key) = trimmed.split_once('/').ok_or_else(invalid)?;
    let key = addressing::decode(key).ok_or_else(invalid)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(invalid());
    }
    addressing::check_key(&key)?;
    Ok((bucket.to_owned(), key))
}

/// Streams a stored blob into `staging`, hashing it with `hashers`.
pub async fn copy_blob(
    ctx: &Ctx<'_>,
    staging: &mut Staging,
    bucket: &str,
    blob: &str,
    each: impl FnMut(&[u8]),
) -> S3Result<()> {
    jit_oss_server::shared::body::copy_blob(ctx.store(), staging, bucket, blob, each)
        .await
        .map_err(|err| match err {
            CopyError::Store(err) => err.into(),
            CopyError::Read(e) => S3Error::internal(format!("reading blob: {e}")),
        })
}

/// CopyObject (`PUT` with `x-amz-copy-source`).
pub async fn copy(ctx: &Ctx<'_>, bucket: &str, key: &str, source: &str) -> S3Result<Response> {
    let (source_bucket, source_key) = parse_copy_source(source)?;
    ctx.store().bucket_created(bucket)?;
    let source_meta = ctx.store().head(&source_bucket, &source_key)?;
    if let Some(list) = ctx.header("x-amz-copy-source-if-match") {
        if !etag_matches(list, &source_meta.etag) {
            return Err(precondition_failed("x-amz-copy-source-If-Match"));
        }
    }
    if let Some(list) = ctx.header("x-amz-copy-source-if-none-match") {
        if etag_matches(list, &source_meta.etag) {
            return Err(precondition_failed("x-amz-copy-source-If-None-Match"));
        }
    }
    let replace = match ctx.header("x-amz-metadata-directive") {
        None => false,
        Some(d) if d.eq_ignore_ascii_case("COPY") => false,
        Some(d) if d.eq_ignore_ascii_case("REPLACE") => true,
        Some(other) => {
            return Err(S3Error::invalid_argument(
                "Unknown metadata directive.",
                "x-amz-metadata-directive",
                other,
            ))
        }
    };
    if !replace && source_bucket == bucket && source_key == key {
        return Err(S3Error::invalid_request(
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        ));
    }
    let mut staging = ctx.store().staging(bucket).await?;
    if let Err(err) = copy_blob(ctx, &mut staging, &source_bucket, &source_meta.blob, |_| {}).await
    {
        staging.discard().await;
        return Err(err);
    }
    let (content_type, headers, user_meta) = if replace {
        let stored = stored_headers(ctx.headers);
        (stored.content_type, stored.headers, stored.user_meta)
    } else {
        (
            source_meta.content_type.clone(),
            source_meta.headers.clone(),
            source_meta.user_meta.clone(),
        )
    };
    let meta = ObjectMeta {
        key: key.to_owned(),
        size: source_meta.size,
        etag: source_meta.etag.clone(),
        crc64: source_meta.crc64,
        content_md5: source_meta.content_md5.clone(),
        content_type,
        last_modified: now_secs(),
        object_type: source_meta.object_type,
        headers,
        user_meta,
        checksums: source_meta.checksums.clone(),
        blob: String::new(),
    };
    ctx.store()
        .commit_staged(bucket, staging, meta.clone(), Expect::Any)
        .await?;
    let mut doc = Doc::new("CopyObjectResult");
    doc.field("LastModified", iso8601(meta.last_modified))
        .field("ETag", quoted(&meta.etag));
    if let Some((name, value)) = meta.checksums.first() {
        if let Some(algorithm) = Algorithm::parse(name) {
            doc.field(&algorithm.xml_field(), value)
                .field("ChecksumType", checksum_type(value));
        }
    }
    Ok(xml_response(
        doc.finish("CopyObjectResult"),
        HeaderMap::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_is_decoded() {
        let (b, k) = parse_copy_source("src/dir/a%20b%2Bc?versionId=1").unwrap();
        assert_eq!((b.as_str(), k.as_str()), ("src", "dir/a b+c"));
        assert!(parse_copy_source("/src").is_err());
    }
}
