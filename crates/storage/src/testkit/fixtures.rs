//! What the checks share: a random key prefix per check and random bytes.

use bytes::Bytes;
use rand::{Rng, RngCore};

/// A fresh `suite-<random>/` prefix, so checks never see each other's objects.
pub(crate) fn prefix() -> String {
    format!("suite-{:016x}/", rand::thread_rng().gen::<u64>())
}

/// `len` random bytes.
pub(crate) fn random_bytes(len: usize) -> Bytes {
    let mut data = vec![0u8; len];
    rand::thread_rng().fill_bytes(&mut data);
    Bytes::from(data)
}
