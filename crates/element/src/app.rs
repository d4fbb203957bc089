//! The [`App`]: an app folder (and the apps it extends) as a catalog — its declarations
//! (each `e.json` read when first needed, `catalog.rs`), settings, variables, the names
//! of the Metas and Types registered in code — with the load-once cache of its elements.
//! [`App::get_element`] is the entry point.
//!
//! How an element is built (Type chain, merged config, factory) is not known here: the
//! app holds an [`ElementLoader`] trait object, implemented by the Type registry's loader
//! (`loader.rs`) and installed by the builder (`builder.rs`, which also holds
//! `App::builder`).

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use async_trait::async_trait;
use serde_json::{Map, Value};

use crate::cache::{loading_in_this_task, ElementCache};
use crate::catalog::Catalog;
use crate::declaration::{Declaration, ElementRole};
use crate::element::Element;
use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::suggest::did_you_mean;
use crate::vars::EnvSource;

/// Builds one element of an app: resolves its Type chain and configuration and runs the
/// factory. The cache calls it at most once at a time per element.
#[async_trait]
pub(crate) trait ElementLoader: Send + Sync {
    /// Loads `full_name`; `loading` is the chain of elements being loaded that led here,
    /// ending with `full_name` itself.
    async fn load(
        &self,
        app: &App,
        full_name: &str,
        loading: Vec<String>,
    ) -> ElementResult<Arc<Element>>;

    /// Follows the `type` links of a declared Type up to its Meta, loading nothing: an
    /// error when they loop or lead to an unknown Type.
    fn check_type_chain(&self, app: &App, decl: &Arc<Declaration>) -> ElementResult<()>;

    /// Checks a builtin element (no folder) without loading it: its factory's `check`.
    async fn check_builtin(&self, app: &App, decl: &Arc<Declaration>) -> ElementResult<()>;
}

/// A loaded app folder. Cheap to clone; clones share the element cache.
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Arc<AppInner>,
}

/// A handle on an [`App`] that does not keep it alive: what a value the app itself
/// caches (in [`App::shared`], or as an element) holds to reach back to the app, so that
/// the two do not keep each other alive after the last [`App`] is dropped.
#[derive(Clone)]
pub struct WeakApp {
    inner: Weak<AppInner>,
}

impl WeakApp {
    /// The app, while any clone of it is alive.
    pub fn upgrade(&self) -> Option<App> {
        self.inner.upgrade().map(|inner| App { inner })
    }
}

impl std::fmt::Debug for WeakApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.inner.strong_count() > 0 {
            "WeakApp(alive)"
        } else {
            "WeakApp(dropped)"
        })
    }
}

/// What an [`App`] knows once opened; nothing in it is instantiated.
pub(crate) struct AppInner {
    pub root: PathBuf,
    pub name: Option<String>,
    pub parents: Vec<PathBuf>,
    /// Every element found, usable or not; each read on demand.
    pub catalog: Catalog,
    pub env_vars: HashMap<String, String>,
    pub settings: Map<String, Value>,
    /// fullNames registered as Metas in code.
    pub metas: HashSet<String>,
    /// fullNames of the Types that have a factory in code.
    pub registered_types: HashSet<String>,
    pub env: EnvSource,
    pub loader: Arc<dyn ElementLoader>,
    pub cache: ElementCache,
    /// Family-agnostic values shared by the app's clones ([`App::shared`]), by type.
    pub shared: SharedValues,
}

/// The cells of [`App::shared`], one per type, each initialised once.
pub(crate) type SharedValues = Mutex<HashMap<TypeId, Arc<SharedCell>>>;

/// One [`App::shared`] value, type-erased.
type SharedCell = tokio::sync::OnceCell<Arc<dyn Any + Send + Sync>>;

/// Shows the root, the name and how many usable declarations there are (counting them
/// reads every `e.json` not read yet, once).
impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("root", &self.inner.root)
            .field("name", &self.inner.name)
            .field("elements", &self.inner.catalog.declarations().len())
            .finish()
    }
}

