//! The life of one multipart upload on the server, made safe against lost answers:
//!
//! - [`initiate`]: InitiateMultipartUpload, retried; when an attempt's answer was lost
//!   (the server may have opened an upload nobody knows the id of), the strays are
//!   found with ListMultipartUploads and aborted, so no orphan stays billed.
//! - [`complete`]: CompleteMultipartUpload, retried (an `<Error>` in a 200 answer, as
//!   S3 may send, is a failure like any other); after a lost answer, or when a retried
//!   Complete finds the upload gone (`NoSuchUpload`), the object is checked (HeadObject:
//!   size, checksum of the parts combined, content type, metadata) and the upload
//!   succeeds if it holds the parts.
//!
//! The dialect's checksum headers ask for a checksum of the whole object where the
//! server needs asking (S3's `FULL_OBJECT`), and each part's checksum is listed in
//! Complete where the parts carried theirs.
//! - [`abort`]: AbortMultipartUpload, retried (at least [`CLEANUP_MIN_RETRIES`] times,
//!   whatever `maxRetries` says); `NoSuchUpload` means it is gone already.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use jit_oss_protocol::OssErrorBody;
use jit_storage::retry::RetryPolicy;
use jit_storage::{StorageError, StorageResult};
use quick_xml::escape::escape;
use reqwest::Method;
use serde::Deserialize;

use crate::engine::confirm::{took_effect, Expected};
use crate::engine::core::{bytes_body, Core, Request};
use crate::engine::error::{self, answer_lost};
use crate::engine::integrity::mismatch;
use crate::engine::lister::{parse_iso8601, trim_etag};
use crate::engine::transport::MAX_XML_BODY;

/// Cleanup (AbortMultipartUpload) is retried at least this many times, even when the
/// element's `maxRetries` is lower: an upload left open is billed until it is aborted.
pub const CLEANUP_MIN_RETRIES: u32 = 3;

/// Uploads initiated this long before the first attempt (by the server's clock) may
/// still be ours: OSS reports whole seconds.
const INITIATED_MARGIN: Duration = Duration::from_secs(2);

/// What a finished upload (single or multipart) reports.
#[derive(Debug)]
pub(crate) struct Uploaded {
    /// ETag of the stored object.
    pub etag: Option<String>,
    /// Checksum of the whole object (the dialect's CRC-64: the server's, checked
    /// against the one sent).
    pub checksum: u64,
}

/// One uploaded part.
pub(crate) struct Part {
    /// Part number, from 1.
    pub number: u32,
    /// Its ETag, unquoted.
    pub etag: String,
    /// Checksum of its bytes.
    pub crc: u64,
    /// Its length.
    pub len: u64,
}

