//! A missing `<Name>.json` means "no overrides": the element gets its Types' defaults,
//! and when they lack a required field the Type's own deserialize error names the
//! instance's config file (once) and the field.

mod common;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use common::{builder, element, RecordingFactory};
use jit_element::{
    App, BuildContext, ElementErrorKind, ElementFactory, ElementResult, ElementValue,
};
use serde::Deserialize;
use serde_json::json;

/// The typed configuration of the test Type.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Settings {
    directory: String,
    #[serde(default)]
    max_bytes: Option<u64>,
}

/// A Type whose config must deserialize into [`Settings`].
struct Typed;

#[async_trait]
impl ElementFactory for Typed {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        Ok(Arc::new(ctx.deserialize_config::<Settings>()?))
    }
}

/// An app with `storages.FolderType` (declared, with `defaults` as its
/// `FolderType.json` when given) and the built-in `storages.BuiltinType` (no defaults),
/// both implemented by [`Typed`].
fn app(root: &Path, defaults: Option<serde_json::Value>) -> App {
    element(
        root,
        "storages.FolderType",
        json!({"title": "folder type", "type": "storages.Meta"}),
        defaults,
    );
    builder(root, &RecordingFactory::new("disk"))
        .register_type("storages.FolderType", Typed)
        .register_builtin_type("storages.BuiltinType", "storages.Meta", "builtin", Typed)
        .open()
        .unwrap()
}

#[tokio::test]
async fn a_missing_config_file_takes_the_type_defaults() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Plain",
        json!({"title": "p", "type": "storages.FolderType"}),
        None,
    );
    element(
        dir.path(),
        "storages.Tuned",
        json!({"title": "t", "type": "storages.FolderType"}),
        Some(json!({"maxBytes": 5})),
    );
    let app = app(
        dir.path(),
        Some(json!({"directory": "data", "maxBytes": 1})),
    );
    let plain = app.get_element("storages.Plain").await.unwrap();
    assert_eq!(
        plain.downcast_ref::<Settings>().unwrap(),
        &Settings {
            directory: "data".into(),
            max_bytes: Some(1)
        }
    );
    let tuned = app.get_element("storages.Tuned").await.unwrap();
    assert_eq!(tuned.downcast_ref::<Settings>().unwrap().max_bytes, Some(5));
}

#[tokio::test]
async fn defaults_lacking_a_required_field_name_the_instance_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Bare",
        json!({"title": "b", "type": "storages.FolderType"}),
        None,
    );
    element(
        dir.path(),
        "storages.BareBuiltin",
        json!({"title": "b", "type": "storages.BuiltinType"}),
        None,
    );
    let app = app(dir.path(), Some(json!({"maxBytes": 1})));
    for name in ["storages.Bare", "storages.BareBuiltin"] {
        let err = app.get_element(name).await.unwrap_err();
        assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
        assert_eq!(err.full_name(), Some(name));
        assert_eq!(err.field(), Some("directory"), "{err}");
        let file = dir.path().join(format!(
            "storages/{0}/{0}.json",
            name.trim_start_matches("storages.")
        ));
        assert_eq!(err.file(), Some(file.as_path()), "{err}");
        let shown = err.to_string();
        assert_eq!(
            shown.matches(&file.display().to_string()).count(),
            1,
            "the file is named once: {shown}"
        );
    }
}

#[tokio::test]
async fn a_type_without_defaults_and_an_instance_without_config_is_an_empty_config() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Empty",
        json!({"title": "e", "type": "storages.DiskType"}),
        None,
    );
    let app = app(dir.path(), None);
    let (_, config) = common::built(&app, "storages.Empty").await;
    assert_eq!(config, json!({}));
}

#[tokio::test]
async fn a_typo_in_a_config_key_names_the_key_and_the_nearest_valid_one() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Typo",
        json!({"title": "t", "type": "storages.FolderType"}),
        Some(json!({"directory": "d", "maxbytes": 5})),
    );
    element(
        dir.path(),
        "storages.Stranger",
        json!({"title": "t", "type": "storages.FolderType"}),
        Some(json!({"directory": "d", "colour": "blue"})),
    );
    let app = app(dir.path(), None);
    let err = app.get_element("storages.Typo").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig);
    assert_eq!(err.field(), Some("maxbytes"));
    assert!(err.file().unwrap().ends_with("storages/Typo/Typo.json"));
    let shown = err.to_string();
    assert!(shown.contains("did you mean `maxBytes`?"), "{shown}");
    assert!(
        shown.contains("known fields: directory, maxBytes"),
        "{shown}"
    );

    let err = app.get_element("storages.Stranger").await.unwrap_err();
    assert_eq!(err.field(), Some("colour"));
    assert!(!err.to_string().contains("did you mean"), "{err}");
}
