//! What the store records besides bytes: objects ([`ObjectMeta`], [`ObjectType`]),
//! multipart uploads ([`UploadMeta`], [`UploadState`]) and their parts ([`PartMeta`]),
//! with times as Unix seconds ([`now_secs`]). The folder backend keeps these as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How an object was created, reported as `x-oss-object-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectType {
    /// PutObject / CopyObject.
    Normal,
    /// AppendObject.
    Appendable,
    /// CompleteMultipartUpload.
    Multipart,
}

impl ObjectType {
    /// The OSS name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Normal => "Normal",
            ObjectType::Appendable => "Appendable",
            ObjectType::Multipart => "Multipart",
        }
    }
}

/// Everything known about one object except its bytes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// The object key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// ETag without quotes (upper-case MD5 hex, or `<hex>-N` for multipart).
    pub etag: String,
    /// CRC-64/XZ of the content.
    pub crc64: u64,
    /// Base64 MD5 of the content, for objects uploaded in one piece.
    pub content_md5: Option<String>,
    /// Content-Type.
    pub content_type: String,
    /// Modification time, Unix seconds.
    pub last_modified: u64,
    /// How the object was created.
    pub object_type: ObjectType,
    /// Stored standard headers (`cache-control`, `content-disposition`, ...), lowercase names.
    pub headers: Vec<(String, String)>,
    /// User metadata, full lowercase header names (`x-oss-meta-...`).
    pub user_meta: Vec<(String, String)>,
    /// Checksums other than CRC-64/XZ, as S3 keeps them: lower-case algorithm name
    /// (`crc64nvme`, `crc32`, `crc32c`, `sha1`, `sha256`) and the value S3 sends
    /// (base64 of the big-endian digest; a composite multipart checksum ends `-N`).
    /// Empty for what serve-oss wrote; absent from older metadata files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<(String, String)>,
    /// The backend's id of the bytes.
    pub blob: String,
}

/// A multipart upload in progress.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadMeta {
    /// The upload id.
    pub upload_id: String,
    /// The key the object will get.
    pub key: String,
    /// Initiation time, Unix seconds.
    pub initiated: u64,
    /// Content-Type for the final object.
    pub content_type: String,
    /// Standard headers for the final object.
    pub headers: Vec<(String, String)>,
    /// User metadata for the final object.
    pub user_meta: Vec<(String, String)>,
}

/// One uploaded part.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PartMeta {
    /// Part number, 1..=10000.
    pub number: u32,
    /// Size in bytes.
    pub size: u64,
    /// Upper-case MD5 hex, unquoted.
    pub etag: String,
    /// CRC-64/XZ of the part.
    pub crc64: u64,
    /// Upload time, Unix seconds.
    pub last_modified: u64,
    /// Checksums other than CRC-64/XZ, as S3 keeps them: lower-case algorithm name
    /// (`crc64nvme`, `crc32`, `crc32c`, `sha1`, `sha256`) and the value S3 sends
    /// (base64 of the big-endian digest; a composite multipart checksum ends `-N`).
    /// Empty for what serve-oss wrote; absent from older metadata files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checksums: Vec<(String, String)>,
    /// The backend's id of the bytes.
    pub blob: String,
}

/// An upload and its parts, ordered by part number.
#[derive(Debug, Clone)]
pub struct UploadState {
    /// The upload.
    pub meta: UploadMeta,
    /// Its parts by number.
    pub parts: BTreeMap<u32, PartMeta>,
}

/// Current time in Unix seconds.
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