/// How an upload failed.
pub(crate) enum Failure {
    /// The upload is still open and must be aborted.
    BeforeComplete(StorageError),
    /// Nothing is left open: the object was completed (e.g. its CRC did not match), or
    /// the upload is gone.
    Closed(StorageError),
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InitiateResult {
    upload_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CompleteResult {
    #[serde(default, rename = "ETag")]
    etag: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUploadsResult {
    #[serde(default)]
    encoding_type: Option<String>,
    #[serde(default, rename = "Upload")]
    uploads: Vec<UploadEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UploadEntry {
    key: String,
    upload_id: String,
    #[serde(default)]
    initiated: Option<String>,
}

/// InitiateMultipartUpload of `key` with `headers`: the upload id.
pub(crate) async fn initiate(
    core: &Core,
    key: &str,
    headers: &[(String, String)],
) -> StorageResult<String> {
    let mut req = Request::new(Method::POST, Some(key)).query("uploads", None);
    req.headers = headers.to_vec();
    let req = req.checksum_headers(core.checksum().multipart_initiate);
    let started = SystemTime::now();
    let mut attempts = core.settings.retry.start();
    let mut lost = 0usize;
    let result = loop {
        match initiate_once(core, &req).await {
            Ok(id) => break Ok(id),
            Err((err, _)) if core.checksum_refused(&req, &err) => continue,
            Err((err, maybe_opened)) => {
                if maybe_opened {
                    lost += 1;
                }
                if let Err(err) = attempts.wait_or_give_up(err).await {
                    break Err(err);
                }
            }
        }
    };
    if lost > 0 {
        abort_strays(core, key, result.as_deref().ok(), started, lost).await;
    }
    result
}

/// One Initiate attempt; on failure, whether the server may have opened an upload
/// anyway (its answer was lost, or unreadable after a success status).
async fn initiate_once(core: &Core, req: &Request) -> Result<String, (StorageError, bool)> {
    let response = core.attempt(req, None).await.map_err(|e| {
        let lost = answer_lost(&e);
        (e, lost)
    })?;
    let headers = response.headers().clone();
    let body = core
        .transport
        .body_bytes(response, MAX_XML_BODY)
        .await
        .map_err(|e| (e, true))?;
    std::str::from_utf8(&body)
        .ok()
        .and_then(|t| quick_xml::de::from_str::<InitiateResult>(t).ok())
        .map(|r| r.upload_id)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            let err = error::malformed_response(
                core.words(),
                "InitiateMultipartUpload answered without an UploadId",
                Some(&headers),
            );
            (err, true)
        })
}

/// After Initiate attempts whose answers were lost (`lost` of them, since `started`):
/// aborts the uploads of `key` they may have opened — those initiated since then, other
/// than `ours` — when there are no more of them than lost answers. More would mean
/// someone else is uploading the same key: their uploads are left alone.
async fn abort_strays(
    core: &Core,
    key: &str,
    ours: Option<&str>,
    started: SystemTime,
    lost: usize,
) {
    let mut req = Request::new(Method::GET, None)
        .query("uploads", None)
        .query("prefix", Some(key));
    if core.words().url_encoded_listings {
        req = req.query("encoding-type", Some("url"));
    }
    let listed = async {
        let response = core.send(req).await?;
        let server_now = response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok());
        let body = core.transport.body_bytes(response, MAX_XML_BODY).await?;
        Ok::<_, StorageError>((parse_uploads(core, &body)?, server_now))
    };
    let (uploads, server_now) = match listed.await {
        Ok(listed) => listed,
        Err(e) => {
            tracing::warn!(key, error = %e, "cannot list the uploads a lost Initiate may have opened");
            return;
        }
    };
    // The first attempt's time by the server's clock (the clocks may differ).
    let elapsed = SystemTime::now()
        .duration_since(started)
        .unwrap_or_default();
    let since = server_now
        .unwrap_or_else(SystemTime::now)
        .checked_sub(elapsed.saturating_add(INITIATED_MARGIN));
    let strays: Vec<String> = uploads
        .into_iter()
        .filter(|(k, id, initiated)| {
            k == key
                && Some(id.as_str()) != ours
                && matches!((initiated, since), (Some(at), Some(since)) if *at >= since)
        })
        .map(|(_, id, _)| id)
        .collect();
    if strays.len() > lost {
        tracing::warn!(
            key,
            strays = strays.len(),
            lost,
            "more uploads of this key were opened than lost answers explain; leaving them"
        );
        return;
    }
    for id in strays {
        tracing::debug!(
            key,
            upload_id = id,
            "aborting an upload opened by a lost Initiate"
        );
        abort(core, key, &id).await;
    }
}

/// (key, upload id, initiated) of a ListMultipartUploads answer.
fn parse_uploads(
    core: &Core,
    body: &[u8],
) -> StorageResult<Vec<(String, String, Option<SystemTime>)>> {
    let words = core.words();
    let text = std::str::from_utf8(body)
        .map_err(|_| error::malformed_response(words, "the upload listing is not UTF-8", None))?;
    let result: ListUploadsResult = quick_xml::de::from_str(text).map_err(|e| {
        error::malformed_response(
            words,
            format!("cannot read the upload listing XML: {e}"),
            None,
        )
    })?;
    let encoded = result
        .encoding_type
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("url"));
    Ok(result
        .uploads
        .into_iter()
        .map(|u| {
            let key = if encoded {
                jit_wire::percent::decode_component(&u.key)
            } else {
                u.key
            };
            let initiated = u.initiated.as_deref().and_then(parse_iso8601);
            (key, u.upload_id, initiated)
        })
        .collect())
}

