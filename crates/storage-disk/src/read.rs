//! Reading objects: opening an object file (through folder handles opened for the read,
//! never through a link) together with the sidecar that belongs to that very version
//! (waiting briefly when a sidecar of another writer is in the way), and the byte stream
//! of a whole object or a range, whose CRC-64 is checked at the end of a full read.

use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use jit_storage::{ByteStream, StorageError, StorageErrorKind, StorageResult};
use jit_wire::crc64::Crc64;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::meta_file::{describe, matches, read_sidecar, Described, Sidecar, Stamp};
use crate::names::path_segments;
use crate::paths::{find_file, Layout};
use crate::write::blocking;

/// How many times a reader looks again when the sidecar belongs to another version.
const ATTEMPTS: u32 = 6;

/// An object opened for reading: the file handle and what is known about that version.
#[derive(Debug)]
pub(crate) struct OpenObject {
    /// The open file (later renames do not affect it).
    pub file: tokio::fs::File,
    /// Its description.
    pub described: Described,
}

fn not_found(key: &str) -> StorageError {
    StorageError::not_found(format!("no object {key:?}"))
}

/// An object file opened without following links, its stamp, and its sidecar.
type Found = (std::fs::File, Stamp, Option<Sidecar>);

/// Opens the object file and reads its sidecar, without following links.
async fn lookup(layout: &Layout, key: &str) -> StorageResult<Option<Found>> {
    let layout = layout.clone();
    let key = key.to_string();
    blocking(move || {
        let segments = path_segments(&key)?;
        let root = layout.root_dir()?;
        let Some((file, metadata)) = find_file(&root, &segments)? else {
            return Ok(None);
        };
        let sidecar = read_sidecar(&layout.meta_dir(&root)?, &segments)?;
        Ok(Some((file, Stamp::of(&metadata), sidecar)))
    })
    .await
}

/// Pauses before looking again (a writer renames its sidecar right after its object).
async fn back_off(attempt: u32) {
    tokio::time::sleep(Duration::from_millis(1 << attempt)).await;
}

/// Describes the object `key` without opening it.
pub(crate) async fn describe_object(layout: &Layout, key: &str) -> StorageResult<Described> {
    for attempt in 0..ATTEMPTS {
        let (_, stamp, sidecar) = lookup(layout, key).await?.ok_or_else(|| not_found(key))?;
        let stale = sidecar.is_some() && !matches(sidecar.as_ref(), stamp);
        if !stale || attempt + 1 == ATTEMPTS {
            return Ok(describe(key, stamp, sidecar));
        }
        back_off(attempt).await;
    }
    Err(not_found(key))
}

/// Opens the object `key` with the description of the very version opened.
pub(crate) async fn open_object(layout: &Layout, key: &str) -> StorageResult<OpenObject> {
    for attempt in 0..ATTEMPTS {
        // The file is opened by the look-up itself: what is read is what was checked.
        let (file, stamp, sidecar) = lookup(layout, key).await?.ok_or_else(|| not_found(key))?;
        let file = tokio::fs::File::from_std(file);
        let stale = sidecar.is_some() && !matches(sidecar.as_ref(), stamp);
        if !stale || attempt + 1 == ATTEMPTS {
            return Ok(OpenObject {
                file,
                described: describe(key, stamp, sidecar),
            });
        }
        back_off(attempt).await;
    }
    Err(StorageError::new(
        StorageErrorKind::Conflict,
        format!("{key:?} kept changing while being opened"),
    ))
}

/// Resolves a requested range against the object's size: end clamped, empty ranges and
/// ranges starting at or past the end refused.
pub(crate) fn clamp_range(range: Range<u64>, size: u64) -> StorageResult<Range<u64>> {
    if range.start >= range.end {
        return Err(StorageError::invalid_argument(format!(
            "the range {range:?} is empty"
        )));
    }
    if range.start >= size {
        return Err(StorageError::invalid_argument(format!(
            "the range {range:?} starts at or beyond the object's end ({size} bytes)"
        )));
    }
    Ok(range.start..range.end.min(size))
}

/// Streams `range` of an opened object (the whole object when `None`). When the whole
/// object is read and its CRC-64 is known, the stream ends with an IntegrityMismatch
/// error instead of a clean end if the bytes do not match.
pub(crate) async fn stream_object(
    open: OpenObject,
    range: Option<Range<u64>>,
) -> StorageResult<ByteStream> {
    let size = open.described.info.size;
    let range = range.unwrap_or(0..size);
    let mut file = open.file;
    if range.start > 0 {
        file.seek(std::io::SeekFrom::Start(range.start))
            .await
            .map_err(|e| StorageError::io("cannot seek in the object file", e))?;
    }
    let whole = range.start == 0 && range.end >= size;
    let expected_crc = open.described.info.crc64.filter(|_| whole);
    let length = range.end - range.start;
    let reader = ReaderStream::with_capacity(file.take(length), 256 * 1024);
    Ok(Box::pin(CheckedStream {
        inner: Box::pin(reader),
        digest: Some(Crc64::new()),
        expected_crc,
        expected_len: length,
        read: 0,
        done: false,
    }))
}

type IoStream = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// A file stream that counts its bytes and checks their CRC-64 at the end.
struct CheckedStream {
    inner: IoStream,
    digest: Option<Crc64>,
    expected_crc: Option<u64>,
    expected_len: u64,
    read: u64,
    done: bool,
}

impl Stream for CheckedStream {
    type Item = StorageResult<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match this.inner.poll_next_unpin(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => {
                this.read += chunk.len() as u64;
                if let Some(digest) = this.digest.as_mut() {
                    digest.update(&chunk);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.done = true;
                Poll::Ready(Some(Err(StorageError::io(
                    "cannot read the object file",
                    e,
                ))))
            }
            Poll::Ready(None) => {
                this.done = true;
                if this.read != this.expected_len {
                    return Poll::Ready(Some(Err(StorageError::new(
                        StorageErrorKind::IntegrityMismatch,
                        format!(
                            "the object file ended after {} of {} bytes",
                            this.read, this.expected_len
                        ),
                    ))));
                }
                let actual = this.digest.take().map(|d| d.value());
                match (this.expected_crc, actual) {
                    (Some(expected), Some(actual)) if expected != actual => {
                        Poll::Ready(Some(Err(StorageError::new(
                            StorageErrorKind::IntegrityMismatch,
                            format!(
                                "the stored bytes have CRC-64 {actual}, but {expected} was \
                                 recorded when they were written"
                            ),
                        ))))
                    }
                    _ => Poll::Ready(None),
                }
            }
        }
    }
}
