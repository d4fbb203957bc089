//! [`AppState`], what every request handler shares (configuration, keys, store), and
//! [`build_state`], which checks a configuration and prepares the store for it.

use std::sync::Arc;

use jit_oss_server::store::Store;

use crate::auth::Secrets;
use crate::config::{is_valid_bucket_name, ServerConfig, ServerError};

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
    if let Some(bad) = config.buckets.iter().find(|b| !is_valid_bucket_name(b)) {
        return Err(ServerError::InvalidBucketName(bad.clone()));
    }
    if config
        .credentials
        .iter()
        .any(|(id, secret)| id.is_empty() || secret.is_empty())
    {
        return Err(ServerError::InvalidCredential);
    }
    if config.region.trim().is_empty() {
        return Err(ServerError::InvalidRegion);
    }
    let store = match &config.root {
        Some(root) => Store::open_folder(root.clone()).await?,
        None => Store::memory(),
    };
    for bucket in &config.buckets {
        store.create_bucket(bucket).await?;
    }
    Ok(Arc::new(AppState {
        secrets: Secrets::new(&config.credentials),
        config,
        store,
    }))
}
