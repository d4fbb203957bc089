//! Where an element's credentials come from: a [`CredentialsProvider`], asked for every
//! attempt of every request when it is signed (and for every presigned URL), so that
//! credentials which change — an STS token refreshed by the host, keys rotated in the
//! environment — are used from the next request on, even in the middle of a multipart
//! upload.
//!
//! The element's `"credentials"` key ([`CredentialsSource`]) picks the provider:
//! `"static"` (the default: `accessKeyId`, `accessKeySecret`, `securityToken` from the
//! config, [`StaticCredentials`]), `"environment"` ([`EnvironmentCredentials`]: the
//! Type's [`EnvironmentNames`], e.g. `ALIBABA_CLOUD_ACCESS_KEY_ID`,
//! `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN` for OssType, read
//! for every request) or `"host"` (the provider the host installed on the Type, e.g.
//! `OssType::with_credentials_provider`); [`provider`] makes the choice. Secrets are
//! [`Secret`](jit_oss_protocol::Secret)s: no Debug, Display or error shows them.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use jit_oss_protocol::{Credentials, Secret};
use jit_storage::{StorageError, StorageErrorKind, StorageResult};
use serde::Deserialize;

/// Credentials for signing, asked for every attempt of every request.
///
/// An implementation that refreshes temporary (STS) credentials should cache them and
/// refresh ahead of their expiry: this is called once per attempt, on the request's
/// task. Its `Debug` must not show secrets (the element's `Debug` includes it; keep
/// them in [`Secret`]s or [`Credentials`], whose `Debug` prints `***`). An error fails the attempt with that error; it is retried when the retry table
/// says so (a [`Network`](StorageErrorKind::Network) error, say), not when it is final
/// (e.g. [`PermissionDenied`](StorageErrorKind::PermissionDenied)).
///
/// ```
/// use jit_storage_cloud::{async_trait, Credentials, CredentialsProvider};
/// use jit_storage::StorageResult;
///
/// /// Credentials the host keeps up to date (e.g. from its STS client).
/// #[derive(Debug, Default)]
/// struct HostSts(std::sync::RwLock<Option<Credentials>>);
///
/// #[async_trait]
/// impl CredentialsProvider for HostSts {
///     async fn credentials(&self) -> StorageResult<Credentials> {
///         let current = self.0.read().unwrap_or_else(|e| e.into_inner()).clone();
///         current.ok_or_else(|| {
///             jit_storage::StorageError::new(
///                 jit_storage::StorageErrorKind::PermissionDenied,
///                 "no STS credentials yet",
///             )
///         })
///     }
/// }
/// ```
#[async_trait]
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// The credentials to sign the next attempt with.
    async fn credentials(&self) -> StorageResult<Credentials>;
}

/// Fixed credentials (the element's `accessKeyId`, `accessKeySecret`, `securityToken`).
#[derive(Debug, Clone)]
pub struct StaticCredentials(Credentials);

impl StaticCredentials {
    /// Always `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        Self(credentials)
    }
}

#[async_trait]
impl CredentialsProvider for StaticCredentials {
    async fn credentials(&self) -> StorageResult<Credentials> {
        Ok(self.0.clone())
    }
}

/// The environment variables a Type's credentials come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvironmentNames {
    /// The access key id (e.g. `ALIBABA_CLOUD_ACCESS_KEY_ID`).
    pub access_key_id: &'static str,
    /// The access key secret (e.g. `ALIBABA_CLOUD_ACCESS_KEY_SECRET`).
    pub access_key_secret: &'static str,
    /// The STS security token, optional (e.g. `ALIBABA_CLOUD_SECURITY_TOKEN`).
    pub security_token: &'static str,
}

/// Credentials from the process environment, read for every attempt: the variables
/// its [`EnvironmentNames`] name, the security token's unset or empty for none. A
/// missing or empty id or secret is an
/// [`InvalidConfig`](StorageErrorKind::InvalidConfig) error naming the variable.
#[derive(Debug, Clone, Copy)]
pub struct EnvironmentCredentials {
    names: EnvironmentNames,
}

