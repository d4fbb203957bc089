//! The Type registry: which fullNames are family roots (Metas), which Types have an
//! implementation in code, with the [`ElementFactory`] that builds their elements, and
//! which elements exist in code without a folder (builtin elements).

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

    /// What [`App::check`](crate::App::check) runs for a builtin element (registered
    /// with [`AppBuilder::register_builtin_element`](crate::AppBuilder::register_builtin_element))
    /// instead of loading it: loading one of the framework's own elements may have side
    /// effects a check should not have (opening a database, creating its file). Check
    /// what can be checked without them (settings); the default checks nothing. Not
    /// called for Types or for elements declared in a folder, which `check` loads.
    async fn check(&self, ctx: &BuildContext) -> ElementResult<()> {
        let _ = ctx;
        Ok(())
    }
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

/// An element that exists in code, without a folder in the app.
#[derive(Clone)]
pub(crate) struct BuiltinElement {
    /// The `type` it is listed with.
    pub type_name: String,
    /// Its title.
    pub title: String,
    /// Builds it; the element's own code, not a Type's.
    pub factory: Arc<dyn ElementFactory>,
}

/// Metas and Types known in code. Later registrations under a fullName replace earlier
/// ones: that is how an app overrides an official Type.
#[derive(Clone, Default)]
pub(crate) struct Registry {
    pub metas: HashSet<String>,
    pub types: HashMap<String, RegisteredType>,
    /// Elements without a folder, by fullName (an app folder declaring the same
    /// fullName replaces one).
    pub builtin_elements: HashMap<String, BuiltinElement>,
}
