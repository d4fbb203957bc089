//! The element layer's error: what went wrong while declaring, resolving or loading an
//! element, with the element's fullName, the file and the field it concerns.

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What kind of failure an [`ElementError`] is; match on it rather than on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementErrorKind {
    /// No element of that fullName is declared in the app or its parents.
    NotFound,
    /// An `e.json` or `app.json` is malformed, misses a required field or has a field of
    /// the wrong JSON type.
    InvalidDeclaration,
    /// The element's business configuration (`<Name>.json` over its Types' defaults) is
    /// invalid: malformed, or refused by the Type (a missing or mistyped field).
    InvalidConfig,
    /// A `type` names nothing that is declared or registered.
    UnknownType,
    /// The `type` links of `e.json` files loop (A → B → A).
    TypeCycle,
    /// Loading an element needs that element itself, directly or through others (a
    /// wrapper whose config names itself, or A's factory loads B while B's loads A).
    LoadCycle,
    /// Two element folders claim the same fullName.
    DuplicateElement,
    /// A `{{VAR}}` / `${VAR}` reference names a variable that is not declared (in
    /// `e.json` `variables` or `app.json` `envVars`) nor chosen by the host, or one that
    /// has no value anywhere.
    UnresolvedVariable,
    /// The element is a Meta (or otherwise cannot be instantiated).
    NotInstantiable,
    /// The element loaded, but it is not of the family the caller asked for.
    WrongFamily,
    /// Reading a file failed.
    Io,
    /// The Type's factory refused to build the element (see the source for details).
    Build,
}

impl ElementErrorKind {
    /// A short human label, used in Display.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotFound => "element not found",
            Self::InvalidDeclaration => "invalid declaration",
            Self::InvalidConfig => "invalid config",
            Self::UnknownType => "unknown type",
            Self::TypeCycle => "type cycle",
            Self::LoadCycle => "load cycle",
            Self::DuplicateElement => "duplicate element",
            Self::UnresolvedVariable => "unresolved variable",
            Self::NotInstantiable => "not instantiable",
            Self::WrongFamily => "wrong family",
            Self::Io => "I/O error",
            Self::Build => "cannot build element",
        }
    }
}

impl fmt::Display for ElementErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An error of the element layer. Cheap to clone, so a broken declaration can be reported
/// to every caller that asks for it.
///
/// Display is one line a person can act on, e.g.
/// `storages.MyOss: invalid config: missing field (file app/storages/MyOss/MyOss.json, field "bucketName")`.
#[derive(Clone)]
pub struct ElementError {
    kind: ElementErrorKind,
    full_name: Option<String>,
    file: Option<PathBuf>,
    field: Option<String>,
    message: String,
    source: Option<Arc<dyn StdError + Send + Sync>>,
}

/// Result alias of the element layer.
pub type ElementResult<T> = Result<T, ElementError>;

impl ElementError {
    /// A new error of `kind` with a message.
    pub fn new(kind: ElementErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            full_name: None,
            file: None,
            field: None,
            message: message.into(),
            source: None,
        }
    }

    /// Sets the element's fullName (kept if already set).
    pub fn with_element(mut self, full_name: impl Into<String>) -> Self {
        if self.full_name.is_none() {
            self.full_name = Some(full_name.into());
        }
        self
    }

    /// Sets the file the error is about (kept if already set).
    pub fn with_file(mut self, file: impl AsRef<Path>) -> Self {
        if self.file.is_none() {
            self.file = Some(file.as_ref().to_path_buf());
        }
        self
    }

    /// Sets the field the error is about (kept if already set).
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        if self.field.is_none() {
            self.field = Some(field.into());
        }
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Attaches an already shared cause.
    pub fn with_shared_source(mut self, source: Arc<dyn StdError + Send + Sync>) -> Self {
        self.source = Some(source);
        self
    }

    /// The kind to match on.
    pub fn kind(&self) -> ElementErrorKind {
        self.kind
    }

    /// The fullName of the element concerned, when known.
    pub fn full_name(&self) -> Option<&str> {
        self.full_name.as_deref()
    }

    /// The file concerned, when known.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The field concerned (a JSON path such as `bucketName` or `variables[0].name`).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The message, without the element, file and field decorations.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The underlying cause, shared.
    pub fn shared_source(&self) -> Option<&Arc<dyn StdError + Send + Sync>> {
        self.source.as_ref()
    }

    /// Looks for a cause of type `E` in the source chain (e.g. a family's own error type
    /// returned by a factory).
    pub fn find_source<E: StdError + 'static>(&self) -> Option<&E> {
        let mut current: Option<&(dyn StdError + 'static)> = self
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static));
        while let Some(err) = current {
            if let Some(found) = err.downcast_ref::<E>() {
                return Some(found);
            }
            current = err.source();
        }
        None
    }

    pub(crate) fn io(file: &Path, err: std::io::Error) -> Self {
        Self::new(ElementErrorKind::Io, format!("cannot read: {err}"))
            .with_file(file)
            .with_source(err)
    }
}

impl fmt::Display for ElementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.full_name {
            write!(f, "{name}: ")?;
        }
        write!(f, "{}: {}", self.kind, self.message)?;
        match (&self.file, &self.field) {
            (Some(file), Some(field)) => {
                write!(f, " (file {}, field \"{field}\")", file.display())
            }
            (Some(file), None) => write!(f, " (file {})", file.display()),
            (None, Some(field)) => write!(f, " (field \"{field}\")"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Debug for ElementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElementError")
            .field("kind", &self.kind)
            .field("full_name", &self.full_name)
            .field("file", &self.file)
            .field("field", &self.field)
            .field("message", &self.message)
            .field("source", &self.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl StdError for ElementError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
