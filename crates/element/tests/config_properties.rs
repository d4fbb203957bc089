//! Property tests of an app's JSON files, for any input: `e.json`
//! ([`Declaration::parse`]) and `app.json` ([`AppConfig::parse`]) never panic, accept
//! exactly what their field rules allow and keep what they are given; an element's
//! `<Name>.json`, whatever its text, reaches the factory as the substituted object or
//! fails with the kind (and file) that names its mistake.
//!
//! Case counts are bounded so that `cargo test --workspace` stays fast.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{builder, element, write, Built, RecordingFactory};
use jit_element::vars::{substitute, SubstituteError, VariableSource};
use jit_element::{AppConfig, Declaration, ElementErrorKind};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// A field value: absent, or one of the JSON types (strings often blank or empty).
fn field() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        2 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => any::<bool>().prop_map(|b| Some(json!(b))),
        1 => any::<i32>().prop_map(|n| Some(json!(n))),
        3 => "[ a-zA-Z.]{0,6}".prop_map(|s| Some(json!(s))),
        1 => Just(Some(json!([]))),
        1 => Just(Some(json!({}))),
    ]
}

fn variable() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (mostly_string(), field(), field(), field()).prop_map(|(name, default, description, title)| {
            let mut obj = Map::new();
            for (k, v) in [("name", name), ("default", default), ("description", description), ("title", title)] {
                if let Some(v) = v {
                    obj.insert(k.to_string(), v);
                }
            }
            Value::Object(obj)
        }),
        1 => field().prop_map(|v| v.unwrap_or(Value::Null)),
    ]
}

/// Mostly a string (so that whole files are often valid), else any [`field`].
fn mostly_string() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => "[a-zA-Z][ a-zA-Z.]{0,6}".prop_map(|s| Some(json!(s))),
        1 => field(),
    ]
}

/// An `e.json` object whose fields are right or wrong in every way the rules name.
fn declaration_map() -> impl Strategy<Value = Map<String, Value>> {
    let variables = prop_oneof![
        3 => proptest::collection::vec(variable(), 0..3).prop_map(|v| Some(Value::Array(v))),
        1 => field(),
    ];
    (
        mostly_string(),
        mostly_string(),
        field(),
        field(),
        variables,
        field(),
    )
        .prop_map(|(title, ty, entry, description, variables, icon)| {
            let mut map = Map::new();
            for (k, v) in [
                ("title", title),
                ("type", ty),
                ("backendBundleEntry", entry),
                ("description", description),
                ("variables", variables),
                ("icon", icon),
            ] {
                if let Some(v) = v {
                    map.insert(k.to_string(), v);
                }
            }
            map
        })
}

fn optional_string(v: Option<&Value>) -> Result<Option<String>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(()),
    }
}

/// The `e.json` rules, written independently: (title, type, entry, description,
/// variables as (name, default, description)), or `Err` when a field is wrong.
#[allow(clippy::type_complexity)]
fn expected_declaration(
    map: &Map<String, Value>,
) -> Result<
    (
        String,
        String,
        Option<String>,
        Option<String>,
        Vec<(String, Option<String>, Option<String>)>,
    ),
    (),
> {
    let title = match map.get("title") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(()),
    };
    let ty = match map.get("type") {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Null) => String::new(),
        _ => return Err(()),
    };
    let entry = optional_string(map.get("backendBundleEntry"))?;
    let description = optional_string(map.get("description"))?;
    let mut variables = Vec::new();
    match map.get("variables") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for item in items {
                let Value::Object(obj) = item else {
                    return Err(());
                };
                let name = match obj.get("name") {
                    Some(Value::String(s)) if !s.is_empty() => s.clone(),
                    _ => return Err(()),
                };
                let default = match obj.get("default") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
                    Some(_) => return Err(()),
                };
                let described = match obj.get("description") {
                    Some(d) => d.as_str().map(str::to_string),
                    None => obj.get("title").and_then(Value::as_str).map(str::to_string),
                };
                variables.push((name, default, described));
            }
        }
        Some(_) => return Err(()),
    }
    Ok((title, ty, entry, description, variables))
}

