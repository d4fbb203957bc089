//! Bucket-level API: ListObjects (v1 and v2), DeleteMultipleObjects, ListBuckets,
//! GetBucketInfo, GetBucketLocation, PutBucket, DeleteBucket and HEAD on a bucket, and
//! the bucket-name check every bucket or object request goes through
//! ([`check_bucket_name`]).

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::body::{read_small_body, MAX_DELETE_XML_BYTES};
use super::context::Ctx;
use super::listing::{maybe_encode, parse_count};
use super::response::{put_header, quoted, respond, xml_response};
use crate::addressing::check_key;
use crate::config::is_valid_bucket_name;
use crate::error::{OssError, OssResult};
use crate::shared::listing::{list_page, Listing};
use crate::xml;

/// `<Contents>` entries of a page.
fn contents(page: &Listing, encoding: &Option<String>, owner: bool) -> Vec<xml::Contents> {
    page.contents
        .iter()
        .map(|meta| xml::Contents {
            key: maybe_encode(&meta.key, encoding),
            last_modified: xml::iso8601(meta.last_modified),
            etag: quoted(&meta.etag),
            object_type: meta.object_type.as_str().to_owned(),
            size: meta.size,
            storage_class: "Standard",
            owner: owner.then(xml::Owner::local),
        })
        .collect()
}

/// `<CommonPrefixes>` entries of a page.
fn prefixes(page: &Listing, encoding: &Option<String>) -> Vec<xml::CommonPrefix> {
    page.prefixes
        .iter()
        .map(|p| xml::CommonPrefix {
            prefix: maybe_encode(p, encoding),
        })
        .collect()
}

