//! [`CliError`]: everything that can make a command fail, shown as one line.

use jit_element::ElementError;
use jit_storage::StorageError;

/// Everything that can make a command fail, shown as one line.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Loading the app or an element failed.
    #[error("{0}")]
    Element(#[from] ElementError),
    /// A storage operation failed.
    #[error("{0}")]
    Storage(#[from] StorageError),
    /// A local file could not be used.
    #[error("{path}: {source}")]
    LocalFile {
        /// The file.
        path: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// `check` found problems (each already printed).
    #[error("{0} of the app's elements cannot be used")]
    Problems(usize),
    /// The local OSS server failed.
    #[error("serve-oss: {0}")]
    Server(String),
    /// The local S3 server failed.
    #[error("serve-s3: {0}")]
    S3Server(String),
    /// `serve` (the app's StorageSvc) failed.
    #[error("serve: {0}")]
    Serve(String),
}
