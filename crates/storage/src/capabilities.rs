//! [`Capabilities`]: what a storage Type can do, stated rather than guessed, so callers
//! and the behaviour suite know which promises apply.

use serde::Serialize;

/// What a storage Type can do.
///
/// New capabilities may be added in any release, so the struct is `#[non_exhaustive]`:
/// start from [`Capabilities::default`] (nothing) or [`Capabilities::all`] and set fields.
///
/// ```
/// let mut caps = jit_storage::Capabilities::default();
/// caps.list = true;
/// caps.range_read = true;
/// assert!(!caps.presign_get);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Capabilities {
    /// Presigned download URLs.
    pub presign_get: bool,
    /// Presigned upload URLs.
    pub presign_put: bool,
    /// Listing with prefix and delimiter.
    pub list: bool,
    /// Ranged reads.
    pub range_read: bool,
    /// Server-side copy (without the bytes passing through the client).
    pub server_side_copy: bool,
    /// User metadata stored with objects.
    pub user_metadata: bool,
    /// CRC-64 checked end to end.
    pub crc64: bool,
    /// Multipart (chunked, resumable) uploads.
    pub multipart_upload: bool,
}

impl Capabilities {
    /// Every capability.
    pub const fn all() -> Self {
        Self {
            presign_get: true,
            presign_put: true,
            list: true,
            range_read: true,
            server_side_copy: true,
            user_metadata: true,
            crc64: true,
            multipart_upload: true,
        }
    }
}
