//! [`BenchError`]: why a benchmark could not run or produced a wrong answer.

use jitstore::element::ElementError;
use jitstore::oss_server::ServerError;
use jitstore::service::SvcError;
use jitstore::storage::StorageError;

/// Why a benchmark stopped. A benchmark never reports a number for work that failed.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Loading the app or an element failed.
    #[error("element: {0}")]
    Element(#[from] ElementError),
    /// A storage operation failed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// The local OSS server could not start or stop.
    #[error("oss server: {0}")]
    Server(#[from] ServerError),
    /// A StorageSvc call failed.
    #[error("storage service: {0}")]
    Service(#[from] SvcError),
    /// The PostgreSQL server of the `svc` group could not be reached or used.
    #[error("database: {0}")]
    Database(String),
    /// An HTTP request of the `svc` group failed or answered an error status.
    #[error("http: {0}")]
    Http(String),
    /// Local file work (temp folders, the source file) failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// An operation succeeded but returned the wrong thing (e.g. too few bytes).
    #[error("check failed: {0}")]
    Check(String),
    /// The outside reference (Python oss2) failed.
    #[error("reference client: {0}")]
    Reference(String),
}

/// Results of the benchmark binary.
pub type BenchResult<T> = Result<T, BenchError>;
