//! Listening: the router that hands every request to one handler, binding the socket, serving a router in a background task (plain TCP
//! with TCP_NODELAY, or any listener the server brings), and stopping it gracefully.

use std::future::Future;
use std::io;
use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A router sending every path and method to `handler`, with `state`. Bodies are
/// streamed to the store, so axum's default body limit is off: each protocol checks
/// its own limits there.
pub fn router_for<H, T, S>(handler: H, state: S) -> Router
where
    H: Handler<T, S>,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .fallback(handler)
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// Binds `addr`; returns the listener and the address it really has (the port
/// chosen when `:0` was asked).
pub async fn bind(addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local_addr = listener.local_addr()?;
    Ok((listener, local_addr))
}

/// Serves `app` on plain TCP until `stopped` resolves, then lets requests in flight
/// finish.
pub async fn serve_plain(
    listener: TcpListener,
    app: Router,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // Headers and a streamed body leave as separate small writes; without
    // TCP_NODELAY the second waits ~40 ms for the peer's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(stopped)
        .await
}

/// A serving task in the background and the switch that stops it. Dropping it also
/// stops the task, but without waiting; [`Background::stop`] waits.
#[derive(Debug)]
pub struct Background {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Background {
    /// Spawns `serve`, which gets the future that resolves when the task is asked to
    /// stop (to pass to axum's graceful shutdown).
    pub fn spawn<F, Fut>(serve: F) -> Self
    where
        F: FnOnce(Stopped) -> Fut,
        Fut: Future<Output = io::Result<()>> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel::<()>();
        let stopped = Stopped(Box::pin(async move {
            let _ = stopped.await;
        }));
        Background {
            stop: Some(stop),
            task: Some(tokio::spawn(serve(stopped))),
        }
    }

    /// Asks the task to stop and waits for it: its own result, or the join error.
    pub async fn stop(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => match task.await {
                Ok(result) => result,
                Err(join) => Err(io::Error::other(join.to_string())),
            },
            None => Ok(()),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Resolves when a [`Background`] task is asked to stop (or its handle is dropped).
pub struct Stopped(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>);

impl std::fmt::Debug for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Stopped")
    }
}

impl Future for Stopped {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        self.0.as_mut().poll(cx)
    }
}
