//! Finding element folders: walks an app (and the apps it extends) for
//! `<family>/<Name>/e.json`, producing declarations without instantiating anything. A
//! broken folder is recorded as that element's error; it never stops the others.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use crate::declaration::Declaration;
use crate::error::{ElementError, ElementErrorKind};
use crate::json_file::read_text;

/// Folder names never searched for elements.
const SKIPPED_DIRS: &[&str] = &["target", "node_modules", "__pycache__"];

/// What one app folder declares.
#[derive(Debug, Default)]
pub(crate) struct Discovered {
    pub declarations: HashMap<String, Arc<Declaration>>,
    pub broken: HashMap<String, ElementError>,
}

/// Walks `root` for `e.json` files at depth two or more (`family/Name/e.json`).
pub(crate) fn discover(root: &Path) -> Discovered {
    let mut found = Discovered::default();
    let mut files_by_name: HashMap<String, PathBuf> = HashMap::new();
    let walker = WalkDir::new(root)
        .min_depth(1)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            !(e.file_type().is_dir()
                && (name.starts_with('.') || SKIPPED_DIRS.contains(&name.as_ref())))
        });
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            // An unreadable sub-folder hides only what is inside it.
            Err(_) => continue,
        };
        if entry.file_name() != "e.json" || entry.depth() < 3 {
            continue;
        }
        let file = entry.path().to_path_buf();
        let Some(full_name) = full_name_of(root, &file) else {
            continue;
        };
        if let Some(first) = files_by_name.get(&full_name) {
            let err = ElementError::new(
                ElementErrorKind::DuplicateElement,
                format!("{} declares the same fullName", first.display()),
            )
            .with_element(&full_name)
            .with_file(&file);
            found.declarations.remove(&full_name);
            found.broken.insert(full_name, err);
            continue;
        }
        files_by_name.insert(full_name.clone(), file.clone());
        match read_declaration(&full_name, &file, root) {
            Ok(decl) => {
                found.declarations.insert(full_name, Arc::new(decl));
            }
            Err(err) => {
                found.broken.insert(full_name, err);
            }
        }
    }
    found
}

/// `storages/MyOss/e.json` under `root` → `storages.MyOss`.
fn full_name_of(root: &Path, e_json: &Path) -> Option<String> {
    let dir = e_json.parent()?.strip_prefix(root).ok()?;
    let parts: Vec<String> = dir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (parts.len() >= 2).then(|| parts.join("."))
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
                ElementError::new(ElementErrorKind::Io, "the file disappeared while loading")
                    .with_file(file)
            })
        })
        .map_err(|e| e.with_element(full_name))?;
    Declaration::parse(full_name, &text, file, root)
}
