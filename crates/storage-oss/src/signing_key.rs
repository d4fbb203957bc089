//! The V4 signing-key cache of an element: the key (four HMAC-SHA256 over the
//! secret, the date, the region and `oss`) only changes with the UTC date and the
//! region, so it is derived once per day and region and reused, leaving one HMAC per
//! request for the signature itself.

use std::sync::Mutex;

use jit_oss_protocol::sign::v4;

/// The last derived key and what it was derived for.
struct Cached {
    date: String,
    region: String,
    key: [u8; 32],
}

/// The current (date, region) signing key of one element's secret.
///
/// The secret is not stored here: callers pass it in, and must always pass the same
/// one (one cache per set of credentials). `Debug` shows neither the key nor anything
/// derived from it.
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
    /// The V4 signing key of `secret` for `date` (`yyyymmdd`) and `region`: the cached
    /// one if it was derived for the same date and region, else derived and cached.
    pub fn key(&self, secret: &str, date: &str, region: &str) -> [u8; 32] {
        // A poisoned lock only means a panic elsewhere while holding it; the slot is
        // always either empty or a complete entry, so it is still usable.
        let mut slot = self
            .slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = slot.as_ref() {
            if c.date == date && c.region == region {
                return c.key;
            }
        }
        let key = v4::signing_key(secret, date, region);
        *slot = Some(Cached {
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

    #[test]
    fn cached_keys_equal_derived_ones_and_follow_the_date_and_region() {
        let cache = SigningKeyCache::default();
        let day1 = cache.key("sk", "20261122", "cn-hangzhou");
        assert_eq!(day1, v4::signing_key("sk", "20261122", "cn-hangzhou"));
        assert!(cache.holds("20261122", "cn-hangzhou"));
        assert_eq!(cache.key("sk", "20261122", "cn-hangzhou"), day1);

        let day2 = cache.key("sk", "20261123", "cn-hangzhou");
        assert_eq!(day2, v4::signing_key("sk", "20261123", "cn-hangzhou"));
        assert_ne!(day2, day1);
        assert!(cache.holds("20261123", "cn-hangzhou"));
        assert!(!cache.holds("20261122", "cn-hangzhou"));

        let other_region = cache.key("sk", "20261123", "cn-beijing");
        assert_eq!(
            other_region,
            v4::signing_key("sk", "20261123", "cn-beijing")
        );
        assert_ne!(other_region, day2);
    }

    #[test]
    fn debug_shows_no_key() {
        let cache = SigningKeyCache::default();
        cache.key("very-secret-sk", "20261122", "cn-hangzhou");
        let shown = format!("{cache:?}");
        assert!(!shown.contains("very-secret-sk"), "{shown}");
        assert_eq!(shown, "SigningKeyCache { .. }");
    }
}
