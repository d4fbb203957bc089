//! [`StoreError`]: what can go wrong in the store, each failure a matchable kind.

use std::io;
use std::path::PathBuf;

/// Errors of the store, each a matchable kind.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The bucket does not exist.
    #[error("no such bucket: {0}")]
    NoSuchBucket(String),
    /// The object does not exist.
    #[error("no such key: {0}")]
    NoSuchKey(String),
    /// The multipart upload does not exist.
    #[error("no such upload: {0}")]
    NoSuchUpload(String),
    /// The bucket still holds objects or uploads.
    #[error("bucket not empty: {0}")]
    BucketNotEmpty(String),
    /// A commit's precondition no longer held (another request changed the object).
    #[error("conflicting update of {0}")]
    Conflict(String),
    /// A file system operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file under the root could not be understood.
    #[error("corrupt store file {path}: {detail}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        detail: String,
    },
}

impl StoreError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        StoreError::Io {
            context: context.into(),
            source,
        }
    }
}
