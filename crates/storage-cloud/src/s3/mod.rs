//! The S3 family: `storages.AwsS3Type`, `storages.CloudflareR2Type`,
//! `storages.MinioType` and `storages.EosType` on the shared engine. Their config
//! ([`S3Config`]: the common keys and `scheme`) and its checks per Type
//! ([`S3Settings`]), what differs between the four ([`S3Flavour`]), the S3 dialect
//! (SigV4, `x-amz-*` headers, CRC-64/NVME, `aws-chunked` uploads) and the Types with
//! their storages. An index only.

pub(crate) mod config;
pub(crate) mod dialect;
pub(crate) mod family;
pub(crate) mod settings;
pub(crate) mod types;

pub use config::{
    S3Config, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, S3_ENVIRONMENT,
    S3_MIN_PART_SIZE,
};
pub use dialect::S3_REQUEST_ID_HEADER;
pub use family::{
    S3Family, S3Flavour, AWS_S3, AWS_S3_TYPE, CLOUDFLARE_R2, CLOUDFLARE_R2_TYPE, EOS, EOS_TYPE,
    MINIO, MINIO_TYPE,
};
pub use settings::S3Settings;
pub use types::{
    AwsS3Storage, AwsS3Type, CloudflareR2Storage, CloudflareR2Type, EosStorage, EosType,
    MinioStorage, MinioType,
};
