//! The key rules a disk adds to the contract's one object-name rule
//! ([`validate_object_name`]): what a key's path segments may be so that the folder stays
//! usable on every file system it may be copied to.
//!
//! - no empty, `.` or `..` segment, none longer than 255 bytes;
//! - not the reserved `.jitstore` folder at the root, in any letter case (on the
//!   case-insensitive file systems of macOS and Windows, `.JitStore/x` *is*
//!   `.jitstore/x`);
//! - no name Windows reserves for a device (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`,
//!   `LPT1`–`LPT9`, their superscript-digit forms, `CONIN$`, `CONOUT$`), with or without
//!   an extension, in any case, and no segment ending with a dot or a space (Windows
//!   drops those, so `a.` would become `a`). These are refused on every platform: a
//!   storage folder may be copied to Windows.
//!
//! Pure functions, no I/O.

use jit_storage::{validate_object_name, StorageError, StorageResult};

/// The reserved folder at the storage's root; keys may not start with it.
pub const RESERVED_DIR: &str = ".jitstore";

/// The longest path segment most file systems accept, in bytes.
const MAX_SEGMENT_BYTES: usize = 255;

/// Device names Windows reserves in every folder, whatever the extension.
const WINDOWS_DEVICES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "COM¹", "COM²", "COM³", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8",
    "LPT9", "LPT¹", "LPT²", "LPT³", "CONIN$", "CONOUT$",
];

/// The file-system path segments of an object name: the contract's one rule
/// ([`validate_object_name`], checked again defensively) plus the disk's rules above.
/// Every refusal is InvalidArgument and names the rule.
pub(crate) fn path_segments(key: &str) -> StorageResult<Vec<&str>> {
    validate_object_name(key)?;
    let segments: Vec<&str> = key.split('/').collect();
    for segment in &segments {
        check_segment(segment)?;
    }
    if is_reserved_dir(segments[0]) {
        return Err(StorageError::invalid_argument(format!(
            "keys under {RESERVED_DIR}/ (in any letter case) are reserved for the storage's \
             own bookkeeping"
        )));
    }
    Ok(segments)
}

/// Whether a file-system name found in the folder could be a key's segment (listing
/// skips the names no key can have).
pub(crate) fn is_valid_segment(name: &str) -> bool {
    !name.chars().any(char::is_control) && check_segment(name).is_ok()
}

/// Whether `name` is the reserved folder's name in some letter case, as a
/// case-insensitive file system would compare it (Unicode case folding, where the long
/// s `ſ` is an `s` too).
pub(crate) fn is_reserved_dir(name: &str) -> bool {
    let folded: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ſ' { 's' } else { c })
        .collect();
    folded == RESERVED_DIR
}

fn check_segment(segment: &str) -> StorageResult<()> {
    if segment.is_empty() {
        return Err(StorageError::invalid_argument(
            "a disk storage cannot store a key with an empty path segment \
             (a doubled or trailing '/')",
        ));
    }
    if segment == "." || segment == ".." {
        return Err(StorageError::invalid_argument(format!(
            "the path segment {segment:?} is not allowed"
        )));
    }
    if segment.len() > MAX_SEGMENT_BYTES {
        return Err(StorageError::invalid_argument(format!(
            "a path segment is {} bytes long; the disk allows at most {MAX_SEGMENT_BYTES}",
            segment.len()
        )));
    }
    if segment.ends_with('.') || segment.ends_with(' ') {
        return Err(StorageError::invalid_argument(format!(
            "the path segment {segment:?} ends with a dot or a space, which Windows drops \
             from file names (a storage folder may be copied to Windows, so no platform \
             accepts it)"
        )));
    }
    if is_windows_device(segment) {
        return Err(StorageError::invalid_argument(format!(
            "the path segment {segment:?} is a device name Windows reserves (CON, PRN, AUX, \
             NUL, COM1-COM9, LPT1-LPT9, with any extension, in any case); a storage folder \
             may be copied to Windows, so no platform accepts it"
        )));
    }
    if cfg!(windows) && segment.contains(['\\', ':', '*', '?', '"', '<', '>', '|']) {
        return Err(StorageError::invalid_argument(
            "the key contains a character Windows file names cannot hold",
        ));
    }
    Ok(())
}

/// `CON`, `con.txt`, `Lpt1.tar.gz`, `NUL .x`: the part before the first dot, trailing
/// spaces dropped, is a device name.
fn is_windows_device(segment: &str) -> bool {
    let stem = segment
        .split('.')
        .next()
        .unwrap_or(segment)
        .trim_end_matches(' ');
    let upper = stem.to_uppercase();
    WINDOWS_DEVICES.contains(&upper.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jit_storage::StorageErrorKind;

    fn refused(key: &str) -> String {
        let err = path_segments(key).unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{key:?}");
        err.to_string()
    }

    #[test]
    fn segments_refuse_what_the_disk_cannot_hold() {
        assert_eq!(
            path_segments("a/b c/d.txt").unwrap(),
            vec!["a", "b c", "d.txt"]
        );
        assert_eq!(
            path_segments(".jitstorex/a").unwrap(),
            vec![".jitstorex", "a"]
        );
        for bad in [
            "a//b",
            "trailing/",
            "./a",
            "a/./b",
            "../a",
            "/abs",
            ".jitstore",
            ".jitstore/meta/x",
        ] {
            refused(bad);
        }
        let long = "x".repeat(256);
        assert!(path_segments(&long).is_err());
        assert!(path_segments(&"x".repeat(255)).is_ok());
    }

    #[test]
    fn the_reserved_folder_is_refused_in_any_case() {
        for bad in [".JITSTORE/x", ".JitStore/x", ".jitſtore/x", ".JITSTORE"] {
            assert!(refused(bad).contains("reserved"), "{bad:?}");
        }
        // Deeper down it is an ordinary name.
        path_segments("a/.JitStore/x").unwrap();
    }

    #[test]
    fn windows_device_names_and_trailing_dots_are_refused_everywhere() {
        for bad in [
            "CON",
            "con",
            "a/Con.txt",
            "nul.tar.gz",
            "PRN",
            "aux.",
            "COM1",
            "com9.log",
            "LPT1/x",
            "lpt9",
            "COM¹.txt",
            "NUL .txt",
            "conin$",
        ] {
            assert!(refused(bad).contains("Windows"), "{bad:?}");
        }
        for bad in ["a.", "dir./x", "a ", "x/b. ", "..."] {
            assert!(refused(bad).contains("dot or a space"), "{bad:?}");
        }
        for ok in [
            "CONSOLE", "com10", "COM0x", "lpt", "x.con", "aux_file", ".a", "a .b", " a",
        ] {
            path_segments(ok).unwrap_or_else(|e| panic!("{ok:?}: {e}"));
        }
        assert!(!is_valid_segment("CON"));
        assert!(!is_valid_segment("x\u{1}"));
        assert!(is_valid_segment("x"));
    }
}
