//! Multipart upload API: InitiateMultipartUpload, UploadPart, CompleteMultipartUpload,
//! AbortMultipartUpload, ListParts and ListMultipartUploads.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use md5::{Digest, Md5};

use super::body::{copy_blob, read_small_body, receive_staged, MAX_COMPLETE_XML_BYTES};
use super::context::Ctx;
use super::listing::{common_prefix, maybe_encode, parse_count};
use super::request_meta::request_meta;
use super::response::{put_header, quoted, respond, xml_response};
use crate::error::{OssError, OssResult};
use crate::store::blob::random_id;
use crate::store::error::StoreError;
use crate::store::index::Expect;
use crate::store::metadata::{now_secs, ObjectMeta, ObjectType, PartMeta, UploadMeta, UploadState};
use crate::xml;

/// Smallest size of every part but the last: 100 KiB.
pub const MIN_PART_BYTES: u64 = 100 * 1024;

/// Highest part number.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// The upload named by `uploadId`, which must belong to `key`.
fn upload_for(ctx: &Ctx<'_>, bucket: &str, key: &str) -> OssResult<UploadState> {
    let upload_id = ctx.q("uploadId").unwrap_or("");
    let upload = ctx.store().upload(bucket, upload_id)?;
    if upload.meta.key != key {
        return Err(OssError::no_such_upload(upload_id));
    }
    Ok(upload)
}

