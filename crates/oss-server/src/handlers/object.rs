//! Object API: PutObject, GetObject (with Range and conditions), HeadObject,
//! DeleteObject, CopyObject and AppendObject.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::body::{copy_blob, receive_staged};
use super::context::Ctx;
use super::request_meta::request_meta;
use super::response::{object_headers, put_header, quoted, respond, xml_response};
use crate::addressing;
use crate::error::{OssError, OssResult};
use crate::shared::read::{
    self, length_headers, parse_range, Condition, OpenError, RangeAnswer, RESPONSE_OVERRIDES,
};
use crate::store::blob::ByteStream;
use crate::store::error::StoreError;
use crate::store::index::Expect;
use crate::store::metadata::{now_secs, ObjectMeta, ObjectType};
use crate::xml;
use md5::{Digest as _, Md5};

/// 409 FileAlreadyExists for `x-oss-forbid-overwrite: true`.
fn file_already_exists(key: &str) -> OssError {
    OssError::new(
        StatusCode::CONFLICT,
        "FileAlreadyExists",
        "The object you specified already exists and can not be overwritten.",
    )
    .with_extra("Key", key)
}

/// Expectation for a commit, from `x-oss-forbid-overwrite`.
fn overwrite_expect(ctx: &Ctx<'_>, bucket: &str, key: &str) -> OssResult<Expect> {
    if ctx.forbid_overwrite() {
        if ctx.store().head(bucket, key).is_ok() {
            return Err(file_already_exists(key));
        }
        Ok(Expect::Absent)
    } else {
        Ok(Expect::Any)
    }
}

/// Maps a commit error, turning a broken `Absent` expectation into FileAlreadyExists.
fn commit_error(err: StoreError, key: &str) -> OssError {
    match err {
        StoreError::Conflict(_) => file_already_exists(key),
        other => other.into(),
    }
}

/// PutObject.
pub async fn put(ctx: &Ctx<'_>, bucket: &str, key: &str, body: Body) -> OssResult<Response> {
    let expect = overwrite_expect(ctx, bucket, key)?;
    let (digests, staging) = receive_staged(ctx, bucket, body, None).await?;
    let meta_in = request_meta(ctx.headers);
    let meta = ObjectMeta {
        key: key.to_owned(),
        size: digests.size,
        etag: digests.etag(),
        crc64: digests.crc64,
        content_md5: Some(digests.content_md5()),
        content_type: meta_in.content_type,
        last_modified: now_secs(),
        object_type: ObjectType::Normal,
        headers: meta_in.headers,
        user_meta: meta_in.user_meta,
        checksums: Vec::new(),
        blob: String::new(),
    };
    ctx.store()
        .commit_staged(bucket, staging, meta.clone(), expect)
        .await
        .map_err(|e| commit_error(e, key))?;
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    put_header(&mut headers, "content-md5", &digests.content_md5());
    put_header(
        &mut headers,
        "x-oss-hash-crc64ecma",
        &meta.crc64.to_string(),
    );
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

/// Checks If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since.
/// Returns `Some(response)` for 304, an error for 412, `None` to go ahead.
fn check_conditions(ctx: &Ctx<'_>, meta: &ObjectMeta) -> OssResult<Option<Response>> {
    match read::check_conditions(ctx.headers, meta) {
        Condition::Go => Ok(None),
        Condition::Failed(condition) => Err(OssError::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold.",
        )
        .with_extra("Condition", condition)),
        Condition::NotModified => {
            let mut headers = HeaderMap::new();
            put_header(&mut headers, "etag", &quoted(&meta.etag));
            put_header(
                &mut headers,
                "last-modified",
                &xml::http_date(meta.last_modified),
            );
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
) -> OssResult<(ObjectMeta, ByteStream)> {
    read::open_current(ctx.store(), bucket, key, meta, range)
        .await
        .map_err(|err| match err {
            OpenError::Store(err) => err.into(),
            OpenError::Changed => OssError::new(
                StatusCode::CONFLICT,
                "ConcurrentUpdate",
                "The object changed while it was being read; retry.",
            ),
            OpenError::KeptChanging => OssError::internal("object kept changing while opening it"),
        })
}

/// GetObject (`head_only`: HeadObject).
pub async fn get(ctx: &Ctx<'_>, bucket: &str, key: &str, head_only: bool) -> OssResult<Response> {
    let meta = ctx.store().head(bucket, key)?;
    if let Some(response) = check_conditions(ctx, &meta)? {
        return Ok(response);
    }
    let range = if head_only {
        RangeAnswer::Whole
    } else {
        parse_range(ctx.header("range"), meta.size)
    };
    let range = match range {
        RangeAnswer::Whole => None,
        RangeAnswer::Part(first, last) => Some((first, last)),
        RangeAnswer::Unsatisfiable => {
            return Err(OssError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range cannot be satisfied",
            )
            .with_extra("RangeRequested", ctx.header("range").unwrap_or(""))
            .with_extra("ActualObjectSize", meta.size.to_string())
            .with_header("content-range", format!("bytes */{}", meta.size)));
        }
    };
    if head_only {
        let mut headers = object_headers(&meta);
        // A GET (`?objectMeta`) has a real, empty body; only HEAD may announce the size.
        if *ctx.method == axum::http::Method::HEAD {
            put_header(&mut headers, "content-length", &meta.size.to_string());
        }
        return Ok(respond(StatusCode::OK, headers, Body::empty()));
    }
    let (meta, stream) = open_current(ctx, bucket, key, meta, range).await?;
    let mut headers = object_headers(&meta);
    for (param, header) in RESPONSE_OVERRIDES {
        if let Some(value) = ctx.q(param) {
            put_header(&mut headers, header, value);
        }
    }
    let status = length_headers(&mut headers, range, meta.size);
    Ok(respond(status, headers, Body::from_stream(stream)))
}

/// DeleteObject: 204 whether or not the key existed.
pub async fn delete(ctx: &Ctx<'_>, bucket: &str, key: &str) -> OssResult<Response> {
    ctx.store().delete_object(bucket, key).await?;
    Ok(respond(
        StatusCode::NO_CONTENT,
        HeaderMap::new(),
        Body::empty(),
    ))
}

/// Splits `x-oss-copy-source` (`/bucket/key`, key percent-encoded) into bucket and key.
fn parse_copy_source(value: &str) -> OssResult<(String, String)> {
    let invalid = || {
        OssError::invalid_argument(
            "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.",
            "x-oss-copy-source",
            value,
        )
    };
    let trimmed = value.strip_prefix('/').unwrap_or(value);
    let trimmed = trimmed.split_once('?').map_or(trimmed, |(path, _)| path);
    let (bucket, key) = trimmed.split_once('/').ok_or_else(invalid)?;
    let key = addressing::decode(key).ok_or_else(invalid)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(invalid());
    }
    addressing::check_key(&key)?;
    Ok((bucket.to_owned(), key))
}

