//! One flat JSON object read into two structs: the [`CommonConfig`] every Type shares
//! and the keys that are the Type's own ([`TypeKeys`]). `#[serde(flatten)]` would do
//! it, but it cannot refuse unknown keys; here an unknown key is refused with serde's
//! own message (`unknown field `x`, expected one of `a`, `b`…`), which the element
//! loader turns into "did you mean" and the list of known keys, as for any other
//! config. Values are read in place, so error paths (`timeoutSeconds`) stay exact.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeSeed, Error as _, MapAccess, Visitor};
use serde::Deserializer;

use crate::engine::config::common::CommonConfig;

/// A Type's own config keys, read beside the [`CommonConfig`] from the same object.
pub(crate) trait TypeKeys: Default {
    /// Every key the Type takes, the common ones included, in the order an error
    /// lists them. Must be exactly [`CommonConfig::KEYS`] and the Type's own.
    const ALL_KEYS: &'static [&'static str];

    /// What the object is, for serde's type errors (`struct OssConfig`).
    const EXPECTING: &'static str;

    /// Reads the value of `key` if it is one of the Type's own; `Ok(false)` if not.
    fn read_key<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;
}

/// Reads a config object into the common keys and the Type's `T`; an unknown or
/// repeated key is an error naming it.
pub(crate) fn deserialize_flat<'de, D, T>(d: D) -> Result<(CommonConfig, T), D::Error>
where
    D: Deserializer<'de>,
    T: TypeKeys,
{
    d.deserialize_map(Flat(PhantomData))
}

struct Flat<T>(PhantomData<T>);

impl<'de, T: TypeKeys> Visitor<'de> for Flat<T> {
    type Value = (CommonConfig, T);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut common = CommonConfig::default();
        let mut own = T::default();
        let mut seen: Vec<&'static str> = Vec::new();
        while let Some(key) = map.next_key_seed(KnownKey(T::ALL_KEYS))? {
            if seen.contains(&key) {
                return Err(A::Error::duplicate_field(key));
            }
            seen.push(key);
            if !common.read_key(key, &mut map)? && !own.read_key(key, &mut map)? {
                // Listed but read by neither: a Type whose ALL_KEYS is wrong.
                return Err(A::Error::unknown_field(key, T::ALL_KEYS));
            }
        }
        Ok((common, own))
    }
}

/// A key, refused while it is read unless it is one of these (so that the error's path
/// names it, as serde's derived readers do).
struct KnownKey(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KnownKey {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KnownKey {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a config key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        self.0
            .iter()
            .find(|known| **known == key)
            .copied()
            .ok_or_else(|| E::unknown_field(key, self.0))
    }
}
