//! Which variables a configuration may reference: names the app declares (`e.json`
//! `variables` along the Type chain, `app.json` `envVars`) and names the host chose
//! (`set_var`, `env_vars`, `allow_env_prefix`). Anything else is refused, naming the
//! file, field and variable and saying how to declare it — even when the process has it.
//! These apps read the real process environment (`PATH` is always set).

mod common;

use common::{element, write, RecordingFactory};
use jit_element::{App, AppBuilder, ElementErrorKind};
use serde_json::{json, Value};

fn builder(root: &std::path::Path) -> AppBuilder {
    App::builder(root)
        .register_meta("storages.Meta")
        .register_builtin_type(
            "storages.DiskType",
            "storages.Meta",
            "Local disk",
            RecordingFactory::new("disk"),
        )
}

async fn config(app: &App, name: &str) -> Value {
    let element = app
        .get_element(name)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    element
        .downcast_ref::<common::Built>()
        .expect("a Built")
        .config
        .clone()
}

fn path() -> String {
    std::env::var("PATH").expect("PATH is set for the tests")
}

#[tokio::test]
async fn an_undeclared_variable_is_refused_even_when_the_process_has_it() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Leaky",
        json!({"title": "leaky", "type": "storages.DiskType"}),
        Some(json!({"directory": "data", "baseUrl": "http://example.invalid/{{PATH}}"})),
    );
    element(
        dir.path(),
        "storages.Inline",
        json!({"title": "inline", "type": "storages.DiskType"}),
        Some(json!({"nested": {"list": ["${PATH:-fallback}"]}})),
    );
    let app = builder(dir.path()).open().unwrap();
    let err = app.get_element("storages.Leaky").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::UnresolvedVariable, "{err}");
    assert_eq!(err.full_name(), Some("storages.Leaky"));
    assert_eq!(err.field(), Some("baseUrl"));
    assert_eq!(
        err.file(),
        Some(dir.path().join("storages/Leaky/Leaky.json").as_path())
    );
    let shown = err.to_string();
    assert!(shown.contains("variable PATH is not declared"), "{shown}");
    assert!(
        shown.contains(r#"add {"name": "PATH"} to "variables" in"#)
            && shown.contains("storages/Leaky/e.json"),
        "says how to declare it: {shown}"
    );
    assert!(
        !shown.contains(&path()),
        "the value is never shown: {shown}"
    );

    let err = app.get_element("storages.Inline").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::UnresolvedVariable, "{err}");
    assert_eq!(err.field(), Some("nested.list[0]"));

    let reported: Vec<_> = app
        .check()
        .await
        .iter()
        .map(|p| p.full_name().unwrap_or_default().to_string())
        .collect();
    assert_eq!(reported, ["storages.Inline", "storages.Leaky"]);
}

#[tokio::test]
async fn declared_variables_resolve_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.json",
        r#"{"envVars": {"HOME": "/app-home"}}"#,
    );
    // Declared on the Type: every instance of it may reference the name.
    element(
        dir.path(),
        "storages.PathType",
        json!({"title": "t", "type": "storages.DiskType",
               "variables": [{"name": "PATH"}]}),
        None,
    );
    element(
        dir.path(),
        "storages.ViaType",
        json!({"title": "v", "type": "storages.PathType"}),
        Some(json!({"p": "{{PATH}}"})),
    );
    element(
        dir.path(),
        "storages.Own",
        json!({"title": "o", "type": "storages.DiskType",
               "variables": [{"name": "PATH"}, {"name": "NOT_IN_THIS_ENV_0F3A", "default": "d"}]}),
        Some(json!({"p": "${PATH}", "d": "{{NOT_IN_THIS_ENV_0F3A}}"})),
    );
    element(
        dir.path(),
        "storages.AppLevel",
        json!({"title": "a", "type": "storages.DiskType"}),
        Some(json!({"h": "{{HOME}}"})),
    );
    let app = builder(dir.path()).open().unwrap();
    assert_eq!(config(&app, "storages.ViaType").await, json!({"p": path()}));
    assert_eq!(
        config(&app, "storages.Own").await,
        json!({"p": path(), "d": "d"})
    );
    let home = std::env::var("HOME").unwrap_or_else(|_| "/app-home".into());
    assert_eq!(config(&app, "storages.AppLevel").await, json!({"h": home}));
}

#[tokio::test]
async fn the_host_chooses_prefixes_and_variables() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Hosted",
        json!({"title": "h", "type": "storages.DiskType"}),
        Some(json!({"p": "{{PATH}}", "addr": "{{HOST_ADDR}}"})),
    );
    let app = builder(dir.path())
        .allow_env_prefix("PAT")
        .set_var("HOST_ADDR", "127.0.0.1:1")
        .open()
        .unwrap();
    assert_eq!(
        config(&app, "storages.Hosted").await,
        json!({"p": path(), "addr": "127.0.0.1:1"})
    );
    // A prefix survives env_vars, and env_vars' own names are the host's choice.
    let app = builder(dir.path())
        .allow_env_prefix("PAT")
        .env_vars([("PATH".to_string(), "fixed".to_string())].into())
        .set_var("HOST_ADDR", "a")
        .open()
        .unwrap();
    assert_eq!(
        config(&app, "storages.Hosted").await,
        json!({"p": "fixed", "addr": "a"})
    );
}
