//! Multipart upload of large payloads: InitiateMultipartUpload, one UploadPart per
//! buffered part (each part is bytes in memory, so it is retried like any request),
//! up to `multipartConcurrency` parts in flight while the next one is read, then
//! CompleteMultipartUpload, whose checksum must equal the parts' checksums combined in
//! part order (the dialect's CRC-64: each part carries its own where the dialect sends
//! it, for the server to verify). Any failure before completion waits for the parts in flight, then aborts the
//! upload so no orphan parts stay billed; so does dropping the upload's future. Initiate, Complete and Abort themselves, and
//! what happens when their answers are lost, are `upload_session`'s.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use jit_storage::{ByteStream, FilePayload, Payload, StorageError, StorageResult};
use reqwest::Method;

use crate::engine::core::{Core, Request, RequestBody};
use crate::engine::error;
use crate::engine::integrity::mismatch;
use crate::engine::lister::trim_etag;
use crate::engine::upload_session::{self, Failure, Part, Uploaded};

/// Most parts one upload may have.
pub const MAX_PARTS: u64 = 10_000;

/// The part size actually used: the configured one, raised so that `length` fits in
/// [`MAX_PARTS`] parts.
pub(crate) fn part_size_for(length: u64, configured: u64) -> u64 {
    configured.max(length.div_ceil(MAX_PARTS))
}

/// Uploads `payload` to `key` in parts; `headers` (content type, metadata, …) go with
/// the initiation. A caller that gives up on the upload (drops this future) once it is
/// open leaves nothing open either: the upload is aborted in the background.
pub(crate) async fn upload(
    core: &Arc<Core>,
    key: &str,
    payload: Payload,
    headers: Vec<(String, String)>,
) -> StorageResult<Uploaded> {
    let length = payload.len();
    let part_size = part_size_for(length, core.settings.part_size);
    let upload_id = upload_session::initiate(core, key, &headers).await?;
    tracing::debug!(
        key,
        upload_id,
        length,
        part_size,
        "multipart upload started"
    );
    let mut open = AbortOnDrop {
        core: core.clone(),
        key: key.to_string(),
        upload_id: upload_id.clone(),
        armed: true,
    };
    let parts = match payload {
        Payload::File(file) => file_parts(file, length, part_size),
        other => part_stream(other.into_stream(), length, part_size),
    };
    let finished = async {
        let parts = upload_parts(core, key, &upload_id, parts)
            .await
            .map_err(Failure::BeforeComplete)?;
        upload_session::complete(core, key, &upload_id, &parts, &headers).await
    };
    let result = finished.await;
    open.armed = false;
    match result {
        Ok(done) => Ok(done),
        Err(Failure::BeforeComplete(err)) => {
            upload_session::abort(core, key, &upload_id).await;
            Err(err)
        }
        Err(Failure::Closed(err)) => Err(err),
    }
}

/// An open upload that is aborted (in a task of its own) if this is dropped while
/// armed: when the future uploading it is dropped half way.
struct AbortOnDrop {
    core: Arc<Core>,
    key: String,
    upload_id: String,
    armed: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let (key, upload_id) = (
            std::mem::take(&mut self.key),
            std::mem::take(&mut self.upload_id),
        );
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let core = self.core.clone();
                tracing::debug!(key, upload_id, "multipart upload dropped: aborting it");
                runtime.spawn(async move {
                    upload_session::abort(&core, &key, &upload_id).await;
                });
            }
            Err(_) => tracing::warn!(
                key,
                upload_id,
                "multipart upload dropped outside a runtime: it stays open"
            ),
        }
    }
}

/// Uploads the `parts` of an upload, up to `multipart_concurrency` at once:
/// the next part is read while earlier ones are in flight, so at most that many parts
/// plus the one being read are in memory. Returns the parts in part order.
///
/// On the first failure (a part, or the payload stream) no further part is read and
/// the parts still in flight are awaited, so that nothing is being uploaded when the
/// caller aborts the upload; the first error is returned.
async fn upload_parts(
    core: &Core,
    key: &str,
    upload_id: &str,
    mut source: ByteStream,
) -> StorageResult<Vec<Part>> {
    let concurrency = core.settings.multipart_concurrency.max(1);
    let mut in_flight = FuturesUnordered::new();
    let mut parts: Vec<Part> = Vec::new();
    let mut failure: Option<StorageError> = None;
    let mut exhausted = false;
    let mut number = 0u32;
    loop {
        let may_read = failure.is_none() && !exhausted && in_flight.len() < concurrency;
        if !may_read && in_flight.is_empty() {
            break;
        }
        tokio::select! {
            // Finished parts first: each frees a slot (and its buffer).
            biased;
            Some(result) = in_flight.next(), if !in_flight.is_empty() => match result {
                Ok(part) => parts.push(part),
                Err(e) => {
                    failure.get_or_insert(e);
                }
            },
            next = source.next(), if may_read => match next {
                Some(Ok(data)) => {
                    number += 1;
                    in_flight.push(upload_part(core, key, upload_id, number, data));
                }
                Some(Err(e)) => failure = Some(e),
                None => exhausted = true,
            },
        }
    }
    match failure {
        Some(e) => Err(e),
        None => {
            parts.sort_unstable_by_key(|p| p.number);
            Ok(parts)
        }
    }
}

