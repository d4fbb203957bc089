//! Finding element folders: walks an app (and, called once per layer, each app it
//! extends) for `<family>/<Name>/e.json`, without reading any `e.json` (the catalog reads
//! each when it is first needed) and without instantiating anything. A folder found
//! broken here (a link leading out of the app, an `e.json` that is a folder, a fullName
//! claimed twice) is recorded as that element's error; it never stops the others.
//!
//! The walk is bounded, whatever the folder holds:
//!
//! - `e.json` is looked for [`MIN_ELEMENT_DEPTH`] to [`MAX_ELEMENT_DEPTH`] folders below
//!   the app's root (`storages/MyOss/e.json` is two; `a/b/c/Name/e.json`, four, is the
//!   deepest); nothing below that is listed, so a large data folder inside the app, a
//!   link maze or a link loop costs at most that many levels;
//! - a symbolic link is followed only when it leads to a place inside the app's root
//!   (canonical paths compared; a parent app named by `extends` is its own root), and
//!   never back into a folder the walk is already inside (a loop);
//! - a link leading out of the app is never followed. When it sits where an element
//!   folder would be and the place it leads to holds an `e.json` (one `stat`, nothing is
//!   read), that element is recorded as refused, naming the link and where it leads; an
//!   `e.json` that is itself a link out of the app is refused the same way. Any other
//!   outward link (a data folder kept on another disk, a link to `/`) is skipped.
//!
//! The walk asks the file system as little as it can: each folder above the deepest
//! level is listed once, and the listing's entry types (`d_type`) say which entries are
//! folders, links or files, so that only actual links are resolved (`canonicalize`) and
//! an element folder's `e.json` is found in its listing without a `stat`. A folder at the
//! deepest level, or one that cannot be listed, is asked for its `e.json` directly.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::{DirEntry, FileType};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::{not_a_file, Declared};
use crate::error::{ElementError, ElementErrorKind};
use crate::json_file::{link_outside, outside_root};

/// Folder names never searched for elements.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", "__pycache__"];

/// The fewest folders between an app's root and an `e.json`: `<family>/<Name>`.
pub const MIN_ELEMENT_DEPTH: usize = 2;

/// The most folders between an app's root and an `e.json` (`a/b/c/Name/e.json`); deeper
/// folders are not listed.
pub const MAX_ELEMENT_DEPTH: usize = 4;

/// Walks `root` for `e.json` files [`MIN_ELEMENT_DEPTH`] to [`MAX_ELEMENT_DEPTH`] folders
/// deep, following only links that stay inside `root`: the elements found, by fullName,
/// none of them read yet.
pub(crate) fn discover(root: &Path) -> HashMap<String, Declared> {
    let mut walk = Walk {
        root: Arc::from(root),
        // The builder has already canonicalized the root once; an app folder that cannot
        // be canonicalized has nothing to discover.
        canonical_root: match root.canonicalize() {
            Ok(canonical) => canonical,
            Err(_) => return HashMap::new(),
        },
        found: HashMap::new(),
        first_files: HashMap::new(),
    };
    let mut inside = vec![walk.canonical_root.clone()];
    walk.folder(root, &mut Vec::new(), &mut inside);
    walk.found
}

struct Walk {
    root: Arc<Path>,
    canonical_root: PathBuf,
    found: HashMap<String, Declared>,
    /// For a fullName claimed more than once: the `e.json` of the first folder claiming it.
    first_files: HashMap<String, PathBuf>,
}

/// The entries of `dir`, sorted by name; `None` when it cannot be listed.
fn list(dir: &Path) -> Option<Vec<(OsString, DirEntry)>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut entries: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| (entry.file_name(), entry))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Some(entries)
}

