//! [`StorageServiceAppExt`]: `app.storage_service()`, one service per app, opened on
//! first use.

use std::sync::Arc;

use async_trait::async_trait;
use jit_element::App;

use crate::error::SvcResult;
use crate::service::StorageService;

/// The app's StorageSvc.
#[async_trait]
pub trait StorageServiceAppExt {
    /// The app's StorageSvc, opened once (settings from `app.json`) and shared by every
    /// clone of the app; a failed open is not kept, so a later call tries again.
    async fn storage_service(&self) -> SvcResult<Arc<StorageService>>;
}

#[async_trait]
impl StorageServiceAppExt for App {
    async fn storage_service(&self) -> SvcResult<Arc<StorageService>> {
        self.shared(|| async { StorageService::open(self).await.map(Arc::new) })
            .await
    }
}
