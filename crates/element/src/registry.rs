//! The Type registry: which fullNames are family roots (Metas) and which Types have an
//! implementation in code, with the [`ElementFactory`] that builds their elements.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;

use crate::context::BuildContext;
use crate::element::ElementValue;
use crate::error::ElementResult;

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