/// ListObjects (v1): `prefix`, `delimiter`, `marker`, `max-keys`, `encoding-type`.
pub fn list_v1(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    let encoding = ctx.encoding_type()?;
    let prefix = ctx.q("prefix").unwrap_or("");
    let delimiter = ctx.q("delimiter").unwrap_or("");
    let marker = ctx.q("marker").unwrap_or("");
    let max = parse_count(ctx, "max-keys", 100, 1000)?;
    let page = ctx.store().with_objects(bucket, |objects| {
        list_page(objects, prefix, delimiter, marker, max)
    })?;
    let doc = xml::ListBucketResultV1 {
        name: bucket.to_owned(),
        prefix: maybe_encode(prefix, &encoding),
        marker: maybe_encode(marker, &encoding),
        max_keys: max,
        delimiter: maybe_encode(delimiter, &encoding),
        encoding_type: encoding.clone(),
        is_truncated: page.truncated,
        next_marker: page
            .last
            .as_deref()
            .filter(|_| page.truncated)
            .map(|m| maybe_encode(m, &encoding)),
        contents: contents(&page, &encoding, true),
        common_prefixes: prefixes(&page, &encoding),
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// ListObjectsV2 (`list-type=2`): adds `continuation-token`, `start-after`,
/// `fetch-owner` and `KeyCount`. Continuation tokens are the hex of the last key.
pub fn list_v2(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    let encoding = ctx.encoding_type()?;
    let prefix = ctx.q("prefix").unwrap_or("");
    let delimiter = ctx.q("delimiter").unwrap_or("");
    let start_after = ctx.q("start-after").filter(|s| !s.is_empty());
    let token = ctx.q("continuation-token").filter(|s| !s.is_empty());
    let token_key = match token {
        None => None,
        Some(text) => Some(
            hex::decode(text)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    OssError::invalid_argument(
                        "The continuation token is not valid.",
                        "continuation-token",
                        text,
                    )
                })?,
        ),
    };
    let max = parse_count(ctx, "max-keys", 100, 1000)?;
    let fetch_owner = ctx.q("fetch-owner").is_some_and(|v| v == "true");
    let after = match (&token_key, start_after) {
        (Some(t), Some(s)) => t.as_str().max(s).to_owned(),
        (Some(t), None) => t.clone(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => String::new(),
    };
    let page = ctx.store().with_objects(bucket, |objects| {
        list_page(objects, prefix, delimiter, &after, max)
    })?;
    let doc = xml::ListBucketResultV2 {
        name: bucket.to_owned(),
        prefix: maybe_encode(prefix, &encoding),
        max_keys: max,
        delimiter: maybe_encode(delimiter, &encoding),
        start_after: start_after.map(|s| maybe_encode(s, &encoding)),
        continuation_token: token.map(str::to_owned),
        encoding_type: encoding.clone(),
        is_truncated: page.truncated,
        next_continuation_token: page
            .last
            .as_deref()
            .filter(|_| page.truncated)
            .map(|last| hex::encode(last.as_bytes())),
        key_count: page.contents.len() + page.prefixes.len(),
        contents: contents(&page, &encoding, fetch_owner),
        common_prefixes: prefixes(&page, &encoding),
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// DeleteMultipleObjects (`POST ?delete`).
pub async fn delete_multiple(ctx: &Ctx<'_>, bucket: &str, body: Body) -> OssResult<Response> {
    ctx.store().bucket_created(bucket)?;
    let encoding = ctx.encoding_type()?;
    let bytes = read_small_body(ctx, body, MAX_DELETE_XML_BYTES).await?;
    let request = xml::parse_delete(&bytes)?;
    if request.keys.is_empty() || request.keys.len() > 1000 {
        return Err(OssError::malformed_xml(
            "a Delete request names 1 to 1000 objects",
        ));
    }
    for key in &request.keys {
        if key.is_empty() {
            return Err(OssError::malformed_xml("an object key is empty"));
        }
        check_key(key)?;
    }
    let quiet = request
        .quiet
        .as_deref()
        .is_some_and(|q| q.trim().eq_ignore_ascii_case("true"));
    let mut deleted = Vec::new();
    for key in request.keys {
        ctx.store().delete_object(bucket, &key).await?;
        if !quiet {
            deleted.push(xml::DeletedEntry {
                key: maybe_encode(&key, &encoding),
            });
        }
    }
    let doc = xml::DeleteResult {
        encoding_type: encoding,
        deleted,
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// The host name clients used, without a bucket label (for endpoints in XML).
fn service_host(ctx: &Ctx<'_>, bucket: Option<&str>) -> String {
    match bucket {
        Some(b) if ctx.virtual_hosted => ctx
            .host
            .strip_prefix(&format!("{b}."))
            .unwrap_or(ctx.host)
            .to_owned(),
        _ => ctx.host.to_owned(),
    }
}

/// A bucket entry for ListBuckets / GetBucketInfo.
fn bucket_entry(ctx: &Ctx<'_>, name: &str, created: u64) -> xml::BucketEntry {
    let region = &ctx.state.config.region;
    let endpoint = service_host(ctx, Some(name));
    xml::BucketEntry {
        name: name.to_owned(),
        creation_date: xml::iso8601(created),
        extranet_endpoint: endpoint.clone(),
        intranet_endpoint: endpoint,
        location: format!("oss-{region}"),
        region: region.clone(),
        storage_class: "Standard",
    }
}

/// ListBuckets (GetService): `prefix`, `marker`, `max-keys`.
pub fn list_buckets(ctx: &Ctx<'_>) -> OssResult<Response> {
    let prefix = ctx.q("prefix").unwrap_or("");
    let marker = ctx.q("marker").unwrap_or("");
    let max = parse_count(ctx, "max-keys", 100, 1000)?;
    let matching: Vec<(String, u64)> = ctx
        .store()
        .buckets()
        .into_iter()
        .filter(|(name, _)| name.starts_with(prefix) && name.as_str() > marker)
        .collect();
    // `max-keys=0`: an empty page, not truncated (there is no marker to continue from).
    let truncated = max > 0 && matching.len() > max;
    let shown: Vec<_> = matching.into_iter().take(max).collect();
    let doc = xml::ListAllMyBucketsResult {
        prefix: prefix.to_owned(),
        marker: marker.to_owned(),
        max_keys: max,
        is_truncated: truncated,
        next_marker: shown
            .last()
            .filter(|_| truncated)
            .map(|(name, _)| name.clone()),
        owner: xml::Owner::local(),
        buckets: xml::Buckets {
            bucket: shown
                .iter()
                .map(|(name, created)| bucket_entry(ctx, name, *created))
                .collect(),
        },
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// GetBucketInfo (`GET ?bucketInfo`).
pub fn bucket_info(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    let created = ctx.store().bucket_created(bucket)?;
    let doc = xml::BucketInfo {
        bucket: xml::BucketInfoBody {
            entry: bucket_entry(ctx, bucket, created),
            data_redundancy_type: "LRS",
            versioning: "",
            owner: xml::Owner::local(),
            acl: xml::AccessControlList { grant: "private" },
            sse: xml::SseRule {
                sse_algorithm: "None",
            },
        },
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// GetBucketLocation (`GET ?location`).
pub fn bucket_location(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    ctx.store().bucket_created(bucket)?;
    let doc = xml::LocationConstraint {
        location: format!("oss-{}", ctx.state.config.region),
    };
    Ok(xml_response(xml::to_xml(&doc)?, HeaderMap::new()))
}

/// Fails with InvalidBucketName unless `bucket` is a valid name.
pub fn check_bucket_name(bucket: &str) -> OssResult<()> {
    if is_valid_bucket_name(bucket) {
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

/// PutBucket: creates the bucket (200 also if it already exists; it is ours).
pub async fn create_bucket(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    check_bucket_name(bucket)?;
    ctx.store().create_bucket(bucket).await?;
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "location", &format!("/{bucket}"));
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

/// DeleteBucket: 204, or 409 BucketNotEmpty.
pub async fn delete_bucket(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    ctx.store().delete_bucket(bucket).await?;
    Ok(respond(
        StatusCode::NO_CONTENT,
        HeaderMap::new(),
        Body::empty(),
    ))
}

/// HEAD on a bucket: 200 if it exists.
pub fn head_bucket(ctx: &Ctx<'_>, bucket: &str) -> OssResult<Response> {
    ctx.store().bucket_created(bucket)?;
    Ok(respond(StatusCode::OK, HeaderMap::new(), Body::empty()))
}
