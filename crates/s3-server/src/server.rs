//! Starting and stopping the server: [`start`] binds, prepares the store and serves in
//! a background task; [`RunningServer`] tells where it listens and shuts it down
//! gracefully. [`router`] and [`build_state`] are there for embedding the service in
//! another axum application or a test harness.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use jit_oss_server::shared::listen::{self, Background};

use crate::config::{ServerConfig, ServerError};
use crate::routing;
pub use crate::state::{build_state, AppState};
use crate::tls::TlsListener;

/// The axum router serving the S3 API for `state` (every path and method).
pub fn router(state: Arc<AppState>) -> Router {
    listen::router_for(routing::handle, state)
}

/// A server running in a background task. Dropping it also stops the server, but
/// without waiting; call [`RunningServer::shutdown`] to wait for a clean stop.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    scheme: &'static str,
    serving: Background,
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
        let served = self.serving.stop().await.map_err(ServerError::Serve);
        self.state.store.settle().await;
        served
    }
}

/// Starts a server for `config` and returns once it is listening.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let addr = config.addr;
    let state = build_state(config).await?;
    let (listener, local_addr) = listen::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let app = router(state.clone());
    let (serving, scheme) = match &state.config.tls {
        Some(tls) => {
            let acceptor = tls.acceptor().map_err(ServerError::Tls)?;
            let listener = TlsListener::new(listener, acceptor)
                .map_err(|source| ServerError::Bind { addr, source })?;
            let serving = Background::spawn(|stopped| async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await
            });
            (serving, "https")
        }
        None => (
            Background::spawn(|stopped| listen::serve_plain(listener, app, stopped)),
            "http",
        ),
    };
    tracing::info!(%local_addr, "local S3 server listening");
    Ok(RunningServer {
        local_addr,
        scheme,
        serving,
        state,
    })
}
