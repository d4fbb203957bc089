//! [`AppState`], what every request handler shares (configuration, keys, store, fault
//! plan), and
//! [`build_state`], which checks a configuration and prepares the store for it.

use std::sync::Arc;

use crate::auth::Secrets;
use crate::config::{ServerConfig, ServerError};
use crate::faults::counts::FaultCounts;
use crate::faults::plan::Injector;
use crate::shared::cors::check_origins;
use crate::shared::setup::{check_buckets_and_credentials, open_store};
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
    check_buckets_and_credentials(&config.buckets, &config.credentials)?;
    config.faults.check().map_err(ServerError::InvalidFaults)?;
    check_origins(&config.cors_origins).map_err(ServerError::InvalidCorsOrigin)?;
    let store = open_store(config.root.as_ref(), &config.buckets).await?;
    Ok(Arc::new(AppState {
        secrets: Secrets::new(&config.credentials),
        faults: Injector::new(config.faults.clone()),
        config,
        store,
    }))
}
