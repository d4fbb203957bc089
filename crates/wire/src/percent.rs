//! RFC 3986 percent-encoding, the one encoding set of the workspace: only the unreserved
//! characters `A-Za-z0-9-._~` stay as they are (object keys in URL paths also keep `/`);
//! every other byte, UTF-8 included, becomes `%XX` with upper-case hex. OSS's and S3's
//! signatures, DiskType's signed URLs and the local servers all encode this way.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but `A-Za-z0-9-._~` is encoded (query components, canonical queries).
pub const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Like [`UNRESERVED`] but `/` is kept (URL paths, canonical URIs).
pub const PATH: &AsciiSet = &UNRESERVED.remove(b'/');

/// Encodes an object key (or any path) for a URL: all but `A-Za-z0-9-._~/`.
pub fn encode_path(raw: &str) -> String {
    utf8_percent_encode(raw, PATH).to_string()
}

/// Encodes one component (a query name or value, a path segment): all but
/// `A-Za-z0-9-._~`, so `/` becomes `%2F`.
pub fn encode_component(raw: &str) -> String {
    utf8_percent_encode(raw, UNRESERVED).to_string()
}

/// Percent-decodes a component. `+` stays a literal `+`; invalid UTF-8 after decoding is
/// replaced by U+FFFD rather than failing.
pub fn decode_component(encoded: &str) -> String {
    percent_decode_str(encoded).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_slash_and_unreserved() {
        assert_eq!(
            encode_path("a/b c+d%e#f?g~h.i_j-k"),
            "a/b%20c%2Bd%25e%23f%3Fg~h.i_j-k"
        );
        assert_eq!(encode_path("中文/x"), "%E4%B8%AD%E6%96%87/x");
        assert_eq!(encode_path("*'()!"), "%2A%27%28%29%21");
    }

    #[test]
    fn components_encode_slash_and_decode_back() {
        assert_eq!(encode_component("a/b c"), "a%2Fb%20c");
        assert_eq!(decode_component("a%2Fb%20c+"), "a/b c+");
        assert_eq!(decode_component("%ZZ%"), "%ZZ%");
        assert_eq!(decode_component("%FF"), "\u{FFFD}");
    }
}
