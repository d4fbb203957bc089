//! The JitAi element model, family-agnostic.
//!
//! An app is a folder. Every element is a sub-folder `<family>/<Name>/` holding an
//! `e.json` declaration and, for instances, a `<Name>.json` business configuration; its
//! fullName is the folder path with `/` → `.` (`storages/MyOss` → `storages.MyOss`).
//! Discovery looks [`MIN_ELEMENT_DEPTH`] to [`MAX_ELEMENT_DEPTH`] folders deep and follows
//! a symbolic link only when it stays inside the app; an element (or `e.json`,
//! `<Name>.json`, `app.json`) reached through a link leading out of the app is refused,
//! as that element's problem naming the link and its target.
//! Elements form chains **Meta → Type → Instance**: a Meta roots a family, a Type (code,
//! registered on [`AppBuilder`]) implements it, an Instance configures a Type.
//! A builtin element ([`AppBuilder::register_builtin_element`]) exists in code without a
//! folder, as JitAi's official service elements do; an app folder of the same fullName
//! overrides it.
//!
//! [`App::get_element`] resolves the chain, merges configuration defaults along it,
//! substitutes `{{VAR}}` / `${VAR}` / `${VAR:-default}` references, asks the nearest
//! registered factory to build the object and caches it for the app's life. A missing
//! `<Name>.json` means no overrides: the element gets its Types' defaults. A factory may
//! load other elements (a wrapper loads what it wraps); a load that would wait for itself
//! fails with [`ElementErrorKind::LoadCycle`]. [`App::check`] reports every problem of an
//! app at once. Families (such as `jit-storage`) add typed access on top.
//!
//! The files, from the bottom up (each uses only files listed before it):
//! `error`, `json_file`, `suggest`, `vars`, `declaration`, `catalog` (the declarations,
//! each `e.json` read when first needed, once), `app_config`, `discover`, `element`,
//! `cache` (load-once cells, load-cycle detection), `app` ([`App`]), `context`
//! ([`BuildContext`]), `registry` ([`ElementFactory`], the Type registry), `resolve`
//! (Type chains, config merging), `loader` (the registry-backed loader the app holds as a
//! trait object), `builder` ([`AppBuilder`]), `check` ([`App::check`]).

#![warn(missing_docs)]

mod app;
mod app_config;
mod builder;
mod cache;
mod catalog;
mod check;
mod context;
mod declaration;
mod discover;
mod element;
mod error;
mod json_file;
mod loader;
mod registry;
mod resolve;
mod suggest;
pub mod vars;

pub use app::{App, WeakApp};
pub use app_config::AppConfig;
pub use builder::AppBuilder;
pub use context::BuildContext;
pub use declaration::{Declaration, ElementRole, VariableDecl};
pub use discover::{MAX_ELEMENT_DEPTH, MIN_ELEMENT_DEPTH};
pub use element::{Element, ElementValue};
pub use error::{ElementError, ElementErrorKind, ElementResult};
pub use registry::ElementFactory;
