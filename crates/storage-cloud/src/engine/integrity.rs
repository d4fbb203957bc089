//! End-to-end CRC-64 while bytes stream, in the dialect's algorithm (OSS: CRC-64/XZ,
//! S3: CRC-64/NVME): [`UploadDigest`] computes the checksum and byte count of what an
//! upload sends (and remembers why the caller's payload stream failed);
//! [`verify_download`] checks a downloaded body's length and, for a whole object, the
//! checksum its answer announced, as it is read; [`slice_stream`] cuts a range out of a
//! full body when a server ignored the Range header.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use jit_storage::{ByteStream, StorageError, StorageErrorKind, StorageResult};
use jit_wire::crc64::Crc64;

use crate::engine::dialect::ChecksumAtEnd;
use crate::engine::transport::Progress;

/// An IntegrityMismatch error comparing two CRCs.
pub fn mismatch(what: &str, expected: u64, got: u64) -> StorageError {
    StorageError::new(
        StorageErrorKind::IntegrityMismatch,
        format!("{what}: CRC-64 {got} does not match the expected {expected}"),
    )
}

struct DigestState {
    crc: Crc64,
    sent: u64,
    failure: Option<StorageError>,
}

/// The digest of an upload body as it streams: checksum and byte count of what was
/// handed to the HTTP client, and the payload's own error (its stream failed, or
/// yielded more or fewer bytes than declared) if there was one. Clones share the
/// digest.
#[derive(Clone)]
pub struct UploadDigest {
    state: Arc<Mutex<DigestState>>,
    progress: Progress,
}

impl UploadDigest {
    /// A digest hashing with `hasher` (the dialect's, over no data yet).
    pub fn new(hasher: Crc64) -> Self {
        Self {
            state: Arc::new(Mutex::new(DigestState {
                crc: hasher,
                sent: 0,
                failure: None,
            })),
            progress: Progress::default(),
        }
    }

    /// `stream` (which must yield exactly `length` bytes) observed, with errors as the
    /// HTTP client wants them.
    pub fn observe(
        &self,
        stream: ByteStream,
        length: u64,
    ) -> BoxStream<'static, Result<Bytes, std::io::Error>> {
        let state = self.state.clone();
        let progress = self.progress.clone();
        let at_end = self.state.clone();
        // After the caller's stream ends, a short stream becomes an error too (the HTTP
        // client would only report a broken connection).
        let end_check = futures::stream::once(async move {
            let mut s = at_end.lock().unwrap_or_else(|e| e.into_inner());
            if s.sent < length && s.failure.is_none() {
                let err = StorageError::invalid_argument(format!(
                    "the payload stream ended after {} of its declared {length} bytes",
                    s.sent
                ));
                s.failure = Some(err);
                Some(Err(std::io::Error::other("payload shorter than declared")))
            } else {
                None
            }
        })
        .filter_map(futures::future::ready);
        let observed = stream.map(move |item| {
            let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
            match item {
                Ok(chunk) => {
                    progress.add(chunk.len());
                    s.sent += chunk.len() as u64;
                    if s.sent > length {
                        let err = StorageError::invalid_argument(format!(
                            "the payload stream yielded more than its declared {length} bytes"
                        ));
                        s.failure.get_or_insert(err);
                        return Err(std::io::Error::other("payload longer than declared"));
                    }
                    s.crc.update(&chunk);
                    Ok(chunk)
                }
                Err(e) => {
                    s.failure.get_or_insert(e);
                    Err(std::io::Error::other("payload stream failed"))
                }
            }
        });
        Box::pin(observed.chain(end_check))
    }

    /// The checksum of the body, to be asked once it has all been read (a trailer's).
    pub fn at_end(&self) -> ChecksumAtEnd {
        let digest = self.clone();
        Arc::new(move || digest.crc64())
    }

    /// The progress counter the idle timeout watches.
    pub(crate) fn progress(&self) -> Progress {
        self.progress.clone()
    }

    /// Checksum of everything sent so far.
    pub fn crc64(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .crc
            .value()
    }

    /// Bytes sent so far.
    pub fn bytes_sent(&self) -> u64 {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).sent
    }

    /// The payload's error (its stream failed, or its length was not the declared one),
    /// if the upload failed because of it rather than because of OSS.
    pub fn take_payload_error(&self) -> Option<StorageError> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .failure
            .take()
    }
}

/// `inner`, checked as it is read: exactly `size` bytes and, when `expected` is given,
/// that CRC-64/XZ. A failure is the stream's last item.
#[cfg(test)]
pub fn verify_download(inner: ByteStream, expected: Option<u64>, size: u64) -> ByteStream {
    verify_download_confirming(inner, Crc64::new(), expected, size, None)
}

