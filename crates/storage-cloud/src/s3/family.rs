//! What differs between the four S3 Types, as data: an [`S3Flavour`] per Type (its
//! fullName, the service as messages name it, an example endpoint, the default scheme,
//! the default addressing, AWS's default endpoint, the default region), and the
//! [`S3Family`] trait each Type implements to name its flavour. Everything else (the
//! config, its checks, the dialect, the engine) is one code path for all four.

use crate::engine::addressing::host_is_ip_literal;

/// The fullName under which AwsS3Type is registered.
pub const AWS_S3_TYPE: &str = "storages.AwsS3Type";
/// The fullName under which CloudflareR2Type is registered.
pub const CLOUDFLARE_R2_TYPE: &str = "storages.CloudflareR2Type";
/// The fullName under which MinioType is registered.
pub const MINIO_TYPE: &str = "storages.MinioType";
/// The fullName under which EosType is registered.
pub const EOS_TYPE: &str = "storages.EosType";

/// The defaults and conventions of one S3 Type.
#[derive(Debug)]
pub struct S3Flavour {
    /// The fullName the Type is registered under (`storages.AwsS3Type`).
    pub type_name: &'static str,
    /// A title for registration and messages (`AWS S3`).
    pub title: &'static str,
    /// An endpoint, for messages.
    pub example_endpoint: &'static str,
    /// The scheme when neither `endPoint` nor `scheme` names one.
    pub default_scheme: &'static str,
    /// Whether an endpoint is addressed path style when `pathStyle` is absent.
    pub path_style_default: fn(&str) -> bool,
    /// Whether an empty `endPoint` means AWS's `s3.<region>.amazonaws.com`.
    pub aws_default_endpoint: bool,
    /// The region when `region` is absent; `None`: `region` is required.
    pub default_region: Option<&'static str>,
}

/// `storages.AwsS3Type`: virtual-host style (path style for IP endpoints), `https`,
/// `endPoint` may be omitted, `region` required.
pub static AWS_S3: S3Flavour = S3Flavour {
    type_name: AWS_S3_TYPE,
    title: "AWS S3",
    example_endpoint: "s3.us-east-1.amazonaws.com",
    default_scheme: "https",
    path_style_default: host_is_ip_literal,
    aws_default_endpoint: true,
    default_region: None,
};

/// `storages.CloudflareR2Type`: path style, `https`, region `auto`.
pub static CLOUDFLARE_R2: S3Flavour = S3Flavour {
    type_name: CLOUDFLARE_R2_TYPE,
    title: "Cloudflare R2",
    example_endpoint: "<account-id>.r2.cloudflarestorage.com",
    default_scheme: "https",
    path_style_default: always,
    aws_default_endpoint: false,
    default_region: Some("auto"),
};

/// `storages.MinioType`: path style, `http` (endPoint `host:port`), region `us-east-1`
/// (MinIO's own default) unless `region` says otherwise.
pub static MINIO: S3Flavour = S3Flavour {
    type_name: MINIO_TYPE,
    title: "MinIO",
    example_endpoint: "minio.example.com:9000",
    default_scheme: "http",
    path_style_default: always,
    aws_default_endpoint: false,
    default_region: Some("us-east-1"),
};

/// `storages.EosType`: virtual-host style (path style for IP endpoints), `https`,
/// region `us-east-1` (what S3 clients sign with for a custom endpoint) unless `region`
/// says otherwise.
pub static EOS: S3Flavour = S3Flavour {
    type_name: EOS_TYPE,
    title: "EOS",
    example_endpoint: "eos-beijing-1.cmecloud.cn",
    default_scheme: "https",
    path_style_default: host_is_ip_literal,
    aws_default_endpoint: false,
    default_region: Some("us-east-1"),
};

fn always(_: &str) -> bool {
    true
}

/// A Type of the S3 family: names its [`S3Flavour`]. Implemented by
/// [`AwsS3Type`](crate::AwsS3Type), [`CloudflareR2Type`](crate::CloudflareR2Type),
/// [`MinioType`](crate::MinioType) and [`EosType`](crate::EosType).
pub trait S3Family: Send + Sync + 'static {
    /// The Type's defaults and conventions.
    const FLAVOUR: &'static S3Flavour;
}