/// An `app.json` object whose fields are right or wrong in every way the rules name.
fn app_map() -> impl Strategy<Value = Map<String, Value>> {
    let env_vars = prop_oneof![
        2 => proptest::collection::btree_map("[A-Z_]{1,4}", mostly_string(), 0..4).prop_map(|m| {
            Some(Value::Object(m.into_iter().map(|(k, v)| (k, v.unwrap_or(Value::Null))).collect()))
        }),
        1 => field(),
    ];
    let extends = prop_oneof![
        2 => proptest::collection::vec(mostly_string(), 0..3)
            .prop_map(|v| Some(Value::Array(v.into_iter().map(|v| v.unwrap_or(Value::Null)).collect()))),
        1 => field(),
    ];
    (mostly_string(), env_vars, extends, field(), field()).prop_map(
        |(name, env, extends, settings, other)| {
            let mut map = Map::new();
            for (k, v) in [
                ("name", name),
                ("envVars", env),
                ("extends", extends),
                ("settings", settings),
                ("other", other),
            ] {
                if let Some(v) = v {
                    map.insert(k.to_string(), v);
                }
            }
            map
        },
    )
}

#[allow(clippy::type_complexity)]
fn expected_app(
    map: &Map<String, Value>,
    root: &Path,
) -> Result<
    (
        Option<String>,
        HashMap<String, String>,
        Vec<PathBuf>,
        Map<String, Value>,
    ),
    (),
> {
    let name = optional_string(map.get("name"))?;
    let mut env = HashMap::new();
    match map.get("envVars") {
        None | Some(Value::Null) => {}
        Some(Value::Object(vars)) => {
            for (k, v) in vars {
                let v = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(_) | Value::Bool(_) => v.to_string(),
                    _ => return Err(()),
                };
                env.insert(k.clone(), v);
            }
        }
        Some(_) => return Err(()),
    }
    let extends = match map.get("extends") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![root.join(s)],
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(|s| root.join(s)).ok_or(()))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(()),
    };
    let settings = match map.get("settings") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(s)) => s.clone(),
        Some(_) => return Err(()),
    };
    Ok((name, env, extends, settings))
}

/// JSON-ish text: objects, other values, broken text, and references.
fn config_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<i32>().prop_map(Value::from),
        "([a-z ]|\\{\\{|\\}\\}|\\$\\{|\\}|:-|FROM_ENV|DECLARED|MISSING){0,5}"
            .prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        4 => proptest::collection::btree_map("[a-z]{1,4}", value.clone(), 0..4)
            .prop_map(|m| Value::Object(m.into_iter().collect()).to_string()),
        1 => value.prop_map(|v| v.to_string()),
        1 => any::<String>(),
        1 => "[{}\\[\\]\",: a-z0-9]{0,16}",
    ]
}

struct Vars(HashMap<String, String>);

