//! [`StorageService`]: JitAi's StorageSvc methods on top of an app's storages and the
//! record store.
//!
//! - `types`: the requests and answers ([`UploadRequest`], [`SignRequest`],
//!   [`ReadOptions`], [`FileContent`], [`Disposition`]).
//! - `core`: the service, opening it, and what every method shares.
//! - `expiry`: access to recorded files (an expired one is deleted), `delete`, the sweep.
//! - `upload`: uploadByFile. `read`: preview and download. `thumb`: previewThumbnail.
//!   `sign`: getSignUrl.

mod core;
mod expiry;
mod read;
mod sign;
mod thumb;
mod types;
mod upload;

pub use self::core::StorageService;
pub use self::sign::MAX_URL_EXPIRES_SECS;
pub use self::thumb::DEFAULT_THUMBNAIL_SIDE;
pub use self::types::{Disposition, FileContent, ReadOptions, SignRequest, UploadRequest};
pub use self::upload::MAX_EXPIRES_SECS;
