//! Property tests of the object-name rules every storage Type relies on: for any text,
//! [`validate_object_name`] accepts exactly the names that are non-empty, at most
//! [`MAX_NAME_BYTES`] long, do not start with `/` or `\`, hold no control character and
//! no `.` or `..` segment (split at `/` and `\`), and refuses the rest as
//! InvalidArgument; [`validate_prefix`] is the same rule, with the empty prefix allowed.
//!
//! Case counts are bounded so that `cargo test --workspace` stays fast.

use jit_storage::{validate_object_name, validate_prefix, StorageErrorKind, MAX_NAME_BYTES};
use proptest::prelude::*;

/// The rule, written independently of the implementation.
fn acceptable(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with('/')
        && !name.starts_with('\\')
        && !name.chars().any(char::is_control)
        && name
            .split(['/', '\\'])
            .all(|segment| segment != "." && segment != "..")
}

/// Segments that are dangerous or odd in paths and URLs, and ordinary ones.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 _.~+%#?&=-]{1,12}",
        1 => Just("..".to_string()),
        1 => Just(".".to_string()),
        1 => Just(String::new()),
        1 => Just("...".to_string()),
        1 => Just(".jitstore".to_string()),
        1 => "[中文☃é\u{202e}\u{feff}]{1,4}",
        1 => "[a\\\\\u{0}\u{1f}\u{7f}\u{85}]{1,3}",
    ]
}

/// Names joined from segments with `/` or `\`, arbitrary text, and names around the
/// length limit.
fn names() -> impl Strategy<Value = String> {
    let joined = (
        proptest::collection::vec(segment(), 1..6),
        proptest::collection::vec(prop_oneof![Just('/'), Just('\\')], 6),
        proptest::option::of(prop_oneof![Just('/'), Just('\\')]),
    )
        .prop_map(|(segments, separators, lead)| {
            let mut name: String = lead.map(String::from).unwrap_or_default();
            for (i, s) in segments.iter().enumerate() {
                if i > 0 {
                    name.push(separators[i]);
                }
                name.push_str(s);
            }
            name
        });
    let long = (MAX_NAME_BYTES - 2..=MAX_NAME_BYTES + 2, "[a-z中]")
        .prop_map(|(len, c)| c.repeat(len / c.len()));
    prop_oneof![4 => joined, 2 => any::<String>(), 1 => long]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn object_names_are_accepted_exactly_by_the_rule(name in names()) {
        match validate_object_name(&name) {
            Ok(()) => prop_assert!(acceptable(&name), "accepted {name:?}"),
            Err(err) => {
                prop_assert!(!acceptable(&name), "refused {name:?}: {err}");
                prop_assert_eq!(err.kind(), StorageErrorKind::InvalidArgument);
            }
        }
    }

    #[test]
    fn prefixes_follow_the_same_rule_but_may_be_empty(prefix in names()) {
        let expected = prefix.is_empty() || acceptable(&prefix);
        prop_assert_eq!(validate_prefix(&prefix).is_ok(), expected, "{:?}", prefix);
    }

    #[test]
    fn a_dot_segment_anywhere_is_refused(
        before in proptest::collection::vec("[a-z.]{1,5}", 0..3),
        dots in prop_oneof![Just("."), Just("..")],
        after in proptest::collection::vec("[a-z.]{0,5}", 0..3),
        separator in prop_oneof![Just("/"), Just("\\")],
    ) {
        let mut parts: Vec<&str> = before.iter().map(String::as_str).collect();
        parts.push(dots);
        parts.extend(after.iter().map(String::as_str));
        let name = parts.join(separator);
        let err = validate_object_name(&name).expect_err("a dot segment must be refused");
        prop_assert_eq!(err.kind(), StorageErrorKind::InvalidArgument);
    }
}
