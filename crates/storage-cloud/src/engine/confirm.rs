//! Lost answers: when the connection of a write (PutObject, CompleteMultipartUpload)
//! broke after the request may have reached the server, whether it took effect is
//! checked — HeadObject, then size, checksum, content type and user metadata against
//! what was sent — not guessed. [`took_effect`] is that check.

use crate::engine::core::Core;
use crate::engine::head::{head, Described};

/// What a write was meant to leave behind.
pub(crate) struct Expected<'a> {
    /// Size of the object.
    pub size: u64,
    /// The checksum of its bytes (the dialect's).
    pub checksum: u64,
    /// The upload headers: `content-type` and the user metadata are compared.
    pub headers: &'a [(String, String)],
    /// The dialect's user metadata prefix (`x-oss-meta-`).
    pub meta_prefix: &'a str,
}

impl Expected<'_> {
    /// Whether `described` is the object this write meant to leave behind. An object
    /// without a checksum cannot be confirmed.
    pub fn matches(&self, described: &Described) -> bool {
        let info = &described.info;
        if info.size != self.size || described.checksum != Some(self.checksum) {
            return false;
        }
        self.headers.iter().all(|(name, value)| {
            if name == "content-type" {
                info.content_type
                    .as_deref()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case(value.trim()))
            } else if let Some(meta) = name.strip_prefix(self.meta_prefix) {
                info.metadata.get(meta) == Some(value)
            } else {
                true
            }
        })
    }
}

/// After a write to `key` whose answer was lost: the object's information when it is
/// now what the write meant to leave behind, `None` when it is not (or cannot be
/// checked: the write must then be sent again).
pub(crate) async fn took_effect(
    core: &Core,
    key: &str,
    expected: &Expected<'_>,
) -> Option<Described> {
    match head(core, key).await {
        Ok(described) if expected.matches(&described) => {
            tracing::debug!(key, "the write whose answer was lost took effect");
            Some(described)
        }
        Ok(described) => {
            tracing::debug!(
                key,
                size = described.info.size,
                checksum = described.checksum,
                "the write whose answer was lost did not take effect"
            );
            None
        }
        Err(err) => {
            tracing::debug!(key, error = %err, "cannot check whether a write took effect");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_storage::ObjectInfo;

    #[test]
    fn size_crc_type_and_metadata_must_all_match() {
        let headers = vec![
            ("content-type".to_string(), "text/plain".to_string()),
            ("x-oss-meta-author".to_string(), "alice".to_string()),
            ("cache-control".to_string(), "no-cache".to_string()),
        ];
        let expected = Expected {
            size: 5,
            checksum: 42,
            headers: &headers,
            meta_prefix: "x-oss-meta-",
        };
        let mut info = ObjectInfo::new("k", 5);
        info.content_type = Some("Text/Plain".into());
        info.metadata.insert("author".into(), "alice".into());
        let described = Described {
            info,
            checksum: Some(42),
        };
        assert!(expected.matches(&described));

        let mut other = described.clone();
        other.checksum = None;
        assert!(!expected.matches(&other), "no CRC, no confirmation");
        let mut other = described.clone();
        other.checksum = Some(43);
        assert!(!expected.matches(&other));
        let mut other = described.clone();
        other.info.size = 6;
        assert!(!expected.matches(&other));
        let mut other = described.clone();
        other.info.content_type = Some("image/png".into());
        assert!(!expected.matches(&other));
        let mut other = described.clone();
        other.info.metadata.clear();
        assert!(!expected.matches(&other));
    }
}
