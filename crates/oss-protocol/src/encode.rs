//! Percent-encoding as OSS and the official SDKs do it.
//!
//! Only the RFC 3986 unreserved characters `A-Za-z0-9-._~` stay as they are; object
//! keys in URL paths also keep `/`. Everything else, including UTF-8 bytes, becomes
//! `%XX` with upper-case hex.

/// The set query components are encoded with: [`jit_wire::percent::UNRESERVED`].
pub use jit_wire::percent::UNRESERVED as QUERY_COMPONENT;
pub use jit_wire::percent::{decode_component, encode_path, PATH};

/// Encodes a query name or value: all but `A-Za-z0-9-._~` (`/` becomes `%2F`).
pub fn encode_query_component(raw: &str) -> String {
    jit_wire::percent::encode_component(raw)
}

/// Builds a query string from raw pairs: `name=value` encoded, a `None` value as `name`
/// alone, joined by `&` in the given order.
pub fn encode_query<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, Option<&'a str>)>,
{
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_query_component(name));
        if let Some(v) = value {
            out.push('=');
            out.push_str(&encode_query_component(v));
        }
    }
    out
}

/// Decodes a query component as `application/x-www-form-urlencoded`: `+` is a space
/// (Python `requests`, which `oss2` uses, sends spaces that way), `%XX` as usual.
pub fn decode_query_component(encoded: &str) -> String {
    decode_component(&encoded.replace('+', " "))
}

/// Splits a raw query string (without `?`) into decoded pairs in received order, the
/// form [`crate::verify::ReceivedRequest::query`] expects: a bare `acl` is `("acl", "")`.
/// `+` decodes to a space; a literal plus arrives as `%2B` from every OSS SDK.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some((n, v)) => (decode_query_component(n), decode_query_component(v)),
            None => (decode_query_component(part), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encodes_slash() {
        assert_eq!(encode_query_component("a/b c"), "a%2Fb%20c");
        assert_eq!(
            encode_query([("acl", None), ("prefix", Some("a/b")), ("x", Some(""))]),
            "acl&prefix=a%2Fb&x="
        );
    }

    #[test]
    fn parse_and_decode() {
        assert_eq!(
            parse_query("acl&prefix=a%2Fb&x=&k=1%2B1+2"),
            vec![
                ("acl".to_string(), String::new()),
                ("prefix".to_string(), "a/b".to_string()),
                ("x".to_string(), String::new()),
                ("k".to_string(), "1+1 2".to_string()),
            ]
        );
        assert_eq!(decode_component("%E4%B8%AD"), "中");
        assert_eq!(decode_component("%ZZ%"), "%ZZ%");
        assert_eq!(decode_component("%FF"), "\u{FFFD}");
    }
}
