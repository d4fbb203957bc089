//! Bucket API: ListBuckets, HeadBucket, CreateBucket, DeleteBucket,
//! GetBucketLocation, and the object listings ListObjectsV2 (prefix, delimiter,
//! continuation token, start-after, max-keys, `encoding-type=url`) and ListObjects
//! (V1, marker), over one paging engine ([`page`]).

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::prelude::{Engine as _, BASE64_URL_SAFE_NO_PAD};
use jit_oss_server::shared::listing::list_page;
use jit_oss_server::store::ObjectMeta;

use super::context::Ctx;
use super::response::{checksum_type, put_header, quoted, respond, xml_response};
use crate::checksum::Algorithm;
use crate::config::is_valid_bucket_name;
use crate::error::{S3Error, S3Result};
use crate::xml::{iso8601, Doc};

/// The owner every object and bucket is reported with.
const OWNER_ID: &str = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";

/// Largest page of a listing.
const MAX_KEYS: usize = 1000;

fn owner(doc: &mut Doc) {
    doc.open("Owner")
        .field("ID", OWNER_ID)
        .field("DisplayName", "jitstore")
        .close("Owner");
}

/// ListBuckets (`GET /`).
pub fn list_buckets(ctx: &Ctx<'_>) -> S3Result<Response> {
    let mut doc = Doc::new("ListAllMyBucketsResult");
    owner(&mut doc);
    doc.open("Buckets");
    for (name, created) in ctx.store().buckets() {
        doc.open("Bucket")
            .field("Name", name)
            .field("CreationDate", iso8601(created))
            .field("BucketRegion", &ctx.state.config.region)
            .close("Bucket");
    }
    doc.close("Buckets");
    Ok(xml_response(
        doc.finish("ListAllMyBucketsResult"),
        HeaderMap::new(),
    ))
}

/// HeadBucket.
pub fn head_bucket(ctx: &Ctx<'_>, bucket: &str) -> S3Result<Response> {
    ctx.store().bucket_created(bucket)?;
    let mut headers = HeaderMap::new();
    put_header(
        &mut headers,
        "x-amz-bucket-region",
        &ctx.state.config.region,
    );
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

/// GetBucketLocation (`?location`): empty for us-east-1, as S3 answers.
pub fn location(ctx: &Ctx<'_>, bucket: &str) -> S3Result<Response> {
    ctx.store().bucket_created(bucket)?;
    let region = &ctx.state.config.region;
    let doc = Doc::new("LocationConstraint");
    let mut text = doc.finish("LocationConstraint");
    if region != "us-east-1" {
        text = text.replace(
            "></LocationConstraint>",
            &format!(">{region}</LocationConstraint>"),
        );
    }
    Ok(xml_response(text, HeaderMap::new()))
}

/// CreateBucket (the body, a CreateBucketConfiguration, is read and ignored).
pub async fn create_bucket(ctx: &Ctx<'_>, bucket: &str, body: Body) -> S3Result<Response> {
    if !is_valid_bucket_name(bucket) {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .with_extra("BucketName", bucket));
    }
    super::body::read_small_body(ctx, body, true).await?;
    if !ctx.store().create_bucket(bucket).await? {
        return Err(S3Error::new(
            StatusCode::CONFLICT,
            "BucketAlreadyOwnedByYou",
            "Your previous request to create the named bucket succeeded and you already own it.",
        )
        .with_extra("BucketName", bucket));
    }
    let mut headers = HeaderMap::new();
    put_header(&mut headers, "location", &format!("/{bucket}"));
    Ok(respond(StatusCode::OK, headers, Body::empty()))
}

/// DeleteBucket (must be empty).
pub async fn delete_bucket(ctx: &Ctx<'_>, bucket: &str) -> S3Result<Response> {
    ctx.store().delete_bucket(bucket).await?;
    Ok(respond(
        StatusCode::NO_CONTENT,
        HeaderMap::new(),
        Body::empty(),
    ))
}

/// Encodes a name for the response if `encoding-type=url` was asked for.
fn enc(text: &str, url: bool) -> String {
    if url {
        jit_oss_protocol::encode::encode_query_component(text)
    } else {
        text.to_owned()
    }
}