impl App {
    pub(crate) fn from_inner(inner: AppInner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    /// A handle on this app that does not keep it alive (see [`WeakApp`]).
    pub fn downgrade(&self) -> WeakApp {
        WeakApp {
            inner: Arc::downgrade(&self.inner),
        }
    }

    /// The app's folder.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// `app.json` `name`, if given.
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// Folders of the parent apps (`extends`, transitively), in lookup order.
    pub fn parents(&self) -> &[PathBuf] {
        &self.inner.parents
    }

    /// `app.json` `settings`, merged over the parents' (child wins).
    pub fn settings(&self) -> &Map<String, Value> {
        &self.inner.settings
    }

    /// The value of an app variable: the environment first, then `app.json` `envVars`.
    /// This is the host's own lookup; references in configuration files are limited to
    /// declared and host-chosen names ([`AppBuilder::allow_env_prefix`](crate::AppBuilder::allow_env_prefix)).
    pub fn variable(&self, name: &str) -> Option<String> {
        self.inner
            .env
            .get(name)
            .or_else(|| self.inner.env_vars.get(name).cloned())
    }

    /// A value of type `T` shared by every clone of this app (a service a family builds
    /// on top of the app, such as the storage service): the first call runs `init` and
    /// keeps its value for the app's life; concurrent first callers share that one run.
    /// A failed `init` is not kept, so a later call tries again. One value per type: a
    /// family keys its value with a type of its own.
    pub async fn shared<T, E, F, Fut>(&self, init: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Arc<T>, E>>,
    {
        let cell = {
            let mut cells = self
                .inner
                .shared
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            cells.entry(TypeId::of::<T>()).or_default().clone()
        };
        let value = cell
            .get_or_try_init(|| async {
                let value: Arc<dyn Any + Send + Sync> = init().await?;
                Ok(value)
            })
            .await?;
        Ok(value
            .clone()
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("App::shared cells are keyed by their type")))
    }

    /// All valid declarations (this app's and inherited ones), sorted by fullName.
    /// Loads nothing. The first call reads every `e.json` not read yet; later calls reuse
    /// what was read.
    pub fn declarations(&self) -> Vec<Arc<Declaration>> {
        self.inner.catalog.declarations().to_vec()
    }

    /// One element's declaration (JitAi's `getElementDefine`). Loads nothing; reads its
    /// `e.json` on the first call for it.
    pub fn declaration(&self, full_name: &str) -> ElementResult<Arc<Declaration>> {
        match self.inner.catalog.get(full_name) {
            Some(Ok(decl)) => Ok(decl.clone()),
            Some(Err(err)) => Err(err.clone()),
            None => Err(ElementError::new(
                ElementErrorKind::NotFound,
                format!(
                    "no element {full_name:?} is declared in {}{}",
                    self.inner.root.display(),
                    did_you_mean(full_name, self.inner.catalog.names())
                ),
            )
            .with_element(full_name)),
        }
    }

    /// Declarations that could not be read (malformed e.json, duplicates, …), by fullName.
    /// Like [`App::declarations`], the first call reads every `e.json` not read yet.
    pub fn problems(&self) -> Vec<ElementError> {
        self.inner.catalog.problems().to_vec()
    }

    /// Whether a declared element is a Meta, a Type or an Instance. Telling a Type that
    /// only other elements name as their `type` from an Instance needs every declaration:
    /// the first such call reads every `e.json` not read yet.
    pub fn role_of(&self, decl: &Declaration) -> ElementRole {
        let inner = &self.inner;
        if self.is_meta(decl) {
            ElementRole::Meta
        } else if decl.builtin {
            ElementRole::Instance
        } else if inner.metas.contains(&decl.type_name)
            || inner.registered_types.contains(&decl.full_name)
            || inner
                .catalog
                .declaration(&decl.type_name)
                .is_some_and(|t| t.type_name.is_empty())
            || inner.catalog.is_named_as_type(&decl.full_name)
        {
            ElementRole::Type
        } else {
            ElementRole::Instance
        }
    }

    /// Whether `decl` is a Meta ([`App::role_of`]'s first test, which reads nothing).
    pub(crate) fn is_meta(&self, decl: &Declaration) -> bool {
        !decl.builtin && (decl.type_name.is_empty() || self.inner.metas.contains(&decl.full_name))
    }

    /// Returns the loaded element, loading it on first use. Concurrent callers share one
    /// load; a failed load is not cached, so a later call tries again.
    ///
    /// Called from inside a factory (in the task that runs it), an element that is still
    /// being loaded up the chain — or whose load waits, in another task, for the caller —
    /// is refused with [`ElementErrorKind::LoadCycle`] instead of waiting forever. An
    /// element that is already loaded is returned without any check.
    pub async fn get_element(&self, full_name: &str) -> ElementResult<Arc<Element>> {
        self.get_element_within(full_name, loading_in_this_task())
            .await
    }

    /// [`App::get_element`] on behalf of the elements in `loading` (outermost first).
    pub(crate) async fn get_element_within(
        &self,
        full_name: &str,
        loading: Vec<String>,
    ) -> ElementResult<Arc<Element>> {
        self.inner
            .cache
            .get(full_name, loading, |loading| {
                self.inner.loader.load(self, full_name, loading)
            })
            .await
    }

    /// fullNames a `type` may name: the known Types and the Metas, registered or declared.
    pub(crate) fn type_names(&self) -> Vec<String> {
        let mut names = self.known_types();
        names.extend(self.inner.metas.iter().cloned());
        names.extend(
            self.inner
                .catalog
                .declarations()
                .iter()
                .filter(|d| self.role_of(d) == ElementRole::Meta)
                .map(|d| d.full_name.clone()),
        );
        names
    }

    /// fullNames of all Types known to this app: registered in code or declared (the
    /// first call reads every `e.json` not read yet).
    pub fn known_types(&self) -> Vec<String> {
        let mut names: HashSet<String> = self.inner.registered_types.clone();
        for decl in self.inner.catalog.declarations() {
            if self.role_of(decl) == ElementRole::Type {
                names.insert(decl.full_name.clone());
            }
        }
        let mut names: Vec<_> = names.into_iter().collect();
        names.sort();
        names
    }
}