impl EnvironmentCredentials {
    /// Credentials from the variables `names` names.
    pub fn new(names: EnvironmentNames) -> Self {
        Self { names }
    }

    /// The credentials `lookup` (a variable name → its value) describes.
    pub fn from_lookup(
        &self,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> StorageResult<Credentials> {
        let required = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    StorageError::new(
                        StorageErrorKind::InvalidConfig,
                        format!(
                            "environment variable {name} is not set (the element's credentials come from the environment)"
                        ),
                    )
                })
        };
        let access_key_id = required(self.names.access_key_id)?;
        let access_key_secret = Secret::new(required(self.names.access_key_secret)?);
        let security_token = lookup(self.names.security_token)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .map(Secret::new);
        Ok(Credentials {
            access_key_id,
            access_key_secret,
            security_token,
        })
    }
}

#[async_trait]
impl CredentialsProvider for EnvironmentCredentials {
    async fn credentials(&self) -> StorageResult<Credentials> {
        self.from_lookup(|name| std::env::var(name).ok())
    }
}

/// Where an element's credentials come from: its `"credentials"` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialsSource {
    /// `"static"` (the default): `accessKeyId`, `accessKeySecret` and `securityToken`.
    #[default]
    Static,
    /// `"environment"`: [`EnvironmentCredentials`], read for every request; the config
    /// must not hold keys.
    Environment,
    /// `"host"`: the provider the host installed on the Type
    /// (e.g. `OssType::with_credentials_provider`); the config must not hold keys.
    Host,
}

impl CredentialsSource {
    /// The value as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Static => "static",
            Self::Environment => "environment",
            Self::Host => "host",
        }
    }
}

/// The checked credentials setting of an element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsSetting {
    /// The config's keys.
    Static(Credentials),
    /// [`EnvironmentCredentials`].
    Environment,
    /// The host's provider.
    Host,
}

/// The provider of `setting`: the static credentials, the environment's (`env`), or
/// the host's (`host`, which `"host"` requires: without it, an InvalidConfig error
/// saying that `installer` installs one).
pub(crate) fn provider(
    setting: &CredentialsSetting,
    env: EnvironmentNames,
    host: Option<Arc<dyn CredentialsProvider>>,
    installer: &str,
) -> StorageResult<Arc<dyn CredentialsProvider>> {
    Ok(match setting {
        CredentialsSetting::Static(c) => Arc::new(StaticCredentials::new(c.clone())),
        CredentialsSetting::Environment => Arc::new(EnvironmentCredentials::new(env)),
        CredentialsSetting::Host => host.ok_or_else(|| {
            StorageError::new(
                StorageErrorKind::InvalidConfig,
                format!("field `credentials`: \"host\" needs a credentials provider from the host ({installer}), and none was installed"),
            )
        })?,
    })
}

