//! The object store behind the server: an index of buckets, objects and multipart
//! uploads kept in memory, with object bytes ("blobs") and, for the folder store, the
//! durable copy of the index kept by a backend ([`memory`] or [`folder`]).
//!
//! Writes go in two steps: bytes are streamed into a [`Staging`] area (never visible),
//! then one commit ([`Store::commit_staged`]) makes them the object's content. Readers
//! see either the old or the new object, never a mix. Commits on the same key are
//! serialized by a striped lock; different keys commit in parallel. A change is made
//! on disk before memory, and runs to its end even if the request that asked for it is
//! dropped.
//!
//! Files: `object_store` ([`Store`], the handle that runs changes detached), `index`
//! (the index itself, [`Expect`]), `metadata` (object, upload and part records),
//! `staging` ([`Staging`]), `blob` ([`ByteStream`], [`random_id`]), `error`
//! ([`StoreError`]), the backends [`memory`] and [`folder`], and the folder's
//! `layout` (names, durable file steps) and `folder_load` (reading a root back).

pub(crate) mod blob;
pub(crate) mod error;
pub mod folder;
pub(crate) mod folder_load;
pub(crate) mod index;
pub(crate) mod layout;
pub mod memory;
pub(crate) mod metadata;
pub(crate) mod object_store;
pub(crate) mod staging;

pub use blob::{random_id, ByteStream};
pub use error::StoreError;
pub use index::Expect;
pub use metadata::{now_secs, ObjectMeta, ObjectType, PartMeta, UploadMeta, UploadState};
pub use object_store::Store;
pub use staging::Staging;
