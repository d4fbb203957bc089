//! Reading an app's JSON files (`app.json`, `e.json`, `<Name>.json`): UTF-8 text holding
//! one JSON object, with errors of a caller-chosen kind that name the file.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{ElementError, ElementErrorKind, ElementResult};

/// The file's text; `Ok(None)` when it does not exist.
pub(crate) fn read_text(file: &Path, kind: ElementErrorKind) -> ElementResult<Option<String>> {
    let bytes = match std::fs::read(file) {
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
