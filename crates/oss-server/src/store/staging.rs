//! [`Staging`]: bytes being received for a new object or part, kept by the backend
//! (in memory or in a temporary file) and invisible until the store makes them a blob.

use bytes::Bytes;

use super::error::StoreError;
use super::folder::FolderStaging;
use super::memory::MemoryStaging;

/// Bytes being received, not yet part of any object. Dropping it discards them.
#[derive(Debug)]
pub enum Staging {
    /// Kept in memory.
    Memory(MemoryStaging),
    /// A temporary file under the root.
    Folder(FolderStaging),
}

impl Staging {
    /// Appends a chunk.
    pub async fn write(&mut self, chunk: Bytes) -> Result<(), StoreError> {
        match self {
            Staging::Memory(staging) => {
                staging.write(chunk);
                Ok(())
            }
            Staging::Folder(staging) => staging.write(&chunk).await,
        }
    }

    /// Makes room for `additional` more bytes ahead of time, when the caller knows how
    /// many are coming (a Content-Length, a source object's size): a memory staging area
    /// then grows once instead of doubling its buffer (and copying or remapping it)
    /// about thirty times on the way to a GiB. A file needs no room made.
    pub fn reserve(&mut self, additional: u64) {
        if let Staging::Memory(staging) = self {
            staging.reserve(additional);
        }
    }

    /// Throws the bytes away now (dropping also does, but in the background).
    pub async fn discard(self) {
        if let Staging::Folder(staging) = self {
            staging.discard().await;
        }
    }
}
