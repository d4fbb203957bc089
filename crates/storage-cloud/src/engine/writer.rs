//! Writing an object: the upload headers (content type, metadata, serving headers),
//! one PutObject for payloads up to `multipartThresholdBytes`, the checksum checked
//! against the server's (and, where the dialect sends it, given to the server to
//! verify), and larger payloads handed to `multipart`. A streamed body goes out as the
//! dialect frames it.
//!
//! A PutObject is retried under the element's policy when its body can be sent again
//! (bytes, or a file read afresh per attempt); a one-shot stream is sent once, and a
//! failure worth retrying says it was not retried because of its body. When an
//! attempt's answer is lost after the whole body went out, the object is checked
//! (`confirm`) before anything is sent again: if it holds what was sent, the upload
//! succeeded.

use std::future::Future;
use std::sync::Arc;

use jit_storage::retry;
use jit_storage::{Payload, PutOptions, StorageError, StorageResult};
use reqwest::header::HeaderMap;
use reqwest::Method;
use tracing::Instrument;

use crate::engine::confirm::{took_effect, Expected};
use crate::engine::core::{bytes_body, AttemptBody, Core, Request};
use crate::engine::dialect::{PayloadView, WireBody};
use crate::engine::error;
use crate::engine::integrity::{mismatch, UploadDigest};
use crate::engine::lister::trim_etag;
use crate::engine::multipart;
use crate::engine::upload_session::Uploaded;

/// Writes `payload` to `name` (already validated) with `options`: in one request, or
/// in parts above the multipart threshold. The checksum returned is the server's,
/// checked against the one computed here.
pub(crate) async fn write(
    core: &Arc<Core>,
    name: &str,
    payload: Payload,
    options: &PutOptions,
) -> StorageResult<Uploaded> {
    let headers = put_headers(core.words().meta_prefix, name, options)?;
    if payload.len() > core.settings.multipart_threshold {
        return multipart::upload(core, name, payload, headers).await;
    }
    put_single(core, name, payload, headers).await
}

/// Upload headers of `name`: content type (the one given, else the one its extension
/// implies), metadata (under `meta_prefix`) and the serving headers.
fn put_headers(
    meta_prefix: &str,
    name: &str,
    options: &PutOptions,
) -> StorageResult<Vec<(String, String)>> {
    let mut headers = vec![("content-type".to_string(), options.content_type_for(name))];
    for (name, value) in &options.metadata {
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(StorageError::invalid_argument(format!(
                "metadata name {name:?} must be non-empty ASCII letters, digits, '-' or '_'"
            )));
        }
        headers.push((
            format!("{meta_prefix}{}", name.to_ascii_lowercase()),
            value.clone(),
        ));
    }
    if let Some(v) = &options.content_disposition {
        headers.push(("content-disposition".into(), v.clone()));
    }
    if let Some(v) = &options.cache_control {
        headers.push(("cache-control".into(), v.clone()));
    }
    Ok(headers)
}

/// How one PutObject attempt ended.
type AttemptOutcome = Result<(HeaderMap, u64), Failed>;

/// A failed attempt: its error, and the checksum of the body when all of it was handed
/// to the connection (so the server may have stored it).
struct Failed {
    err: StorageError,
    sent_crc: Option<u64>,
}

impl From<StorageError> for Failed {
    fn from(err: StorageError) -> Self {
        Failed {
            err,
            sent_crc: None,
        }
    }
}

/// PutObject of a whole payload: the ETag and checksum of the stored object.
async fn put_single(
    core: &Core,
    name: &str,
    payload: Payload,
    headers: Vec<(String, String)>,
) -> StorageResult<Uploaded> {
    let length = payload.len();
    let checksum = core.checksum();
    let mut req = Request::new(Method::PUT, Some(name));
    req.headers = headers;
    // Bytes in memory: their checksum is known before they are sent.
    let known = match &payload {
        Payload::Bytes(bytes) => Some(checksum.of(bytes)),
        _ => None,
    };
    if let Some(crc) = known.filter(|_| checksum.sent_with_uploads) {
        req = req.checksum_header(checksum.header, checksum.encode(crc));
    } else if checksum.sent_with_uploads {
        req = req.checksum_headers(checksum.streamed_upload);
    }
    let span = core.span(&req);
    let req = &req;
    let put = async {
        match payload {
            Payload::Bytes(bytes) => {
                let crc = known.unwrap_or_else(|| checksum.of(&bytes));
                let bytes = &bytes;
                let attempt = move || async move {
                    let response = core.attempt(req, bytes_body(bytes)).await;
                    response
                        .map(|r| (r.headers().clone(), crc))
                        .map_err(|err| Failed {
                            err,
                            sent_crc: Some(crc),
                        })
                };
                put_attempts(core, req, length, true, attempt).await
            }
            Payload::File(file) => {
                let file = &file;
                let attempt = move || streamed_attempt(core, req, length, file.stream());
                put_attempts(core, req, length, true, attempt).await
            }
            Payload::Stream { stream, .. } => {
                let mut stream = Some(stream);
                let attempt = move || {
                    let stream = stream.take();
                    let open = async move {
                        stream.ok_or_else(|| {
                            StorageError::invalid_argument("a one-shot stream was sent twice")
                        })
                    };
                    streamed_attempt(core, req, length, open)
                };
                put_attempts(core, req, length, false, attempt).await
            }
        }
    };
    put.instrument(span).await
}