/// The credentials setting of a config's `credentials`, `accessKeyId`,
/// `accessKeySecret` and `securityToken`, or the key at fault and what is wrong.
pub(crate) fn setting(
    source: CredentialsSource,
    access_key_id: &str,
    access_key_secret: &Secret,
    security_token: Option<&Secret>,
) -> Result<CredentialsSetting, (&'static str, String)> {
    let access_key_id = access_key_id.trim();
    if source != CredentialsSource::Static {
        let given = [
            ("accessKeyId", !access_key_id.is_empty()),
            ("accessKeySecret", !access_key_secret.expose().is_empty()),
            ("securityToken", security_token.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(_, set)| *set) {
            return Err((
                field,
                format!(
                    "must not be set when \"credentials\" is {:?}: the credentials come from {}",
                    source.as_str(),
                    match source {
                        CredentialsSource::Environment => "the environment",
                        _ => "the host's provider",
                    }
                ),
            ));
        }
        return Ok(match source {
            CredentialsSource::Environment => CredentialsSetting::Environment,
            _ => CredentialsSetting::Host,
        });
    }
    if access_key_id.is_empty() {
        return Err((
            "accessKeyId",
            "is required and must not be empty (or set \"credentials\": \"environment\")".into(),
        ));
    }
    if access_key_secret.expose().is_empty() {
        return Err((
            "accessKeySecret",
            "is required and must not be empty".into(),
        ));
    }
    Ok(CredentialsSetting::Static(Credentials {
        access_key_id: access_key_id.to_string(),
        access_key_secret: access_key_secret.clone(),
        security_token: security_token.cloned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.get(name).cloned()
    }

    const ENV_ACCESS_KEY_ID: &str = "TEST_ACCESS_KEY_ID";
    const ENV_ACCESS_KEY_SECRET: &str = "TEST_ACCESS_KEY_SECRET";
    const ENV_SECURITY_TOKEN: &str = "TEST_SECURITY_TOKEN";
    const ENV: EnvironmentCredentials = EnvironmentCredentials {
        names: EnvironmentNames {
            access_key_id: ENV_ACCESS_KEY_ID,
            access_key_secret: ENV_ACCESS_KEY_SECRET,
            security_token: ENV_SECURITY_TOKEN,
        },
    };

    #[test]
    fn the_environment_names_what_is_missing_and_never_the_secret() {
        let creds = ENV
            .from_lookup(lookup(&[
                (ENV_ACCESS_KEY_ID, " LTAIenv "),
                (ENV_ACCESS_KEY_SECRET, "env-secret-value"),
                (ENV_SECURITY_TOKEN, "env-token-value"),
            ]))
            .unwrap();
        assert_eq!(creds.access_key_id, "LTAIenv");
        assert_eq!(creds.access_key_secret.expose(), "env-secret-value");
        assert_eq!(
            creds.security_token.as_ref().map(Secret::expose),
            Some("env-token-value")
        );
        let shown = format!("{creds:?}");
        assert!(!shown.contains("env-secret-value") && !shown.contains("env-token-value"));

        let no_token = ENV
            .from_lookup(lookup(&[
                (ENV_ACCESS_KEY_ID, "id"),
                (ENV_ACCESS_KEY_SECRET, "s"),
                (ENV_SECURITY_TOKEN, ""),
            ]))
            .unwrap();
        assert_eq!(no_token.security_token, None);

        let err = ENV
            .from_lookup(lookup(&[(ENV_ACCESS_KEY_ID, "id")]))
            .unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidConfig);
        assert!(err.message().contains(ENV_ACCESS_KEY_SECRET), "{err}");
        let err = ENV
            .from_lookup(lookup(&[(ENV_ACCESS_KEY_SECRET, "s")]))
            .unwrap_err();
        assert!(err.message().contains(ENV_ACCESS_KEY_ID), "{err}");
    }

    #[test]
    fn only_static_credentials_take_keys_from_the_config() {
        let secret = Secret::new("sk");
        let none = Secret::default();
        assert!(matches!(
            setting(CredentialsSource::Static, "ak", &secret, None),
            Ok(CredentialsSetting::Static(c)) if c.access_key_id == "ak"
        ));
        assert_eq!(
            setting(CredentialsSource::Static, " ", &secret, None)
                .unwrap_err()
                .0,
            "accessKeyId"
        );
        assert_eq!(
            setting(CredentialsSource::Static, "ak", &none, None)
                .unwrap_err()
                .0,
            "accessKeySecret"
        );
        assert_eq!(
            setting(CredentialsSource::Environment, "", &none, None),
            Ok(CredentialsSetting::Environment)
        );
        assert_eq!(
            setting(CredentialsSource::Host, "", &none, None),
            Ok(CredentialsSetting::Host)
        );
        let token = Secret::new("t");
        for (id, secret, token, field) in [
            ("ak", &none, None, "accessKeyId"),
            ("", &secret, None, "accessKeySecret"),
            ("", &none, Some(&token), "securityToken"),
        ] {
            let (at, message) =
                setting(CredentialsSource::Environment, id, secret, token).unwrap_err();
            assert_eq!(at, field);
            assert!(message.contains("environment"), "{message}");
        }
    }
}
