//! The signing-key cache of an element, for the V4 signatures of either dialect: the
//! key (four HMAC-SHA256 over the secret, the date, the region and the service: `oss`
//! for OSS V4, `s3` for AWS SigV4) only changes with the secret, the UTC date and the
//! region, so it is derived once per secret, day and region and reused, leaving one
//! HMAC per request for the signature itself. A secret that changes (credentials
//! refreshed by a provider) gets its own key at once. The dialect gives the
//! derivation.

use std::sync::Mutex;

use jit_oss_protocol::Secret;

/// A signing-key derivation: (secret, `yyyymmdd`, region) → key.
pub(crate) type Derive = fn(&str, &str, &str) -> [u8; 32];

/// The last derived key and what it was derived for.
struct Cached {
    secret: Secret,
    date: String,
    region: String,
    key: [u8; 32],
}

/// The signing key of the last (secret, date, region) an element signed with.
///
/// Callers pass the secret of the credentials they sign with; a different secret than
/// the cached key's is derived afresh (and replaces it). `Debug` shows neither the
/// secret nor the key.
#[derive(Default)]
pub(crate) struct SigningKeyCache {
    slot: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyCache").finish_non_exhaustive()
    }
}

impl SigningKeyCache {
    /// The signing key of `secret` for `date` (`yyyymmdd`) and `region`: the cached
    /// one if it was derived for the same secret, date and region, else derived with
    /// `derive` and cached. One cache serves one derivation.
    pub fn key(&self, secret: &str, date: &str, region: &str, derive: Derive) -> [u8; 32] {
        // A poisoned lock only means a panic elsewhere while holding it; the slot is
        // always either empty or a complete entry, so it is still usable.
        let mut slot = self
            .slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = slot.as_ref() {
            if c.date == date && c.region == region && c.secret.expose() == secret {
                return c.key;
            }
        }
        let key = derive(secret, date, region);
        *slot = Some(Cached {
            secret: Secret::new(secret),
            date: date.to_owned(),
            region: region.to_owned(),
            key,
        });
        key
    }

    /// Whether a key is cached for `date` and `region` (tests).
    #[cfg(test)]
    fn holds(&self, date: &str, region: &str) -> bool {
        self.slot
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|c| c.date == date && c.region == region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_oss_protocol::sign::v4;

    const OSS: Derive = v4::signing_key;

    #[test]
    fn cached_keys_equal_derived_ones_and_follow_the_date_and_region() {
        let cache = SigningKeyCache::default();
        let day1 = cache.key("sk", "20261122", "cn-hangzhou", OSS);
        assert_eq!(day1, v4::signing_key("sk", "20261122", "cn-hangzhou"));
        assert!(cache.holds("20261122", "cn-hangzhou"));
        assert_eq!(cache.key("sk", "20261122", "cn-hangzhou", OSS), day1);

        let day2 = cache.key("sk", "20261123", "cn-hangzhou", OSS);
        assert_eq!(day2, v4::signing_key("sk", "20261123", "cn-hangzhou"));
        assert_ne!(day2, day1);
        assert!(cache.holds("20261123", "cn-hangzhou"));
        assert!(!cache.holds("20261122", "cn-hangzhou"));

        let other_region = cache.key("sk", "20261123", "cn-beijing", OSS);
        assert_eq!(
            other_region,
            v4::signing_key("sk", "20261123", "cn-beijing")
        );
        assert_ne!(other_region, day2);
    }

    #[test]
    fn a_changed_secret_gets_its_own_key() {
        let cache = SigningKeyCache::default();
        let first = cache.key("sk-1", "20261122", "cn-hangzhou", OSS);
        let second = cache.key("sk-2", "20261122", "cn-hangzhou", OSS);
        assert_eq!(second, v4::signing_key("sk-2", "20261122", "cn-hangzhou"));
        assert_ne!(first, second);
        assert_eq!(cache.key("sk-1", "20261122", "cn-hangzhou", OSS), first);
    }

    #[test]
    fn debug_shows_no_key() {
        let cache = SigningKeyCache::default();
        cache.key("very-secret-sk", "20261122", "cn-hangzhou", OSS);
        let shown = format!("{cache:?}");
        assert!(!shown.contains("very-secret-sk"), "{shown}");
        assert_eq!(shown, "SigningKeyCache { .. }");
    }
}