/// InitiateMultipartUpload (`POST ?uploads`).
pub async fn initiate(ctx: &Ctx<'_>, bucket: &str, key: &str) -> OssResult<Response> {
    let encoding = ctx.encoding_type()?;
    let meta_in = request_meta(ctx.headers);
    let upload = UploadMeta {
        upload_id: random_id(),
        key: key.to_owned(),
        initiated: now_secs(),
        content_type: meta_in.content_type,
        headers: meta_in.headers,
        user_meta: meta_in.user_meta,
    };
    ctx.store().create_upload(bucket, upload.clone()).await?;
    let doc = xml::InitiateMultipartUploadResult {
        bucket: bucket.to_owned(),
        key: maybe_encode(key, &encoding),
        upload_id: upload.upload_id,
        encoding_type: encoding,
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// UploadPart (`PUT ?partNumber=N&uploadId=ID`).
pub async fn upload_part(
    ctx: &Ctx<'_>,
    bucket: &str,
    key: &str,
    body: Body,
) -> OssResult<Response> {
    let number_text = ctx.q("partNumber").unwrap_or("");
    let number = number_text
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
        .ok_or_else(|| {
            OssError::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive.",
                "partNumber",
                number_text,
            )
        })?;
    let upload = upload_for(ctx, bucket, key)?;
    let (digests, staging) = receive_staged(ctx, bucket, body, None).await?;
    let part = PartMeta {
        number,
        size: digests.size,
        etag: digests.etag(),
        crc64: digests.crc64,
        last_modified: now_secs(),
        checksums: Vec::new(),
        blob: String::new(),
    };
    ctx.store()
        .commit_staged_part(bucket, &upload.meta.upload_id, staging, part.clone())
        .await?;
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "etag", &quoted(&part.etag));
    put_header(&mut headers, "content-md5", &digests.content_md5());
    put_header(
        &mut headers,
        "x-oss-hash-crc64ecma",
        &part.crc64.to_string(),
    );
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

/// Picks and checks the parts a CompleteMultipartUpload names.
fn chosen_parts(ctx: &Ctx<'_>, upload: &UploadState, body: &[u8]) -> OssResult<Vec<PartMeta>> {
    let complete_all = ctx
        .header("x-oss-complete-all")
        .is_some_and(|v| v.eq_ignore_ascii_case("yes"));
    if complete_all {
        if !body.is_empty() {
            return Err(OssError::invalid_argument(
                "With x-oss-complete-all the body must be empty.",
                "x-oss-complete-all",
                "yes",
            ));
        }
        return Ok(upload.parts.values().cloned().collect());
    }
    let request: xml::CompleteMultipartUpload = xml::from_xml(body)?;
    if request.parts.is_empty() {
        return Err(OssError::malformed_xml("no Part elements"));
    }
    let mut chosen = Vec::with_capacity(request.parts.len());
    let mut previous = 0u32;
    for asked in &request.parts {
        if asked.part_number <= previous {
            return Err(OssError::new(
                StatusCode::BAD_REQUEST,
                "InvalidPartOrder",
                "The list of parts was not in ascending order. Parts list must be specified in order by part number.",
            ));
        }
        previous = asked.part_number;
        let wanted = asked.etag.trim().trim_matches('"');
        match upload.parts.get(&asked.part_number) {
            Some(part) if part.etag.eq_ignore_ascii_case(wanted) => chosen.push(part.clone()),
            _ => {
                return Err(OssError::new(
                    StatusCode::BAD_REQUEST,
                    "InvalidPart",
                    "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
                )
                .with_extra("PartNumber", asked.part_number.to_string())
                .with_extra("ETag", asked.etag.clone()))
            }
        }
    }
    Ok(chosen)
}

/// CompleteMultipartUpload (`POST ?uploadId=ID`).
pub async fn complete(ctx: &Ctx<'_>, bucket: &str, key: &str, body: Body) -> OssResult<Response> {
    let encoding = ctx.encoding_type()?;
    let upload = upload_for(ctx, bucket, key)?;
    let body = read_small_body(ctx, body, MAX_COMPLETE_XML_BYTES).await?;
    let parts = chosen_parts(ctx, &upload, &body)?;
    if parts.is_empty() {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "InvalidPart",
            "The upload has no parts to complete.",
        ));
    }
    if let Some(small) = parts[..parts.len() - 1]
        .iter()
        .find(|p| p.size < MIN_PART_BYTES)
    {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "EntityTooSmall",
            "Your proposed upload is smaller than the minimum allowed object size.",
        )
        .with_extra("PartNumber", small.number.to_string())
        .with_extra("MinSizeAllowed", MIN_PART_BYTES.to_string()));
    }
    let expect = if ctx.forbid_overwrite() {
        if ctx.store().head(bucket, key).is_ok() {
            return Err(OssError::new(
                StatusCode::CONFLICT,
                "FileAlreadyExists",
                "The object you specified already exists and can not be overwritten.",
            ));
        }
        Expect::Absent
    } else {
        Expect::Any
    };
    let mut etag_md5 = Md5::new();
    let mut crc64 = 0u64;
    let mut size = 0u64;
    for part in &parts {
        let md5 = hex::decode(&part.etag).map_err(OssError::internal)?;
        etag_md5.update(&md5);
        crc64 = jit_oss_protocol::crc64::combine(crc64, part.crc64, part.size);
        size = size
            .checked_add(part.size)
            .ok_or_else(|| OssError::internal("multipart object size overflows"))?;
    }
    let mut staging = ctx.store().staging(bucket).await?;
    for part in &parts {
        if let Err(err) = copy_blob(ctx, &mut staging, bucket, &part.blob).await {
            staging.discard().await;
            return Err(err);
        }
    }
    let meta = ObjectMeta {
        key: key.to_owned(),
        size,
        etag: format!("{}-{}", hex::encode_upper(etag_md5.finalize()), parts.len()),
        crc64,
        content_md5: None,
        content_type: upload.meta.content_type.clone(),
        last_modified: now_secs(),
        object_type: ObjectType::Multipart,
        headers: upload.meta.headers.clone(),
        user_meta: upload.meta.user_meta.clone(),
        checksums: Vec::new(),
        blob: String::new(),
    };
    ctx.store()
        .complete_upload(
            bucket,
            &upload.meta.upload_id,
            staging,
            meta.clone(),
            expect,
        )
        .await
        .map_err(|err| match err {
            StoreError::Conflict(_) => OssError::new(
                StatusCode::CONFLICT,
                "FileAlreadyExists",
                "The object you specified already exists and can not be overwritten.",
            ),
            other => other.into(),
        })?;
    let encoded_key = jit_oss_protocol::encode::encode_path(key);
    let location = if ctx.virtual_hosted {
        format!("http://{}/{encoded_key}", ctx.host)
    } else {
        format!("http://{}/{bucket}/{encoded_key}", ctx.host)
    };
    let doc = xml::CompleteMultipartUploadResult {
        encoding_type: encoding.clone(),
        location,
        bucket: bucket.to_owned(),
        key: maybe_encode(key, &encoding),
        etag: quoted(&meta.etag),
    };
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "etag", &quoted(&meta.etag));
    put_header(&mut headers, "x-oss-hash-crc64ecma", &crc64.to_string());
    Ok(xml_response(xml::to_xml(&doc)?, headers))
}

/// AbortMultipartUpload (`DELETE ?uploadId=ID`).
pub async fn abort(ctx: &Ctx<'_>, bucket: &str, key: &str) -> OssResult<Response> {
    let upload = upload_for(ctx, bucket, key)?;
    ctx.store()
        .remove_upload(bucket, &upload.meta.upload_id)
        .await?;
    Ok(respond(
        StatusCode::NO_CONTENT,
        HeaderMap::new(),
        Body::empty(),
    ))
}

