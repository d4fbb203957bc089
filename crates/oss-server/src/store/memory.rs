//! In-memory blob backend: object and part bytes live in a map, gone when the server
//! stops. Staged bytes are collected in a buffer and become a blob on finish.

use std::collections::HashMap;
use std::io;
use std::sync::Mutex;

use bytes::Bytes;

use super::blob::{random_id, ByteStream};
use super::error::StoreError;

/// Bytes of every blob, by (bucket, blob id).
#[derive(Debug, Default)]
pub struct MemoryBackend {
    blobs: Mutex<HashMap<(String, String), Bytes>>,
}

/// Bytes being received into memory.
#[derive(Debug, Default)]
pub struct MemoryStaging {
    buffer: Vec<u8>,
}

impl MemoryStaging {
    /// Appends a chunk.
    pub fn write(&mut self, chunk: Bytes) {
        self.buffer.extend_from_slice(&chunk);
    }

    /// Makes room for `additional` more bytes, if it can be had: an announced size
    /// that the allocator refuses (a client may announce up to 5 GiB and send nothing)
    /// is ignored, and the buffer grows as bytes arrive. Untouched room costs address
    /// space, not memory.
    pub fn reserve(&mut self, additional: u64) {
        if let Ok(additional) = usize::try_from(additional) {
            let _ = self.buffer.try_reserve_exact(additional);
        }
    }
}

impl MemoryBackend {
    fn blobs(&self) -> std::sync::MutexGuard<'_, HashMap<(String, String), Bytes>> {
        self.blobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores the staged bytes as a new blob and returns its id.
    pub fn finish(&self, bucket: &str, staging: MemoryStaging) -> String {
        let id = random_id();
        self.blobs()
            .insert((bucket.to_owned(), id.clone()), Bytes::from(staging.buffer));
        id
    }

    /// The whole blob or the inclusive range of it, as a one-chunk stream.
    pub fn open(
        &self,
        bucket: &str,
        blob: &str,
        range: Option<(u64, u64)>,
    ) -> Result<ByteStream, StoreError> {
        let bytes = self
            .blobs()
            .get(&(bucket.to_owned(), blob.to_owned()))
            .cloned()
            .ok_or_else(|| {
                StoreError::io(
                    format!("open blob {blob}"),
                    io::Error::new(io::ErrorKind::NotFound, "blob not found"),
                )
            })?;
        let slice = match range {
            None => bytes,
            Some((first, last)) => {
                let len = bytes.len() as u64;
                if first > last || last >= len {
                    return Err(StoreError::io(
                        format!("range of blob {blob}"),
                        io::Error::new(io::ErrorKind::InvalidInput, "range out of bounds"),
                    ));
                }
                bytes.slice(first as usize..=last as usize)
            }
        };
        Ok(Box::pin(futures::stream::iter([Ok(slice)])))
    }

    /// Forgets a blob.
    pub fn delete(&self, bucket: &str, blob: &str) {
        self.blobs().remove(&(bucket.to_owned(), blob.to_owned()));
    }
}
