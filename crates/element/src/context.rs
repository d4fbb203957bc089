//! [`BuildContext`]: everything a factory is told about the element it builds — its
//! declaration, Type chain, merged configuration — and the ways to refer back to the app
//! (other elements) and to report errors that name the config file and field.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::App;
use crate::declaration::Declaration;
use crate::element::Element;
use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::suggest::nearest;

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
    /// The file most of the config comes from: the element's own `<Name>.json`, named in
    /// config errors even when it does not exist (the config is then the Types' defaults).
    pub config_file: PathBuf,
    pub(crate) app: App,
    /// The elements being loaded that led here, outermost first, ending with this one.
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
    /// Its [`App::get_element`] (also through a family helper) detects load cycles when
    /// called from the task that runs the factory; in a task the factory spawns, use a
    /// clone of this context and [`BuildContext::get_element`] instead.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Loads another element of the same app, refusing with
    /// [`ElementErrorKind::LoadCycle`] one whose load needs this element (it would wait
    /// for itself forever). Works from any task: the context carries the chain of
    /// elements being loaded.
    pub async fn get_element(&self, full_name: &str) -> ElementResult<Arc<Element>> {
        self.app
            .get_element_within(full_name, self.loading.clone())
            .await
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
            let message = match unknown_field(&message) {
                Some((unknown, expected)) => {
                    let hint = nearest(unknown, expected.iter().copied())
                        .map(|near| format!(", did you mean `{near}`?"))
                        .unwrap_or_default();
                    format!(
                        "unknown field `{unknown}`{hint} (known fields: {})",
                        expected.join(", ")
                    )
                }
                None => message,
            };
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

/// serde's "unknown field `x`, expected one of `a`, `b`" → (`x`, [`a`, `b`]).
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once('`')?;
    let expected = expected.split('`').skip(1).step_by(2).collect();
    Some((unknown, expected))
}

/// serde's "missing field `x`" → `x`.
fn missing_field_name(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next()
}
