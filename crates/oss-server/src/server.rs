//! Starting and stopping the server: [`start`] binds, prepares the store and serves
//! in a background task; [`RunningServer`] tells where it listens and shuts it down
//! gracefully. [`build_state`] and [`router`] are there for embedding the service in
//! another axum application or a test harness.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::config::{ServerConfig, ServerError};
use crate::faults::conn::{ConnHandle, FaultListener};
use crate::faults::counts::FaultCounts;
use crate::routing;
use crate::shared::listen::{self, Background};

pub use crate::state::{build_state, AppState};

/// The axum router serving the OSS API for `state` (every path and method).
pub fn router(state: Arc<AppState>) -> Router {
    listen::router_for(routing::handle, state)
}

/// A server running in a background task. Dropping it also stops the server, but
/// without waiting; call [`RunningServer::shutdown`] to wait for a clean stop.
#[derive(Debug)]
pub struct RunningServer {
    local_addr: SocketAddr,
    serving: Background,
    state: Arc<AppState>,
}

impl RunningServer {
    /// The address the server listens on (with the real port when `:0` was asked).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL for path-style access, e.g. `http://127.0.0.1:40123`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The base URL of `bucket` in virtual-hosted style, e.g.
    /// `http://bucket.localhost:40123` (the client must resolve that name to the
    /// server's address, e.g. with reqwest's `ClientBuilder::resolve`).
    pub fn bucket_endpoint(&self, bucket: &str) -> String {
        format!("http://{bucket}.localhost:{}", self.local_addr.port())
    }

    /// The shared state (configuration and store).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// The faults injected so far, per kind (all zero unless
    /// [`ServerConfig::faults`](crate::ServerConfig::faults) is on).
    pub fn faults_injected(&self) -> FaultCounts {
        self.state.faults_injected()
    }

    /// Stops accepting connections, lets requests in flight finish, waits for the
    /// store's changes in flight (also those of requests whose clients went away), and
    /// returns.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        let served = self.serving.stop().await.map_err(ServerError::Serve);
        self.state.store.settle().await;
        served
    }
}

/// Starts a server for `config` and returns once it is listening.
///
/// ```no_run
/// # async fn demo() -> Result<(), jit_oss_server::ServerError> {
/// use jit_oss_server::{start, ServerConfig};
/// let server = start(ServerConfig {
///     buckets: vec!["test-bucket".into()],
///     credentials: vec![("ak".into(), "sk".into())],
///     ..ServerConfig::default()
/// })
/// .await?;
/// println!("OSS endpoint: {}", server.endpoint());
/// server.shutdown().await?;
/// # Ok(()) }
/// ```
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let addr = config.addr;
    let state = build_state(config).await?;
    let (listener, local_addr) = listen::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let app = router(state.clone());
    let serving = if state.config.faults.enabled() {
        // Connections a handler can reset or close: the handle of each reaches its
        // requests as `ConnectInfo<ConnHandle>`.
        let listener = FaultListener::new(listener);
        let app = app.into_make_service_with_connect_info::<ConnHandle>();
        Background::spawn(|stopped| async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await
        })
    } else {
        Background::spawn(|stopped| listen::serve_plain(listener, app, stopped))
    };
    tracing::info!(%local_addr, "local OSS server listening");
    Ok(RunningServer {
        local_addr,
        serving,
        state,
    })
}
