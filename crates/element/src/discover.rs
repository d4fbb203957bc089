//! Finding element folders: walks an app (and, called once per layer, each app it
//! extends) for `<family>/<Name>/e.json`, producing declarations without instantiating
//! anything. A broken folder is recorded as that element's error; it never stops the
//! others.
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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::declaration::Declaration;
use crate::error::{ElementError, ElementErrorKind};
use crate::json_file::{link_outside, outside_root, read_text};

/// Folder names never searched for elements.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", "__pycache__"];

/// The fewest folders between an app's root and an `e.json`: `<family>/<Name>`.
pub const MIN_ELEMENT_DEPTH: usize = 2;

/// The most folders between an app's root and an `e.json` (`a/b/c/Name/e.json`); deeper
/// folders are not listed.
pub const MAX_ELEMENT_DEPTH: usize = 4;

/// What one app folder declares.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    pub declarations: HashMap<String, Arc<Declaration>>,
    pub broken: HashMap<String, ElementError>,
}

/// Walks `root` for `e.json` files [`MIN_ELEMENT_DEPTH`] to [`MAX_ELEMENT_DEPTH`] folders
/// deep, following only links that stay inside `root`.
pub(crate) fn discover(root: &Path) -> Discovered {
    let mut walk = Walk {
        root,
        // The builder has already canonicalized the root once; an app folder that cannot
        // be canonicalized has nothing to discover.
        canonical_root: match root.canonicalize() {
            Ok(canonical) => canonical,
            Err(_) => return Discovered::default(),
        },
        found: Discovered::default(),
        files_by_name: HashMap::new(),
    };
    let mut inside = vec![walk.canonical_root.clone()];
    walk.folder(root, &mut Vec::new(), &mut inside);
    walk.found
}

struct Walk<'a> {
    root: &'a Path,
    canonical_root: PathBuf,
    found: Discovered,
    files_by_name: HashMap<String, PathBuf>,
}

impl Walk<'_> {
    /// Visits `dir`, reached as `names` below the root; `inside` holds the canonical
    /// folders the walk is in, from the root down to `dir`.
    fn folder(&mut self, dir: &Path, names: &mut Vec<String>, inside: &mut Vec<PathBuf>) {
        if names.len() >= MIN_ELEMENT_DEPTH {
            self.element_file(dir, names);
        }
        if names.len() >= MAX_ELEMENT_DEPTH {
            return;
        }
        // An unreadable folder hides only what is inside it.
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_str()) {
                continue;
            }
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let canonical = if file_type.is_dir() {
                // Not a link: its canonical path is its parent's plus its name.
                let parent = inside.last().cloned().unwrap_or_default();
                parent.join(&name)
            } else if file_type.is_symlink() {
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
            self.folder(&path, names, inside);
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
        self.record(full_name, link.to_path_buf(), Err(err));
    }

    /// Reads `dir/e.json`, if there is one, as the element `names`.
    fn element_file(&mut self, dir: &Path, names: &[String]) {
        let file = dir.join("e.json");
        let Ok(meta) = std::fs::symlink_metadata(&file) else {
            return;
        };
        let full_name = names.join(".");
        if meta.file_type().is_symlink() {
            if let Ok(target) = file.canonicalize() {
                if outside_root(&target, &self.canonical_root) {
                    let err = refused(&full_name, &file, &target, &self.canonical_root);
                    self.record(full_name, file, Err(err));
                    return;
                }
            }
        }
        let result = read_declaration(&full_name, &file, self.root);
        self.record(full_name, file, result);
    }

    /// Keeps what was found for `full_name` at `file`, unless another folder already
    /// claimed that fullName (then neither is usable).
    fn record(
        &mut self,
        full_name: String,
        file: PathBuf,
        result: Result<Declaration, ElementError>,
    ) {
        if let Some(first) = self.files_by_name.get(&full_name) {
            let err = ElementError::new(
                ElementErrorKind::DuplicateElement,
                format!("{} declares the same fullName", first.display()),
            )
            .with_element(&full_name)
            .with_file(&file);
            self.found.declarations.remove(&full_name);
            self.found.broken.insert(full_name, err);
            return;
        }
        self.files_by_name.insert(full_name.clone(), file);
        match result {
            Ok(decl) => {
                self.found.declarations.insert(full_name, Arc::new(decl));
            }
            Err(err) => {
                self.found.broken.insert(full_name, err);
            }
        }
    }
}

/// The error for an element whose folder or `e.json` (`link`) leads out of the app.
fn refused(full_name: &str, link: &Path, target: &Path, root: &Path) -> ElementError {
    link_outside(link, target, root, ElementErrorKind::InvalidDeclaration).with_element(full_name)
}

fn read_declaration(
    full_name: &str,
    file: &Path,
    root: &Path,
) -> Result<Declaration, ElementError> {
    if file.is_dir() {
        return Err(ElementError::new(
            ElementErrorKind::InvalidDeclaration,
            "e.json is a directory, not a file",
        )
        .with_element(full_name)
        .with_file(file));
    }
    let text = read_text(file, ElementErrorKind::InvalidDeclaration)
        .and_then(|text| {
            text.ok_or_else(|| {
                ElementError::new(
                    ElementErrorKind::Io,
                    "the file disappeared while loading (or is a link to nothing)",
                )
                .with_file(file)
            })
        })
        .map_err(|e| e.with_element(full_name))?;
    Declaration::parse(full_name, &text, file, root)
}
