//! [`SvcError`]: what a StorageSvc method fails with — a kind a caller (and the HTTP
//! layer, through [`SvcError::http_status`]) can match, the method, the file and storage
//! it was about, and the cause (a [`StorageError`](jit_storage::StorageError) keeps the
//! element, Type, operation, key, remote code and request id).

use std::error::Error as StdError;
use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong, for callers to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SvcErrorKind {
    /// No such recorded file, or it expired (HTTP 404).
    NotFound,
    /// A parameter is missing or wrong: a bad file name, width, md5, expires… (HTTP 400).
    BadInput,
    /// The caller may not do this (HTTP 403); raised by the HTTP layer's hook.
    Forbidden,
    /// The file is not an image a thumbnail can be made of (HTTP 415).
    NotAnImage,
    /// Over a limit: upload size, image dimensions or bytes (HTTP 413).
    TooLarge,
    /// The Range cannot be satisfied (HTTP 416).
    RangeNotSatisfiable,
    /// The storage cannot do it, e.g. presign without a signing key (HTTP 501).
    Unsupported,
    /// The storage failed; the cause is the [`StorageError`](jit_storage::StorageError).
    Storage,
    /// The record store (SQLite or PostgreSQL) failed (HTTP 500).
    Records,
    /// The service's settings or an element are misconfigured (HTTP 500).
    Config,
}

/// A StorageSvc error.
#[derive(Debug)]
pub struct SvcError {
    kind: SvcErrorKind,
    method: &'static str,
    message: String,
    file: Option<String>,
    storage: Option<String>,
    /// Boxed, and empty for most errors: kept small, as every Result of the crate
    /// carries it.
    details: Box<Details>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

/// What only some errors carry.
#[derive(Debug, Default)]
struct Details {
    /// The configuration file and field of a Config error.
    setting: Option<(PathBuf, String)>,
    /// The object's size, for a RangeNotSatisfiable answer.
    object_size: Option<u64>,
}

/// The result of StorageSvc methods.
pub type SvcResult<T> = Result<T, SvcError>;

impl SvcError {
    /// A new error of `kind` in `method` (JitAi's name, e.g. `uploadByFile`).
    pub fn new(kind: SvcErrorKind, method: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            method,
            message: message.into(),
            file: None,
            storage: None,
            details: Box::default(),
            source: None,
        }
    }

    /// Names the file the call was about.
    pub fn with_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Names the storage element the call was about.
    pub fn with_storage(mut self, storage: impl Into<String>) -> Self {
        self.storage = Some(storage.into());
        self
    }

    /// Names the configuration file and the field a [`SvcErrorKind::Config`] error is
    /// about (`app.json`, `settings.storageService.databaseUrl`).
    pub fn with_setting(mut self, file: impl Into<PathBuf>, field: impl Into<String>) -> Self {
        self.details.setting = Some((file.into(), field.into()));
        self
    }

    /// Carries the object's size: a [`SvcErrorKind::RangeNotSatisfiable`] answer says
    /// `Content-Range: bytes */<size>` with it.
    pub fn with_object_size(mut self, size: u64) -> Self {
        self.details.object_size = Some(size);
        self
    }

    /// Keeps the cause.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> SvcErrorKind {
        self.kind
    }

    /// JitAi's name of the method that failed.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The message, without the cause.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file the call was about.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The storage element the call was about.
    pub fn storage(&self) -> Option<&str> {
        self.storage.as_deref()
    }

    /// The configuration file a [`SvcErrorKind::Config`] error is about.
    pub fn config_file(&self) -> Option<&Path> {
        self.details
            .setting
            .as_ref()
            .map(|(file, _)| file.as_path())
    }

    /// The field of [`SvcError::config_file`] the error is about.
    pub fn field(&self) -> Option<&str> {
        self.details
            .setting
            .as_ref()
            .map(|(_, field)| field.as_str())
    }

    /// The object's size, when the error carries it (see
    /// [`SvcError::with_object_size`]).
    pub fn object_size(&self) -> Option<u64> {
        self.details.object_size
    }

    /// The storage error behind a [`SvcErrorKind::Storage`] error.
    pub fn storage_error(&self) -> Option<&jit_storage::StorageError> {
        self.source.as_deref()?.downcast_ref()
    }

    /// The HTTP status this error is answered with.
    pub fn http_status(&self) -> u16 {
        use jit_storage::StorageErrorKind as S;
        match self.kind {
            SvcErrorKind::NotFound => 404,
            SvcErrorKind::BadInput => 400,
            SvcErrorKind::Forbidden => 403,
            SvcErrorKind::NotAnImage => 415,
            SvcErrorKind::TooLarge => 413,
            SvcErrorKind::RangeNotSatisfiable => 416,
            SvcErrorKind::Unsupported => 501,
            SvcErrorKind::Records | SvcErrorKind::Config => 500,
            SvcErrorKind::Storage => match self.storage_error().map(|e| e.kind()) {
                Some(S::NotFound) => 404,
                Some(S::InvalidArgument) => 400,
                Some(S::PermissionDenied) => 403,
                Some(S::Unsupported) => 501,
                Some(S::Conflict) => 409,
                Some(S::RateLimited) => 503,
                Some(S::Timeout) => 504,
                _ => 502,
            },
        }
    }
}

impl fmt::Display for SvcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StorageSvc.{}", self.method)?;
        if let Some(file) = &self.file {
            write!(f, " {file:?}")?;
        }
        if let Some(storage) = &self.storage {
            write!(f, " on {storage}")?;
        }
        if let Some((file, field)) = &self.details.setting {
            write!(f, ": {} {field}", file.display())?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl StdError for SvcError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}
