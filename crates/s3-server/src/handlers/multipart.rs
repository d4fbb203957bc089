//! Multipart uploads: CreateMultipartUpload (with `x-amz-checksum-algorithm` and
//! `x-amz-checksum-type`), UploadPart, CompleteMultipartUpload (part checks, ETag
//! `md5-of-md5s-N`, a COMPOSITE or FULL_OBJECT checksum, and always the full-object
//! CRC-64/NVME, computed while the parts are joined), AbortMultipartUpload,
//! ListMultipartUploads and ListParts.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jit_oss_server::store::{
    now_secs, random_id, Expect, ObjectMeta, ObjectType, PartMeta, UploadMeta, UploadState,
};
use md5::{Digest as _, Md5};

use super::body::{read_small_body, receive_staged};
use super::context::Ctx;
use super::object::copy_blob;
use super::response::{
    checksum_headers, put_header, quoted, respond, stored_headers, xml_response,
};
use crate::checksum::{self, Algorithm, Hasher};
use crate::error::{S3Error, S3Result};
use crate::xml::{self, iso8601, CompleteMultipartUpload, Doc};

/// Smallest part but the last.
pub const MIN_PART_BYTES: u64 = 5 * 1024 * 1024;
/// Most parts of an upload.
pub const MAX_PARTS: u32 = 10_000;

/// Where the upload's checksum settings are kept among its stored headers.
const ALGORITHM_KEY: &str = "x-amz-checksum-algorithm";
const TYPE_KEY: &str = "x-amz-checksum-type";

/// The checksum algorithm and type (`COMPOSITE`, `FULL_OBJECT`) of an upload.
fn upload_checksum(upload: &UploadMeta) -> Option<(Algorithm, bool)> {
    let get = |name: &str| {
        upload
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let algorithm = Algorithm::parse(get(ALGORITHM_KEY)?)?;
    Some((algorithm, get(TYPE_KEY) == Some("FULL_OBJECT")))
}

/// The upload `upload_id` of `key`, else NoSuchUpload.
fn upload_for(ctx: &Ctx<'_>, bucket: &str, key: &str) -> S3Result<UploadState> {
    let id = ctx.q("uploadId").unwrap_or("");
    let upload = ctx.store().upload(bucket, id)?;
    if upload.meta.key != key {
        return Err(S3Error::no_such_upload(id));
    }
    Ok(upload)
}

/// CreateMultipartUpload (`POST ?uploads`).
pub async fn initiate(ctx: &Ctx<'_>, bucket: &str, key: &str) -> S3Result<Response> {
    ctx.store().bucket_created(bucket)?;
    let algorithm = match ctx.header(ALGORITHM_KEY) {
        None => None,
        Some(name) => Some(Algorithm::parse(name).ok_or_else(|| {
            S3Error::invalid_argument(
                "Checksum algorithm provided is unsupported.",
                ALGORITHM_KEY,
                name,
            )
        })?),
    };
    let full_object = match (ctx.header(TYPE_KEY), algorithm) {
        (None, Some(Algorithm::Crc64Nvme)) => true,
        (None, _) => false,
        (Some(t), _) if t.eq_ignore_ascii_case("COMPOSITE") => false,
        (Some(t), _) if t.eq_ignore_ascii_case("FULL_OBJECT") => true,
        (Some(t), _) => {
            return Err(S3Error::invalid_argument(
                "Invalid checksum type.",
                TYPE_KEY,
                t,
            ))
        }
    };
    match algorithm {
        None if ctx.header(TYPE_KEY).is_some() => {
            return Err(S3Error::invalid_request(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
            ))
        }
        Some(a) if full_object && !a.is_crc() => {
            return Err(S3Error::invalid_request(format!(
                "The FULL_OBJECT checksum type cannot be used with the {} checksum algorithm.",
                a.upper()
            )))
        }
        Some(Algorithm::Crc64Nvme) if !full_object => {
            return Err(S3Error::invalid_request(
                "The COMPOSITE checksum type cannot be used with the CRC64NVME checksum algorithm.",
            ))
        }
        _ => {}
    }
    let stored = stored_headers(ctx.headers);
    let mut headers = stored.headers;
    if let Some(a) = algorithm {
        headers.push((ALGORITHM_KEY.to_owned(), a.upper().to_owned()));
        let kind = if full_object {
            "FULL_OBJECT"
        } else {
            "COMPOSITE"
        };
        headers.push((TYPE_KEY.to_owned(), kind.to_owned()));
    }
    let upload = UploadMeta {
        upload_id: random_id(),
        key: key.to_owned(),
        initiated: now_secs(),
        content_type: stored.content_type,
        headers,
        user_meta: stored.user_meta,
    };
    ctx.store().create_upload(bucket, upload.clone()).await?;
    let mut doc = Doc::new("InitiateMultipartUploadResult");
    doc.field("Bucket", bucket)
        .field("Key", key)
        .field("UploadId", &upload.upload_id);
    let mut response_headers = HeaderMap::new();
    for (name, value) in &upload.headers {
        if name == ALGORITHM_KEY || name == TYPE_KEY {
            put_header(&mut response_headers, name, value);
        }
    }
    Ok(xml_response(
        doc.finish("InitiateMultipartUploadResult"),
        response_headers,
    ))
}

/// UploadPart (`PUT ?partNumber&uploadId`).
pub async fn upload_part(ctx: &Ctx<'_>, bucket: &str, key: &str, body: Body) -> S3Result<Response> {
    let number_text = ctx.q("partNumber").unwrap_or("");
    let number = number_text
        .parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_PARTS).contains(n))
        .ok_or_else(|| {
            S3Error::invalid_argument(
                "Part number must be an integer between 1 and 10000, inclusive",
                "partNumber",
                number_text,
            )
        })?;
    let upload = upload_for(ctx, bucket, key)?;
    let expected = upload_checksum(&upload.meta).map(|(a, _)| a);
    let (received, staging) = receive_staged(ctx, bucket, body, expected).await?;
    if let (Some(want), Some(got)) = (expected, received.requested) {
        if want != got {
            staging.discard().await;
            return Err(S3Error::invalid_request(format!(
                "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                want.name(),
                got.name()
            )));
        }
    }
    let part = PartMeta {
        number,
        size: received.size,
        etag: received.etag(),
        crc64: received.crc64_xz,
        last_modified: now_secs(),
        checksums: received.checksums.clone(),
        blob: String::new(),
    };
    ctx.store()
        .commit_staged_part(bucket, &upload.meta.upload_id, staging, part.clone())
        .await?;
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "etag", &quoted(&part.etag));
    if let Some(first) = received.checksums.first() {
        if let Some(a) = Algorithm::parse(&first.0) {
            put_header(&mut headers, &a.header(), &first.1);
        }
    }
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

