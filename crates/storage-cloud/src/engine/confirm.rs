//! Lost answers: when the connection of a write (PutObject, CompleteMultipartUpload)
//! broke after the request may have reached OSS, whether it took effect is checked —
//! HeadObject, then size, CRC-64, content type and user metadata against what was sent
//! — not guessed. [`took_effect`] is that check.

use jit_storage::ObjectInfo;

use crate::engine::core::OssCore;
use crate::engine::head::head;

/// What a write was meant to leave behind.
pub(crate) struct Expected<'a> {
    /// Size of the object.
    pub size: u64,
    /// CRC-64 of its bytes.
    pub crc64: u64,
    /// The upload headers: `content-type` and `x-oss-meta-*` are compared.
    pub headers: &'a [(String, String)],
}

impl Expected<'_> {
    /// Whether `info` describes the object this write meant to leave behind. An
    /// object without a CRC-64 cannot be confirmed.
    pub fn matches(&self, info: &ObjectInfo) -> bool {
        if info.size != self.size || info.crc64 != Some(self.crc64) {
            return false;
        }
        self.headers.iter().all(|(name, value)| {
            if name == "content-type" {
                info.content_type
                    .as_deref()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case(value.trim()))
            } else if let Some(meta) = name.strip_prefix("x-oss-meta-") {
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
    core: &OssCore,
    key: &str,
    expected: &Expected<'_>,
) -> Option<ObjectInfo> {
    match head(core, key).await {
        Ok(info) if expected.matches(&info) => {
            tracing::debug!(key, "the write whose answer was lost took effect");
            Some(info)
        }
        Ok(info) => {
            tracing::debug!(
                key,
                size = info.size,
                crc64 = info.crc64,
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

    #[test]
    fn size_crc_type_and_metadata_must_all_match() {
        let headers = vec![
            ("content-type".to_string(), "text/plain".to_string()),
            ("x-oss-meta-author".to_string(), "alice".to_string()),
            ("cache-control".to_string(), "no-cache".to_string()),
        ];
        let expected = Expected {
            size: 5,
            crc64: 42,
            headers: &headers,
        };
        let mut info = ObjectInfo::new("k", 5);
        info.crc64 = Some(42);
        info.content_type = Some("Text/Plain".into());
        info.metadata.insert("author".into(), "alice".into());
        assert!(expected.matches(&info));

        let mut other = info.clone();
        other.crc64 = None;
        assert!(!expected.matches(&other), "no CRC, no confirmation");
        let mut other = info.clone();
        other.crc64 = Some(43);
        assert!(!expected.matches(&other));
        let mut other = info.clone();
        other.size = 6;
        assert!(!expected.matches(&other));
        let mut other = info.clone();
        other.content_type = Some("image/png".into());
        assert!(!expected.matches(&other));
        let mut other = info.clone();
        other.metadata.clear();
        assert!(!expected.matches(&other));
    }
}