impl VariableSource for Vars {
    fn lookup(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn declarations_follow_their_rules_and_keep_unknown_keys(map in declaration_map()) {
        let file = Path::new("/app/storages/Files/e.json");
        let text = Value::Object(map.clone()).to_string();
        let parsed = Declaration::parse("storages.Files", &text, file, Path::new("/app"));
        match (parsed, expected_declaration(&map)) {
            (Ok(d), Ok((title, ty, entry, description, variables))) => {
                prop_assert_eq!(d.title, title);
                prop_assert_eq!(d.type_name, ty);
                prop_assert_eq!(d.backend_bundle_entry, entry);
                prop_assert_eq!(d.description, description);
                let got: Vec<_> = d.variables.into_iter().map(|v| (v.name, v.default, v.description)).collect();
                prop_assert_eq!(got, variables);
                prop_assert_eq!(d.extra.get("icon"), map.get("icon"));
                prop_assert_eq!(d.extra.len(), usize::from(map.contains_key("icon")));
            }
            (Err(e), Err(())) => {
                prop_assert_eq!(e.kind(), ElementErrorKind::InvalidDeclaration);
                prop_assert_eq!(e.file(), Some(file));
                prop_assert!(e.field().is_some(), "{e}");
            }
            (got, expected) => prop_assert!(false, "{text}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn app_configs_follow_their_rules(map in app_map()) {
        let root = Path::new("/apps/demo");
        let file = root.join("app.json");
        let text = Value::Object(map.clone()).to_string();
        match (AppConfig::parse(&text, &file, root), expected_app(&map, root)) {
            (Ok(c), Ok((name, env, extends, settings))) => {
                prop_assert_eq!(c.name, name);
                prop_assert_eq!(c.env_vars, env);
                prop_assert_eq!(c.extends, extends);
                prop_assert_eq!(c.settings, settings);
            }
            (Err(e), Err(())) => {
                prop_assert_eq!(e.kind(), ElementErrorKind::InvalidDeclaration);
                prop_assert_eq!(e.file(), Some(file.as_path()));
            }
            (got, expected) => prop_assert!(false, "{text}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn any_text_as_e_json_or_app_json_is_parsed_or_refused(text in config_text()) {
        let file = Path::new("/app/x.json");
        if let Err(e) = Declaration::parse("storages.X", &text, file, Path::new("/app")) {
            prop_assert_eq!(e.kind(), ElementErrorKind::InvalidDeclaration);
        }
        if let Err(e) = AppConfig::parse(&text, file, Path::new("/app")) {
            prop_assert_eq!(e.kind(), ElementErrorKind::InvalidDeclaration);
        }
    }
}

proptest! {
    // Each case writes an app folder and loads it: fewer cases.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_name_json_reaches_the_factory_substituted_or_names_its_mistake(text in config_text()) {
        let dir = tempfile::tempdir().unwrap();
        element(
            dir.path(),
            "storages.Files",
            json!({"title": "Files", "type": "storages.DiskType",
                   "variables": [{"name": "DECLARED", "default": "decl-value"}]}),
            None,
        );
        let file = dir.path().join("storages/Files/Files.json");
        write(dir.path(), "storages/Files/Files.json", &text);
        // The test factory refuses a non-numeric `port`; keep that rule out of the way.
        let parsed: Option<Value> = serde_json::from_str::<Value>(&text).ok();
        prop_assume!(parsed.as_ref().and_then(|v| v.get("port")).is_none());

        let disk = RecordingFactory::new("disk");
        let app = builder(dir.path(), &disk).open().unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let got = runtime.block_on(app.get_element("storages.Files"));

        let vars = Vars(HashMap::from([
            ("FROM_ENV".to_string(), "env-value".to_string()),
            ("DECLARED".to_string(), "decl-value".to_string()),
        ]));
        let expected = match parsed {
            Some(mut object @ Value::Object(_)) => match substitute(&mut object, &vars) {
                Ok(()) => Ok(object),
                Err(SubstituteError::Unresolved(_)) => Err(ElementErrorKind::UnresolvedVariable),
                Err(SubstituteError::Malformed { .. }) => Err(ElementErrorKind::InvalidConfig),
                // Undeclared, and any kind added later: the loader reports it as unresolved.
                Err(_) => Err(ElementErrorKind::UnresolvedVariable),
            },
            _ => Err(ElementErrorKind::InvalidConfig),
        };
        match (got, expected) {
            (Ok(element), Ok(object)) => {
                let built = element.downcast_ref::<Built>().expect("a Built");
                prop_assert_eq!(&built.config, &object);
            }
            (Err(e), Err(kind)) => {
                prop_assert_eq!(e.kind(), kind, "{}", e);
                prop_assert_eq!(e.file(), Some(file.as_path()));
            }
            (got, expected) => prop_assert!(
                false,
                "{text:?}: got {:?}, expected {expected:?}",
                got.map(|e| e.downcast_ref::<Built>().map(|b| b.config.clone()))
            ),
        }
    }
}
