//! [`CutBody`]: an answer's body that stops after its first bytes and then ends the
//! connection (reset or close) once those bytes are flushed, for the `reset-response`
//! and `truncate` faults.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, BodyDataStream, Bytes};
use futures::Stream;

use super::conn::{ConnHandle, End};

/// A body that passes on its first `keep` bytes, then never ends: the connection is
/// ended instead, as soon as the bytes sent so far are flushed.
#[derive(Debug)]
pub struct CutBody {
    inner: BodyDataStream,
    keep: u64,
    conn: ConnHandle,
    end: End,
    armed: bool,
}

impl CutBody {
    /// Cuts `body` after `keep` bytes and ends `conn` with `end`.
    pub fn new(body: Body, keep: u64, conn: ConnHandle, end: End) -> Self {
        CutBody {
            inner: body.into_data_stream(),
            keep,
            conn,
            end,
            armed: false,
        }
    }

    /// Asks for the end and waits for it (the connection's IO wakes the server).
    fn stop(&mut self) -> Poll<Option<Result<Bytes, axum::Error>>> {
        if !self.armed {
            self.armed = true;
            self.conn.end_after_flush(self.end);
        }
        Poll::Pending
    }
}

impl Stream for CutBody {
    type Item = Result<Bytes, axum::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.keep == 0 {
            return self.stop();
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                let take = (chunk.len() as u64).min(self.keep);
                self.keep -= take;
                // `take` is at most the chunk's length, so it fits in usize.
                Poll::Ready(Some(Ok(chunk.slice(..take as usize))))
            }
            Poll::Ready(Some(Err(err))) => Poll::Ready(Some(Err(err))),
            // Shorter than announced: end the connection all the same.
            Poll::Ready(None) => self.stop(),
            Poll::Pending => Poll::Pending,
        }
    }
}
