//! Element declarations: the typed form of an `e.json` file, parsed field by field so that
//! every mistake names its file and field, while unknown keys are kept, not rejected.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::json_file::{expected, parse_object};

/// A variable declared in `e.json` `variables`: `{"name": "OSS_BUCKET", "default": "b"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableDecl {
    /// The variable's name, as referenced by `{{NAME}}` or `${NAME}`.
    pub name: String,
    /// The value used when neither the environment nor `app.json` `envVars` set it.
    pub default: Option<String>,
    /// A human description, if given.
    pub description: Option<String>,
}

/// Whether an element roots a family, implements one, or configures one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementRole {
    /// A family root such as `storages.Meta` (empty `type`).
    Meta,
    /// An implementation such as `storages.OssType` (its `type` is a Meta or another Type).
    Type,
    /// A configured element such as `storages.MyOss`.
    Instance,
}

impl std::fmt::Display for ElementRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Meta => "Meta",
            Self::Type => "Type",
            Self::Instance => "Instance",
        })
    }
}

/// One element folder's declaration (`<family>/<Name>/e.json`), or the declaration of an
/// element registered in code with
/// [`AppBuilder::register_builtin_element`](crate::AppBuilder::register_builtin_element)
/// (see [`Declaration::builtin`]).
#[derive(Debug, Clone)]
pub struct Declaration {
    /// `storages.MyOss` for `storages/MyOss/`.
    pub full_name: String,
    /// Display name (`title`, required).
    pub title: String,
    /// The `type` this element is of: a Type's or Meta's fullName; empty for a Meta.
    pub type_name: String,
    /// `backendBundleEntry`, usually `"."`.
    pub backend_bundle_entry: Option<String>,
    /// `description`, if any.
    pub description: Option<String>,
    /// Declared variables with their defaults.
    pub variables: Vec<VariableDecl>,
    /// Keys this crate does not interpret (`icon`, `tag`, `loadTime`, …), kept as given.
    pub extra: Map<String, Value>,
    /// The element's folder.
    pub dir: PathBuf,
    /// The `e.json` file.
    pub file: PathBuf,
    /// Root folder of the app that declares this element (relative paths in its config are
    /// relative to it).
    pub app_root: PathBuf,
    /// Registered in code, with no folder in any app (JitAi's official service
    /// elements): `dir` and `app_root` are then the app's folder and `file` its
    /// `app.json`, where such an element's settings live.
    pub builtin: bool,
}

impl Declaration {
    /// The last segment of the fullName (`MyOss` for `storages.MyOss`).
    pub fn name(&self) -> &str {
        self.full_name.rsplit('.').next().unwrap_or(&self.full_name)
    }

    /// The family segment of the fullName (`storages` for `storages.MyOss`).
    pub fn family(&self) -> &str {
        self.full_name.split('.').next().unwrap_or(&self.full_name)
    }

    /// The business configuration file beside `e.json`: `<dir>/<Name>.json`; for a
    /// [`builtin`](Self::builtin) element, the app's `app.json`.
    pub fn config_file(&self) -> PathBuf {
        if self.builtin {
            return self.file.clone();
        }
        self.dir.join(format!("{}.json", self.name()))
    }

    /// The declaration of an element registered in code for the app at `app_root`: no
    /// folder, its settings in `<app_root>/app.json`.
    pub(crate) fn of_builtin(
        full_name: &str,
        type_name: &str,
        title: &str,
        app_root: &Path,
    ) -> Declaration {
        Declaration {
            full_name: full_name.to_string(),
            title: title.to_string(),
            type_name: type_name.to_string(),
            backend_bundle_entry: None,
            description: None,
            variables: Vec::new(),
            extra: Map::new(),
            dir: app_root.to_path_buf(),
            file: app_root.join("app.json"),
            app_root: app_root.to_path_buf(),
            builtin: true,
        }
    }

