//! `storages.services.StorageSvc` as an element, JitAi's way to reach the service:
//! `app.get_element(STORAGE_SVC).await?.storage_service()?`.
//!
//! [`StorageSvcFactory`] builds the service ([`StorageService::open`]) as a builtin
//! element (no folder in the app), registered with
//! [`StorageServiceAppBuilderExt::with_storage_service`]; [`StorageSvcElementExt`] gives
//! typed access to it. Its errors — bad `app.json` settings, a record store that cannot
//! be opened — are the element's load error, naming `app.json` and the field.
//! `App::check` runs [`StorageSvcFactory`]'s check instead: the settings are read, the
//! record store is not opened (so no SQLite file is created by checking an app).

use std::sync::Arc;

use async_trait::async_trait;
use jit_element::{
    AppBuilder, BuildContext, Element, ElementError, ElementErrorKind, ElementFactory,
    ElementResult, ElementValue,
};

use crate::error::SvcError;
use crate::service::StorageService;
use crate::settings::{RecordsDatabase, ServiceSettings};

/// The fullName of the service element.
pub const STORAGE_SVC: &str = "storages.services.StorageSvc";

/// The `type` the service element is listed with (JitAi's service Type).
pub const STORAGE_SVC_TYPE: &str = "services.NormalType";

/// The title the service element is listed with.
pub const STORAGE_SVC_TITLE: &str = "Storage service";

/// Builds `storages.services.StorageSvc`: the app's [`StorageService`], opened with the
/// settings in `app.json`. The element's value is an `Arc<StorageService>`.
#[derive(Debug, Clone, Copy, Default)]
pub struct StorageSvcFactory;

#[async_trait]
impl ElementFactory for StorageSvcFactory {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        let settings = settings(&ctx)?;
        let field = database_field(&settings.database);
        let service = StorageService::open_with(ctx.app(), settings)
            .await
            .map_err(|e| {
                // The SvcError's Display names the cause and never shows a password.
                let message = e.to_string();
                load_error(&ctx, ElementErrorKind::Build, field.into(), message, e)
            })?;
        let value: ElementValue = Arc::new(Arc::new(service));
        Ok(value)
    }

    /// Reads the settings; opens nothing.
    async fn check(&self, ctx: &BuildContext) -> ElementResult<()> {
        settings(ctx).map(|_| ())
    }
}

/// The service's settings, a wrong one as an error naming `app.json` and the field.
fn settings(ctx: &BuildContext) -> ElementResult<ServiceSettings> {
    ServiceSettings::from_app(ctx.app()).map_err(|e| {
        let field = e.field().unwrap_or("settings.storageService").to_string();
        let what = e.message().to_string();
        load_error(ctx, ElementErrorKind::InvalidConfig, field, what, e)
    })
}

/// The field that says where records live.
fn database_field(database: &RecordsDatabase) -> &'static str {
    match database {
        RecordsDatabase::Postgres(_) => "settings.storageService.databaseUrl",
        RecordsDatabase::Sqlite(_) => "settings.storageService.sqlitePath",
    }
}

/// `err` as the element's error of `kind`, about `app.json`'s `field`. The
/// [`SvcError`] stays the source, so its kind can be recovered.
fn load_error(
    ctx: &BuildContext,
    kind: ElementErrorKind,
    field: String,
    message: String,
    err: SvcError,
) -> ElementError {
    ElementError::new(kind, message)
        .with_element(ctx.full_name())
        .with_file(&ctx.config_file)
        .with_field(field)
        .with_source(err)
}

/// Typed access to the service element.
pub trait StorageSvcElementExt {
    /// The element as the storage service; [`ElementErrorKind::WrongFamily`] when it is
    /// some other element.
    fn storage_service(&self) -> ElementResult<Arc<StorageService>>;
}

impl StorageSvcElementExt for Element {
    fn storage_service(&self) -> ElementResult<Arc<StorageService>> {
        self.downcast_ref::<Arc<StorageService>>()
            .cloned()
            .ok_or_else(|| {
                ElementError::new(
                    ElementErrorKind::WrongFamily,
                    format!(
                        "{} is implemented by {}, which is not the storage service",
                        self.full_name(),
                        self.implementation()
                    ),
                )
                .with_element(self.full_name())
                .with_file(&self.declaration().file)
            })
    }
}

/// Registers the service element on an [`AppBuilder`].
pub trait StorageServiceAppBuilderExt: Sized {
    /// Registers `storages.services.StorageSvc` ([`STORAGE_SVC`]) as a builtin element
    /// built by [`StorageSvcFactory`]. An app folder declaring the same fullName
    /// overrides it.
    fn with_storage_service(self) -> Self;
}

impl StorageServiceAppBuilderExt for AppBuilder {
    fn with_storage_service(self) -> Self {
        self.register_builtin_element(
            STORAGE_SVC,
            STORAGE_SVC_TYPE,
            STORAGE_SVC_TITLE,
            StorageSvcFactory,
        )
    }
}
