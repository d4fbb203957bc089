//! What is Aliyun OSS's own: the element's config ([`OssConfig`]: the common keys and
//! `signatureVersion`, `secure`) and its checks ([`OssSettings`]), the OSS dialect (V4
//! or V1 signing, `x-oss-*` headers, CRC-64/XZ), and `storages.OssType` ([`OssType`])
//! with its storage ([`OssStorage`]). An index only.

pub(crate) mod backend;
pub(crate) mod config;
pub(crate) mod dialect;
pub(crate) mod settings;

pub use backend::{OssStorage, OssType};
pub use config::{
    OssConfig, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN, MIN_PART_SIZE,
    OSS_ENVIRONMENT,
};
pub use dialect::REQUEST_ID_HEADER;
pub use settings::{OssConfigError, OssSettings};

/// The fullName under which the Type is registered.
pub const OSS_TYPE: &str = "storages.OssType";
