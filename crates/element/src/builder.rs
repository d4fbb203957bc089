//! [`AppBuilder`]: which Metas, Types and builtin elements exist in code, the variables,
//! and opening an app folder (reading `app.json` and the apps it extends, and finding
//! every element folder; each `e.json` is read when first needed, see `catalog.rs`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Map;

use crate::app::{App, AppInner};
use crate::app_config::AppConfig;
use crate::cache::ElementCache;
use crate::catalog::{Catalog, Declared};
use crate::declaration::Declaration;
use crate::discover::discover;
use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::loader::RegistryLoader;
use crate::registry::{BuiltinElement, ElementFactory, RegisteredType, Registry};
use crate::vars::EnvSource;

impl App {
    /// Starts configuring the app at `root`.
    pub fn builder(root: impl Into<PathBuf>) -> AppBuilder {
        AppBuilder {
            root: root.into(),
            registry: Registry::default(),
            env: EnvSource::process(),
        }
    }
}

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

    /// Registers an element that exists without a folder in any app, as JitAi's official
    /// service elements do (`storages.services.StorageSvc`): its fullName, the `type`
    /// and title it is listed with, and the factory that builds it.
    ///
    /// It is listed by [`App::declarations`] (as a [`Declaration`] whose
    /// [`builtin`](Declaration::builtin) is true, an
    /// Instance) and loaded by [`App::get_element`] like any element: once, a failed
    /// load not kept, load cycles refused. Its factory is its own code: no Type chain
    /// is resolved and no `<Name>.json` is read (its [`BuildContext`](crate::BuildContext)
    /// has an empty config and names `app.json` as its config file, where such an
    /// element's settings live). [`App::check`] runs the factory's
    /// [`check`](ElementFactory::check) instead of loading it.
    ///
    /// An app (or an app it extends) with a folder for the same fullName overrides it:
    /// that folder's declaration is used and loaded through its Type, as any element.
    /// Registering the same fullName again replaces the earlier registration.
    pub fn register_builtin_element(
        mut self,
        full_name: impl Into<String>,
        type_name: impl Into<String>,
        title: impl Into<String>,
        factory: impl ElementFactory,
    ) -> Self {
        self.registry.builtin_elements.insert(
            full_name.into(),
            BuiltinElement {
                type_name: type_name.into(),
                title: title.into(),
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
    /// The host chose them, so configurations may reference them without declaring
    /// them. Variables already [`set`](Self::set_var) stay and win; allowed prefixes stay.
    pub fn env_vars(mut self, vars: HashMap<String, String>) -> Self {
        self.env.replace_process(vars);
        self
    }

    /// Sets one variable for this app, above the process environment (e.g. an address
    /// the host only knows at run time). The host chose it, so configurations may
    /// reference it without declaring it.
    pub fn set_var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.set(name, value);
        self
    }

    /// Lets configurations reference, without declaring them, the process environment's
    /// variables whose names start with `prefix` (e.g. `"OSS_"`); may be called several
    /// times. Otherwise a reference must name a variable declared in `e.json`
    /// `variables` (of the element or a Type on its chain) or `app.json` `envVars`, or
    /// one set by the host ([`set_var`](Self::set_var), [`env_vars`](Self::env_vars)).
    /// An empty prefix allows every variable, as before declarations were required.
    pub fn allow_env_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.env.allow_prefix(prefix);
        self
    }

    /// Reads `app.json` (if any) and finds the element folders of the app and its
    /// parents. Nothing is instantiated, and no `e.json` is read yet: each is read (once)
    /// when first needed, by [`App::declaration`], [`App::get_element`] or one of the
    /// calls that need them all ([`App::declarations`], [`App::problems`],
    /// [`App::check`]). Fails only when the app folder itself, an `app.json` or an
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

        let mut elements = HashMap::new();
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
            // A child's element, usable or not, replaces its parent's of the same name.
            let found = discover(layer_root);
            if elements.is_empty() {
                elements = found;
            } else {
                elements.extend(found);
            }
        }
        // Builtin elements where no folder (usable or not) claims their fullName.
        for (full_name, builtin) in &self.registry.builtin_elements {
            if !elements.contains_key(full_name) {
                let decl =
                    Declaration::of_builtin(full_name, &builtin.type_name, &builtin.title, &root);
                elements.insert(full_name.clone(), Declared::builtin(decl));
            }
        }
        let name = layers.first().and_then(|(_, c)| c.name.clone());
        let metas: HashSet<String> = self.registry.metas.clone();
        let registered_types: HashSet<String> = self.registry.types.keys().cloned().collect();
        Ok(App::from_inner(AppInner {
            root,
            name,
            parents: layers.iter().skip(1).map(|(p, _)| p.clone()).collect(),
            catalog: Catalog::new(elements),
            env_vars,
            settings,
            metas,
            registered_types,
            env: self.env,
            loader: Arc::new(RegistryLoader::new(self.registry)),
            cache: ElementCache::default(),
            shared: Default::default(),
        }))
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
            "apps extend each other in a loop that comes back to this app",
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
