//! The `App`: an app folder (and the apps it extends) with its declarations, the Type
//! registry, and the load-once cache of elements. `App::get_element` is the entry point.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use tokio::sync::OnceCell;

use crate::app_config::AppConfig;
use crate::declaration::{Declaration, ElementRole};
use crate::discover::discover;
use crate::element::Element;
use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::registry::{BuildContext, ElementFactory, RegisteredType, Registry};
use crate::resolve::{implementation, merged_config, type_chain};
use crate::vars::EnvSource;

/// Configures and opens an [`App`]: which Metas and Types exist in code.
#[must_use = "call .open() to load the app"]
pub struct AppBuilder {
    root: PathBuf,
    registry: Registry,
    env: EnvSource,
}

impl AppBuilder {
    /// Registers a family root such as `storages.Meta`.
    pub fn register_meta(mut self, full_name: impl Into<String>) -> Self {
        self.registry.metas.insert(full_name.into());
        self
    }

    /// Registers an official Type that exists without a folder in the app: its parent
    /// (a Meta or Type), a title for listings, and its factory.
    pub fn register_builtin_type(
        mut self,
        full_name: impl Into<String>,
        parent: impl Into<String>,
        title: impl Into<String>,
        factory: impl ElementFactory,
    ) -> Self {
        self.registry.types.insert(
            full_name.into(),
            RegisteredType {
                parent: Some(parent.into()),
                title: Some(title.into()),
                factory: Arc::new(factory),
            },
        );
        self
    }

    /// Registers the implementation of a Type the app declares in its own folder
    /// (`storages/MyType/e.json`). Registering under an existing fullName (such as
    /// `storages.DiskType`) overrides that Type for every element of this app.
    pub fn register_type(
        mut self,
        full_name: impl Into<String>,
        factory: impl ElementFactory,
    ) -> Self {
        let full_name = full_name.into();
        let previous = self.registry.types.remove(&full_name);
        self.registry.types.insert(
            full_name,
            RegisteredType {
                parent: previous.as_ref().and_then(|p| p.parent.clone()),
                title: previous.and_then(|p| p.title),
                factory: Arc::new(factory),
            },
        );
        self
    }

    /// Uses these variables instead of the process environment (tests, embedding hosts).
    pub fn env_vars(mut self, vars: HashMap<String, String>) -> Self {
        self.env = EnvSource::fixed(vars);
        self
    }

