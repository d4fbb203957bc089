//! Setting a server up: the configuration checks both servers make (bucket names,
//! credentials), opening the store with its buckets, the configured access keys, and
//! showing credentials without their secrets.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use jit_oss_protocol::verify::SecretLookup;

use crate::store::error::StoreError;
use crate::store::layout::is_bucket_dir_name;
use crate::store::object_store::Store;

/// What is wrong with a configuration's buckets or credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigProblem {
    /// This bucket name is not one the store accepts.
    InvalidBucketName(String),
    /// A credential has an empty id or secret.
    InvalidCredential,
}

/// Checks bucket names (the store's rule: 3-63 of `a-z0-9-`) and credentials (no
/// empty id or secret), in that order.
pub fn check_buckets_and_credentials(
    buckets: &[String],
    credentials: &[(String, String)],
) -> Result<(), ConfigProblem> {
    if let Some(bad) = buckets.iter().find(|b| !is_bucket_dir_name(b)) {
        return Err(ConfigProblem::InvalidBucketName(bad.clone()));
    }
    if credentials
        .iter()
        .any(|(id, secret)| id.is_empty() || secret.is_empty())
    {
        return Err(ConfigProblem::InvalidCredential);
    }
    Ok(())
}

/// Opens the store (memory, or the folder `root`) and creates `buckets` if missing.
pub async fn open_store(root: Option<&PathBuf>, buckets: &[String]) -> Result<Store, StoreError> {
    let store = match root {
        Some(root) => Store::open_folder(root.clone()).await?,
        None => Store::memory(),
    };
    for bucket in buckets {
        store.create_bucket(bucket).await?;
    }
    Ok(store)
}

/// Shows the ids of `(id, secret)` pairs and hides the secrets, for a configuration's
/// `Debug`: `["id1", "id2"] (secrets redacted)`.
pub struct RedactedCredentials<'a>(pub &'a [(String, String)]);

impl fmt::Debug for RedactedCredentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = self.0.iter().map(|(id, _)| id.as_str()).collect();
        write!(f, "{ids:?} (secrets redacted)")
    }
}

/// The configured access keys. `Debug` shows ids only.
#[derive(Clone, Default)]
pub struct Secrets {
    by_id: HashMap<String, String>,
}

impl Secrets {
    /// Keys from `(id, secret)` pairs.
    pub fn new(pairs: &[(String, String)]) -> Self {
        Secrets {
            by_id: pairs.iter().cloned().collect(),
        }
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ids: Vec<&String> = self.by_id.keys().collect();
        ids.sort();
        f.debug_struct("Secrets").field("ids", &ids).finish()
    }
}

impl SecretLookup for Secrets {
    fn secret_for(&self, access_key_id: &str) -> Option<String> {
        self.by_id.get(access_key_id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_show_ids_only() {
        let pairs = vec![
            ("id1".to_owned(), "s1".to_owned()),
            ("id2".to_owned(), "s2".to_owned()),
        ];
        assert_eq!(
            format!("{:?}", RedactedCredentials(&pairs)),
            r#"["id1", "id2"] (secrets redacted)"#
        );
        assert_eq!(
            format!("{:?}", Secrets::new(&pairs)),
            r#"Secrets { ids: ["id1", "id2"] }"#
        );
    }

    #[test]
    fn bad_buckets_come_before_bad_credentials() {
        let bad_key = vec![(String::new(), "s".to_owned())];
        assert_eq!(
            check_buckets_and_credentials(&["B".to_owned()], &bad_key),
            Err(ConfigProblem::InvalidBucketName("B".to_owned()))
        );
        assert_eq!(
            check_buckets_and_credentials(&["ok-bucket".to_owned()], &bad_key),
            Err(ConfigProblem::InvalidCredential)
        );
        assert_eq!(check_buckets_and_credentials(&[], &[]), Ok(()));
    }
}
