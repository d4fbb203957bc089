//! Reading an app's JSON files (`app.json`, `e.json`, `<Name>.json`): UTF-8 text holding
//! one JSON object, with errors of a caller-chosen kind that name the file; and the rule
//! that an app reads no file outside its folder through a symbolic link.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{ElementError, ElementErrorKind, ElementResult};

/// The file's text; `Ok(None)` when it does not exist.
pub(crate) fn read_text(file: &Path, kind: ElementErrorKind) -> ElementResult<Option<String>> {
    let bytes = match read_small(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ElementError::io(file, e)),
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        ElementError::new(kind, "file is not UTF-8")
            .with_file(file)
            .with_source(e)
    })
}

/// The bytes of `file`, read in 8 KiB pieces until the end: an app's JSON files are
/// small, so this is open, one read, the read that finds the end, and close — without
/// the size lookup (`statx`) that `std::fs::read` makes first.
fn read_small(file: &Path) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(file)?;
    let mut piece = [0u8; 8192];
    let mut bytes = Vec::new();
    loop {
        match file.read(&mut piece) {
            Ok(0) => return Ok(bytes),
            Ok(n) => bytes.extend_from_slice(&piece[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Whether the canonical path `target` lies outside the canonical folder `root`.
pub(crate) fn outside_root(target: &Path, root: &Path) -> bool {
    !target.starts_with(root)
}

/// The error for `file` (a link, or a path through one) leading to `target`, outside the
/// app folder `root`. Names both paths, never the content.
pub(crate) fn link_outside(
    file: &Path,
    target: &Path,
    root: &Path,
    kind: ElementErrorKind,
) -> ElementError {
    ElementError::new(
        kind,
        format!(
            "refused: this is a link to {}, outside the app {} (an app's files must be \
             inside its folder; links may only point inside it)",
            target.display(),
            root.display()
        ),
    )
    .with_file(file)
}

/// Refuses `file` when it exists and, through a symbolic link, is outside the app folder
/// `root`. A missing file passes: reading it says so.
pub(crate) fn ensure_inside(file: &Path, root: &Path, kind: ElementErrorKind) -> ElementResult<()> {
    let (Ok(target), Ok(root)) = (file.canonicalize(), root.canonicalize()) else {
        return Ok(());
    };
    if outside_root(&target, &root) {
        return Err(link_outside(file, &target, &root, kind));
    }
    Ok(())
}

/// Parses `text` as a JSON object.
pub(crate) fn parse_object(
    text: &str,
    file: &Path,
    kind: ElementErrorKind,
) -> ElementResult<Map<String, Value>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        ElementError::new(kind, format!("malformed JSON: {e}"))
            .with_file(file)
            .with_source(e)
    })?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ElementError::new(
            kind,
            format!("must hold a JSON object, found {}", json_type_name(&other)),
        )
        .with_file(file)),
    }
}

/// "expected a string, found a number".
pub(crate) fn expected(what: &str, found: &Value) -> String {
    format!("expected {what}, found {}", json_type_name(found))
}

/// The JSON type of a value, for messages.
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(s) if s.is_empty() => "an empty string",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
