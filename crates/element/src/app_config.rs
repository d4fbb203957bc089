//! `app.json`, the optional file at an app's root: `name`, `envVars`, `extends` and
//! `settings` (such as `defaultStorage`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::json_file::{ensure_inside, expected, parse_object, read_text};

/// The parsed `app.json` of one app folder (all fields optional).
#[derive(Debug, Clone, Default)]
pub struct AppConfig {
    /// `name`.
    pub name: Option<String>,
    /// `envVars`: values for variable references, below the process environment.
    pub env_vars: HashMap<String, String>,
    /// `extends`: parent app folders, resolved against this app's folder.
    pub extends: Vec<PathBuf>,
    /// `settings`, kept as JSON (families read their own keys, e.g. `defaultStorage`).
    pub settings: Map<String, Value>,
}

impl AppConfig {
    /// Reads `<root>/app.json`; a missing file is an empty config. An `app.json` that is
    /// a link leading out of `root` is refused, unread.
    pub fn read(root: &Path) -> ElementResult<AppConfig> {
        let file = root.join("app.json");
        ensure_inside(&file, root, ElementErrorKind::InvalidDeclaration)?;
        match read_text(&file, ElementErrorKind::InvalidDeclaration)? {
            Some(text) => Self::parse(&text, &file, root),
            None => Ok(AppConfig::default()),
        }
    }

    /// Parses the text of an `app.json` located at `file` in app folder `root`.
    pub fn parse(text: &str, file: &Path, root: &Path) -> ElementResult<AppConfig> {
        let err = |field: &str, message: String| {
            ElementError::new(ElementErrorKind::InvalidDeclaration, message)
                .with_file(file)
                .with_field(field)
        };
        let mut map = parse_object(text, file, ElementErrorKind::InvalidDeclaration)?;
        let name = match map.remove("name") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => return Err(err("name", expected("a string", &other))),
        };
        let mut env_vars = HashMap::new();
        match map.remove("envVars") {
            None | Some(Value::Null) => {}
            Some(Value::Object(vars)) => {
                for (k, v) in vars {
                    let v = match v {
                        Value::String(s) => s,
                        v @ (Value::Number(_) | Value::Bool(_)) => v.to_string(),
                        other => {
                            return Err(err(&format!("envVars.{k}"), expected("a string", &other)))
                        }
                    };
                    env_vars.insert(k, v);
                }
            }
            Some(other) => return Err(err("envVars", expected("an object", &other))),
        }
        let extends = match map.remove("extends") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![root.join(s)],
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(root.join(s)),
                    other => Err(err(&format!("extends[{i}]"), expected("a string", &other))),
                })
                .collect::<ElementResult<Vec<_>>>()?,
            Some(other) => return Err(err("extends", expected("an array", &other))),
        };
        let settings = match map.remove("settings") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(s)) => s,
            Some(other) => return Err(err("settings", expected("an object", &other))),
        };
        Ok(AppConfig {
            name,
            env_vars,
            extends,
            settings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_fields() {
        let cfg = AppConfig::parse(
            r#"{"name": "demo", "envVars": {"A": "1", "N": 2}, "extends": ["../base"],
                "settings": {"defaultStorage": "storages.Files"}}"#,
            Path::new("/apps/demo/app.json"),
            Path::new("/apps/demo"),
        )
        .unwrap();
        assert_eq!(cfg.name.as_deref(), Some("demo"));
        assert_eq!(cfg.env_vars["A"], "1");
        assert_eq!(cfg.env_vars["N"], "2");
        assert_eq!(cfg.extends, vec![PathBuf::from("/apps/demo/../base")]);
        assert_eq!(cfg.settings["defaultStorage"], "storages.Files");
    }

    #[test]
    fn wrong_types_name_the_field() {
        for (text, field) in [
            (r#"{"envVars": []}"#, "envVars"),
            (r#"{"envVars": {"A": {}}}"#, "envVars.A"),
            (r#"{"extends": [1]}"#, "extends[0]"),
            (r#"{"settings": 1}"#, "settings"),
        ] {
            let err =
                AppConfig::parse(text, Path::new("/a/app.json"), Path::new("/a")).unwrap_err();
            assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration);
            assert_eq!(err.field(), Some(field), "{text}");
        }
    }
}
