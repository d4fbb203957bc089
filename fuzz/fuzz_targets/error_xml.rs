//! Fuzz target: any bytes as an OSS error body. Invariants: no panic; a body that
//! parses, written again with `to_xml`, parses back to the same body (less extra
//! elements whose names `to_xml` cannot write).

#![no_main]

use jit_oss_protocol::OssErrorBody;
use libfuzzer_sys::fuzz_target;

/// The names `to_xml` writes (its own rule, restated).
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    !name.to_ascii_lowercase().starts_with("xml")
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fuzz_target!(|data: &[u8]| {
    let Some(mut body) = OssErrorBody::parse(data) else {
        return;
    };
    body.extra.retain(|(name, _)| is_xml_name(name));
    let again = OssErrorBody::parse(body.to_xml().as_bytes());
    assert_eq!(again.as_ref(), Some(&body), "{}", body.to_xml());
});
