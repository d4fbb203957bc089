//! [`Md5Pipe`]: the MD5 of a request body, computed off the runtime once the body is
//! large.
//!
//! MD5 (md-5 with its assembly core) is the costliest thing the server does with an upload (1.7 s of CPU
//! per GiB here, against ~0.03 s for the hardware CRC-64), and it cannot be split: each
//! block needs the state left by the one before. Computed inline, it kept the task that
//! reads the socket busy, so a single PUT went no faster than MD5 *plus* receiving, CRC
//! and staging. The first [`INLINE_BYTES`] of a body are hashed inline (a small upload
//! costs no thread hop); past that, the hasher moves to a thread of its own and is fed
//! the received chunks, batched, through a short bounded queue, so hashing runs on the
//! other core while the runtime keeps reading, and a slow hasher slows the sender down
//! (TCP back-pressure) rather than piling up memory. The chunks are `Bytes`: handing
//! one over copies nothing.
//!
//! The thread is a plain `std` thread, not one of tokio's blocking pool: that pool is
//! bounded (512 threads), and the folder store's file writes need it too, so with
//! hundreds of large uploads at once the hashers, each waiting for its upload's next
//! bytes, could hold every pool thread while those uploads waited for a pool thread to
//! write them. Where no thread can be had, the body is hashed inline, as small ones are.

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::error::{OssError, OssResult};
use md5::{Digest as _, Md5};

/// Bytes hashed inline before the hasher moves to a worker thread.
pub const INLINE_BYTES: u64 = 1024 * 1024;

/// Received bytes collected before they are handed to the worker in one message, so
/// that body frames (hyper's are at most ~400 KiB) do not each wake it, nor each wake
/// the receiving task when the queue has room again.
const BATCH_BYTES: usize = 1024 * 1024;

/// Batches the worker may lag behind by (at most ~`QUEUE_BATCHES` × [`BATCH_BYTES`]
/// held for it, beyond what the store keeps anyway).
const QUEUE_BATCHES: usize = 8;

/// The MD5 of bytes fed in order with [`Md5Pipe::update`], read with
/// [`Md5Pipe::finish`]. Dropping it stops the worker, if any, once it has hashed what
/// it was sent.
#[derive(Debug)]
pub struct Md5Pipe {
    state: State,
}

#[derive(Debug)]
enum State {
    /// Hashing on the caller's task; `hashed` bytes so far, and whether to move to a
    /// thread past [`INLINE_BYTES`] (not after a thread could not be started).
    Inline {
        md5: Md5,
        hashed: u64,
        may_move: bool,
    },
    /// Hashing on a thread of its own, fed batches of chunks; it sends its hasher back
    /// once the queue is closed and drained.
    Worker {
        batch: Vec<Bytes>,
        batch_len: usize,
        queue: mpsc::Sender<Vec<Bytes>>,
        hashed: oneshot::Receiver<Md5>,
    },
}

impl Default for Md5Pipe {
    fn default() -> Self {
        Md5Pipe::new()
    }
}

impl Md5Pipe {
    /// A pipe that has hashed nothing yet.
    pub fn new() -> Self {
        Md5Pipe {
            state: State::Inline {
                md5: Md5::new(),
                hashed: 0,
                may_move: true,
            },
        }
    }

    /// Hashes `chunk` after the bytes fed before it (inline for the first
    /// [`INLINE_BYTES`], then on the worker; waits only if the worker is behind).
    pub async fn update(&mut self, chunk: &Bytes) -> OssResult<()> {
        match &mut self.state {
            State::Inline {
                md5,
                hashed,
                may_move,
            } => {
                md5.update(chunk);
                *hashed += chunk.len() as u64;
                if *may_move && *hashed >= INLINE_BYTES {
                    self.start_worker();
                }
                Ok(())
            }
            State::Worker {
                batch,
                batch_len,
                queue,
                ..
            } => {
                batch.push(chunk.clone());
                *batch_len += chunk.len();
                if *batch_len >= BATCH_BYTES {
                    let full = std::mem::take(batch);
                    *batch_len = 0;
                    if queue.send(full).await.is_err() {
                        return Err(worker_gone());
                    }
                }
                Ok(())
            }
        }
    }

    /// Moves the hasher, with what it has hashed so far, to a thread of its own; if no
    /// thread can be started, goes on hashing inline.
    fn start_worker(&mut self) {
        let State::Inline { md5, may_move, .. } = &mut self.state else {
            return;
        };
        // A copy goes to the thread, so that a refused spawn loses nothing.
        let mut moved = md5.clone();
        let (queue, mut batches) = mpsc::channel::<Vec<Bytes>>(QUEUE_BATCHES);
        let (done, hashed) = oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("oss-md5".to_owned())
            .spawn(move || {
                while let Some(batch) = batches.blocking_recv() {
                    for chunk in &batch {
                        moved.update(chunk);
                    }
                }
                // The receiver is gone if the upload was dropped: nothing to report.
                let _ = done.send(moved);
            });
        match spawned {
            Ok(_) => {
                self.state = State::Worker {
                    batch: Vec::new(),
                    batch_len: 0,
                    queue,
                    hashed,
                };
            }
            Err(err) => {
                tracing::debug!(%err, "no MD5 thread; hashing the upload inline");
                *may_move = false;
            }
        }
    }

    /// The MD5 of everything fed, once the worker (if any) has hashed it all.
    pub async fn finish(self) -> OssResult<[u8; 16]> {
        match self.state {
            State::Inline { md5, .. } => Ok(md5.finalize().into()),
            State::Worker {
                batch,
                queue,
                hashed,
                ..
            } => {
                if !batch.is_empty() && queue.send(batch).await.is_err() {
                    return Err(worker_gone());
                }
                // Closing the queue lets the worker end once it has drained it.
                drop(queue);
                let md5 = hashed.await.map_err(|_| worker_gone())?;
                Ok(md5.finalize().into())
            }
        }
    }
}

/// The worker thread ended before it reported (it can only have panicked).
fn worker_gone() -> OssError {
    OssError::internal("the MD5 worker of this upload stopped")
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::Md5;

    /// Feeds `data` in chunks of `size` and returns the pipe's MD5.
    async fn piped(data: &Bytes, size: usize) -> [u8; 16] {
        let mut pipe = Md5Pipe::new();
        let mut at = 0;
        while at < data.len() {
            let end = (at + size).min(data.len());
            pipe.update(&data.slice(at..end)).await.unwrap();
            at = end;
        }
        pipe.finish().await.unwrap()
    }

    #[tokio::test]
    async fn agrees_with_md5_inline_and_on_the_worker() {
        let data: Bytes = (0..3 * INLINE_BYTES + 12_345)
            .map(|i| (i * 31 % 251) as u8)
            .collect::<Vec<u8>>()
            .into();
        for len in [0, 1, 1000, INLINE_BYTES as usize, data.len()] {
            let part = data.slice(..len);
            let expected: [u8; 16] = Md5::digest(&part).into();
            for size in [1, 4096, 65_536 + 3, 1 << 20, 5 << 20] {
                if len > 200_000 && size == 1 {
                    continue;
                }
                assert_eq!(
                    piped(&part, size).await,
                    expected,
                    "len {len}, chunks {size}"
                );
            }
        }
    }

    #[tokio::test]
    async fn the_empty_body_has_the_md5_of_nothing() {
        let md5 = Md5Pipe::new().finish().await.unwrap();
        assert_eq!(hex::encode(md5), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
