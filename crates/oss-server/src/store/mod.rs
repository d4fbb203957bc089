//! The object store behind the server: an index of buckets, objects and multipart
//! uploads kept in memory, with object bytes ("blobs") and, for the folder store, the
//! durable copy of the index kept by a backend ([`memory`] or [`folder`]).
//!
//! Writes go in two steps: bytes are streamed into a [`Staging`] area (never visible),
//! then [`Store::commit_object`] makes them the object's content in one step. Readers
//! see either the old or the new object, never a mix. Commits on the same key are
//! serialized by a striped lock; different keys commit in parallel.
//!
//! Files: `object_store` ([`Store`], [`Expect`]), `metadata` (object, upload and part
//! records), `staging` ([`Staging`]), `blob` ([`ByteStream`], [`random_id`]), `error`
//! ([`StoreError`]), and the backends [`memory`] and [`folder`].

pub(crate) mod blob;
pub(crate) mod error;
pub mod folder;
pub mod memory;
pub(crate) mod metadata;
pub(crate) mod object_store;
pub(crate) mod staging;

pub use blob::{random_id, ByteStream};
pub use error::StoreError;
pub use metadata::{now_secs, ObjectMeta, ObjectType, PartMeta, UploadMeta, UploadState};
pub use object_store::{Expect, Store};
pub use staging::Staging;