/// The parts of a file, each read straight into its own buffer (one copy, no cutting
/// of chunks), failing if the file has fewer bytes than its declared `length`. A
/// stream, like [`part_stream`].
fn file_parts(file: FilePayload, length: u64, part_size: u64) -> ByteStream {
    let step = usize::try_from(part_size).unwrap_or(usize::MAX);
    let ranges = (0..length)
        .step_by(step)
        .map(move |start| start..start.saturating_add(part_size).min(length));
    Box::pin(futures::stream::iter(ranges).then(move |range| {
        let file = file.clone();
        async move {
            let want = range.end - range.start;
            let data = file.read_range(range.clone()).await?;
            if data.len() as u64 != want {
                return Err(StorageError::invalid_argument(format!(
                    "the file has {} bytes at offset {}, not the {want} its declared {length} bytes imply",
                    data.len(),
                    range.start
                )));
            }
            Ok(data)
        }
    }))
}

/// The parts of `stream` (see [`next_part`]), failing if it yields more or fewer than
/// its declared `length` bytes. A stream, so that a part being read survives the
/// `select!` in [`upload_parts`] completing on another branch.
fn part_stream(stream: ByteStream, length: u64, part_size: u64) -> ByteStream {
    Box::pin(futures::stream::unfold(
        Some((stream, None, 0u64)),
        move |state| async move {
            let (mut stream, mut carry, mut total) = state?;
            match next_part(&mut stream, &mut carry, part_size).await {
                Err(e) => Some((Err(e), None)),
                Ok(Some(data)) => {
                    total += data.len() as u64;
                    if total > length {
                        let e = StorageError::invalid_argument(format!(
                            "the payload stream yielded more than its declared {length} bytes"
                        ));
                        return Some((Err(e), None));
                    }
                    Some((Ok(data), Some((stream, carry, total))))
                }
                Ok(None) if total != length => Some((
                    Err(StorageError::invalid_argument(format!(
                        "the payload stream yielded {total} bytes, not its declared {length}"
                    ))),
                    None,
                )),
                Ok(None) => None,
            }
        },
    ))
}

/// UploadPart of part `number`: its checksum (sent, where the dialect does, for the
/// server to verify), checked against the server's when it answers with one, and its
/// ETag.
async fn upload_part(
    core: &Core,
    key: &str,
    upload_id: &str,
    number: u32,
    data: Bytes,
) -> StorageResult<Part> {
    let checksum = core.checksum();
    let crc = checksum.of(&data);
    let len = data.len() as u64;
    let mut req = Request::new(Method::PUT, Some(key))
        .query("partNumber", Some(&number.to_string()))
        .query("uploadId", Some(upload_id))
        .body(RequestBody::Bytes(data));
    if checksum.sent_with_uploads {
        req = req.checksum_header(checksum.header, checksum.encode(crc));
    }
    let response = core.send(req).await?;
    if let Some(server) = checksum.read(response.headers()) {
        if server != crc {
            return Err(mismatch(&format!("part {number}"), crc, server));
        }
    }
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(trim_etag)
        .ok_or_else(|| {
            error::malformed_response(
                core.words(),
                format!("UploadPart {number} answered without an ETag"),
                Some(response.headers()),
            )
        })?;
    Ok(Part {
        number,
        etag,
        crc,
        len,
    })
}

/// The next part of exactly `part_size` bytes (the last may be shorter), or `None`
/// at the end. `carry` keeps what a chunk had beyond the previous part.
async fn next_part(
    stream: &mut ByteStream,
    carry: &mut Option<Bytes>,
    part_size: u64,
) -> StorageResult<Option<Bytes>> {
    let size = usize::try_from(part_size).unwrap_or(usize::MAX);
    let mut buf = BytesMut::new();
    loop {
        let mut chunk = match carry.take() {
            Some(c) => c,
            None => match stream.next().await {
                Some(item) => item?,
                None => break,
            },
        };
        let room = size - buf.len();
        if buf.is_empty() && chunk.len() >= size {
            let part = chunk.split_to(size);
            *carry = (!chunk.is_empty()).then_some(chunk);
            return Ok(Some(part));
        }
        if chunk.len() > room {
            let rest = chunk.split_off(room);
            *carry = Some(rest);
        }
        if buf.capacity() == 0 {
            buf.reserve(size);
        }
        buf.extend_from_slice(&chunk);
        if buf.len() == size {
            return Ok(Some(buf.freeze()));
        }
    }
    Ok((!buf.is_empty()).then(|| buf.freeze()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_sizes_fit_the_part_limit() {
        assert_eq!(part_size_for(100, 8 << 20), 8 << 20);
        let huge = 200u64 << 30;
        let size = part_size_for(huge, 8 << 20);
        assert!(huge.div_ceil(size) <= MAX_PARTS);
    }

    #[tokio::test]
    async fn parts_are_cut_exactly() {
        let chunks: Vec<StorageResult<Bytes>> = vec![
            Ok(Bytes::from_static(b"abc")),
            Ok(Bytes::from_static(b"defghij")),
            Ok(Bytes::from_static(b"k")),
            Ok(Bytes::from_static(b"")),
            Ok(Bytes::from_static(b"lmnopqrstu")),
        ];
        let mut stream: ByteStream = Box::pin(futures::stream::iter(chunks));
        let mut carry = None;
        let mut parts = Vec::new();
        while let Some(p) = next_part(&mut stream, &mut carry, 4).await.unwrap() {
            parts.push(String::from_utf8(p.to_vec()).unwrap());
        }
        assert_eq!(parts, ["abcd", "efgh", "ijkl", "mnop", "qrst", "u"]);
    }
}
