//! Whole-object reads in parallel ranges (`downloadConcurrency` above 1): the first
//! GET asks for the first `downloadPartBytes`; when the object is larger, its other
//! parts are read as ranges, up to `downloadConcurrency` at once, each in a task of its
//! own, and handed on in order as one stream.
//!
//! Memory stays bounded: a range's bytes are held until the stream reaches them, and at
//! most `downloadConcurrency` ranges (the one being handed on included) are held or in
//! flight, so `downloadConcurrency × downloadPartBytes` at most. Each range is read as
//! the reader reads: `If-Match` on the ETag of the first answer (a changed object is a
//! Conflict), its Content-Range and length checked, resumed from the first missing byte
//! when its body breaks off, under the element's retry policy. The checksum of each
//! range (the dialect's CRC-64) is computed once, in its task, as its bytes arrive; the
//! ranges' checksums combined in order must equal the object's (`x-oss-hash-crc64ecma`
//! for OSS; a mismatch is first put to the stored object, as for any whole read).
//!
//! An object that fits in the first part, or a server that answers the first GET with
//! the whole object (OSS does when the range reaches past the end), is read as one
//! stream exactly like a plain whole read; an empty object (416 to the first range)
//! is read with a plain GET.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use jit_storage::{
    ByteStream, GetOptions, GetResult, RemoteError, StorageError, StorageErrorKind, StorageResult,
};
use reqwest::Method;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::engine::core::{Core, Request};
use crate::engine::error;
use crate::engine::head::{content_length, describe, header_str};
use crate::engine::integrity::{mismatch, ConfirmCrc};
use crate::engine::reader::{
    confirm_stored_crc, content_range, read_answer, reopen, resuming, Identity,
};

/// GetObject of the whole of `name`, in ranges of `downloadPartBytes` when it is larger
/// than one.
pub(crate) async fn get(core: &Arc<Core>, name: &str) -> StorageResult<GetResult> {
    let part = core.settings.download_part_size;
    let first = 0..part;
    let req = Request::new(Method::GET, Some(name))
        .header("range", format!("bytes=0-{}", part - 1))
        .checksum_headers(core.checksum().ask);
    let response = match core.send(req).await {
        // Nothing at offset 0: the object is empty (or a server refuses the range).
        Err(e) if e.remote().and_then(|r| r.status) == Some(416) => {
            return crate::engine::reader::get(core, name, GetOptions::default()).await;
        }
        other => other?,
    };
    if response.status().as_u16() != 206 {
        // The whole object (OSS answers so when the range reaches past the end).
        return read_answer(core, name, None, response);
    }
    let headers = response.headers().clone();
    let words = core.words();
    let malformed = |message: String| error::malformed_response(words, message, Some(&headers));
    let value = header_str(&headers, "content-range").unwrap_or("");
    let (range, total) = content_range(&headers)
        .ok_or_else(|| malformed(format!("206 without a valid Content-Range ({value:?})")))?;
    if range.start != 0 || range.end != first.end.min(total) {
        return Err(malformed(format!(
            "Content-Range {value:?} does not match the range asked for (bytes 0-{})",
            part - 1
        )));
    }
    if content_length(&headers).is_some_and(|l| l != range.end) {
        return Err(malformed(format!(
            "Content-Length does not match Content-Range {value:?}"
        )));
    }
    if total <= part {
        // One part holds it all: a whole read like any other.
        let mut whole = read_answer(core, name, Some(first), response)?;
        whole.range = None;
        return Ok(whole);
    }
    let described = describe(core, name, &headers, total);
    let info = described.info;
    let identity = Identity {
        total,
        etag: info.etag.clone(),
        checksum: described.checksum,
    };
    if identity.checksum.is_none() {
        tracing::debug!(
            key = name,
            header = core.checksum().header,
            "the answer carries no checksum: the read is checked by its length only"
        );
    }
    let body = core.transport.body_stream(response);
    let stitched = Stitched::new(
        core.clone(),
        name,
        identity,
        part,
        core.settings.download_concurrency,
        body,
        error::request_id(words, &headers),
    );
    Ok(GetResult {
        info,
        range: None,
        stream: stitched.into_stream(),
    })
}

/// What a range task hands back: the range's bytes, their CRC-64 and length.
struct RangeBody {
    chunks: Vec<Bytes>,
    crc: u64,
    len: u64,
}

