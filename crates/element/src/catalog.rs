//! The catalog of an app's declarations, read lazily.
//!
//! Opening an app only finds its element folders (`discover.rs`); an `e.json` is read
//! and parsed the first time something needs what it says, once, and the outcome — the
//! [`Declaration`] or its error — is kept for the app's life. Asking for one element
//! reads its `e.json` (and those of the declared Types on its chain); what needs every
//! declaration — the sorted list, the problems, which declared elements some other one
//! names as its `type` — reads all the files not read yet and keeps the answer. (They are
//! read on the calling thread: reading them on two threads was measured on a shared
//! 2-core machine and cost more CPU for no shorter wall time.)
//!
//! Decided when the app is opened, without reading any `e.json`: each element's fullName
//! (its folder path), which folders claim the same fullName (duplicates), which
//! `e.json` or element folder is a link leading out of the app, an `e.json` that is a
//! folder, and which layer (the app or an app it `extends`) an element comes from.
//! Builtin elements (registered in code, no folder) are entries whose declaration is
//! known from the start; a folder of the same fullName replaces one.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::declaration::Declaration;
use crate::error::{ElementError, ElementErrorKind};
use crate::json_file::read_text;

/// What an `e.json` gave: its declaration, or why the element cannot be used.
pub(crate) type Parsed = Result<Arc<Declaration>, ElementError>;

/// One element folder found by discovery: where its `e.json` is and, once read, what it
/// declares.
pub(crate) struct Declared {
    full_name: String,
    file: PathBuf,
    /// The folder of the app declaring it, shared by all of that app's elements.
    app_root: Arc<Path>,
    /// The `e.json` was not listed as a regular file (it is a link inside the app, or of
    /// an unknown type): whether it is a folder is asked when it is read.
    check_dir: bool,
    parsed: OnceLock<Parsed>,
}

impl Declared {
    /// An element whose `e.json` (`file`, in the app folder `app_root`) is read when
    /// first needed; `listed_as_file` says the folder listing showed a regular file.
    pub(crate) fn unread(
        full_name: String,
        file: PathBuf,
        app_root: &Arc<Path>,
        listed_as_file: bool,
    ) -> Self {
        Self {
            full_name,
            file,
            app_root: app_root.clone(),
            check_dir: !listed_as_file,
            parsed: OnceLock::new(),
        }
    }

    /// An element registered in code, declared by `decl` (nothing to read).
    pub(crate) fn builtin(decl: Declaration) -> Self {
        Self {
            full_name: decl.full_name.clone(),
            file: decl.file.clone(),
            app_root: Arc::from(decl.app_root.as_path()),
            check_dir: false,
            parsed: OnceLock::from(Ok(Arc::new(decl))),
        }
    }

    /// An element already known to be unusable (refused link, duplicate, …).
    pub(crate) fn failed(full_name: String, file: PathBuf, err: ElementError) -> Self {
        Self {
            full_name,
            file,
            app_root: Arc::from(Path::new("")),
            check_dir: false,
            parsed: OnceLock::from(Err(err)),
        }
    }

    /// The element's fullName.
    pub(crate) fn full_name(&self) -> &str {
        &self.full_name
    }

    /// The `e.json` file (or the link standing for it).
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    /// The declaration, read and parsed on the first call.
    pub(crate) fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            read_declaration(&self.full_name, &self.file, &self.app_root, self.check_dir)
                .map(Arc::new)
        })
    }
}

/// The error for an `e.json` that is a folder.
pub(crate) fn not_a_file(full_name: &str, file: &Path) -> ElementError {
    ElementError::new(
        ElementErrorKind::InvalidDeclaration,
        "e.json is a directory, not a file",
    )
    .with_element(full_name)
    .with_file(file)
}

fn read_declaration(
    full_name: &str,
    file: &Path,
    root: &Path,
    check_dir: bool,
) -> Result<Declaration, ElementError> {
    if check_dir && file.is_dir() {
        return Err(not_a_file(full_name, file));
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

/// Every element an app declares (its own and inherited ones, a child's replacing its
/// parent's), each read on demand.
pub(crate) struct Catalog {
    elements: HashMap<String, Declared>,
    everything: OnceLock<Everything>,
}

/// What needs every declaration read; computed once.
struct Everything {
    /// The usable declarations, sorted by fullName.
    declarations: Vec<Arc<Declaration>>,
    /// The errors of the others, sorted by fullName.
    problems: Vec<ElementError>,
    /// The `type` of every usable declaration.
    named_types: HashSet<String>,
}

impl Catalog {
    /// The catalog of these elements, by fullName.
    pub(crate) fn new(elements: HashMap<String, Declared>) -> Self {
        Self {
            elements,
            everything: OnceLock::new(),
        }
    }

    /// The fullNames of every element found, usable or not. Reads nothing.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.elements.keys().map(String::as_str)
    }

    /// What `full_name`'s `e.json` declares (read now if it was not yet); `None` when no
    /// folder declares it.
    pub(crate) fn get(&self, full_name: &str) -> Option<&Parsed> {
        self.elements.get(full_name).map(Declared::parsed)
    }

    /// The usable declaration of `full_name`, if any.
    pub(crate) fn declaration(&self, full_name: &str) -> Option<Arc<Declaration>> {
        self.get(full_name)
            .and_then(|parsed| parsed.as_ref().ok().cloned())
    }

    /// Every usable declaration, sorted by fullName.
    pub(crate) fn declarations(&self) -> &[Arc<Declaration>] {
        &self.everything().declarations
    }

    /// The errors of the unusable ones, sorted by fullName.
    pub(crate) fn problems(&self) -> &[ElementError] {
        &self.everything().problems
    }

    /// Whether some usable declaration names `full_name` as its `type`.
    pub(crate) fn is_named_as_type(&self, full_name: &str) -> bool {
        self.everything().named_types.contains(full_name)
    }

    fn everything(&self) -> &Everything {
        self.everything.get_or_init(|| {
            let mut declarations = Vec::new();
            let mut problems = Vec::new();
            for declared in self.elements.values() {
                match declared.parsed() {
                    Ok(decl) => declarations.push(decl.clone()),
                    Err(err) => problems.push(err.clone()),
                }
            }
            declarations.sort_by(|a, b| a.full_name.cmp(&b.full_name));
            problems.sort_by(|a, b| a.full_name().cmp(&b.full_name()));
            let named_types = declarations.iter().map(|d| d.type_name.clone()).collect();
            Everything {
                declarations,
                problems,
                named_types,
            }
        })
    }
}
