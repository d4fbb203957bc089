//! A loaded element: its declaration, the Type that implements it, and the built object
//! ([`ElementValue`], type-erased).

use std::any::Any;
use std::sync::Arc;

use crate::declaration::Declaration;

/// The built object of an element, type-erased. Families store their contract object here
/// (e.g. `Arc<dyn StorageMeta>`) and give callers typed access.
pub type ElementValue = Arc<dyn Any + Send + Sync>;

/// An element as returned by [`crate::App::get_element`]: loaded once, cached for the
/// app's life.
pub struct Element {
    declaration: Arc<Declaration>,
    implementation: String,
    type_chain: Vec<String>,
    value: ElementValue,
}

impl Element {
    pub(crate) fn new(
        declaration: Arc<Declaration>,
        implementation: String,
        type_chain: Vec<String>,
        value: ElementValue,
    ) -> Self {
        Self {
            declaration,
            implementation,
            type_chain,
            value,
        }
    }

    /// `storages.MyOss`.
    pub fn full_name(&self) -> &str {
        &self.declaration.full_name
    }

    /// The `title` from e.json.
    pub fn title(&self) -> &str {
        &self.declaration.title
    }

    /// The declared `type` (e.g. `storages.OssType`).
    pub fn type_name(&self) -> &str {
        &self.declaration.type_name
    }

    /// The Type whose code built this element (differs from [`Element::type_name`] when
    /// the declared Type inherits its implementation).
    pub fn implementation(&self) -> &str {
        &self.implementation
    }

    /// fullNames from this element up to its Meta.
    pub fn type_chain(&self) -> &[String] {
        &self.type_chain
    }

    /// The element's declaration.
    pub fn declaration(&self) -> &Arc<Declaration> {
        &self.declaration
    }

    /// The built object, if it is a `T` (families wrap this in typed accessors).
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref::<T>()
    }
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Element")
            .field("full_name", &self.declaration.full_name)
            .field("type", &self.declaration.type_name)
            .field("implementation", &self.implementation)
            .finish()
    }
}