    /// Sets one variable for this app, above the process environment (e.g. an address
    /// the host only knows at run time).
    pub fn set_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.set(name, value);
        self
    }

    /// Reads `app.json` (if any) and the declarations of the app and its parents. Nothing
    /// is instantiated. Fails only when the app folder itself, an `app.json` or an
    /// `extends` entry is unusable; a broken element is reported when it is asked for.
    pub fn open(self) -> ElementResult<App> {
        let root = self.root;
        if !root.is_dir() {
            return Err(ElementError::new(
                ElementErrorKind::NotFound,
                "the app folder does not exist or is not a folder",
            )
            .with_file(&root));
        }
        let mut layers = Vec::new();
        collect_layers(&root, &mut layers, &mut Vec::new())?;

        let mut declarations: HashMap<String, Arc<Declaration>> = HashMap::new();
        let mut broken: HashMap<String, ElementError> = HashMap::new();
        let mut env_vars = HashMap::new();
        let mut settings = Map::new();
        // Parents first, so that each child overrides what it redeclares.
        for (layer_root, config) in layers.iter().rev() {
            for (k, v) in &config.env_vars {
                env_vars.insert(k.clone(), v.clone());
            }
            for (k, v) in &config.settings {
                settings.insert(k.clone(), v.clone());
            }
            let found = discover(layer_root);
            for (name, decl) in found.declarations {
                broken.remove(&name);
                declarations.insert(name, decl);
            }
            for (name, err) in found.broken {
                declarations.remove(&name);
                broken.insert(name, err);
            }
        }
        let name = layers.first().and_then(|(_, c)| c.name.clone());
        Ok(App {
            inner: Arc::new(AppInner {
                root,
                name,
                parents: layers.iter().skip(1).map(|(p, _)| p.clone()).collect(),
                declarations,
                broken,
                env_vars,
                settings,
                registry: self.registry,
                env: self.env,
                cells: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// Depth-first over `extends`, child first; loops are errors.
fn collect_layers(
    root: &Path,
    layers: &mut Vec<(PathBuf, AppConfig)>,
    stack: &mut Vec<PathBuf>,
) -> ElementResult<()> {
    let canonical = root.canonicalize().map_err(|e| ElementError::io(root, e))?;
    if stack.contains(&canonical) {
        return Err(ElementError::new(
            ElementErrorKind::InvalidDeclaration,
            format!(
                "apps extend each other in a loop through {}",
                root.display()
            ),
        )
        .with_file(root.join("app.json"))
        .with_field("extends"));
    }
    if layers
        .iter()
        .any(|(p, _)| p.canonicalize().ok().as_ref() == Some(&canonical))
    {
        return Ok(());
    }
    let config = AppConfig::read(root)?;
    let parents = config.extends.clone();
    layers.push((root.to_path_buf(), config));
    stack.push(canonical);
    for (i, parent) in parents.iter().enumerate() {
        if !parent.is_dir() {
            return Err(ElementError::new(
                ElementErrorKind::InvalidDeclaration,
                format!("parent app {} does not exist", parent.display()),
            )
            .with_file(root.join("app.json"))
            .with_field(format!("extends[{i}]")));
        }
        collect_layers(parent, layers, stack)?;
    }
    stack.pop();
    Ok(())
}

/// A loaded app folder. Cheap to clone; clones share the element cache.
#[derive(Clone)]
pub struct App {
    inner: Arc<AppInner>,
}

struct AppInner {
    root: PathBuf,
    name: Option<String>,
    parents: Vec<PathBuf>,
    declarations: HashMap<String, Arc<Declaration>>,
    broken: HashMap<String, ElementError>,
    env_vars: HashMap<String, String>,
    settings: Map<String, Value>,
    registry: Registry,
    env: EnvSource,
    cells: Mutex<HashMap<String, Arc<OnceCell<Arc<Element>>>>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("root", &self.inner.root)
            .field("name", &self.inner.name)
            .field("elements", &self.inner.declarations.len())
            .finish()
    }
}

impl App {
    /// Starts configuring the app at `root`.
    pub fn builder(root: impl Into<PathBuf>) -> AppBuilder {
        AppBuilder {
            root: root.into(),
            registry: Registry::default(),
            env: EnvSource::process(),
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
    pub fn variable(&self, name: &str) -> Option<String> {
        self.inner
            .env
            .get(name)
            .or_else(|| self.inner.env_vars.get(name).cloned())
    }

    /// All valid declarations (this app's and inherited ones), sorted by fullName.
    /// Loads nothing.
    pub fn declarations(&self) -> Vec<Arc<Declaration>> {
        let mut all: Vec<_> = self.inner.declarations.values().cloned().collect();
        all.sort_by(|a, b| a.full_name.cmp(&b.full_name));
        all
    }

    /// One element's declaration (JitAi's `getElementDefine`). Loads nothing.
    pub fn declaration(&self, full_name: &str) -> ElementResult<Arc<Declaration>> {
        if let Some(err) = self.inner.broken.get(full_name) {
            return Err(err.clone());
        }
        self.inner
            .declarations
            .get(full_name)
            .cloned()
            .ok_or_else(|| {
                ElementError::new(
                    ElementErrorKind::NotFound,
                    format!(
                        "no element {full_name:?} is declared in {}",
                        self.inner.root.display()
                    ),
                )
                .with_element(full_name)
            })
    }

    /// Declarations that could not be read (malformed e.json, duplicates, …), by fullName.
    pub fn problems(&self) -> Vec<ElementError> {
        let mut all: Vec<_> = self.inner.broken.values().cloned().collect();
        all.sort_by(|a, b| a.full_name().cmp(&b.full_name()));
        all
    }

    /// Whether a declared element is a Meta, a Type or an Instance.
    pub fn role_of(&self, decl: &Declaration) -> ElementRole {
        let registry = &self.inner.registry;
        if decl.type_name.is_empty() || registry.metas.contains(&decl.full_name) {
            ElementRole::Meta
        } else if registry.metas.contains(&decl.type_name)
            || registry.types.contains_key(&decl.full_name)
            || self
                .inner
                .declarations
                .get(&decl.type_name)
                .is_some_and(|t| t.type_name.is_empty())
            || self
                .inner
                .declarations
                .values()
                .any(|d| d.type_name == decl.full_name)
        {
            ElementRole::Type
        } else {
            ElementRole::Instance
        }
    }

    /// Returns the loaded element, loading it on first use. Concurrent callers share one
    /// load; a failed load is not cached, so a later call tries again.
    pub async fn get_element(&self, full_name: &str) -> ElementResult<Arc<Element>> {
        self.get_element_within(full_name, &[]).await
    }

    pub(crate) async fn get_element_within(
        &self,
        full_name: &str,
        loading: &[String],
    ) -> ElementResult<Arc<Element>> {
        if loading.iter().any(|n| n == full_name) {
            return Err(ElementError::new(
                ElementErrorKind::TypeCycle,
                format!(
                    "element needs itself while loading: {} → {full_name}",
                    loading.join(" → ")
                ),
            )
            .with_element(full_name));
        }
        let cell = {
            let mut cells = self.inner.cells.lock().unwrap_or_else(|p| p.into_inner());
            cells.entry(full_name.to_string()).or_default().clone()
        };
        let mut path = loading.to_vec();
        path.push(full_name.to_string());
        cell.get_or_try_init(|| self.load(full_name, path))
            .await
            .cloned()
    }

    async fn load(&self, full_name: &str, loading: Vec<String>) -> ElementResult<Arc<Element>> {
        let inner = &self.inner;
        let decl = self.declaration(full_name).map_err(|err| {
            if err.kind() == ElementErrorKind::NotFound
                && (inner.registry.types.contains_key(full_name)
                    || inner.registry.metas.contains(full_name))
            {
                ElementError::new(
                    ElementErrorKind::NotInstantiable,
                    format!("{full_name} is a Meta or Type registered in code; declare an instance of it"),
                )
                .with_element(full_name)
            } else {
                err
            }
        })?;
        if self.role_of(&decl) == ElementRole::Meta {
            return Err(ElementError::new(
                ElementErrorKind::NotInstantiable,
                "a Meta roots a family and cannot be instantiated",
            )
            .with_element(full_name)
            .with_file(&decl.file));
        }
        let lookup = |name: &str| inner.declarations.get(name).cloned();
        let chain = type_chain(&decl, &lookup, &inner.registry)?;
        let (implementing, factory) = implementation(&chain, &inner.registry).ok_or_else(|| {
            ElementError::new(
                ElementErrorKind::UnknownType,
                format!(
                    "no implementation is registered for any Type in {}",
                    chain
                        .iter()
                        .map(|l| l.full_name.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            )
            .with_element(full_name)
            .with_file(&decl.file)
            .with_field("type")
        })?;
        let implementation_name = implementing.full_name.clone();
        // The element's own config is required unless it is itself an implemented Type.
        let config_required = implementation_name != decl.full_name;
        let config = merged_config(&decl, &chain, config_required, &inner.env, &inner.env_vars)?;
        let ctx = BuildContext {
            declaration: decl.clone(),
            type_chain: chain.iter().map(|l| l.full_name.clone()).collect(),
            implementation: implementation_name.clone(),
            config,
            config_file: decl.config_file(),
            app: self.clone(),
            loading,
        };
        let type_chain = ctx.type_chain.clone();
        let value = factory
            .build(ctx)
            .await
            .map_err(|e| e.with_element(full_name))?;
        Ok(Arc::new(Element::new(
            decl,
            implementation_name,
            type_chain,
            value,
        )))
    }

    /// fullNames of all Types known to this app: registered in code or declared.
    pub fn known_types(&self) -> Vec<String> {
        let mut names: HashSet<String> = self.inner.registry.types.keys().cloned().collect();
        for decl in self.inner.declarations.values() {
            if self.role_of(decl) == ElementRole::Type {
                names.insert(decl.full_name.clone());
            }
        }
        let mut names: Vec<_> = names.into_iter().collect();
        names.sort();
        names
    }
}
