//! `storages.DiskType`: the embedded default storage, a local folder.
//!
//! - [`DiskType`]: the [`StorageType`](jit_storage::StorageType) that builds a
//!   [`DiskStorage`] from an element's `<Name>.json` ([`DiskConfig`]: `directory`,
//!   optional `baseUrl` and `signingKey`). Register it with
//!   `register_builtin_storage_type(DISK_TYPE, "Local disk", DiskType::default())`.
//! - [`DiskStorage`]: the [`StorageMeta`](jit_storage::StorageMeta) implementation. Objects
//!   are plain files under the folder; their content type, user metadata, ETag (hex MD5)
//!   and CRC-64/XZ live in sidecars under the reserved `.jitstore/` tree. Writes go to a
//!   temp file, are synced and renamed into place, sidecar first: a crash at any point
//!   leaves the old or the new object, whole and described, and the next open sweeps the
//!   temp files of writers that are gone. Full reads are checked against the stored CRC.
//!   Keys never reach outside the folder: `..`, absolute names and symbolic links are
//!   refused, and on Unix every operation is made relative to folders opened one
//!   segment at a time without following links, so a link swapped in mid-operation
//!   cannot redirect it. No folder stays open between operations (an app may declare
//!   thousands of storages): each operation opens the storage folder again and goes on
//!   only if it is still the folder the storage opened.
//! - A host holding the element reaches its [`DiskStorage`] with
//!   `jit_storage::downcast_storage::<DiskStorage>(&storage)` (or [`DiskType::built`]).
//! - Signed URLs: [`verify_signed_url`] (pure, takes `now`), [`signed_url_router`] (axum)
//!   to mount where `baseUrl` points, and [`serve_signed_urls`] to run it on a listener.
//!   A signature binds the storage's identity ([`DiskStorage::identity`], the element
//!   fullName), and a PUT URL always binds a content type. Served files carry
//!   `X-Content-Type-Options: nosniff`; active content ([`is_active_content`]) is served
//!   as an attachment in a CSP sandbox.
//!
//! # Configuration (`storages/<Name>/<Name>.json`)
//!
//! | field | required | meaning |
//! |---|---|---|
//! | `directory` | yes | the folder; relative to the app folder, or absolute; created if missing |
//! | `baseUrl` | no | `http(s)://…` where [`signed_url_router`] is mounted; object URLs are `baseUrl/<encoded key>`. Without it, object URLs are `file://` URLs of the files |
//! | `signingKey` | no | ≥ 16 bytes, usually `"{{VAR}}"`; with `baseUrl`, enables presigned GET and PUT URLs |
//!
//! Unknown fields are refused (a typo such as `baseURL` would otherwise silently disable
//! URLs). A host mounting the router under `/files` of `https://example.com` sets
//! `"baseUrl": "https://example.com/files"`.
//!
//! # On disk
//!
//! `<directory>/<key>` holds the bytes; `<directory>/.jitstore/meta/<key>` the sidecar
//! JSON; `<directory>/.jitstore/tmp/` the files being written. Keys whose first segment is
//! `.jitstore` in any letter case, with empty or `.` segments, with a segment ending in
//! a dot or a space, or naming a Windows device (`CON`, `nul.txt`, `COM1`, …) are refused
//! on every platform (InvalidArgument, naming the rule); a key cannot be both an object
//! and a folder of other objects (Conflict). Files placed in the folder by hand are served
//! too, with a content type guessed from the extension and no ETag or CRC.

#![warn(missing_docs)]

mod backend;
mod config;
mod dir_handle;
mod handler;
mod list;
mod meta_file;
mod names;
mod paths;
mod read;
mod signing;
mod url;
mod write;

pub use backend::{DiskSettings, DiskStorage};
pub use config::{DiskConfig, DiskType, DISK_TYPE};
pub use handler::{is_active_content, serve_signed_urls, signed_url_router, SignedUrlServer};
pub use list::MAX_KEYS;
pub use names::RESERVED_DIR;
pub use signing::{
    sign, signed_url, string_to_sign, unix_seconds, verify_signed_url, SignatureError, SignedGrant,
    SigningKey, CONTENT_TYPE_PARAM, EXPIRES_PARAM, MAX_SIGN_EXPIRES, SIGNATURE_PARAM,
};
pub use url::{encode_key, file_url};
