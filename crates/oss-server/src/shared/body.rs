//! Receiving request bodies, the parts both protocols share: the announced length
//! ([`declared_length`]), `Content-MD5` ([`decode_content_md5`]), copying a stored
//! blob into a staging area ([`copy_blob`]), and keeping a staging area only when the
//! body was received in full ([`keep_or_discard`]).

use axum::http::HeaderMap;
use base64::prelude::{Engine as _, BASE64_STANDARD};
use futures::StreamExt;

use super::request::header_text;
use crate::store::error::StoreError;
use crate::store::object_store::Store;
use crate::store::staging::Staging;

/// The request's `Content-Length`, if it sent a valid one.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    header_text(headers, "content-length").and_then(|v| v.trim().parse::<u64>().ok())
}

/// The 16 bytes of a `Content-MD5` header (base64), if it is one.
pub fn decode_content_md5(value: &str) -> Option<[u8; 16]> {
    BASE64_STANDARD
        .decode(value.trim())
        .ok()
        .and_then(|bytes| <[u8; 16]>::try_from(bytes.as_slice()).ok())
}

/// Why [`copy_blob`] failed.
#[derive(Debug)]
pub enum CopyError {
    /// The store refused to open the blob or to stage its bytes.
    Store(StoreError),
    /// Reading the blob failed midway.
    Read(std::io::Error),
}

impl From<StoreError> for CopyError {
    fn from(err: StoreError) -> Self {
        CopyError::Store(err)
    }
}

/// Streams the stored blob `blob` of `bucket` into `staging`, showing each chunk to
/// `each` first (to hash it).
pub async fn copy_blob(
    store: &Store,
    staging: &mut Staging,
    bucket: &str,
    blob: &str,
    mut each: impl FnMut(&[u8]),
) -> Result<(), CopyError> {
    let mut stream = store.open_blob(bucket, blob, None).await?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(CopyError::Read)?;
        each(&chunk);
        staging.write(chunk).await?;
    }
    Ok(())
}

/// The staging area with what was received into it, or, if receiving failed, the
/// error after the staged bytes were removed.
pub async fn keep_or_discard<T, E>(
    staging: Staging,
    received: Result<T, E>,
) -> Result<(T, Staging), E> {
    match received {
        Ok(value) => Ok((value, staging)),
        Err(err) => {
            staging.discard().await;
            Err(err)
        }
    }
}