/// A range task, aborted when dropped (the stream was dropped, or failed).
struct Task(JoinHandle<StorageResult<RangeBody>>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The ranges of one read and the tasks reading them.
struct Stitched {
    core: Arc<Core>,
    key: String,
    identity: Identity,
    /// Ranges not started yet, in order.
    pending: VecDeque<Range<u64>>,
    /// Ranges started, in order.
    running: VecDeque<Task>,
    /// The chunks of the range being handed on.
    current: std::vec::IntoIter<Bytes>,
    /// Ranges held or in flight at most (the one being handed on included).
    concurrency: usize,
    /// CRC-64 of the ranges handed on so far, combined.
    crc: u64,
    /// The request id of the first answer, for the errors of the whole read.
    request_id: Option<String>,
    confirm: Option<ConfirmCrc>,
}

impl Stitched {
    /// The read of `identity.total` bytes of `key` in ranges of `part` bytes, the first
    /// of which arrives as `first`; the first `concurrency` ranges start now.
    fn new(
        core: Arc<Core>,
        key: &str,
        identity: Identity,
        part: u64,
        concurrency: usize,
        first: ByteStream,
        request_id: Option<String>,
    ) -> Self {
        let total = identity.total;
        let pending = (part..total)
            .step_by(usize::try_from(part).unwrap_or(usize::MAX))
            .map(|start| start..(start + part).min(total))
            .collect();
        let confirm = confirm_stored_crc(core.clone(), key, identity.clone());
        let opened = resuming(core.clone(), key, first, 0..part, identity.clone());
        let mut running = VecDeque::new();
        // The tasks log inside the operation's span (current while it starts and
        // while its stream is polled).
        let hasher = core.checksum().hasher();
        let first = collect(opened, 0..part, hasher).instrument(tracing::Span::current());
        running.push_back(Task(tokio::spawn(first)));
        let mut stitched = Stitched {
            core,
            key: key.to_string(),
            identity,
            pending,
            running,
            current: Vec::new().into_iter(),
            concurrency: concurrency.max(1),
            crc: 0,
            request_id,
            confirm: Some(confirm),
        };
        stitched.top_up();
        stitched
    }

    /// Starts ranges while fewer than `concurrency` are held or in flight.
    fn top_up(&mut self) {
        let held = usize::from(self.current.len() > 0);
        while self.running.len() + held < self.concurrency {
            let Some(range) = self.pending.pop_front() else {
                break;
            };
            let (core, key, identity) =
                (self.core.clone(), self.key.clone(), self.identity.clone());
            let read = async move {
                let body = reopen(&core, &key, range.clone(), &identity).await?;
                let hasher = core.checksum().hasher();
                let body = resuming(core, &key, body, range.clone(), identity);
                collect(body, range, hasher).await
            };
            let read = read.instrument(tracing::Span::current());
            self.running.push_back(Task(tokio::spawn(read)));
        }
    }

    /// The next item of the read, or `None` at its end (the checks passed).
    async fn next(&mut self) -> Option<StorageResult<Bytes>> {
        loop {
            if let Some(chunk) = self.current.next() {
                if self.current.len() == 0 {
                    self.top_up();
                }
                return Some(Ok(chunk));
            }
            let Some(mut task) = self.running.pop_front() else {
                return self.finish().await.err().map(Err);
            };
            let body = match (&mut task.0).await {
                Ok(Ok(body)) => body,
                Ok(Err(e)) => return Some(Err(e)),
                Err(e) => {
                    return Some(Err(StorageError::new(
                        StorageErrorKind::Unexpected,
                        format!("a range of the read stopped: {e}"),
                    )))
                }
            };
            self.crc = self.core.checksum().combine(self.crc, body.crc, body.len);
            self.current = body.chunks.into_iter();
            self.top_up();
        }
    }

    /// At the end: the ranges' CRCs combined must be the object's (or, when they are
    /// not, the stored object's, asked afresh).
    async fn finish(&mut self) -> StorageResult<()> {
        let Some(expected) = self.identity.checksum.filter(|e| *e != self.crc) else {
            return Ok(());
        };
        let confirmed = match self.confirm.take() {
            Some(confirm) => confirm(self.crc).await,
            None => false,
        };
        if confirmed {
            return Ok(());
        }
        let err = mismatch("download", expected, self.crc);
        Err(match &self.request_id {
            Some(id) => err.with_remote(RemoteError {
                request_id: Some(id.clone()),
                ..RemoteError::default()
            }),
            None => err,
        })
    }

    /// The read as a stream that ends after its first error.
    fn into_stream(self) -> ByteStream {
        Box::pin(futures::stream::unfold(Some(self), |state| async move {
            let mut stitched = state?;
            match stitched.next().await? {
                Ok(chunk) => Some((Ok(chunk), Some(stitched))),
                Err(e) => Some((Err(e), None)),
            }
        }))
    }
}

/// The bytes of `range` from `body`, with their checksum (by `crc`, a fresh hasher):
/// exactly `range`'s length, or an IntegrityMismatch.
async fn collect(
    mut body: ByteStream,
    range: Range<u64>,
    mut crc: jit_wire::crc64::Crc64,
) -> StorageResult<RangeBody> {
    let want = range.end - range.start;
    let mut chunks = Vec::new();
    let mut len = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        len += chunk.len() as u64;
        if len > want {
            break;
        }
        crc.update(&chunk);
        chunks.push(chunk);
    }
    if len != want {
        return Err(StorageError::new(
            StorageErrorKind::IntegrityMismatch,
            format!(
                "download: received {len} bytes for bytes {}-{}, not {want}",
                range.start,
                range.end - 1
            ),
        ));
    }
    Ok(RangeBody {
        chunks,
        crc: crc.value(),
        len,
    })
}
