//! What the blob backends share: the stream a blob is read as ([`ByteStream`]) and the
//! random ids that name blobs and multipart uploads ([`random_id`]).

use std::io;
use std::pin::Pin;

use bytes::Bytes;
use futures::Stream;

/// A stream of object bytes, as sent in a response body.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A fresh random 32-hex-digit id (blob ids, upload ids).
pub fn random_id() -> String {
    format!("{:032X}", rand::random::<u128>())
}