/// One attempt with the body `open` gives, framed by the dialect: digested as it goes,
/// so that a payload that fails (or yields more or fewer bytes than declared) fails
/// with its own error rather than the broken connection it causes, and the checksum of
/// what was sent is known.
async fn streamed_attempt(
    core: &Core,
    req: &Request,
    length: u64,
    open: impl Future<Output = StorageResult<jit_storage::ByteStream>>,
) -> AttemptOutcome {
    let stream = open.await?;
    let digest = UploadDigest::new(core.checksum().hasher());
    let wire = WireBody {
        stream: digest.observe(stream, length),
        length: Some(length),
        headers: Vec::new(),
    };
    // Framing carries the checksum (a trailer): only while the server takes checksums.
    let wire = if core.checksums_on() {
        core.dialect().frame_upload(wire, digest.at_end())
    } else {
        wire
    };
    let body = AttemptBody {
        body: reqwest::Body::wrap_stream(wire.stream),
        length: wire.length,
        progress: digest.progress(),
        payload: PayloadView::Streamed,
        headers: wire.headers,
    };
    let result = core.attempt(req, Some(body)).await;
    if let Some(failure) = digest.take_payload_error() {
        return Err(failure.into());
    }
    let complete = digest.bytes_sent() == length;
    match result {
        Ok(_) if !complete => Err(StorageError::invalid_argument(format!(
            "the payload yielded {} bytes, not its declared {length}",
            digest.bytes_sent()
        ))
        .into()),
        Ok(response) => Ok((response.headers().clone(), digest.crc64())),
        Err(err) => Err(Failed {
            err,
            sent_crc: complete.then(|| digest.crc64()),
        }),
    }
}

/// Runs PutObject attempts under the element's retry policy (only the first when the
/// body is not `replayable`), confirming a lost answer before sending again.
async fn put_attempts<F, Fut>(
    core: &Core,
    req: &Request,
    length: u64,
    replayable: bool,
    mut attempt: F,
) -> StorageResult<Uploaded>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = AttemptOutcome>,
{
    let key = req.key.as_deref().unwrap_or("");
    let mut attempts = core.settings.retry.start();
    loop {
        let Failed { err, sent_crc } = match attempt().await {
            Ok((headers, crc)) => return checked(core, &headers, crc),
            Err(failed) => failed,
        };
        if core.checksum_refused(req, &err) {
            continue;
        }
        if let Some(crc) = sent_crc.filter(|_| error::answer_lost(&err)) {
            let expected = Expected {
                size: length,
                checksum: crc,
                headers: &req.headers,
                meta_prefix: core.words().meta_prefix,
            };
            if let Some(stored) = took_effect(core, key, &expected).await {
                return Ok(Uploaded {
                    etag: stored.info.etag,
                    checksum: crc,
                });
            }
        }
        if !replayable && core.settings.retry.max_retries > 0 {
            return Err(retry::one_shot_body(err));
        }
        attempts.wait_or_give_up(err).await?;
    }
}

/// The result of a PutObject answered with `headers`, after `sent_crc` was sent: the
/// server's checksum must be the same (without one, the length was the check).
fn checked(core: &Core, headers: &HeaderMap, sent_crc: u64) -> StorageResult<Uploaded> {
    match core.checksum().read(headers) {
        Some(server) if server != sent_crc => {
            let err = mismatch("upload", sent_crc, server);
            return Err(error::with_request_id(core.words(), err, headers));
        }
        Some(_) => {}
        None => tracing::debug!(
            header = core.checksum().header,
            "the upload's answer carries no checksum: it is checked by its length only"
        ),
    }
    let etag = headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(trim_etag);
    Ok(Uploaded {
        etag,
        checksum: sent_crc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_storage::StorageErrorKind;

    #[test]
    fn metadata_names_are_checked() {
        let ok = PutOptions::default().with_metadata("Author", "x");
        let headers = put_headers("x-oss-meta-", "blob", &ok).unwrap();
        assert!(headers.contains(&("x-oss-meta-author".to_string(), "x".to_string())));
        assert!(headers.contains(&(
            "content-type".to_string(),
            jit_storage::DEFAULT_CONTENT_TYPE.to_string()
        )));
        let bad = PutOptions::default().with_metadata("a b", "x");
        assert_eq!(
            put_headers("x-oss-meta-", "blob", &bad).unwrap_err().kind(),
            StorageErrorKind::InvalidArgument
        );
    }
}
