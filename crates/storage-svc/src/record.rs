//! [`FileRecord`]: one recorded upload, serialized with JitAi's attachment field names;
//! [`SignedUpload`]: getSignUrl's answer.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One recorded file, as JitAi's attachment field holds it. Serialized in camelCase with
/// JitAi's names (`uid`, `md5`, `url`, `name`, `fileName`, `fullName`, `size`, `type`,
/// `uploadTime`, `uploadUser`, `expires`, `retentionPeriod`, `storeFullName`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileRecord {
    /// The record's row id in the record store.
    pub id: i64,
    /// A unique id for this upload (UUID v4).
    pub uid: String,
    /// Hex MD5 of the bytes, when known (given to uploadByFile, or computed).
    pub md5: Option<String>,
    /// Where the file is previewed: `<service path>/preview?file=…` (with `&storage=…`
    /// when not the default storage).
    pub url: String,
    /// The name the user gave the file (shown, and used by download).
    pub name: String,
    /// The stored name: the object's key in the storage, the `file` of preview,
    /// download and delete.
    pub file_name: String,
    /// `<storeFullName>/<fileName>`: the file's address within the app.
    pub full_name: String,
    /// Size in bytes, when known (a direct browser upload is sized when first read).
    pub size: Option<u64>,
    /// The content type recorded at upload.
    #[serde(rename = "type")]
    pub content_type: String,
    /// When it was uploaded, milliseconds since the Unix epoch.
    pub upload_time: i64,
    /// Who uploaded it, as the host's hook said.
    pub upload_user: Option<String>,
    /// When it expires, milliseconds since the Unix epoch; `None`: never.
    pub expires: Option<i64>,
    /// The `expires` given at upload: seconds it is kept; `None`: forever.
    pub retention_period: Option<u64>,
    /// The fullName of the storage element holding it.
    pub store_full_name: String,
}

/// getSignUrl's answer: how the browser uploads straight to the storage, and the record
/// the file will be previewed by once it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedUpload {
    /// The presigned URL.
    pub url: String,
    /// The HTTP method to send (`PUT`).
    pub method: String,
    /// Headers the browser must send with exactly these values (e.g. `Content-Type`).
    pub headers: BTreeMap<String, String>,
    /// When the URL stops working, milliseconds since the Unix epoch.
    pub expires_at: i64,
    /// The record of the file.
    pub file: FileRecord,
}
