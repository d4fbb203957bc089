//! What is Aliyun OSS's own: the element's config and its checks, the V4 signing-key
//! cache, and `storages.OssType` with its storage. An index only.

pub(crate) mod backend;
pub(crate) mod config;
pub(crate) mod settings;
pub(crate) mod signing_key;

pub use backend::{OssStorage, OssType};
pub use config::{OssConfig, MAX_PART_SIZE, MIN_PART_SIZE};
pub use settings::{OssConfigError, OssSettings};