/// The CompleteMultipartUpload body: the parts in order, each with its checksum when
/// the dialect lists them (and checksums are still sent).
fn complete_xml(core: &Core, parts: &[Part]) -> Bytes {
    let checksum = core.checksum();
    let element = checksum
        .part_element
        .filter(|_| checksum.sent_with_uploads && core.checksums_on());
    let mut xml = String::from("<CompleteMultipartUpload>");
    for p in parts {
        xml.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag>",
            p.number,
            escape(format!("\"{}\"", p.etag).as_str())
        ));
        if let Some(name) = element {
            xml.push_str(&format!("<{name}>{}</{name}>", checksum.encode(p.crc)));
        }
        xml.push_str("</Part>");
    }
    xml.push_str("</CompleteMultipartUpload>");
    Bytes::from(xml)
}

/// CompleteMultipartUpload of `parts` (in part order); `headers` are the upload's (to
/// confirm a lost answer by the object's content type and metadata).
pub(crate) async fn complete(
    core: &Core,
    key: &str,
    upload_id: &str,
    parts: &[Part],
    headers: &[(String, String)],
) -> Result<Uploaded, Failure> {
    let checksum = core.checksum();
    let combined = parts
        .iter()
        .fold(0u64, |acc, p| checksum.combine(acc, p.crc, p.len));
    let mut req = Request::new(Method::POST, Some(key))
        .query("uploadId", Some(upload_id))
        .header("content-type", "application/xml")
        .checksum_headers(checksum.multipart_complete);
    if checksum.sent_with_uploads {
        req = req.checksum_header(checksum.header, checksum.encode(combined));
    }
    let expected = Expected {
        size: parts.iter().map(|p| p.len).sum(),
        checksum: combined,
        headers,
        meta_prefix: core.words().meta_prefix,
    };
    let mut attempts = core.settings.retry.start();
    loop {
        let xml = complete_xml(core, parts);
        let err = match core.attempt(&req, bytes_body(&xml)).await {
            Ok(response) => match completed(core, key, upload_id, parts, response).await {
                Completed::Done(result) => return result,
                Completed::ErrorIn200(err) => err,
            },
            Err(err) => err,
        };
        if core.checksum_refused(&req, &err) {
            continue;
        }
        let gone = err.code() == Some("NoSuchUpload");
        if gone || answer_lost(&err) {
            if let Some(stored) = took_effect(core, key, &expected).await {
                return Ok(Uploaded {
                    etag: stored.info.etag,
                    checksum: expected.checksum,
                });
            }
        }
        if gone {
            return Err(Failure::Closed(err.not_retried(
                "the upload is gone and the object does not hold its parts",
            )));
        }
        if let Err(err) = attempts.wait_or_give_up(err).await {
            return Err(Failure::BeforeComplete(err));
        }
    }
}

/// How a Complete answered with a success status ended.
enum Completed {
    /// Done: the upload, or a failure that leaves nothing open.
    Done(Result<Uploaded, Failure>),
    /// The body was an `<Error>` (S3 may answer so after a 200 status): the upload is
    /// not complete.
    ErrorIn200(StorageError),
}

