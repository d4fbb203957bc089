//! `storages.TenantType`: a custom storage Type written in this app's own code.
//!
//! It wraps another storage element of the app and keeps each tenant under its own key
//! prefix (`tenants/<tenant>/`), so several tenants can share one bucket or folder without
//! seeing each other's files. Config (`storages/<Name>/<Name>.json`, defaults in
//! `storages/TenantType/TenantType.json`):
//!
//! | field | meaning |
//! |---|---|
//! | `storage` | fullName of the wrapped storage element (default `storages.Default`) |
//! | `tenant` | the tenant's id: letters, digits, `-` and `_` |

use std::sync::Arc;

use jitstore::prelude::*;
use serde::Deserialize;

/// The fullName this Type is declared and registered under.
pub const TENANT_TYPE: &str = "storages.TenantType";

/// The factory registered for `storages.TenantType`.
#[derive(Debug, Default, Clone, Copy)]
pub struct TenantType;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TenantConfig {
    storage: String,
    tenant: String,
}

#[async_trait]
impl StorageType for TenantType {
    async fn create(&self, ctx: &BuildContext) -> ElementResult<Arc<dyn StorageMeta>> {
        let config: TenantConfig = ctx.deserialize_config()?;
        let valid = !config.tenant.is_empty()
            && config
                .tenant
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(ctx.invalid_config(
                "tenant",
                "use letters, digits, '-' and '_' (it becomes a key prefix)",
            ));
        }
        // The wrapped element, loaded through the context: a config that points back at
        // this element is a "load cycle" error, not a hang.
        let inner = ctx.storage(&config.storage).await?;
        Ok(Arc::new(TenantStorage {
            prefix: format!("tenants/{}/", config.tenant),
            inner,
        }))
    }
}

/// A storage that maps every key `k` to `tenants/<tenant>/k` in the wrapped storage.
#[derive(Debug)]
pub struct TenantStorage {
    prefix: String,
    inner: Arc<dyn StorageMeta>,
}

impl TenantStorage {
    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn strip(&self, key: &str) -> String {
        key.strip_prefix(&self.prefix).unwrap_or(key).to_string()
    }

    fn unprefixed(&self, mut info: ObjectInfo) -> ObjectInfo {
        info.key = self.strip(&info.key);
        info
    }

    fn unprefixed_upload(&self, mut result: UploadResult) -> UploadResult {
        result.key = self.strip(&result.key);
        result
    }
}

#[async_trait]
impl StorageMeta for TenantStorage {
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn put(
        &self,
        name: &str,
        payload: Payload,
        options: PutOptions,
    ) -> StorageResult<UploadResult> {
        let result = self.inner.put(&self.key(name), payload, options).await?;
        Ok(self.unprefixed_upload(result))
    }

    async fn get(&self, name: &str, options: GetOptions) -> StorageResult<GetResult> {
        let mut result = self.inner.get(&self.key(name), options).await?;
        result.info = self.unprefixed(result.info);
        Ok(result)
    }

    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        Ok(self.unprefixed(self.inner.stat(&self.key(name)).await?))
    }

    async fn delete(&self, name: &str) -> StorageResult<()> {
        self.inner.delete(&self.key(name)).await
    }

    async fn list(&self, options: ListOptions) -> StorageResult<ListPage> {
        let inner_options = ListOptions {
            prefix: Some(self.key(options.prefix.as_deref().unwrap_or(""))),
            // Tokens are the wrapped storage's own (opaque) continuation tokens.
            ..options
        };
        let page = self.inner.list(inner_options).await?;
        Ok(ListPage {
            objects: page
                .objects
                .into_iter()
                .map(|o| self.unprefixed(o))
                .collect(),
            common_prefixes: page.common_prefixes.iter().map(|p| self.strip(p)).collect(),
            next_token: page.next_token,
        })
    }

    async fn presign(
        &self,
        name: &str,
        options: PresignOptions,
    ) -> StorageResult<PresignedRequest> {
        self.inner.presign(&self.key(name), options).await
    }

    fn object_url(&self, name: &str) -> StorageResult<String> {
        self.inner.object_url(&self.key(name))
    }

    async fn copy(&self, from: &str, to: &str) -> StorageResult<UploadResult> {
        let result = self.inner.copy(&self.key(from), &self.key(to)).await?;
        Ok(self.unprefixed_upload(result))
    }

    async fn delete_many(&self, names: &[String]) -> StorageResult<()> {
        let keys: Vec<String> = names.iter().map(|name| self.key(name)).collect();
        self.inner.delete_many(&keys).await
    }
}

impl TenantStorage {
    /// The key prefix this tenant's objects live under in the wrapped storage.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}