/// CopyObject (`PUT` with `x-oss-copy-source`).
pub async fn copy(ctx: &Ctx<'_>, bucket: &str, key: &str, source: &str) -> OssResult<Response> {
    let (source_bucket, source_key) = parse_copy_source(source)?;
    ctx.store().bucket_created(bucket)?;
    let source_meta = ctx.store().head(&source_bucket, &source_key)?;
    if let Some(list) = ctx.header("x-oss-copy-source-if-match") {
        if !list
            .trim_matches('"')
            .eq_ignore_ascii_case(&source_meta.etag)
        {
            return Err(OssError::new(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold.",
            ));
        }
    }
    if let Some(list) = ctx.header("x-oss-copy-source-if-none-match") {
        if list
            .trim_matches('"')
            .eq_ignore_ascii_case(&source_meta.etag)
        {
            return Ok(respond(
                StatusCode::NOT_MODIFIED,
                HeaderMap::new(),
                Body::empty(),
            ));
        }
    }
    let replace = match ctx.header("x-oss-metadata-directive") {
        None => false,
        Some(d) if d.eq_ignore_ascii_case("COPY") => false,
        Some(d) if d.eq_ignore_ascii_case("REPLACE") => true,
        Some(other) => {
            return Err(OssError::invalid_argument(
                "x-oss-metadata-directive must be COPY or REPLACE.",
                "x-oss-metadata-directive",
                other,
            ))
        }
    };
    let expect = overwrite_expect(ctx, bucket, key)?;
    let mut staging = ctx.store().staging(bucket).await?;
    staging.reserve(source_meta.size);
    if let Err(err) = copy_blob(ctx, &mut staging, &source_bucket, &source_meta.blob).await {
        staging.discard().await;
        return Err(err);
    }
    let (content_type, headers, user_meta) = if replace {
        let meta_in = request_meta(ctx.headers);
        (meta_in.content_type, meta_in.headers, meta_in.user_meta)
    } else {
        (
            source_meta.content_type.clone(),
            source_meta.headers.clone(),
            source_meta.user_meta.clone(),
        )
    };
    let object_type = match source_meta.object_type {
        ObjectType::Multipart => ObjectType::Multipart,
        _ => ObjectType::Normal,
    };
    let meta = ObjectMeta {
        key: key.to_owned(),
        size: source_meta.size,
        etag: source_meta.etag.clone(),
        crc64: source_meta.crc64,
        content_md5: source_meta.content_md5.clone(),
        content_type,
        last_modified: now_secs(),
        object_type,
        headers,
        user_meta,
        checksums: source_meta.checksums.clone(),
        blob: String::new(),
    };
    ctx.store()
        .commit_staged(bucket, staging, meta.clone(), expect)
        .await
        .map_err(|e| commit_error(e, key))?;
    let doc = xml::CopyObjectResult {
        etag: quoted(&meta.etag),
        last_modified: xml::iso8601(meta.last_modified),
    };
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    put_header(
        &mut headers,
        "x-oss-hash-crc64ecma",
        &meta.crc64.to_string(),
    );
    Ok(xml_response(xml::to_xml(&doc)?, headers))
}

