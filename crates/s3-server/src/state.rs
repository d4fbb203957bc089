//! [`AppState`], what every request handler shares (configuration, keys, store), and
//! [`build_state`], which checks a configuration and prepares the store for it.

use std::sync::Arc;

use jit_oss_server::shared::cors::check_origins;
use jit_oss_server::shared::setup::{check_buckets_and_credentials, open_store};
use jit_oss_server::store::Store;

use crate::auth::Secrets;
use crate::config::{ServerConfig, ServerError};

/// Everything the handlers share: configuration, keys and the store.
#[derive(Debug)]
pub struct AppState {
    /// The configuration the server was started with.
    pub config: ServerConfig,
    pub(crate) secrets: Secrets,
    pub(crate) store: Store,
}

impl AppState {
    /// The store the server serves (the local OSS server's store).
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Checks the configuration, opens the store (memory, or the folder `root`) and
/// creates the configured buckets.
pub async fn build_state(config: ServerConfig) -> Result<Arc<AppState>, ServerError> {
    check_buckets_and_credentials(&config.buckets, &config.credentials)?;
    if config.region.trim().is_empty() {
        return Err(ServerError::InvalidRegion);
    }
    check_origins(&config.cors_origins).map_err(ServerError::InvalidCorsOrigin)?;
    let store = open_store(config.root.as_ref(), &config.buckets).await?;
    Ok(Arc::new(AppState {
        secrets: Secrets::new(&config.credentials),
        config,
        store,
    }))
}
