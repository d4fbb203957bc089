//! [`StorageServiceAppExt`]: `app.storage_service()`, one service per app, opened on
//! first use — the element `storages.services.StorageSvc` when the app has it, so that
//! `app.storage_service()` and `app.get_element(STORAGE_SVC)` give the same service.

use std::sync::Arc;

use async_trait::async_trait;
use jit_element::{App, ElementError, ElementErrorKind};

use crate::element::{StorageSvcElementExt, STORAGE_SVC};
use crate::error::{SvcError, SvcErrorKind, SvcResult};
use crate::service::StorageService;

/// The app's StorageSvc.
#[async_trait]
pub trait StorageServiceAppExt {
    /// The app's StorageSvc, opened once (settings from `app.json`) and shared by every
    /// clone of the app; a failed open is not kept, so a later call tries again.
    ///
    /// When the app has the element [`STORAGE_SVC`] (registered with
    /// [`with_storage_service`](crate::StorageServiceAppBuilderExt::with_storage_service),
    /// or declared in a folder), this is that element's service: the same `Arc` as
    /// `app.get_element(STORAGE_SVC).await?.storage_service()?`, and a failed load is
    /// returned with the kind of the service's own error (`Config`, `Records`), the
    /// element's error (naming `app.json` and the field) as its source. An app opened
    /// without it (a host using the service as a library only) gets one service per app
    /// all the same, kept with [`App::shared`].
    async fn storage_service(&self) -> SvcResult<Arc<StorageService>>;
}

#[async_trait]
impl StorageServiceAppExt for App {
    async fn storage_service(&self) -> SvcResult<Arc<StorageService>> {
        match self.declaration(STORAGE_SVC) {
            Err(err) if err.kind() == ElementErrorKind::NotFound => {
                self.shared(|| async { StorageService::open(self).await.map(Arc::new) })
                    .await
            }
            _ => self
                .get_element(STORAGE_SVC)
                .await
                .and_then(|element| element.storage_service())
                .map_err(from_element_error),
        }
    }
}

/// The service's error for a failed load of its element: the kind of the
/// [`SvcError`] behind it when there is one, else [`SvcErrorKind::Config`] (the element
/// is declared wrongly, or is not the service).
fn from_element_error(err: ElementError) -> SvcError {
    let kind = err
        .find_source::<SvcError>()
        .map(SvcError::kind)
        .unwrap_or(SvcErrorKind::Config);
    // Display shows the element's error (app.json and the field) after this message.
    SvcError::new(kind, "open", format!("cannot load {STORAGE_SVC}")).with_source(err)
}
