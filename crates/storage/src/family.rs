//! The storage family on top of the element core: the [`StorageType`] factory trait that
//! storage Types implement, registration on [`AppBuilder`], and typed access to storage
//! elements — from an [`App`] (`app.storage("storages.MyOss")`), from a loaded
//! [`Element`] (`app.get_element("storages.MyOss").await?.storage()?`) and, for wrapper
//! Types, from a [`BuildContext`] (`ctx.storage("storages.Default")`).

use std::sync::Arc;

use async_trait::async_trait;
use jit_element::{
    App, AppBuilder, BuildContext, Element, ElementError, ElementErrorKind, ElementFactory,
    ElementResult, ElementValue,
};

use crate::element_storage::ElementStorage;
use crate::meta::{StorageIdentity, StorageMeta};

/// The fullName of the storage family's Meta.
pub const STORAGE_META: &str = "storages.Meta";

/// The element used when `app.json` names no default storage
/// (`settings.defaultElement.defaultStorage` or `settings.defaultStorage`).
pub const DEFAULT_STORAGE: &str = "storages.Default";

/// A storage Type: builds a storage from an element's resolved configuration.
///
/// `ctx.config` holds the merged `<Name>.json` (Type defaults overridden by the instance),
/// variables substituted. Use [`BuildContext::deserialize_config`] for typed config with
/// errors that name the file and field, [`BuildContext::invalid_config`] for checks of
/// your own, and [`StorageBuildContextExt::storage`] to reach a storage this one wraps.
///
/// The storage returned implements the [`StorageMeta`] core only; the element layer
/// checks object names, stamps errors with the element's name (errors of a wrapped
/// element become the cause of this element's error by themselves) and adds JitAi's
/// methods through [`StorageMetaExt`](crate::StorageMetaExt).
#[async_trait]
pub trait StorageType: Send + Sync + 'static {
    /// Builds the storage for the element in `ctx`.
    async fn create(&self, ctx: &BuildContext) -> ElementResult<Arc<dyn StorageMeta>>;
}

/// Adapts a [`StorageType`] to the element core's factory: the built storage is wrapped in
/// an [`ElementStorage`] carrying the element's identity.
struct StorageFactory<T>(T);

#[async_trait]
impl<T: StorageType> ElementFactory for StorageFactory<T> {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        let inner = self.0.create(&ctx).await?;
        let identity = StorageIdentity {
            full_name: ctx.declaration.full_name.clone(),
            type_name: ctx.declaration.type_name.clone(),
            title: ctx.declaration.title.clone(),
        };
        let storage: Arc<dyn StorageMeta> = Arc::new(ElementStorage::new(identity, inner));
        Ok(Arc::new(storage))
    }
}

/// Registration of the storage family and its Types on an [`AppBuilder`].
pub trait StorageAppBuilderExt: Sized {
    /// Registers `storages.Meta`.
    fn with_storage_meta(self) -> Self;

    /// Registers an official storage Type that needs no folder in the app (its parent is
    /// `storages.Meta`).
    fn register_builtin_storage_type(
        self,
        full_name: &str,
        title: &str,
        storage_type: impl StorageType,
    ) -> Self;

    /// Registers the code of a storage Type declared in the app's folder, or overrides an
    /// official one registered under the same fullName.
    fn register_storage_type(self, full_name: &str, storage_type: impl StorageType) -> Self;
}

impl StorageAppBuilderExt for AppBuilder {
    fn with_storage_meta(self) -> Self {
        self.register_meta(STORAGE_META)
    }

    fn register_builtin_storage_type(
        self,
        full_name: &str,
        title: &str,
        storage_type: impl StorageType,
    ) -> Self {
        self.register_meta(STORAGE_META).register_builtin_type(
            full_name,
            STORAGE_META,
            title,
            StorageFactory(storage_type),
        )
    }

    fn register_storage_type(self, full_name: &str, storage_type: impl StorageType) -> Self {
        self.register_meta(STORAGE_META)
            .register_type(full_name, StorageFactory(storage_type))
    }
}

/// Typed access to storage elements from an [`App`].
#[async_trait]
pub trait StorageAppExt {
    /// The storage element `full_name`, loaded once and cached. The same as
    /// `app.get_element(full_name).await?.storage()`.
    async fn storage(&self, full_name: &str) -> ElementResult<Arc<dyn StorageMeta>>;

    /// The app's default storage: `app.json` `settings.defaultElement.defaultStorage`
    /// (JitAi's key), else `settings.defaultStorage`, else `storages.Default`.
    async fn default_storage(&self) -> ElementResult<Arc<dyn StorageMeta>>;

    /// The fullName of the default storage.
    fn default_storage_name(&self) -> String;
}

/// The storage a loaded [`Element`] is, for callers that reach elements the JitAi way:
/// `app.get_element("storages.MyOss").await?.storage()?`.
pub trait StorageElementExt {
    /// The element as a storage; [`ElementErrorKind::WrongFamily`] when its Type is not a
    /// storage Type.
    fn storage(&self) -> ElementResult<Arc<dyn StorageMeta>>;
}

impl StorageElementExt for Element {
    fn storage(&self) -> ElementResult<Arc<dyn StorageMeta>> {
        self.downcast_ref::<Arc<dyn StorageMeta>>()
            .cloned()
            .ok_or_else(|| {
                ElementError::new(
                    ElementErrorKind::WrongFamily,
                    format!(
                        "{} is implemented by {}, which is not a storage Type",
                        self.full_name(),
                        self.implementation()
                    ),
                )
                .with_element(self.full_name())
                .with_file(&self.declaration().file)
            })
    }
}

/// For wrapper Types: the storage element this one delegates to, loaded through the
/// build context so that a configuration pointing back at the element being built is a
/// "load cycle" error rather than a hang.
///
/// ```ignore
/// let inner = ctx.storage(&config.storage).await?;
/// ```
#[async_trait]
pub trait StorageBuildContextExt {
    /// The storage element `full_name` of the app being loaded.
    async fn storage(&self, full_name: &str) -> ElementResult<Arc<dyn StorageMeta>>;
}

#[async_trait]
impl StorageBuildContextExt for BuildContext {
    async fn storage(&self, full_name: &str) -> ElementResult<Arc<dyn StorageMeta>> {
        self.get_element(full_name).await?.storage()
    }
}

#[async_trait]
impl StorageAppExt for App {
    async fn storage(&self, full_name: &str) -> ElementResult<Arc<dyn StorageMeta>> {
        self.get_element(full_name).await?.storage()
    }

    async fn default_storage(&self) -> ElementResult<Arc<dyn StorageMeta>> {
        self.storage(&self.default_storage_name()).await
    }

    fn default_storage_name(&self) -> String {
        let settings = self.settings();
        settings
            .get("defaultElement")
            .and_then(|v| v.get("defaultStorage"))
            .and_then(|v| v.as_str())
            .or_else(|| settings.get("defaultStorage").and_then(|v| v.as_str()))
            .unwrap_or(DEFAULT_STORAGE)
            .to_string()
    }
}
