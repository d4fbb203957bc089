//! The sidecar: what a disk storage knows about an object beyond its bytes (content type,
//! user metadata, ETag, CRC-64), stored as JSON at `<directory>/.jitstore/meta/<key>`.
//!
//! A sidecar carries the [`Stamp`] (size, modification time, inode) of the file it was
//! written for. Object and sidecar are two renames: the sidecar goes first and also
//! carries the description of the version it replaces (`previous`), so a reader (or a
//! crash) between the two renames finds the old object still described; a stamp that
//! matches neither shows the sidecar belongs to another version, and it is not used.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jit_storage::{guess_content_type, ObjectInfo, StorageError, StorageResult};
use serde::{Deserialize, Serialize};

use crate::dir_handle::{DirHandle, EntryMeta};
use crate::paths::find_file;

/// The sidecar format version written by this crate.
const SIDECAR_VERSION: u32 = 1;

/// Identifies one version of an object file: a file renamed into place keeps its size,
/// modification time and inode, while any rewrite changes at least one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
    /// Inode number (0 where the platform has none).
    pub inode: u64,
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub fn of(metadata: &EntryMeta) -> Self {
        Self {
            size: metadata.size,
            mtime_ns: metadata.mtime_ns,
            inode: metadata.inode,
        }
    }

    /// The modification time as a `SystemTime`.
    pub fn modified(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.mtime_ns)
    }
}

/// The JSON stored beside an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Sidecar {
    /// Format version.
    pub version: u32,
    /// The object file this sidecar describes.
    pub stamp: Stamp,
    /// MIME type.
    pub content_type: String,
    /// User metadata.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// `Content-Disposition` to serve the object with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_disposition: Option<String>,
    /// `Cache-Control` to serve the object with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    /// Upper-case hex MD5 of the content (OSS's ETag for simple uploads).
    pub etag: String,
    /// CRC-64/XZ of the content.
    pub crc64: u64,
    /// The version this one replaced, while the object file may still be that one (a
    /// writer puts the sidecar in place before the object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Box<Sidecar>>,
}

impl Sidecar {
    /// A sidecar for a freshly written file.
    pub fn new(stamp: Stamp, content_type: String, etag: String, crc64: u64) -> Self {
        Self {
            version: SIDECAR_VERSION,
            stamp,
            content_type,
            metadata: BTreeMap::new(),
            content_disposition: None,
            cache_control: None,
            etag,
            crc64,
            previous: None,
        }
    }

    /// The entry of this sidecar that describes the file with `stamp`: itself or the
    /// version it replaced.
    pub fn entry_for(self, stamp: Stamp) -> Option<Sidecar> {
        if self.stamp == stamp {
            return Some(Sidecar {
                previous: None,
                ..self
            });
        }
        self.previous.filter(|p| p.stamp == stamp).map(|p| *p)
    }

    /// The JSON bytes to store.
    pub fn to_json(&self) -> StorageResult<Vec<u8>> {
        serde_json::to_vec_pretty(self).map_err(|e| {
            StorageError::new(
                jit_storage::StorageErrorKind::Unexpected,
                "cannot encode the sidecar",
            )
            .with_source(e)
        })
    }
}

/// Everything known about one object version: its information plus what is served with
/// it and the CRC to check a full read against.
#[derive(Debug, Clone)]
pub(crate) struct Described {
    /// The object's information.
    pub info: ObjectInfo,
    /// `Content-Disposition`, if stored.
    pub content_disposition: Option<String>,
    /// `Cache-Control`, if stored.
    pub cache_control: Option<String>,
}

/// Reads the sidecar of `segments` in the sidecar tree `meta_dir`; `None` when there is
/// none or it is unreadable (a version from a crash, a hand edit). Symbolic links in the
/// sidecar tree are errors.
pub(crate) fn read_sidecar(
    meta_dir: &DirHandle,
    segments: &[&str],
) -> StorageResult<Option<Sidecar>> {
    let Some((mut file, _)) = find_file(meta_dir, segments)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| {
        StorageError::io(
            format!("cannot read the sidecar of {:?}", segments.join("/")),
            e,
        )
    })?;
    match serde_json::from_slice::<Sidecar>(&bytes) {
        Ok(sidecar) => Ok(Some(sidecar)),
        Err(e) => {
            tracing::warn!(key = %segments.join("/"), error = %e, "ignoring an unreadable sidecar");
            Ok(None)
        }
    }
}

/// Describes the object `key` whose file has `stamp`, from its sidecar when the sidecar
/// belongs to that very file; otherwise from the file alone (content type guessed from
/// the extension, no ETag, no CRC) — the case of files placed in the folder by hand.
pub(crate) fn describe(key: &str, stamp: Stamp, sidecar: Option<Sidecar>) -> Described {
    let mut info = ObjectInfo::new(key, stamp.size);
    info.last_modified = Some(stamp.modified());
    match sidecar.and_then(|s| s.entry_for(stamp)) {
        Some(s) => {
            info.content_type = Some(s.content_type);
            info.etag = Some(s.etag);
            info.crc64 = Some(s.crc64);
            info.metadata = s.metadata;
            Described {
                info,
                content_disposition: s.content_disposition,
                cache_control: s.cache_control,
            }
        }
        None => {
            info.content_type = Some(guess_content_type(key));
            Described {
                info,
                content_disposition: None,
                cache_control: None,
            }
        }
    }
}

/// Whether the sidecar (if any) describes the file with `stamp`.
pub(crate) fn matches(sidecar: Option<&Sidecar>, stamp: Stamp) -> bool {
    sidecar
        .is_some_and(|s| s.stamp == stamp || s.previous.as_ref().is_some_and(|p| p.stamp == stamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_round_trips_through_json() {
        let stamp = Stamp {
            size: 3,
            mtime_ns: u64::MAX - 1,
            inode: 42,
        };
        let mut s = Sidecar::new(stamp, "text/plain".into(), "ABC".into(), u64::MAX);
        s.metadata.insert("k".into(), "v".into());
        let json = s.to_json().unwrap();
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.contains("\"contentType\""), "{text}");
        assert_eq!(serde_json::from_slice::<Sidecar>(&json).unwrap(), s);
    }

    #[test]
    fn a_sidecar_of_another_version_is_ignored() {
        let stamp = Stamp {
            size: 3,
            mtime_ns: 7,
            inode: 1,
        };
        let sidecar = Sidecar::new(stamp, "text/csv".into(), "E".into(), 9);
        let d = describe("a/b.png", stamp, Some(sidecar.clone()));
        assert_eq!(d.info.content_type.as_deref(), Some("text/csv"));
        assert_eq!(d.info.crc64, Some(9));
        let other = Stamp { inode: 2, ..stamp };
        let d = describe("a/b.png", other, Some(sidecar.clone()));
        assert_eq!(d.info.content_type.as_deref(), Some("image/png"));
        assert_eq!(d.info.crc64, None);
        assert_eq!(d.info.etag, None);

        // A sidecar put in place before its object still describes the old object.
        let mut newer = Sidecar::new(other, "text/html".into(), "F".into(), 10);
        newer.previous = Some(Box::new(sidecar));
        assert!(matches(Some(&newer), stamp) && matches(Some(&newer), other));
        let d = describe("a/b.png", stamp, Some(newer.clone()));
        assert_eq!(d.info.content_type.as_deref(), Some("text/csv"));
        let d = describe("a/b.png", other, Some(newer));
        assert_eq!(d.info.content_type.as_deref(), Some("text/html"));
        assert_eq!(d.info.crc64, Some(10));
    }
}
