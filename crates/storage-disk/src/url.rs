//! URL building: percent-encoding of object keys (every byte but the unreserved ones and
//! the `/` separators) and query values, and `file://` URLs of local paths.

use std::path::Path;

use jit_wire::percent::{encode_component, encode_path};

/// Percent-encodes an object key for a URL path, keeping its `/` separators.
pub fn encode_key(key: &str) -> String {
    encode_path(key)
}

/// Percent-encodes a query value (spaces as `%20`, `+` as `%2B`).
pub fn encode_query_value(value: &str) -> String {
    encode_component(value)
}

/// The `file://` URL of an absolute local path, percent-encoded.
pub fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let encoded = encode_key(&text);
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        // A Windows drive path (`C:/…`); the drive colon stays readable.
        format!("file:///{}", encoded.replacen("%3A", ":", 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_slashes_and_nothing_else() {
        assert_eq!(
            encode_key("a b/c+d%20e#f?g&h=i~j/文.txt"),
            "a%20b/c%2Bd%2520e%23f%3Fg%26h%3Di~j/%E6%96%87.txt"
        );
        assert_eq!(encode_query_value("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn file_urls_are_absolute_and_encoded() {
        assert_eq!(
            file_url(Path::new("/srv/data dir/x#1.txt")),
            "file:///srv/data%20dir/x%231.txt"
        );
    }
}
