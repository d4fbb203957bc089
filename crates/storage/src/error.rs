//! The storage family's error: a matchable kind, the element (fullName and Type), the
//! operation and key, the server's code and request id for remote Types, and the cause.

use std::error::Error as StdError;
use std::fmt;

/// What kind of failure a [`StorageError`] is; match on it rather than on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageErrorKind {
    /// The object (or the bucket) does not exist.
    NotFound,
    /// Credentials are wrong, expired or lack the permission.
    PermissionDenied,
    /// The caller passed something unusable (bad object name, expiry out of range, …).
    InvalidArgument,
    /// The element's configuration cannot work.
    InvalidConfig,
    /// The operation's precondition failed (e.g. append position mismatch).
    Conflict,
    /// The data received or stored does not match its checksum.
    IntegrityMismatch,
    /// Could not reach the service, or the connection broke.
    Network,
    /// The service did not answer in time.
    Timeout,
    /// The service asks us to slow down.
    RateLimited,
    /// The service failed (5xx) or answered something unintelligible.
    Server,
    /// This Type does not support the operation.
    Unsupported,
    /// A local file-system operation failed.
    Io,
    /// Anything else.
    Unexpected,
}

impl fmt::Display for StorageErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// What a remote service said about a failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteError {
    /// HTTP status.
    pub status: Option<u16>,
    /// The service's error code, e.g. `NoSuchKey`.
    pub code: Option<String>,
    /// The request id, e.g. OSS's `x-oss-request-id`.
    pub request_id: Option<String>,
    /// The host id, when the service gives one.
    pub host_id: Option<String>,
}

/// An error of the storage family.
///
/// Display reads like
/// `storages.MyOss (storages.OssType): download "a/b.txt": NotFound (NoSuchKey, request 5F3…): The specified key does not exist.`
pub struct StorageError {
    inner: Box<ErrorInner>,
}

struct ErrorInner {
    kind: StorageErrorKind,
    message: String,
    element: Option<String>,
    type_name: Option<String>,
    operation: Option<&'static str>,
    key: Option<String>,
    remote: Option<RemoteError>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// Result alias of the storage family.
pub type StorageResult<T> = Result<T, StorageError>;

impl StorageError {
    /// A new error of `kind` with a message.
    pub fn new(kind: StorageErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(ErrorInner {
                kind,
                message: message.into(),
                element: None,
                type_name: None,
                operation: None,
                key: None,
                remote: None,
                source: None,
            }),
        }
    }

    /// Shorthand for [`StorageErrorKind::InvalidArgument`].
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StorageErrorKind::InvalidArgument, message)
    }

    /// Shorthand for [`StorageErrorKind::NotFound`].
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StorageErrorKind::NotFound, message)
    }

    /// Shorthand for [`StorageErrorKind::Unsupported`].
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(StorageErrorKind::Unsupported, message)
    }

    /// An [`StorageErrorKind::Io`] error (or NotFound / PermissionDenied when the I/O
    /// error says so) wrapping `err`.
    pub fn io(message: impl Into<String>, err: std::io::Error) -> Self {
        let kind = match err.kind() {
            std::io::ErrorKind::NotFound => StorageErrorKind::NotFound,
            std::io::ErrorKind::PermissionDenied => StorageErrorKind::PermissionDenied,
            _ => StorageErrorKind::Io,
        };
        Self::new(kind, message).with_source(err)
    }

    /// Sets the element identity (kept if already set).
    pub fn with_element(
        mut self,
        full_name: impl Into<String>,
        type_name: impl Into<String>,
    ) -> Self {
        if self.inner.element.is_none() {
            self.inner.element = Some(full_name.into());
            self.inner.type_name = Some(type_name.into());
        }
        self
    }

    /// The same failure as seen by an element that delegated to the one this error names
    /// (e.g. a wrapper Type): a new error of the same kind and remote details, naming
    /// nothing yet, whose message and source are this error.
    pub fn nested(self) -> Self {
        let mut outer = Self::new(self.inner.kind, format!("via {self}"));
        outer.inner.remote = self.inner.remote.clone();
        outer.inner.source = Some(Box::new(self));
        outer
    }

    /// Sets the operation and the key it was about (kept if already set).
    pub fn with_operation(mut self, operation: &'static str, key: Option<&str>) -> Self {
        if self.inner.operation.is_none() {
            self.inner.operation = Some(operation);
            self.inner.key = key.map(str::to_string);
        }
        self
    }

    /// Names the operation the caller asked for, replacing one stamped by a layer below
    /// (a [`download`](crate::StorageMetaExt::download) that failed in its `get` reads
    /// as `download`); the key is set if none is.
    pub fn in_operation(mut self, operation: &'static str, key: &str) -> Self {
        self.inner.operation = Some(operation);
        if self.inner.key.is_none() {
            self.inner.key = Some(key.to_string());
        }
        self
    }

    /// The same error, saying that it is the last of `attempts` attempts.
    pub fn after_attempts(mut self, attempts: u32) -> Self {
        let message = &mut self.inner.message;
        if message.is_empty() {
            *message = format!("gave up after {attempts} attempts");
        } else {
            *message = format!("{message} (gave up after {attempts} attempts)");
        }
        self
    }

    /// The same error, saying why it was not tried again although it was worth it
    /// (e.g. its request body was a one-shot stream).
    pub fn not_retried(mut self, reason: &str) -> Self {
        let message = &mut self.inner.message;
        if message.is_empty() {
            *message = format!("not retried: {reason}");
        } else {
            *message = format!("{message} (not retried: {reason})");
        }
        self
    }

    /// Attaches what the remote service said.
    pub fn with_remote(mut self, remote: RemoteError) -> Self {
        self.inner.remote = Some(remote);
        self
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.inner.source = Some(Box::new(source));
        self
    }

    /// The kind to match on.
    pub fn kind(&self) -> StorageErrorKind {
        self.inner.kind
    }

    /// The message, without decorations.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The element's fullName, e.g. `storages.MyOss`.
    pub fn element(&self) -> Option<&str> {
        self.inner.element.as_deref()
    }

    /// The element's Type, e.g. `storages.OssType`.
    pub fn type_name(&self) -> Option<&str> {
        self.inner.type_name.as_deref()
    }

    /// The operation, e.g. `download`.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation
    }

    /// The object key concerned.
    pub fn key(&self) -> Option<&str> {
        self.inner.key.as_deref()
    }

    /// What the remote service said, for remote Types.
    pub fn remote(&self) -> Option<&RemoteError> {
        self.inner.remote.as_ref()
    }

    /// The server's error code (e.g. `NoSuchKey`), if any.
    pub fn code(&self) -> Option<&str> {
        self.inner.remote.as_ref().and_then(|r| r.code.as_deref())
    }

    /// The server's request id, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.inner
            .remote
            .as_ref()
            .and_then(|r| r.request_id.as_deref())
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.inner.element, &self.inner.type_name) {
            (Some(e), Some(t)) => write!(f, "{e} ({t}): ")?,
            (Some(e), None) => write!(f, "{e}: ")?,
            _ => {}
        }
        if let Some(op) = self.inner.operation {
            match &self.inner.key {
                Some(key) => write!(f, "{op} {key:?}: ")?,
                None => write!(f, "{op}: ")?,
            }
        }
        write!(f, "{}", self.inner.kind)?;
        if let Some(remote) = &self.inner.remote {
            let mut parts = Vec::new();
            if let Some(code) = &remote.code {
                parts.push(code.clone());
            } else if let Some(status) = remote.status {
                parts.push(format!("HTTP {status}"));
            }
            if let Some(id) = &remote.request_id {
                parts.push(format!("request {id}"));
            }
            if !parts.is_empty() {
                write!(f, " ({})", parts.join(", "))?;
            }
        }
        if !self.inner.message.is_empty() {
            write!(f, ": {}", self.inner.message)?;
        }
        Ok(())
    }
}