impl Walk {
    /// Visits `dir`, reached as `names` below the root; `inside` holds the canonical
    /// folders the walk is in, from the root down to `dir`.
    fn folder(&mut self, dir: &Path, names: &mut Vec<String>, inside: &mut Vec<PathBuf>) {
        if names.len() >= MAX_ELEMENT_DEPTH {
            // Not listed: only its e.json is looked for.
            self.element_file(dir, names, None);
            return;
        }
        // An unreadable folder hides only what is inside it (its e.json is still looked
        // for).
        let entries = list(dir);
        if names.len() >= MIN_ELEMENT_DEPTH {
            match &entries {
                Some(entries) => {
                    if let Some((_, entry)) = entries.iter().find(|(name, _)| name == "e.json") {
                        self.element_file(dir, names, entry.file_type().ok());
                    }
                }
                None => self.element_file(dir, names, None),
            }
        }
        for (name, entry) in entries.into_iter().flatten() {
            // Files (the bulk of an app) are passed over before any allocation.
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if !file_type.is_dir() && !file_type.is_symlink() {
                continue;
            }
            let name = name.to_string_lossy().into_owned();
            if name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_str()) {
                continue;
            }
            let canonical = if file_type.is_dir() {
                // Not a link: its canonical path is its parent's plus its name.
                inside
                    .last()
                    .map_or_else(|| PathBuf::from(&name), |parent| parent.join(&name))
            } else if file_type.is_symlink() {
                let path = entry.path();
                let Ok(target) = path.canonicalize() else {
                    continue; // a dangling link
                };
                if !target.is_dir() {
                    continue;
                }
                if outside_root(&target, &self.canonical_root) {
                    names.push(name);
                    self.outward_folder(&path, &target, names);
                    names.pop();
                    continue;
                }
                if inside.contains(&target) {
                    continue; // back into a folder the walk is in: a loop
                }
                target
            } else {
                continue;
            };
            names.push(name);
            inside.push(canonical);
            self.folder(&entry.path(), names, inside);
            inside.pop();
            names.pop();
        }
    }

    /// A folder link at `link`, reached as `names`, that leads out of the app to
    /// `target`: refused when an element would be declared there, otherwise skipped.
    fn outward_folder(&mut self, link: &Path, target: &Path, names: &[String]) {
        if names.len() < MIN_ELEMENT_DEPTH || !target.join("e.json").is_file() {
            return;
        }
        let full_name = names.join(".");
        let err = refused(&full_name, link, target, &self.canonical_root);
        self.record(Declared::failed(full_name, link.to_path_buf(), err));
    }

    /// Records `dir/e.json`, if there is one, as the element `names`, unread. `listed` is
    /// the type its folder's listing gave; without it, the file is looked up.
    fn element_file(&mut self, dir: &Path, names: &[String], listed: Option<FileType>) {
        let file = dir.join("e.json");
        let file_type = match listed {
            Some(file_type) => file_type,
            None => match std::fs::symlink_metadata(&file) {
                Ok(meta) => meta.file_type(),
                Err(_) => return,
            },
        };
        let full_name = names.join(".");
        let element = if file_type.is_symlink() {
            match file.canonicalize() {
                Ok(target) if outside_root(&target, &self.canonical_root) => {
                    let err = refused(&full_name, &file, &target, &self.canonical_root);
                    Declared::failed(full_name, file, err)
                }
                // Inside the app, or leading nowhere (reading it says so).
                _ => Declared::unread(full_name, file, &self.root, false),
            }
        } else if file_type.is_dir() {
            let err = not_a_file(&full_name, &file);
            Declared::failed(full_name, file, err)
        } else {
            Declared::unread(full_name, file, &self.root, file_type.is_file())
        };
        self.record(element);
    }

    /// Keeps `element`, unless another folder already claimed its fullName (then neither
    /// is usable: the name keeps an error naming the first folder's file and this one).
    fn record(&mut self, element: Declared) {
        let Some(earlier) = self.found.get(element.full_name()) else {
            self.found.insert(element.full_name().to_string(), element);
            return;
        };
        let full_name = element.full_name().to_string();
        let first = self
            .first_files
            .entry(full_name.clone())
            .or_insert_with(|| earlier.file().to_path_buf());
        let err = ElementError::new(
            ElementErrorKind::DuplicateElement,
            format!("{} declares the same fullName", first.display()),
        )
        .with_element(&full_name)
        .with_file(element.file());
        let file = element.file().to_path_buf();
        self.found
            .insert(full_name.clone(), Declared::failed(full_name, file, err));
    }
}

/// The error for an element whose folder or `e.json` (`link`) leads out of the app.
fn refused(full_name: &str, link: &Path, target: &Path, root: &Path) -> ElementError {
    link_outside(link, target, root, ElementErrorKind::InvalidDeclaration).with_element(full_name)
}
