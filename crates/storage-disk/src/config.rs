//! `storages.DiskType`: the element configuration (`<Name>.json`), its checks with errors
//! that name the file and field, and [`DiskType`], the [`StorageType`] factory that builds
//! a [`DiskStorage`] from it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use jit_element::{BuildContext, ElementResult};
use jit_storage::{StorageMeta, StorageType};
use serde::{Deserialize, Deserializer};

use crate::backend::{DiskSettings, DiskStorage};
use crate::signing::SigningKey;

/// The fullName under which hosts register this Type.
pub const DISK_TYPE: &str = "storages.DiskType";

/// The element's `<Name>.json`, camelCase.
///
/// ```json
/// { "directory": "data/files", "baseUrl": "http://127.0.0.1:8080/files",
///   "signingKey": "{{FILES_SIGNING_KEY}}" }
/// ```
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DiskConfig {
    /// The storage folder: relative to the app folder, or absolute. Created if missing.
    pub directory: String,
    /// Where [`signed_url_router`](crate::signed_url_router) is mounted, e.g.
    /// `https://example.com/files`; object URLs are `baseUrl/<encoded key>`. Without it,
    /// object URLs are `file://` URLs and nothing can be presigned.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The secret that signs URLs (usually a `{{VAR}}` reference); at least 16 bytes.
    #[serde(default, deserialize_with = "secret_string")]
    pub signing_key: Option<SigningKey>,
}

impl std::fmt::Debug for DiskConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskConfig")
            .field("directory", &self.directory)
            .field("base_url", &self.base_url)
            .field("signing_key", &self.signing_key)
            .finish()
    }
}

/// Reads the secret as a string without ever echoing a wrongly typed value in the error.
fn secret_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SigningKey>, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(s) => Ok(Some(SigningKey::new(s))),
        _ => Err(serde::de::Error::custom(
            "expected a string (usually a variable reference such as \"{{MY_SIGNING_KEY}}\")",
        )),
    }
}

/// `storages.DiskType`: builds [`DiskStorage`]s from element configurations, and
/// remembers what it built so a host can serve their signed URLs
/// ([`DiskType::built`]). Clones share that record.
#[derive(Debug, Clone, Default)]
pub struct DiskType {
    built: Arc<Mutex<BTreeMap<String, Arc<DiskStorage>>>>,
}

impl DiskType {
    /// The storage built for the element `full_name`, if it was loaded.
    pub fn built(&self, full_name: &str) -> Option<Arc<DiskStorage>> {
        self.lock().get(full_name).cloned()
    }

    /// Every storage built so far, by element fullName.
    pub fn built_all(&self) -> Vec<(String, Arc<DiskStorage>)> {
        self.lock()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<DiskStorage>>> {
        self.built
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Checks a parsed config and turns it into settings (the folder is not touched yet).
pub(crate) fn settings_from_config(
    ctx: &BuildContext,
    config: DiskConfig,
) -> ElementResult<DiskSettings> {
    let directory = config.directory.trim();
    if directory.is_empty() {
        return Err(ctx.invalid_config("directory", "must name a folder, not be empty"));
    }
    let path = PathBuf::from(directory);
    let directory = if path.is_absolute() {
        path
    } else {
        ctx.app_root().join(path)
    };
    let base_url = match config.base_url.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(url) => {
            let rest = url
                .strip_prefix("http://")
                .or_else(|| url.strip_prefix("https://"));
            let valid = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
                && !url.contains(['?', '#', ' ']);
            if !valid {
                return Err(ctx.invalid_config(
                    "baseUrl",
                    format!(
                        "must be an http:// or https:// URL without query or fragment \
                         (where the signed-URL router is mounted), not {url:?}"
                    ),
                ));
            }
            Some(url.trim_end_matches('/').to_string())
        }
    };
    if let Some(key) = &config.signing_key {
        if key.len() < SigningKey::MIN_LEN {
            return Err(ctx.invalid_config(
                "signingKey",
                format!(
                    "must be at least {} bytes long (it is {})",
                    SigningKey::MIN_LEN,
                    key.len()
                ),
            ));
        }
    }
    Ok(DiskSettings {
        directory,
        base_url,
        signing_key: config.signing_key,
        config_file: Some(ctx.config_file.clone()),
        identity: Some(ctx.full_name().to_string()),
    })
}

#[async_trait]
impl StorageType for DiskType {
    async fn create(&self, ctx: &BuildContext) -> ElementResult<Arc<dyn StorageMeta>> {
        let config: DiskConfig = ctx.deserialize_config()?;
        let settings = settings_from_config(ctx, config)?;
        let shown = settings.directory.display().to_string();
        let storage = DiskStorage::open(settings).await.map_err(|e| {
            ctx.invalid_config("directory", format!("cannot use the folder {shown}: {e}"))
                .with_source(e)
        })?;
        let storage = Arc::new(storage);
        self.lock()
            .insert(ctx.full_name().to_string(), storage.clone());
        Ok(storage)
    }
}
