//! Object-name rules shared by every storage Type, checked before any I/O.

use crate::error::{StorageError, StorageResult};

/// The longest object name accepted, in bytes (OSS's limit).
pub const MAX_NAME_BYTES: usize = 1023;

/// Checks an object name: not empty, at most 1023 bytes, not starting with `/` or `\`,
/// no NUL or other control character, no `.` or `..` path segment (URLs and file systems
/// would collapse them into another name). Every Type relies on this one rule and adds
/// only what its backend needs on top.
pub fn validate_object_name(name: &str) -> StorageResult<()> {
    if name.is_empty() {
        return Err(StorageError::invalid_argument("object name is empty"));
    }
    check_common(name, "object name")
}

/// Checks a listing prefix: like an object name, but may be empty and may end with `/`.
pub fn validate_prefix(prefix: &str) -> StorageResult<()> {
    if prefix.is_empty() {
        return Ok(());
    }
    check_common(prefix, "prefix")
}

fn check_common(name: &str, what: &str) -> StorageResult<()> {
    if name.len() > MAX_NAME_BYTES {
        return Err(StorageError::invalid_argument(format!(
            "{what} is {} bytes long; at most {MAX_NAME_BYTES} are allowed",
            name.len()
        )));
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Err(StorageError::invalid_argument(format!(
            "{what} must not start with '/' or '\\'"
        )));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Err(StorageError::invalid_argument(format!(
            "{what} contains the control character U+{:04X}",
            c as u32
        )));
    }
    if let Some(dots) = name
        .split(['/', '\\'])
        .find(|segment| *segment == "." || *segment == "..")
    {
        return Err(StorageError::invalid_argument(format!(
            "{what} contains a '{dots}' path segment"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StorageErrorKind;

    #[test]
    fn accepts_ordinary_and_odd_but_safe_names() {
        for name in [
            "a.txt",
            "folder/sub/file name+1%.bin",
            "unicode/文件 ☃.txt",
            "dots/..hidden/a..b/.../x",
            "q?#&=.txt",
            "trailing/",
        ] {
            validate_object_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        let longest = "a".repeat(MAX_NAME_BYTES);
        validate_object_name(&longest).unwrap();
    }

    #[test]
    fn rejects_bad_names_as_invalid_argument() {
        let too_long = "a".repeat(MAX_NAME_BYTES + 1);
        for name in [
            "",
            too_long.as_str(),
            "/abs",
            "\\abs",
            "a\0b",
            "a\nb",
            "a\u{7f}b",
            "..",
            "../escape",
            "a/../b",
            "a/..",
            "a\\..\\b",
            ".",
            "a/./b",
            "./a",
        ] {
            let err = validate_object_name(name).unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{name:?}");
        }
    }

    #[test]
    fn prefixes_may_be_empty() {
        validate_prefix("").unwrap();
        validate_prefix("a/").unwrap();
        assert!(validate_prefix("../").is_err());
    }
}