fn contents(doc: &mut Doc, meta: &ObjectMeta, url: bool, with_owner: bool) {
    doc.open("Contents")
        .field("Key", enc(&meta.key, url))
        .field("LastModified", iso8601(meta.last_modified))
        .field("ETag", quoted(&meta.etag));
    if let Some((name, value)) = meta.checksums.first() {
        if let Some(algorithm) = Algorithm::parse(name) {
            doc.field("ChecksumAlgorithm", algorithm.upper())
                .field("ChecksumType", checksum_type(value));
        }
    }
    doc.field("Size", meta.size.to_string())
        .field("StorageClass", "STANDARD");
    if with_owner {
        owner(doc);
    }
    doc.close("Contents");
}

struct Query {
    prefix: String,
    delimiter: String,
    max: usize,
    url: bool,
}

fn query(ctx: &Ctx<'_>) -> S3Result<Query> {
    Ok(Query {
        prefix: ctx.q("prefix").unwrap_or("").to_owned(),
        delimiter: ctx.q("delimiter").unwrap_or("").to_owned(),
        max: ctx.count("max-keys", MAX_KEYS, MAX_KEYS)?,
        url: ctx.url_encoding()?,
    })
}

/// ListObjectsV2 (`GET ?list-type=2`).
pub fn list_v2(ctx: &Ctx<'_>, bucket: &str) -> S3Result<Response> {
    let q = query(ctx)?;
    let token = ctx.q("continuation-token");
    let start_after = ctx.q("start-after").filter(|s| !s.is_empty());
    let marker = match token {
        Some(t) => Some(
            BASE64_URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    S3Error::invalid_argument(
                        "The continuation token provided is incorrect",
                        "continuation-token",
                        t,
                    )
                })?,
        ),
        None => start_after.map(str::to_owned),
    };
    let page = ctx.store().with_objects(bucket, |objects| {
        list_page(
            objects,
            &q.prefix,
            &q.delimiter,
            marker.as_deref().unwrap_or(""),
            q.max,
        )
    })?;
    let fetch_owner = ctx.q("fetch-owner") == Some("true");
    let mut doc = Doc::new("ListBucketResult");
    doc.field("Name", bucket)
        .field("Prefix", enc(&q.prefix, q.url));
    if !q.delimiter.is_empty() {
        doc.field("Delimiter", enc(&q.delimiter, q.url));
    }
    doc.field("MaxKeys", q.max.to_string());
    if q.url {
        doc.field("EncodingType", "url");
    }
    doc.field(
        "KeyCount",
        (page.contents.len() + page.prefixes.len()).to_string(),
    )
    .field("IsTruncated", page.truncated.to_string())
    .opt("ContinuationToken", token)
    .opt("StartAfter", start_after.map(|s| enc(s, q.url)));
    if page.truncated {
        let next = page.last.as_deref().unwrap_or("");
        doc.field("NextContinuationToken", BASE64_URL_SAFE_NO_PAD.encode(next));
    }
    for meta in &page.contents {
        contents(&mut doc, meta, q.url, fetch_owner);
    }
    for p in &page.prefixes {
        doc.open("CommonPrefixes")
            .field("Prefix", enc(p, q.url))
            .close("CommonPrefixes");
    }
    Ok(xml_response(
        doc.finish("ListBucketResult"),
        HeaderMap::new(),
    ))
}

/// ListObjects, version 1 (`GET` on a bucket, `marker`).
pub fn list_v1(ctx: &Ctx<'_>, bucket: &str) -> S3Result<Response> {
    let q = query(ctx)?;
    let marker = ctx.q("marker").unwrap_or("");
    let page = ctx.store().with_objects(bucket, |objects| {
        list_page(objects, &q.prefix, &q.delimiter, marker, q.max)
    })?;
    let mut doc = Doc::new("ListBucketResult");
    doc.field("Name", bucket)
        .field("Prefix", enc(&q.prefix, q.url))
        .field("Marker", enc(marker, q.url));
    if page.truncated && !q.delimiter.is_empty() {
        doc.opt("NextMarker", page.last.as_deref().map(|l| enc(l, q.url)));
    }
    doc.field("MaxKeys", q.max.to_string());
    if !q.delimiter.is_empty() {
        doc.field("Delimiter", enc(&q.delimiter, q.url));
    }
    if q.url {
        doc.field("EncodingType", "url");
    }
    doc.field("IsTruncated", page.truncated.to_string());
    for meta in &page.contents {
        contents(&mut doc, meta, q.url, true);
    }
    for p in &page.prefixes {
        doc.open("CommonPrefixes")
            .field("Prefix", enc(p, q.url))
            .close("CommonPrefixes");
    }
    Ok(xml_response(
        doc.finish("ListBucketResult"),
        HeaderMap::new(),
    ))
}