    /// Parses the text of an `e.json`.
    pub fn parse(
        full_name: &str,
        text: &str,
        file: &Path,
        app_root: &Path,
    ) -> ElementResult<Declaration> {
        let err = |field: &str, message: String| {
            ElementError::new(ElementErrorKind::InvalidDeclaration, message)
                .with_element(full_name)
                .with_file(file)
                .with_field(field)
        };
        let mut map = parse_object(text, file, ElementErrorKind::InvalidDeclaration)
            .map_err(|e| e.with_element(full_name))?;

        let title = match map.remove("title") {
            Some(Value::String(s)) if !s.trim().is_empty() => s,
            Some(Value::String(_)) => return Err(err("title", "must not be empty".into())),
            Some(other) => return Err(err("title", expected("a string", &other))),
            None => return Err(err("title", "missing required field".into())),
        };
        let type_name = match map.remove("type") {
            Some(Value::String(s)) => s.trim().to_string(),
            Some(Value::Null) => String::new(),
            Some(other) => return Err(err("type", expected("a string", &other))),
            None => return Err(err("type", "missing required field".into())),
        };
        let backend_bundle_entry = optional_string(&mut map, "backendBundleEntry", &err)?;
        let description = optional_string(&mut map, "description", &err)?;
        let variables = match map.remove("variables") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, item)| parse_variable(i, item, &err))
                .collect::<ElementResult<Vec<_>>>()?,
            Some(other) => return Err(err("variables", expected("an array", &other))),
        };

        Ok(Declaration {
            full_name: full_name.to_string(),
            title,
            type_name,
            backend_bundle_entry,
            description,
            variables,
            extra: map,
            dir: file.parent().unwrap_or(Path::new(".")).to_path_buf(),
            file: file.to_path_buf(),
            app_root: app_root.to_path_buf(),
            builtin: false,
        })
    }
}

fn optional_string(
    map: &mut Map<String, Value>,
    field: &str,
    err: &impl Fn(&str, String) -> ElementError,
) -> ElementResult<Option<String>> {
    match map.remove(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(err(field, expected("a string", &other))),
    }
}

fn parse_variable(
    index: usize,
    item: Value,
    err: &impl Fn(&str, String) -> ElementError,
) -> ElementResult<VariableDecl> {
    let field = |name: &str| format!("variables[{index}].{name}");
    let Value::Object(mut obj) = item else {
        return Err(err(
            &format!("variables[{index}]"),
            expected("an object", &item),
        ));
    };
    let name = match obj.remove("name") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(other @ Value::String(_)) | Some(other) => {
            return Err(err(&field("name"), expected("a non-empty string", &other)))
        }
        None => return Err(err(&field("name"), "missing required field".into())),
    };
    let default = match obj.remove("default") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
        Some(other) => return Err(err(&field("default"), expected("a string", &other))),
    };
    let description = match obj.remove("description").or_else(|| obj.remove("title")) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(VariableDecl {
        name,
        default,
        description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ElementResult<Declaration> {
        Declaration::parse(
            "storages.MyOss",
            text,
            Path::new("/app/storages/MyOss/e.json"),
            Path::new("/app"),
        )
    }

    #[test]
    fn parses_the_seed_declaration_and_keeps_unknown_keys() {
        let decl = parse(
            r#"{"title": "My OSS", "type": "storages.OssType", "backendBundleEntry": ".",
                "variables": [{"name": "BUCKET", "default": "b"}], "icon": "cloud"}"#,
        )
        .unwrap();
        assert_eq!(decl.title, "My OSS");
        assert_eq!(decl.type_name, "storages.OssType");
        assert_eq!(decl.name(), "MyOss");
        assert_eq!(decl.family(), "storages");
        assert_eq!(
            decl.config_file(),
            Path::new("/app/storages/MyOss/MyOss.json")
        );
        assert_eq!(decl.variables[0].default.as_deref(), Some("b"));
        assert_eq!(decl.extra["icon"], "cloud");
    }

    #[test]
    fn missing_or_mistyped_fields_name_the_field() {
        let cases = [
            (r#"{"type": "storages.OssType"}"#, "title"),
            (r#"{"title": "", "type": "x"}"#, "title"),
            (r#"{"title": "t"}"#, "type"),
            (r#"{"title": "t", "type": 3}"#, "type"),
            (
                r#"{"title": "t", "type": "x", "variables": {}}"#,
                "variables",
            ),
            (
                r#"{"title": "t", "type": "x", "variables": [{"default": "1"}]}"#,
                "variables[0].name",
            ),
            (
                r#"{"title": "t", "type": "x", "backendBundleEntry": 1}"#,
                "backendBundleEntry",
            ),
        ];
        for (text, field) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration, "{text}");
            assert_eq!(err.field(), Some(field), "{text}");
            assert_eq!(
                err.file(),
                Some(Path::new("/app/storages/MyOss/e.json")),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_json_names_the_file() {
        let err = parse(r#"{"title": "t", "#).unwrap_err();
        assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration);
        assert!(err.to_string().contains("malformed JSON"), "{err}");
        assert!(err.to_string().contains("e.json"), "{err}");
        let err = parse("[1, 2]").unwrap_err();
        assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration);
    }
}
