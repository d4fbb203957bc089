//! [`FilePayload`]: a local file as upload data that can be sent more than once. Every
//! read opens the file afresh (and seeks, for a range), so a remote Type can retry a
//! failed upload from the first byte, or send one part of the file again, without ever
//! holding the file in memory.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::error::{StorageError, StorageResult};

/// Read buffer of a file being streamed.
const READ_CHUNK: usize = 256 * 1024;

/// The stream type of [`FilePayload`] reads (the same type as
/// [`ByteStream`](crate::ByteStream)).
type FileStream = Pin<Box<dyn Stream<Item = StorageResult<Bytes>> + Send + 'static>>;

/// Called with the length of every chunk read from the file (see
/// [`FilePayload::on_read`]).
type ReadObserver = Arc<dyn Fn(u64) + Send + Sync>;

/// A local file to upload, read afresh for every attempt.
///
/// Its length is taken when it is opened ([`FilePayload::open`]); a read that finds the
/// file longer or shorter than that yields as many bytes as the file has, and the Type
/// reading it fails the upload with an InvalidArgument error (the payload did not match
/// its declared length) rather than storing a truncated object.
#[derive(Clone)]
pub struct FilePayload {
    path: PathBuf,
    length: u64,
    observer: Option<ReadObserver>,
}

impl FilePayload {
    /// The file at `path`, whose current length is the payload's length.
    pub async fn open(path: impl AsRef<Path>) -> StorageResult<FilePayload> {
        let path = path.as_ref();
        let metadata = tokio::fs::metadata(path)
            .await
            .map_err(|e| StorageError::io(format!("cannot stat {}", path.display()), e))?;
        if !metadata.is_file() {
            return Err(StorageError::invalid_argument(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        Ok(FilePayload {
            path: path.to_path_buf(),
            length: metadata.len(),
            observer: None,
        })
    }

    /// Calls `observer` with the byte count of every chunk read from the file, on every
    /// read: a retried upload reads (and reports) the same bytes again. For progress
    /// bars.
    pub fn on_read(mut self, observer: impl Fn(u64) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The payload's length: the file's length when it was opened.
    pub fn len(&self) -> u64 {
        self.length
    }

    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// The whole file, opened now, as a stream of chunks.
    pub async fn stream(&self) -> StorageResult<FileStream> {
        self.stream_range(0..self.length).await
    }

    /// The bytes `range` of the file (at most; fewer if the file has shrunk), opened and
    /// positioned now. A range reaching past the payload's length is an InvalidArgument
    /// error.
    pub async fn stream_range(&self, range: Range<u64>) -> StorageResult<FileStream> {
        if range.start > range.end || range.end > self.length {
            return Err(StorageError::invalid_argument(format!(
                "bytes {}..{} are not within the {} bytes of {}",
                range.start,
                range.end,
                self.length,
                self.path.display()
            )));
        }
        let display = self.path.display().to_string();
        let mut file = tokio::fs::File::open(&self.path)
            .await
            .map_err(|e| StorageError::io(format!("cannot open {display}"), e))?;
        if range.start > 0 {
            file.seek(std::io::SeekFrom::Start(range.start))
                .await
                .map_err(|e| StorageError::io(format!("cannot seek in {display}"), e))?;
        }
        let limited = file.take(range.end - range.start);
        let observer = self.observer.clone();
        let stream = tokio_util::io::ReaderStream::with_capacity(limited, READ_CHUNK)
            .map_err(move |e| StorageError::io(format!("cannot read {display}"), e))
            .inspect_ok(move |chunk| {
                if let Some(observe) = &observer {
                    observe(chunk.len() as u64);
                }
            });
        Ok(Box::pin(stream))
    }
}

impl fmt::Debug for FilePayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePayload")
            .field("path", &self.path)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    async fn read_all(stream: FileStream) -> Vec<u8> {
        let chunks: Vec<Bytes> = stream.try_collect().await.unwrap();
        chunks.concat()
    }

    #[tokio::test]
    async fn every_read_starts_afresh_and_ranges_seek() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let read = Arc::new(AtomicU64::new(0));
        let counted = read.clone();
        let file = FilePayload::open(&path).await.unwrap().on_read(move |n| {
            counted.fetch_add(n, Ordering::SeqCst);
        });
        assert_eq!(file.len(), 1_000_000);
        assert_eq!(read_all(file.stream().await.unwrap()).await, data);
        assert_eq!(read_all(file.stream().await.unwrap()).await, data);
        assert_eq!(read.load(Ordering::SeqCst), 2_000_000);
        let part = read_all(file.stream_range(300_000..300_010).await.unwrap()).await;
        assert_eq!(part, &data[300_000..300_010]);
        assert!(read_all(file.stream_range(5..5).await.unwrap())
            .await
            .is_empty());
        let Err(err) = file.stream_range(0..1_000_001).await else {
            panic!("a range past the end");
        };
        assert_eq!(err.kind(), crate::StorageErrorKind::InvalidArgument);
    }

    #[tokio::test]
    async fn missing_files_and_folders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = FilePayload::open(dir.path().join("nope"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), crate::StorageErrorKind::NotFound);
        let err = FilePayload::open(dir.path()).await.unwrap_err();
        assert_eq!(err.kind(), crate::StorageErrorKind::InvalidArgument);
    }
}