/// 409 PositionNotEqualToLength, telling the client where to append next.
fn position_mismatch(current: Option<&ObjectMeta>) -> OssError {
    let next = current.map_or(0, |m| m.size);
    let mut err = OssError::new(
        StatusCode::CONFLICT,
        "PositionNotEqualToLength",
        "Position is not equal to file length",
    )
    .with_header("x-oss-next-append-position", next.to_string());
    if let Some(meta) = current {
        err = err.with_header("x-oss-hash-crc64ecma", meta.crc64.to_string());
    }
    err
}

/// AppendObject (`POST ?append&position=N`).
pub async fn append(ctx: &Ctx<'_>, bucket: &str, key: &str, body: Body) -> OssResult<Response> {
    let position_text = ctx.q("position").unwrap_or("");
    let position: u64 = position_text.parse().map_err(|_| {
        OssError::invalid_argument(
            "Position must be a non-negative integer.",
            "position",
            position_text,
        )
    })?;
    let current = match ctx.store().head(bucket, key) {
        Ok(meta) => Some(meta),
        Err(StoreError::NoSuchKey(_)) => None,
        Err(err) => return Err(err.into()),
    };
    if let Some(meta) = &current {
        if meta.object_type != ObjectType::Appendable {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "ObjectNotAppendable",
                "The object is not appendable",
            ));
        }
    }
    if current.as_ref().map_or(0, |m| m.size) != position {
        return Err(position_mismatch(current.as_ref()));
    }
    let prefix = current.as_ref().map(|m| m.blob.as_str());
    let (digests, staging) = receive_staged(ctx, bucket, body, prefix).await?;
    let (old_size, old_crc) = current.as_ref().map_or((0, 0), |m| (m.size, m.crc64));
    let crc64 = jit_oss_protocol::crc64::combine(old_crc, digests.crc64, digests.size);
    let size = old_size.checked_add(digests.size).ok_or_else(|| {
        OssError::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed object size.",
        )
    })?;
    let mut tag = Md5::new();
    tag.update(crc64.to_be_bytes());
    tag.update(size.to_be_bytes());
    let (content_type, headers, user_meta) = match &current {
        Some(meta) => (
            meta.content_type.clone(),
            meta.headers.clone(),
            meta.user_meta.clone(),
        ),
        None => {
            let meta_in = request_meta(ctx.headers);
            (meta_in.content_type, meta_in.headers, meta_in.user_meta)
        }
    };
    let meta = ObjectMeta {
        key: key.to_owned(),
        size,
        etag: hex::encode_upper(tag.finalize()),
        crc64,
        content_md5: None,
        content_type,
        last_modified: now_secs(),
        object_type: ObjectType::Appendable,
        headers,
        user_meta,
        checksums: Vec::new(),
        blob: String::new(),
    };
    let expect = Expect::Blob(current.as_ref().map(|m| m.blob.clone()));
    match ctx
        .store()
        .commit_staged(bucket, staging, meta.clone(), expect)
        .await
    {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(position_mismatch(
                ctx.store().head(bucket, key).ok().as_ref(),
            ));
        }
        Err(err) => return Err(err.into()),
    }
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    put_header(
        &mut headers,
        "x-oss-next-append-position",
        &size.to_string(),
    );
    put_header(&mut headers, "x-oss-hash-crc64ecma", &crc64.to_string());
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_source_is_decoded() {
        let (b, k) = parse_copy_source("/src/dir/a%20b%2Bc").unwrap();
        assert_eq!((b.as_str(), k.as_str()), ("src", "dir/a b+c"));
        assert!(parse_copy_source("/src").is_err());
        assert!(parse_copy_source("/src/").is_err());
    }
}
