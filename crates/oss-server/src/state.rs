//! [`AppState`], what every request handler shares (configuration, keys, store, fault
//! plan), and
//! [`build_state`], which checks a configuration and prepares the store for it.

use std::sync::Arc;

use crate::auth::Secrets;
use crate::config::{is_valid_bucket_name, ServerConfig, ServerError};
use crate::faults::counts::FaultCounts;
use crate::faults::plan::Injector;
use crate::store::object_store::Store;

/// Everything the handlers share: configuration, keys, the store and the fault plan.
#[derive(Debug)]
pub struct AppState {
    /// The configuration the server was started with.
    pub config: ServerConfig,
    pub(crate) secrets: Secrets,
    pub(crate) store: Store,
    pub(crate) faults: Injector,
}

impl AppState {
    /// The store the server serves.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The faults injected so far, per kind.
    pub fn faults_injected(&self) -> FaultCounts {
        self.faults.counts()
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
    config.faults.check().map_err(ServerError::InvalidFaults)?;
    let store = match &config.root {
        Some(root) => Store::open_folder(root.clone()).await?,
        None => Store::memory(),
    };
    for bucket in &config.buckets {
        store.create_bucket(bucket).await?;
    }
    Ok(Arc::new(AppState {
        secrets: Secrets::new(&config.credentials),
        faults: Injector::new(config.faults.clone()),
        config,
        store,
    }))
}