/// ListParts (`GET ?uploadId=ID`): `max-parts`, `part-number-marker`.
pub fn list_parts(ctx: &Ctx<'_>, bucket: &str, key: &str) -> OssResult<Response> {
    let encoding = ctx.encoding_type()?;
    let upload = upload_for(ctx, bucket, key)?;
    let max = parse_count(ctx, "max-parts", 1000, 1000)?;
    let marker = parse_count(ctx, "part-number-marker", 0, MAX_PART_NUMBER as usize)? as u32;
    let after: Vec<&PartMeta> = upload
        .parts
        .range(marker.saturating_add(1)..)
        .map(|(_, p)| p)
        .collect();
    // `max-parts=0`: an empty page, not truncated (as for `max-keys=0`).
    let truncated = max > 0 && after.len() > max;
    let shown = &after[..after.len().min(max)];
    let doc = xml::ListPartsResult {
        bucket: bucket.to_owned(),
        key: maybe_encode(key, &encoding),
        upload_id: upload.meta.upload_id.clone(),
        encoding_type: encoding.clone(),
        part_number_marker: marker,
        next_part_number_marker: shown.last().map_or(marker, |p| p.number),
        max_parts: max,
        is_truncated: truncated,
        parts: shown
            .iter()
            .map(|p| xml::PartEntry {
                part_number: p.number,
                last_modified: xml::iso8601(p.last_modified),
                etag: quoted(&p.etag),
                hash_crc64ecma: p.crc64.to_string(),
                size: p.size,
            })
            .collect(),
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// ListMultipartUploads (`GET ?uploads`): `prefix`, `delimiter`, `key-marker`,
/// `upload-id-marker`, `max-uploads`, `encoding-type`.
pub fn list_uploads(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    let encoding = ctx.encoding_type()?;
    let prefix = ctx.q("prefix").unwrap_or("");
    let delimiter = ctx.q("delimiter").unwrap_or("");
    let key_marker = ctx.q("key-marker").unwrap_or("");
    let id_marker = ctx.q("upload-id-marker").unwrap_or("");
    let max = parse_count(ctx, "max-uploads", 1000, 1000)?;
    let all = ctx.store().uploads(bucket)?;
    let mut uploads = Vec::new();
    let mut prefixes: Vec<String> = Vec::new();
    let mut truncated = false;
    let mut last: Option<(String, String)> = None;
    // `max-uploads=0`: an empty page, not truncated (as for `max-keys=0`).
    let matching = all.iter().filter(|u| max > 0 && u.key.starts_with(prefix));
    for upload in matching {
        let past_marker = if id_marker.is_empty() {
            upload.key.as_str() > key_marker
        } else {
            (upload.key.as_str(), upload.upload_id.as_str()) > (key_marker, id_marker)
        };
        if !past_marker {
            continue;
        }
        let rolled = common_prefix(&upload.key, prefix, delimiter);
        if let Some(rolled) = rolled {
            if rolled <= key_marker || prefixes.last().map(String::as_str) == Some(rolled) {
                continue;
            }
        }
        if uploads.len() + prefixes.len() >= max {
            truncated = true;
            break;
        }
        match rolled {
            Some(rolled) => {
                prefixes.push(rolled.to_owned());
                last = Some((rolled.to_owned(), String::new()));
            }
            None => {
                uploads.push(upload);
                last = Some((upload.key.clone(), upload.upload_id.clone()));
            }
        }
    }
    let (next_key, next_id) = last.filter(|_| truncated).unwrap_or_default();
    let doc = xml::ListMultipartUploadsResult {
        bucket: bucket.to_owned(),
        encoding_type: encoding.clone(),
        key_marker: maybe_encode(key_marker, &encoding),
        upload_id_marker: id_marker.to_owned(),
        next_key_marker: maybe_encode(&next_key, &encoding),
        next_upload_id_marker: next_id,
        delimiter: maybe_encode(delimiter, &encoding),
        prefix: maybe_encode(prefix, &encoding),
        max_uploads: max,
        is_truncated: truncated,
        uploads: uploads
            .iter()
            .map(|u| xml::UploadEntry {
                key: maybe_encode(&u.key, &encoding),
                upload_id: u.upload_id.clone(),
                storage_class: "Standard",
                initiated: xml::iso8601(u.initiated),
            })
            .collect(),
        common_prefixes: prefixes
            .iter()
            .map(|p| xml::CommonPrefix {
                prefix: maybe_encode(p, &encoding),
            })
            .collect(),
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}