fn invalid_part(number: u32) -> S3Error {
    S3Error::new(
        StatusCode::BAD_REQUEST,
        "InvalidPart",
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    )
    .with_extra("PartNumber", number.to_string())
}

fn part_value(part: &PartMeta, algorithm: Algorithm) -> Option<&str> {
    part.checksums
        .iter()
        .find(|(n, _)| n == algorithm.name())
        .map(|(_, v)| v.as_str())
}

/// CompleteMultipartUpload (`POST ?uploadId`).
pub async fn complete(ctx: &Ctx<'_>, bucket: &str, key: &str, body: Body) -> S3Result<Response> {
    let upload = upload_for(ctx, bucket, key)?;
    let bytes = read_small_body(ctx, body, false).await?;
    let request: CompleteMultipartUpload = xml::parse(&bytes).ok_or_else(S3Error::malformed_xml)?;
    if request.parts.is_empty() {
        return Err(S3Error::malformed_xml());
    }
    let settings = upload_checksum(&upload.meta);
    let mut parts: Vec<&PartMeta> = Vec::with_capacity(request.parts.len());
    let mut previous = 0;
    for listed in &request.parts {
        if listed.part_number <= previous {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidPartOrder",
                "The list of parts was not in ascending order. The parts list must be specified in order by part number.",
            ));
        }
        previous = listed.part_number;
        let part = upload
            .parts
            .get(&listed.part_number)
            .ok_or_else(|| invalid_part(listed.part_number))?;
        if !listed
            .etag
            .trim()
            .trim_matches('"')
            .eq_ignore_ascii_case(&part.etag)
        {
            return Err(invalid_part(listed.part_number));
        }
        for algorithm in Algorithm::ALL {
            if let Some(claimed) = listed.checksum(algorithm.name()) {
                if part_value(part, algorithm) != Some(claimed.trim()) {
                    return Err(invalid_part(listed.part_number));
                }
            }
        }
        parts.push(part);
    }
    for part in &parts[..parts.len() - 1] {
        if part.size < MIN_PART_BYTES {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed object size.",
            )
            .with_extra("PartNumber", part.number.to_string())
            .with_extra("ProposedSize", part.size.to_string())
            .with_extra("MinSizeAllowed", MIN_PART_BYTES.to_string()));
        }
    }
    let mut staging = ctx.store().staging(bucket).await?;
    let mut etag_md5 = Md5::new();
    let mut crc64 = jit_oss_protocol::crc64::Crc64::new();
    let mut nvme = Hasher::new(Algorithm::Crc64Nvme);
    let mut full = settings
        .filter(|(a, full)| *full && *a != Algorithm::Crc64Nvme)
        .map(|(a, _)| Hasher::new(a));
    let mut size: u64 = 0;
    for part in &parts {
        etag_md5.update(hex::decode(&part.etag).unwrap_or_default());
        size += part.size;
        let joined = copy_blob(ctx, &mut staging, bucket, &part.blob, |data| {
            crc64.update(data);
            nvme.update(data);
            if let Some(h) = &mut full {
                h.update(data);
            }
        })
        .await;
        if let Err(err) = joined {
            staging.discard().await;
            return Err(err);
        }
    }
    let mut checksums = Vec::new();
    if let Some((algorithm, is_full)) = settings {
        let value = match (&full, is_full) {
            (Some(h), _) => h.base64(),
            (None, true) => nvme.base64(),
            (None, false) => {
                let values: Option<Vec<&str>> =
                    parts.iter().map(|p| part_value(p, algorithm)).collect();
                match values.and_then(|v| checksum::composite(algorithm, &v)) {
                    Some(v) => v,
                    None => {
                        staging.discard().await;
                        return Err(S3Error::invalid_request(format!(
                            "The upload was created using a {} checksum. Every part must have one.",
                            algorithm.name()
                        )));
                    }
                }
            }
        };
        if let Some(claimed) = ctx.header(&algorithm.header()) {
            if is_full && claimed.trim() != value {
                staging.discard().await;
                return Err(S3Error::bad_digest(format!(
                    "The {} you specified did not match the calculated checksum.",
                    algorithm.upper()
                )));
            }
        }
        checksums.push((algorithm.name().to_owned(), value));
    }
    if settings.map(|(a, _)| a) != Some(Algorithm::Crc64Nvme) {
        checksums.push((Algorithm::Crc64Nvme.name().to_owned(), nvme.base64()));
    }
    let headers: Vec<(String, String)> = upload
        .meta
        .headers
        .iter()
        .filter(|(n, _)| n != ALGORITHM_KEY && n != TYPE_KEY)
        .cloned()
        .collect();
    let meta = ObjectMeta {
        key: key.to_owned(),
        size,
        etag: format!("{}-{}", hex::encode(etag_md5.finalize()), parts.len()),
        crc64: crc64.value(),
        content_md5: None,
        content_type: upload.meta.content_type.clone(),
        last_modified: now_secs(),
        object_type: ObjectType::Multipart,
        headers,
        user_meta: upload.meta.user_meta.clone(),
        checksums,
        blob: String::new(),
    };
    ctx.store()
        .complete_upload(
            bucket,
            &upload.meta.upload_id,
            staging,
            meta.clone(),
            Expect::Any,
        )
        .await?;
    let mut doc = Doc::new("CompleteMultipartUploadResult");
    doc.field("Location", format!("http://{}/{bucket}/{key}", ctx.host))
        .field("Bucket", bucket)
        .field("Key", key)
        .field("ETag", quoted(&meta.etag));
    if settings.is_some() {
        if let Some((name, value)) = meta.checksums.first() {
            if let Some(a) = Algorithm::parse(name) {
                doc.field(&a.xml_field(), value)
                    .field("ChecksumType", super::response::checksum_type(value));
            }
        }
    }
    let mut headers = HeaderMap::new();
    checksum_headers(&mut headers, &meta.checksums[..1]);
    Ok(xml_response(
        doc.finish("CompleteMultipartUploadResult"),
        headers,
    ))
}

