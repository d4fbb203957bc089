//! Credentials: the access key pair and optional STS security token.
//!
//! Secrets are wrapped in [`Secret`], whose `Debug` and `Display` print `***`, so a
//! credential can be logged or put in an error without leaking.

use std::fmt;

/// A secret string (access key secret, STS token). Prints as `***`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself. Call only where the value is really needed (signing).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An access key pair, optionally with an STS security token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The public access key id (`LTAI…`, or `STS.…` for temporary keys).
    pub access_key_id: String,
    /// The access key secret.
    pub access_key_secret: Secret,
    /// The STS security token, for temporary credentials.
    pub security_token: Option<Secret>,
}

impl Credentials {
    /// Long-term credentials without a token.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            security_token: None,
        }
    }

    /// Temporary (STS) credentials with a security token.
    pub fn with_token(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            security_token: Some(Secret::new(security_token)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = Credentials::with_token("ak", "very-secret", "tok-en");
        let dbg = format!("{c:?}");
        assert!(dbg.contains("ak"));
        assert!(!dbg.contains("very-secret"));
        assert!(!dbg.contains("tok-en"));
        assert_eq!(format!("{}", c.access_key_secret), "***");
        assert_eq!(c.access_key_secret.expose(), "very-secret");
    }
}
