//! The Type registry: which fullNames are family roots (Metas) and which Types have an
//! implementation in code, with the factory that builds their elements.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::declaration::Declaration;
use crate::error::{ElementError, ElementErrorKind, ElementResult};

/// The built object of an element, type-erased. Families store their contract object here
/// (e.g. `Arc<dyn StorageMeta>`) and give callers typed access.
pub type ElementValue = Arc<dyn Any + Send + Sync>;

/// Builds elements of one Type from their resolved configuration.
///
/// Implemented by each Type (usually through a family's own, typed factory trait) and
/// registered on [`crate::AppBuilder`] under the Type's fullName.
#[async_trait]
pub trait ElementFactory: Send + Sync + 'static {
    /// Builds the element described by `ctx`. Errors should name the config field through
    /// [`BuildContext::invalid_config`] or [`BuildContext::deserialize_config`].
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue>;
}

/// Everything a factory knows about the element it builds.
#[derive(Clone)]
pub struct BuildContext {
    /// The element being built (usually an Instance).
    pub declaration: Arc<Declaration>,
    /// fullNames from the element up to its Meta, e.g.
    /// `["storages.MyDisk", "storages.DiskType", "storages.Meta"]`.
    pub type_chain: Vec<String>,
    /// The fullName of the Type whose factory builds this element.
    pub implementation: String,
    /// The configuration: every Type's `<Type>.json` defaults along the chain, overridden
    /// key by key by the element's own `<Name>.json`, with variables substituted.
    pub config: Value,
    /// The file most of the config comes from (the element's own `<Name>.json`).
    pub config_file: PathBuf,
    pub(crate) app: App,
    pub(crate) loading: Vec<String>,
}

impl std::fmt::Debug for BuildContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config may hold secrets: show its keys only.
        let keys: Vec<&String> = self
            .config
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        f.debug_struct("BuildContext")
            .field("element", &self.declaration.full_name)
            .field("type_chain", &self.type_chain)
            .field("implementation", &self.implementation)
            .field("config_keys", &keys)
            .field("config_file", &self.config_file)
            .finish()
    }
}

impl BuildContext {
    /// The element's fullName.
    pub fn full_name(&self) -> &str {
        &self.declaration.full_name
    }

    /// The root folder of the app that declares the element: relative paths in its
    /// config are relative to it.
    pub fn app_root(&self) -> &Path {
        &self.declaration.app_root
    }

    /// The app being loaded, e.g. to reach another element a wrapper Type delegates to.
    /// Prefer [`BuildContext::get_element`], which also detects load cycles.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Loads another element of the same app, refusing one that is already being loaded
    /// up this chain (it would wait for itself forever).
    pub async fn get_element(&self, full_name: &str) -> ElementResult<Arc<crate::Element>> {
        self.app.get_element_within(full_name, &self.loading).await
    }

    /// Deserializes the config into a typed struct. A field of the wrong JSON type, or a
    /// missing one, yields [`ElementErrorKind::InvalidConfig`] naming the config file and
    /// the field's path.
    pub fn deserialize_config<T: DeserializeOwned>(&self) -> ElementResult<T> {
        serde_path_to_error::deserialize(self.config.clone()).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let message = inner.to_string();
            let field = missing_field_name(&message)
                .map(|missing| {
                    if path == "." || path.is_empty() {
                        missing.to_string()
                    } else {
                        format!("{path}.{missing}")
                    }
                })
                .unwrap_or(path);
            self.invalid_config(field, message).with_source(inner)
        })
    }

    /// An [`ElementErrorKind::InvalidConfig`] error naming this element, its config file
    /// and `field`.
    pub fn invalid_config(
        &self,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ElementError {
        ElementError::new(ElementErrorKind::InvalidConfig, message)
            .with_element(&self.declaration.full_name)
            .with_file(&self.config_file)
            .with_field(field)
    }

    /// A [`ElementErrorKind::Build`] error for this element wrapping a family error.
    pub fn build_error(
        &self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> ElementError {
        ElementError::new(ElementErrorKind::Build, source.to_string())
            .with_element(&self.declaration.full_name)
            .with_source(source)
    }
}

/// serde's "missing field `x`" → `x`.
fn missing_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}

/// A Type known in code.
#[derive(Clone)]
pub(crate) struct RegisteredType {
    /// The Meta or Type it derives from when the app does not declare it in a folder.
    pub parent: Option<String>,
    /// Title shown in listings when not declared in a folder.
    pub title: Option<String>,
    pub factory: Arc<dyn ElementFactory>,
}

/// Metas and Types known in code. Later registrations under a fullName replace earlier
/// ones: that is how an app overrides an official Type.
#[derive(Clone, Default)]
pub(crate) struct Registry {
    pub metas: HashSet<String>,
    pub types: HashMap<String, RegisteredType>,
}