/// AbortMultipartUpload (`DELETE ?uploadId`).
pub async fn abort(ctx: &Ctx<'_>, bucket: &str, key: &str) -> S3Result<Response> {
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

fn owner(doc: &mut Doc, element: &str) {
    doc.open(element)
        .field("ID", "jitstore")
        .field("DisplayName", "jitstore")
        .close(element);
}

/// ListMultipartUploads (`GET ?uploads`): prefix, key-marker, upload-id-marker,
/// max-uploads.
pub fn list_uploads(ctx: &Ctx<'_>, bucket: &str) -> S3Result<Response> {
    let prefix = ctx.q("prefix").unwrap_or("");
    let key_marker = ctx.q("key-marker").unwrap_or("");
    let id_marker = ctx.q("upload-id-marker").unwrap_or("");
    let max = ctx.count("max-uploads", 1000, 1000)?;
    let all = ctx.store().uploads(bucket)?;
    let mut listed = all
        .iter()
        .filter(|u| u.key.starts_with(prefix))
        .filter(|u| {
            key_marker.is_empty()
                || u.key.as_str() > key_marker
                || (u.key == key_marker
                    && !id_marker.is_empty()
                    && u.upload_id.as_str() > id_marker)
        });
    let page: Vec<&UploadMeta> = listed.by_ref().take(max).collect();
    let truncated = listed.next().is_some();
    let mut doc = Doc::new("ListMultipartUploadsResult");
    doc.field("Bucket", bucket)
        .field("KeyMarker", key_marker)
        .field("UploadIdMarker", id_marker);
    if truncated {
        if let Some(last) = page.last() {
            doc.field("NextKeyMarker", &last.key)
                .field("NextUploadIdMarker", &last.upload_id);
        }
    }
    doc.field("Prefix", prefix)
        .field("MaxUploads", max.to_string())
        .field("IsTruncated", truncated.to_string());
    for upload in page {
        doc.open("Upload")
            .field("Key", &upload.key)
            .field("UploadId", &upload.upload_id);
        owner(&mut doc, "Initiator");
        owner(&mut doc, "Owner");
        doc.field("StorageClass", "STANDARD")
            .field("Initiated", iso8601(upload.initiated));
        if let Some((a, full)) = upload_checksum(upload) {
            doc.field("ChecksumAlgorithm", a.upper()).field(
                "ChecksumType",
                if full { "FULL_OBJECT" } else { "COMPOSITE" },
            );
        }
        doc.close("Upload");
    }
    Ok(xml_response(
        doc.finish("ListMultipartUploadsResult"),
        HeaderMap::new(),
    ))
}

/// ListParts (`GET ?uploadId`): max-parts, part-number-marker.
pub fn list_parts(ctx: &Ctx<'_>, bucket: &str, key: &str) -> S3Result<Response> {
    let upload = upload_for(ctx, bucket, key)?;
    let marker = ctx.count("part-number-marker", 0, MAX_PARTS as usize)? as u32;
    let max = ctx.count("max-parts", 1000, 1000)?;
    let mut listed = upload.parts.values().filter(|p| p.number > marker);
    let page: Vec<&PartMeta> = listed.by_ref().take(max).collect();
    let truncated = listed.next().is_some();
    let mut doc = Doc::new("ListPartsResult");
    doc.field("Bucket", bucket)
        .field("Key", key)
        .field("UploadId", &upload.meta.upload_id)
        .field("PartNumberMarker", marker.to_string());
    if let Some(last) = page.last() {
        doc.field("NextPartNumberMarker", last.number.to_string());
    }
    doc.field("MaxParts", max.to_string())
        .field("IsTruncated", truncated.to_string());
    owner(&mut doc, "Initiator");
    owner(&mut doc, "Owner");
    doc.field("StorageClass", "STANDARD");
    let settings = upload_checksum(&upload.meta);
    if let Some((a, full)) = settings {
        doc.field("ChecksumAlgorithm", a.upper()).field(
            "ChecksumType",
            if full { "FULL_OBJECT" } else { "COMPOSITE" },
        );
    }
    for part in page {
        doc.open("Part")
            .field("PartNumber", part.number.to_string())
            .field("LastModified", iso8601(part.last_modified))
            .field("ETag", quoted(&part.etag))
            .field("Size", part.size.to_string());
        if let Some((a, _)) = settings {
            doc.opt(&a.xml_field(), part_value(part, a));
        }
        doc.close("Part");
    }
    Ok(xml_response(
        doc.finish("ListPartsResult"),
        HeaderMap::new(),
    ))
}
