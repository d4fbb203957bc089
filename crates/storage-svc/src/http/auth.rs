//! Who may write: the [`AccessHook`] the host plugs in, deciding from the request headers
//! whether a caller may upload, sign or delete ([`Action`]), and the two hooks shipped
//! here: [`AllowAll`] and [`BearerToken`]. Reads (preview, thumbnails, download) are open
//! for recorded files, as JitAi's are, and never reach the hook.

use async_trait::async_trait;
use axum::http::HeaderMap;

/// What a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// uploadByFile.
    Upload,
    /// getSignUrl (a direct upload to the storage).
    Sign,
    /// delete.
    Delete,
}

impl Action {
    /// JitAi's name of the method the action is asked through.
    pub fn method(self) -> &'static str {
        match self {
            Action::Upload => "uploadByFile",
            Action::Sign => "getSignUrl",
            Action::Delete => "delete",
        }
    }
}

/// Who the hook let through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Caller {
    /// The user's id, recorded as the file's `uploadUser`; `None`: anonymous.
    pub user: Option<String>,
}

impl Caller {
    /// An anonymous caller.
    pub fn anonymous() -> Self {
        Caller { user: None }
    }

    /// A caller known as `user`.
    pub fn user(user: impl Into<String>) -> Self {
        Caller {
            user: Some(user.into()),
        }
    }
}

/// Why the hook refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessDenied {
    /// No credentials, or wrong ones: HTTP 401 with `WWW-Authenticate: Bearer`.
    #[error("{0}")]
    Unauthorized(String),
    /// Known, but not allowed: HTTP 403.
    #[error("{0}")]
    Forbidden(String),
}

impl AccessDenied {
    /// The HTTP status the refusal is answered with.
    pub fn http_status(&self) -> u16 {
        match self {
            AccessDenied::Unauthorized(_) => 401,
            AccessDenied::Forbidden(_) => 403,
        }
    }

    /// The kind named in the error envelope (`Unauthorized` or `Forbidden`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            AccessDenied::Unauthorized(_) => "Unauthorized",
            AccessDenied::Forbidden(_) => "Forbidden",
        }
    }
}

/// Decides who may upload, sign and delete. Called before the request's body is read.
#[async_trait]
pub trait AccessHook: Send + Sync {
    /// Lets the request through as a [`Caller`], or refuses it.
    async fn check(&self, action: Action, headers: &HeaderMap) -> Result<Caller, AccessDenied>;
}

/// Lets everyone write, anonymously. For a service only the host itself can reach.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAll;

#[async_trait]
impl AccessHook for AllowAll {
    async fn check(&self, _: Action, _: &HeaderMap) -> Result<Caller, AccessDenied> {
        Ok(Caller::anonymous())
    }
}

/// Lets through requests carrying `Authorization: Bearer <token>` with the one token
/// configured (compared in constant time); the token never appears in Debug output,
/// errors or logs.
#[derive(Clone)]
pub struct BearerToken {
    token: Vec<u8>,
    user: Option<String>,
}

impl BearerToken {
    /// Requires `token`; callers are anonymous.
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken {
            token: token.into().into_bytes(),
            user: None,
        }
    }

    /// Records the callers holding the token as `user`.
    pub fn with_user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"…")
            .field("user", &self.user)
            .finish()
    }
}

#[async_trait]
impl AccessHook for BearerToken {
    async fn check(&self, action: Action, headers: &HeaderMap) -> Result<Caller, AccessDenied> {
        let given = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| bearer(v.as_bytes()));
        let Some(given) = given else {
            return Err(AccessDenied::Unauthorized(format!(
                "{} needs Authorization: Bearer <token>",
                action.method()
            )));
        };
        if !constant_time_eq(given, &self.token) {
            return Err(AccessDenied::Unauthorized(format!(
                "{}: the bearer token is not accepted",
                action.method()
            )));
        }
        Ok(Caller {
            user: self.user.clone(),
        })
    }
}

/// The token of an `Authorization: Bearer <token>` value (scheme case-insensitive).
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at(value.len().min(7));
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// Compares two byte strings in time that depends on their lengths only, not on where
/// they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u64::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= u64::from(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(a) = auth {
            h.insert(axum::http::header::AUTHORIZATION, a.parse().unwrap());
        }
        h
    }

    #[tokio::test]
    async fn bearer_token_lets_the_token_through_and_nothing_else() {
        let hook = BearerToken::new("s3cret-token").with_user("alice");
        let ok = hook
            .check(Action::Upload, &headers(Some("Bearer s3cret-token")))
            .await;
        assert_eq!(ok, Ok(Caller::user("alice")));
        let lower = hook
            .check(Action::Sign, &headers(Some("bearer s3cret-token")))
            .await;
        assert!(lower.is_ok());
        for bad in [
            None,
            Some("Bearer s3cret-tokem"),
            Some("Bearer s3cret-token2"),
            Some("Bearer "),
            Some("Basic s3cret-token"),
            Some("s3cret-token"),
        ] {
            let denied = hook.check(Action::Delete, &headers(bad)).await.unwrap_err();
            assert_eq!(denied.http_status(), 401, "{bad:?}");
            assert!(!denied.to_string().contains("s3cret"), "{denied}");
        }
    }

    #[test]
    fn the_token_is_not_in_debug() {
        let text = format!("{:?}", BearerToken::new("s3cret-token"));
        assert!(!text.contains("s3cret"), "{text}");
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }
}