/// Asked, when a whole download's CRC-64 differs from the one its answer announced,
/// whether the object really has the CRC of the bytes received (the announced header,
/// not the bytes, was wrong): `true` ends the stream as a success.
pub type ConfirmCrc = Box<dyn FnOnce(u64) -> BoxFuture<'static, bool> + Send>;

/// Like [`verify_download`], hashing with `hasher` (the dialect's), and a CRC mismatch
/// is first put to `confirm` (a fresh look at the stored object), so a wrong CRC header
/// on bytes that are right is not reported as corruption; bytes that are wrong still
/// are.
pub fn verify_download_confirming(
    inner: ByteStream,
    hasher: Crc64,
    expected: Option<u64>,
    size: u64,
    confirm: Option<ConfirmCrc>,
) -> ByteStream {
    Box::pin(Verifying {
        inner,
        crc: hasher,
        expected,
        size,
        seen: 0,
        done: false,
        confirm,
        confirming: None,
    })
}

struct Verifying {
    inner: ByteStream,
    crc: Crc64,
    expected: Option<u64>,
    size: u64,
    seen: u64,
    done: bool,
    confirm: Option<ConfirmCrc>,
    /// The confirmation under way: its future, and the CRCs announced and received.
    confirming: Option<(BoxFuture<'static, bool>, u64, u64)>,
}

impl Stream for Verifying {
    type Item = StorageResult<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some((future, expected, got)) = self.confirming.as_mut() {
            let (expected, got) = (*expected, *got);
            return match future.as_mut().poll(cx) {
                Poll::Ready(confirmed) => {
                    self.confirming = None;
                    if confirmed {
                        Poll::Ready(None)
                    } else {
                        Poll::Ready(Some(Err(mismatch("download", expected, got))))
                    }
                }
                Poll::Pending => Poll::Pending,
            };
        }
        if self.done {
            return Poll::Ready(None);
        }
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if self.expected.is_some() {
                    self.crc.update(&chunk);
                }
                self.seen = self.seen.saturating_add(chunk.len() as u64);
                if self.seen > self.size {
                    self.done = true;
                    return Poll::Ready(Some(Err(too_long(self.size))));
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(None) => {
                self.done = true;
                let got = self.crc.value();
                if self.seen != self.size {
                    return Poll::Ready(Some(Err(StorageError::new(
                        StorageErrorKind::IntegrityMismatch,
                        format!(
                            "download: received {} bytes, the object has {}",
                            self.seen, self.size
                        ),
                    ))));
                }
                let Some(expected) = self.expected.filter(|e| *e != got) else {
                    return Poll::Ready(None);
                };
                match self.confirm.take() {
                    Some(confirm) => {
                        self.confirming = Some((confirm(got), expected, got));
                        self.poll_next(cx)
                    }
                    None => Poll::Ready(Some(Err(mismatch("download", expected, got)))),
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

fn too_long(size: u64) -> StorageError {
    StorageError::new(
        StorageErrorKind::IntegrityMismatch,
        format!("download: received more than the {size} bytes announced"),
    )
}

/// The bytes `start..end` of a stream that begins at offset 0.
pub fn slice_stream(inner: ByteStream, start: u64, end: u64) -> ByteStream {
    let mut offset = 0u64;
    let stream = inner
        .map(move |item| {
            item.map(|chunk| {
                let chunk_start = offset;
                let chunk_end = offset + chunk.len() as u64;
                offset = chunk_end;
                let from = start.clamp(chunk_start, chunk_end) - chunk_start;
                let to = end.clamp(chunk_start, chunk_end) - chunk_start;
                (chunk.slice(from as usize..to as usize), chunk_end >= end)
            })
        })
        .scan(false, |finished, item| {
            if *finished {
                return futures::future::ready(None);
            }
            let out = match item {
                Ok((chunk, last)) => {
                    *finished = last;
                    Ok(chunk)
                }
                Err(e) => {
                    *finished = true;
                    Err(e)
                }
            };
            futures::future::ready(Some(out))
        })
        .filter(|item| futures::future::ready(!matches!(item, Ok(c) if c.is_empty())));
    Box::pin(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_storage::collect_stream;

    fn chunks(parts: &[&'static [u8]]) -> ByteStream {
        let items: Vec<StorageResult<Bytes>> =
            parts.iter().map(|p| Ok(Bytes::from_static(p))).collect();
        Box::pin(futures::stream::iter(items))
    }

    #[tokio::test]
    async fn download_verification() {
        let good = jit_wire::crc64::checksum(b"123456789");
        let ok = verify_download(chunks(&[b"1234", b"56789"]), Some(good), 9);
        assert_eq!(collect_stream(ok, None).await.unwrap(), &b"123456789"[..]);

        let bad = verify_download(chunks(&[b"1234", b"5678X"]), Some(good), 9);
        let err = collect_stream(bad, None).await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch);

        let short = verify_download(chunks(&[b"1234"]), Some(good), 9);
        let err = collect_stream(short, None).await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch);
    }

    #[tokio::test]
    async fn a_mismatch_is_put_to_the_stored_object_before_it_is_reported() {
        let bytes_crc = jit_wire::crc64::checksum(b"123456789");
        let wrong_header = bytes_crc ^ 1;
        // The stored object has the CRC of the bytes: the header was wrong.
        let confirm: ConfirmCrc = Box::new(move |got| Box::pin(async move { got == bytes_crc }));
        let read = verify_download_confirming(
            chunks(&[b"1234", b"56789"]),
            Crc64::new(),
            Some(wrong_header),
            9,
            Some(confirm),
        );
        assert_eq!(collect_stream(read, None).await.unwrap(), &b"123456789"[..]);
        // The stored object has the announced CRC: the bytes were corrupted.
        let confirm: ConfirmCrc = Box::new(|_| Box::pin(async { false }));
        let read = verify_download_confirming(
            chunks(&[b"1234", b"5678X"]),
            Crc64::new(),
            Some(bytes_crc),
            9,
            Some(confirm),
        );
        let err = collect_stream(read, None).await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch);
    }

    #[tokio::test]
    async fn without_a_crc_the_length_is_still_checked() {
        let ok = verify_download(chunks(&[b"1234", b"56789"]), None, 9);
        assert_eq!(collect_stream(ok, None).await.unwrap(), &b"123456789"[..]);

        let short = verify_download(chunks(&[b"1234"]), None, 9);
        let err = collect_stream(short, None).await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch);
        assert!(err.message().contains("received 4 bytes"), "{err}");

        let long = verify_download(chunks(&[b"1234", b"56789", b"0"]), None, 9);
        let err = collect_stream(long, None).await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch);
    }

    #[tokio::test]
    async fn slices() {
        let got = collect_stream(slice_stream(chunks(&[b"0123", b"4567", b"89"]), 3, 7), None)
            .await
            .unwrap();
        assert_eq!(got, &b"3456"[..]);
        let got = collect_stream(slice_stream(chunks(&[b"0123"]), 2, 100), None)
            .await
            .unwrap();
        assert_eq!(got, &b"23"[..]);
    }

    #[tokio::test]
    async fn upload_digest_counts_and_remembers_payload_errors() {
        let digest = UploadDigest::new(Crc64::new());
        let observed: Vec<_> = digest
            .observe(chunks(&[b"1234", b"56789"]), 9)
            .collect()
            .await;
        assert!(observed.iter().all(Result::is_ok));
        assert_eq!(digest.bytes_sent(), 9);
        assert_eq!(digest.crc64(), jit_wire::crc64::checksum(b"123456789"));
        assert!(digest.take_payload_error().is_none());
        assert_eq!((digest.at_end())(), jit_wire::crc64::checksum(b"123456789"));
        // Another algorithm, another checksum.
        let nvme = UploadDigest::new(jit_wire::crc64::Crc64Algorithm::Nvme.hasher());
        let _: Vec<_> = nvme.observe(chunks(&[b"123456789"]), 9).collect().await;
        assert_eq!(nvme.crc64(), 0xae8b_1486_0a79_9888);

        let digest = UploadDigest::new(Crc64::new());
        let observed: Vec<_> = digest
            .observe(chunks(&[b"1234", b"56789"]), 5)
            .collect()
            .await;
        assert!(observed[1].is_err());
        let err = digest.take_payload_error().expect("length violation");
        assert_eq!(err.kind(), StorageErrorKind::InvalidArgument);

        let digest = UploadDigest::new(Crc64::new());
        let failing: ByteStream = Box::pin(futures::stream::iter(vec![
            Ok(Bytes::from_static(b"ab")),
            Err(StorageError::new(StorageErrorKind::Io, "disk gone")),
        ]));
        let _: Vec<_> = digest.observe(failing, 9).collect().await;
        assert_eq!(digest.take_payload_error().unwrap().message(), "disk gone");

        let digest = UploadDigest::new(Crc64::new());
        let observed: Vec<_> = digest.observe(chunks(&[b"1234"]), 9).collect().await;
        assert!(observed.last().unwrap().is_err());
        let err = digest.take_payload_error().expect("short stream");
        assert!(err.message().contains("4 of its declared 9"), "{err}");
    }
}
