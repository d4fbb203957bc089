//! Starting and stopping the server: [`start`] binds, prepares the store and serves in
//! a background task; [`RunningServer`] tells where it listens and shuts it down
//! gracefully. [`router`] and [`build_state`] are there for embedding the service in
//! another axum application or a test harness.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::serve::ListenerExt;
use axum::Router;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{ServerConfig, ServerError};
use crate::routing;
pub use crate::state::{build_state, AppState};
use crate::tls::TlsListener;

/// The axum router serving the S3 API for `state` (every path and method).
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .fallback(routing::handle)
        // Bodies are streamed to the store; S3's own limits are checked there.
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// A server running in a background task. Dropping it also stops the server, but
/// without waiting; call [`RunningServer::shutdown`] to wait for a clean stop.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    scheme: &'static str,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    state: Arc<AppState>,
}

impl RunningServer {
    /// The address the server listens on (with the real port when `:0` was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL for path-style access, e.g. `http://127.0.0.1:40123` (`https`
    /// with [`ServerConfig::tls`]).
    pub fn endpoint(&self) -> String {
        format!("{}://{}", self.scheme, self.local_addr)
    }

    /// The base URL of `bucket` in virtual-hosted style, e.g.
    /// `http://bucket.localhost:40123` (the client must resolve that name to the
    /// server's address).
    pub fn bucket_endpoint(&self, bucket: &str) -> String {
        format!(
            "{}://{bucket}.localhost:{}",
            self.scheme,
            self.local_addr.port()
        )
    }

    /// The shared state (configuration and store).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stops accepting connections, lets requests in flight finish, waits for the
    /// store's changes in flight, and returns.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let served = match self.task.take() {
            Some(task) => match task.await {
                Ok(result) => result.map_err(ServerError::Serve),
                Err(join) => Err(ServerError::Serve(std::io::Error::other(join.to_string()))),
            },
            None => Ok(()),
        };
        self.state.store.settle().await;
        served
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts a server for `config` and returns once it is listening.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let addr = config.addr;
    let state = build_state(config).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| ServerError::Bind { addr, source })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = router(state.clone());
    let stopped = async move {
        let _ = stopped.await;
    };
    let (task, scheme) = match &state.config.tls {
        Some(tls) => {
            let acceptor = tls.acceptor().map_err(ServerError::Tls)?;
            let listener = TlsListener::new(listener, acceptor)
                .map_err(|source| ServerError::Bind { addr, source })?;
            let task = tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await
            });
            (task, "https")
        }
        None => {
            let task = tokio::spawn(async move {
                // Headers and a streamed body leave as separate small writes; without
                // TCP_NODELAY the second waits for the peer's delayed ACK.
                let listener = listener.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await
            });
            (task, "http")
        }
    };
    tracing::info!(%local_addr, "local S3 server listening");
    Ok(RunningServer {
        local_addr,
        scheme,
        stop: Some(stop),
        task: Some(task),
        state,
    })
}