impl fmt::Debug for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageError")
            .field("kind", &self.inner.kind)
            .field("element", &self.inner.element)
            .field("type_name", &self.inner.type_name)
            .field("operation", &self.inner.operation)
            .field("key", &self.inner.key)
            .field("remote", &self.inner.remote)
            .field("message", &self.inner.message)
            .field("source", &self.inner.source.as_ref().map(|s| s.to_string()))
            .finish()
    }
}

impl StdError for StorageError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_the_issue_example() {
        let err = StorageError::not_found("")
            .with_remote(RemoteError {
                status: Some(404),
                code: Some("NoSuchKey".into()),
                request_id: Some("5F3A".into()),
                host_id: None,
            })
            .with_operation("download", Some("a/b.txt"))
            .with_element("storages.MyOss", "storages.OssType");
        assert_eq!(
            err.to_string(),
            r#"storages.MyOss (storages.OssType): download "a/b.txt": NotFound (NoSuchKey, request 5F3A)"#
        );
        assert_eq!(err.code(), Some("NoSuchKey"));
        assert_eq!(err.request_id(), Some("5F3A"));
    }

    #[test]
    fn nested_errors_name_the_outer_element_and_keep_the_inner() {
        let inner = StorageError::not_found("no object")
            .with_operation("get", Some("tenants/acme/a.txt"))
            .with_element("storages.Default", "storages.DiskType");
        let outer = inner
            .nested()
            .with_operation("download", Some("a.txt"))
            .with_element("storages.AcmeFiles", "storages.TenantType");
        assert_eq!(outer.kind(), StorageErrorKind::NotFound);
        assert_eq!(outer.element(), Some("storages.AcmeFiles"));
        assert_eq!(
            outer.to_string(),
            r#"storages.AcmeFiles (storages.TenantType): download "a.txt": NotFound: via storages.Default (storages.DiskType): get "tenants/acme/a.txt": NotFound: no object"#
        );
        let source = StdError::source(&outer).expect("the inner error");
        assert!(source.to_string().starts_with("storages.Default"));
    }

    #[test]
    fn context_is_set_once() {
        let err = StorageError::invalid_argument("bad")
            .with_element("storages.A", "storages.DiskType")
            .with_element("storages.B", "storages.OssType")
            .with_operation("delete", Some("k"))
            .with_operation("download", None);
        assert_eq!(err.element(), Some("storages.A"));
        assert_eq!(err.operation(), Some("delete"));
        assert_eq!(err.key(), Some("k"));
    }
}
