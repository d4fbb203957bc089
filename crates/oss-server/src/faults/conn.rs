//! Cutting connections: [`FaultListener`] accepts TCP connections as [`FaultyIo`]s,
//! each with a [`ConnHandle`] that a request handler finds in its request's extensions
//! (axum's `ConnectInfo`) and uses to end the connection: at once ([`ConnHandle::kill`],
//! before any byte of the answer), or once what was written so far has been flushed to
//! the socket ([`ConnHandle::end_after_flush`], mid-answer). An [`End::Reset`] sets
//! `SO_LINGER` to zero before the socket is closed, so the peer gets a TCP RST; an
//! [`End::Close`] closes it normally (FIN).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// How a connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Closed normally (FIN).
    Close,
    /// Reset (RST).
    Reset,
}

const OPEN: u8 = 0;
const ARMED_CLOSE: u8 = 1;
const ARMED_RESET: u8 = 2;
const DEAD_CLOSE: u8 = 3;
const DEAD_RESET: u8 = 4;

/// The fate of one connection, shared by its [`FaultyIo`] and its requests.
#[derive(Debug, Default)]
struct Control {
    state: AtomicU8,
}

/// A handle on one connection, for ending it from a request handler.
#[derive(Debug, Clone, Default)]
pub struct ConnHandle(Arc<Control>);

impl ConnHandle {
    /// Ends the connection now: nothing more is read or written on it.
    pub fn kill(&self, end: End) {
        let dead = match end {
            End::Close => DEAD_CLOSE,
            End::Reset => DEAD_RESET,
        };
        self.0.state.store(dead, Ordering::SeqCst);
    }

    /// Ends the connection as soon as everything written to it so far has been
    /// flushed to the socket.
    pub fn end_after_flush(&self, end: End) {
        let armed = match end {
            End::Close => ARMED_CLOSE,
            End::Reset => ARMED_RESET,
        };
        let _ = self
            .0
            .state
            .compare_exchange(OPEN, armed, Ordering::SeqCst, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, FaultListener>> for ConnHandle {
    fn connect_info(stream: IncomingStream<'_, FaultListener>) -> Self {
        stream.io().handle.clone()
    }
}

/// A TCP connection that a [`ConnHandle`] can end.
#[derive(Debug)]
pub struct FaultyIo {
    inner: TcpStream,
    handle: ConnHandle,
    lingering: bool,
}

impl FaultyIo {
    /// The error to answer every operation with once the connection is dead (after
    /// arranging for a reset if asked), or `None` while it lives.
    fn dead(&mut self) -> Option<io::Error> {
        match self.handle.0.state.load(Ordering::SeqCst) {
            DEAD_RESET => {
                if !self.lingering {
                    self.lingering = true;
                    if let Err(err) = self.inner.set_zero_linger() {
                        tracing::debug!(%err, "could not set SO_LINGER for a reset");
                    }
                }
                Some(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "connection reset by fault injection",
                ))
            }
            DEAD_CLOSE => Some(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection closed by fault injection",
            )),
            _ => None,
        }
    }
}

impl AsyncRead for FaultyIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(err) = self.dead() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultyIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.dead() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if let Some(err) = self.dead() {
            return Poll::Ready(Err(err));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(err) = self.dead() {
            return Poll::Ready(Err(err));
        }
        let flushed = Pin::new(&mut self.inner).poll_flush(cx);
        if let Poll::Ready(Ok(())) = flushed {
            // Everything written so far is on its way: an armed end happens now. The
            // server is woken to find the connection dead at its next step.
            let state = &self.handle.0.state;
            let now_dead = match state.load(Ordering::SeqCst) {
                ARMED_CLOSE => Some(DEAD_CLOSE),
                ARMED_RESET => Some(DEAD_RESET),
                _ => None,
            };
            if let Some(dead) = now_dead {
                state.store(dead, Ordering::SeqCst);
                cx.waker().wake_by_ref();
            }
        }
        flushed
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.dead() {
            // A closed connection still says goodbye with a FIN.
            Some(err) if err.kind() == io::ErrorKind::ConnectionReset => Poll::Ready(Err(err)),
            _ => Pin::new(&mut self.inner).poll_shutdown(cx),
        }
    }
}

/// A TCP listener whose connections are [`FaultyIo`]s (with `TCP_NODELAY`, like the
/// server's plain listener).
#[derive(Debug)]
pub struct FaultListener {
    inner: TcpListener,
}

impl FaultListener {
    /// Wraps a bound listener.
    pub fn new(inner: TcpListener) -> Self {
        FaultListener { inner }
    }
}

/// Whether an accept error concerns only the connection being accepted.
fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

impl Listener for FaultListener {
    type Io = FaultyIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((tcp, addr)) => {
                    // Headers and a streamed body leave as separate small writes.
                    let _ = tcp.set_nodelay(true);
                    let io = FaultyIo {
                        inner: tcp,
                        handle: ConnHandle::default(),
                        lingering: false,
                    };
                    return (io, addr);
                }
                Err(err) if is_connection_error(&err) => continue,
                Err(err) => {
                    // Out of file descriptors and the like: wait, as axum does.
                    tracing::error!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}