/// The result of a Complete that succeeded: the server's checksum must equal the
/// parts' checksums combined in part order.
async fn completed(
    core: &Core,
    key: &str,
    upload_id: &str,
    parts: &[Part],
    response: reqwest::Response,
) -> Completed {
    let checksum = core.checksum();
    let expected = parts
        .iter()
        .fold(0u64, |acc, p| checksum.combine(acc, p.crc, p.len));
    let server_crc = checksum.read(response.headers());
    let headers = response.headers().clone();
    let status = response.status().as_u16();
    // The object is complete whatever its body says; the ETag is a nicety.
    let body = core
        .transport
        .body_bytes(response, MAX_XML_BODY)
        .await
        .unwrap_or_default();
    if OssErrorBody::parse(&body).is_some_and(|e| !e.code.is_empty()) {
        let err = error::from_response_parts(core.words(), status, &headers, &body);
        return Completed::ErrorIn200(err);
    }
    let etag = std::str::from_utf8(&body)
        .ok()
        .and_then(|t| quick_xml::de::from_str::<CompleteResult>(t).ok())
        .and_then(|r| r.etag)
        .or_else(|| {
            headers
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .map(|e| trim_etag(&e))
        .filter(|e| !e.is_empty());
    Completed::Done(match server_crc {
        Some(server) if server != expected => Err(Failure::Closed(error::with_request_id(
            core.words(),
            mismatch("multipart upload", expected, server),
            &headers,
        ))),
        server => {
            if server.is_none() {
                tracing::debug!(
                    key,
                    header = checksum.header,
                    "Complete's answer carries no checksum: the upload is checked by its parts' only"
                );
            }
            tracing::debug!(
                key,
                upload_id,
                parts = parts.len(),
                "multipart upload completed"
            );
            Ok(Uploaded {
                etag,
                checksum: expected,
            })
        }
    })
}

/// Aborts an upload, retried at least [`CLEANUP_MIN_RETRIES`] times; an upload found
/// gone is aborted. Failures are only logged (the caller's error matters more).
pub(crate) async fn abort(core: &Core, key: &str, upload_id: &str) {
    let req = Request::new(Method::DELETE, Some(key)).query("uploadId", Some(upload_id));
    let policy = RetryPolicy {
        max_retries: core.settings.retry.max_retries.max(CLEANUP_MIN_RETRIES),
        ..core.settings.retry
    };
    let result = policy
        .run(|_| async {
            match core.attempt(&req, None).await {
                // An earlier attempt whose answer was lost aborted it, or it is gone.
                Err(e) if e.code() == Some("NoSuchUpload") => Ok(()),
                other => other.map(drop),
            }
        })
        .await;
    match result {
        Ok(()) => tracing::debug!(key, upload_id, "multipart upload aborted"),
        Err(e) => tracing::warn!(key, upload_id, error = %e, "cannot abort multipart upload"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_listings_are_decoded() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult>
  <Bucket>b</Bucket><EncodingType>url</EncodingType>
  <Upload><Key>a%20b.bin</Key><UploadId>U1</UploadId><Initiated>2024-01-02T03:04:05.000Z</Initiated></Upload>
  <Upload><Key>c</Key><UploadId>U2</UploadId><Initiated>1969-12-31T23:59:59.000Z</Initiated></Upload>
  <Upload><Key>d</Key><UploadId>U3</UploadId></Upload>
</ListMultipartUploadsResult>"#;
        let core = crate::oss::backend::test_core(serde_json::json!({}));
        let uploads = parse_uploads(&core, body).unwrap();
        assert_eq!(uploads.len(), 3);
        assert_eq!(uploads[0].0, "a b.bin");
        assert_eq!(uploads[0].1, "U1");
        assert_eq!(
            uploads[0].2,
            Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_704_164_645))
        );
        // Before 1970, or missing: unknown, so never taken for ours.
        assert_eq!(uploads[1].2, None);
        assert_eq!(uploads[2].2, None);
        let empty = parse_uploads(&core, b"<ListMultipartUploadsResult/>").unwrap();
        assert!(empty.is_empty());
        assert!(parse_uploads(&core, b"<oops").is_err());
    }
}
