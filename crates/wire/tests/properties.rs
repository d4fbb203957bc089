//! Property tests of the wire encodings, for any input: percent-encoding keeps only the
//! unreserved characters (and `/` in paths), decodes back to the same text, and decoding
//! never panics; CRC-64 streaming and combination agree with the one-shot checksum.
//!
//! Case counts are bounded so that `cargo test --workspace` stays fast.

use jit_wire::crc64::{checksum, combine, Crc64};
use jit_wire::percent::{decode_component, encode_component, encode_path};
use proptest::prelude::*;

/// Text that exercises the encoder: ASCII punctuation, `%`, `+`, `/`, spaces, controls
/// and multi-byte UTF-8.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 ./%+~_\\-?#&=\\\\:;@!*'()\\[\\]中☃\u{0}\u{7f}\u{10FFFF}]{0,40}",
    ]
}

/// Whether `encoded` holds only unreserved bytes, `%XX` with upper-case hex, and (when
/// `slash` is true) `/`.
fn well_formed(encoded: &str, slash: bool) -> bool {
    let bytes = encoded.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
            if i + 2 >= bytes.len() {
                return false;
            }
            if !(hex(bytes[i + 1]) && hex(bytes[i + 2])) {
                return false;
            }
            i += 3;
            continue;
        }
        let unreserved = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !(unreserved || (slash && b == b'/')) {
            return false;
        }
        i += 1;
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn components_encode_to_unreserved_and_decode_back(raw in text()) {
        let encoded = encode_component(&raw);
        prop_assert!(well_formed(&encoded, false), "{encoded:?}");
        prop_assert!(!encoded.contains('/'));
        prop_assert_eq!(decode_component(&encoded), raw);
    }

    #[test]
    fn paths_keep_exactly_their_slashes_and_decode_back(raw in text()) {
        let encoded = encode_path(&raw);
        prop_assert!(well_formed(&encoded, true), "{encoded:?}");
        prop_assert_eq!(
            encoded.matches('/').count(),
            raw.matches('/').count(),
            "only the key's own separators stay"
        );
        prop_assert_eq!(decode_component(&encoded), raw);
    }

    #[test]
    fn decoding_any_text_never_panics_and_is_identity_without_percent(raw in text()) {
        let decoded = decode_component(&raw);
        if !raw.contains('%') {
            prop_assert_eq!(decoded, raw);
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn crc64_streaming_and_combination_match_the_checksum(
        data in proptest::collection::vec(any::<u8>(), 0..2048),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(data.len() + 1)).collect();
        points.sort_unstable();
        let mut streaming = Crc64::new();
        let mut combined = checksum(&[]);
        let mut start = 0;
        for end in points.into_iter().chain([data.len()]) {
            let piece = &data[start..end];
            streaming.update(piece);
            combined = combine(combined, checksum(piece), piece.len() as u64);
            start = end;
        }
        let whole = checksum(&data);
        prop_assert_eq!(streaming.value(), whole);
        prop_assert_eq!(combined, whole);
    }
}
