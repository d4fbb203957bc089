//! Loading apps from real folders: the Meta → Type → Instance chain, config merging,
//! variables, extends, overrides, the load-once cache, and every kind of bad input.

mod common;

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::{builder, built, element, write, RecordingFactory};
use jit_element::{ElementErrorKind, ElementRole};
use serde_json::json;

#[tokio::test]
async fn instance_of_builtin_type_loads_with_its_config() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Default",
        json!({"title": "Files", "type": "storages.DiskType", "backendBundleEntry": ".", "variables": []}),
        Some(json!({"directory": "data"})),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk).open().unwrap();
    let element = app.get_element("storages.Default").await.unwrap();
    assert_eq!(element.full_name(), "storages.Default");
    assert_eq!(element.title(), "Files");
    assert_eq!(element.type_name(), "storages.DiskType");
    assert_eq!(element.implementation(), "storages.DiskType");
    assert_eq!(
        element.type_chain(),
        ["storages.Default", "storages.DiskType", "storages.Meta"]
    );
    assert_eq!(
        built(&app, "storages.Default").await.1,
        json!({"directory": "data"})
    );
}

#[tokio::test]
async fn listing_loads_nothing_and_elements_load_once() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.A",
        json!({"title": "A", "type": "storages.DiskType"}),
        Some(json!({})),
    );
    element(
        dir.path(),
        "storages.B",
        json!({"title": "B", "type": "storages.DiskType"}),
        Some(json!({})),
    );
    let mut disk = RecordingFactory::new("disk");
    disk.delay = Duration::from_millis(50);
    let app = builder(dir.path(), &disk).open().unwrap();
    let names: Vec<_> = app
        .declarations()
        .iter()
        .map(|d| d.full_name.clone())
        .collect();
    assert_eq!(names, ["storages.A", "storages.B"]);
    assert_eq!(
        app.role_of(&app.declaration("storages.A").unwrap()),
        ElementRole::Instance
    );
    assert_eq!(
        disk.calls.load(Ordering::SeqCst),
        0,
        "listing must not load"
    );

    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app.get_element("storages.A").await.unwrap() })
        })
        .collect();
    let mut loaded = Vec::new();
    for t in tasks {
        loaded.push(t.await.unwrap());
    }
    assert_eq!(
        disk.calls.load(Ordering::SeqCst),
        1,
        "concurrent callers share one load"
    );
    assert!(loaded.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])));
    app.get_element("storages.A").await.unwrap();
    assert_eq!(
        disk.calls.load(Ordering::SeqCst),
        1,
        "cached for the app's life"
    );
}

#[tokio::test]
async fn variables_resolve_from_env_then_app_json_then_declared_defaults() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.json",
        r#"{"envVars": {"FROM_APP": "app-value", "FROM_ENV": "shadowed"}}"#,
    );
    element(
        dir.path(),
        "storages.Vars",
        json!({"title": "V", "type": "storages.DiskType",
               "variables": [{"name": "FROM_DECL", "default": "decl-value"}, {"name": "FROM_APP", "default": "shadowed"},
                             {"name": "NOWHERE"}]}),
        Some(json!({
            "a": "{{FROM_ENV}}", "b": "${FROM_APP}", "c": "{{ FROM_DECL }}",
            "d": "${NOWHERE:-inline}", "e": "prefix-${FROM_ENV}-suffix", "n": 5
        })),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk).open().unwrap();
    let (_, config) = built(&app, "storages.Vars").await;
    assert_eq!(
        config,
        json!({"a": "env-value", "b": "app-value", "c": "decl-value", "d": "inline",
               "e": "prefix-env-value-suffix", "n": 5})
    );
}

#[tokio::test]
async fn unresolved_variable_names_element_file_and_variable() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.MyOss",
        json!({"title": "O", "type": "storages.DiskType"}),
        Some(json!({"accessKeySecret": "{{OSS_ACCESS_KEY_SECRET}}"})),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk).open().unwrap();
    let err = app.get_element("storages.MyOss").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::UnresolvedVariable);
    assert_eq!(err.full_name(), Some("storages.MyOss"));
    assert_eq!(err.field(), Some("accessKeySecret"));
    assert!(err.file().unwrap().ends_with("storages/MyOss/MyOss.json"));
    assert!(err.to_string().contains("OSS_ACCESS_KEY_SECRET"), "{err}");
}

#[tokio::test]
async fn custom_type_declared_in_folder_and_registered_in_code() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.TenantType",
        json!({"title": "Tenant", "type": "storages.Meta"}),
        Some(json!({"prefix": "default/"})),
    );
    element(
        dir.path(),
        "storages.TenantA",
        json!({"title": "A", "type": "storages.TenantType"}),
        Some(json!({"prefix": "a/"})),
    );
    let disk = RecordingFactory::new("disk");
    let tenant = RecordingFactory::new("tenant");
    let app = builder(dir.path(), &disk)
        .register_type("storages.TenantType", tenant.clone())
        .open()
        .unwrap();
    assert_eq!(
        app.role_of(&app.declaration("storages.TenantType").unwrap()),
        ElementRole::Type
    );
    let (implementation, config) = built(&app, "storages.TenantA").await;
    assert_eq!(implementation, "tenant");
    assert_eq!(config, json!({"prefix": "a/"}));
    assert!(app
        .known_types()
        .contains(&"storages.TenantType".to_string()));
}

#[tokio::test]
async fn app_overrides_an_official_type() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.DiskType",
        json!({"title": "Our disk", "type": "storages.Meta"}),
        None,
    );
    element(
        dir.path(),
        "storages.Files",
        json!({"title": "F", "type": "storages.DiskType"}),
        Some(json!({})),
    );
    let disk = RecordingFactory::new("official-disk");
    let ours = RecordingFactory::new("our-disk");
    let app = builder(dir.path(), &disk)
        .register_type("storages.DiskType", ours.clone())
        .open()
        .unwrap();
    assert_eq!(built(&app, "storages.Files").await.0, "our-disk");
    assert_eq!(disk.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn sub_type_inherits_implementation_and_defaults() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.ArchiveDisk",
        json!({"title": "Archive", "type": "storages.DiskType"}),
        Some(json!({"directory": "archive", "limits": {"maxBytes": 10, "minBytes": 1}})),
    );
    element(
        dir.path(),
        "storages.Archive2025",
        json!({"title": "2025", "type": "storages.ArchiveDisk"}),
        Some(json!({"limits": {"maxBytes": 99}})),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk).open().unwrap();
    assert_eq!(
        app.role_of(&app.declaration("storages.ArchiveDisk").unwrap()),
        ElementRole::Type
    );
    let element = app.get_element("storages.Archive2025").await.unwrap();
    assert_eq!(element.implementation(), "storages.DiskType");
    assert_eq!(
        element.type_chain(),
        [
            "storages.Archive2025",
            "storages.ArchiveDisk",
            "storages.DiskType",
            "storages.Meta"
        ]
    );
    let (_, config) = built(&app, "storages.Archive2025").await;
    assert_eq!(
        config,
        json!({"directory": "archive", "limits": {"maxBytes": 99, "minBytes": 1}})
    );
}

#[tokio::test]
async fn child_app_overrides_parent_elements_and_inherits_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("base");
    let child = dir.path().join("child");
    write(
        &parent,
        "app.json",
        r#"{"name": "base", "envVars": {"WHO": "parent"}, "settings": {"defaultStorage": "storages.Shared"}}"#,
    );
    element(
        &parent,
        "storages.Shared",
        json!({"title": "Shared", "type": "storages.DiskType"}),
        Some(json!({"who": "{{WHO}}"})),
    );
    element(
        &parent,
        "storages.Both",
        json!({"title": "Parent's", "type": "storages.DiskType"}),
        Some(json!({"from": "parent"})),
    );
    write(
        &child,
        "app.json",
        r#"{"name": "child", "extends": ["../base"], "envVars": {"WHO": "child"}}"#,
    );
    element(
        &child,
        "storages.Both",
        json!({"title": "Child's", "type": "storages.DiskType"}),
        Some(json!({"from": "child"})),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(&child, &disk).open().unwrap();
    assert_eq!(app.name(), Some("child"));
    assert_eq!(app.parents().len(), 1);
    assert_eq!(app.settings()["defaultStorage"], "storages.Shared");
    assert_eq!(app.declaration("storages.Both").unwrap().title, "Child's");
    assert_eq!(
        built(&app, "storages.Both").await.1,
        json!({"from": "child"})
    );
    assert_eq!(
        built(&app, "storages.Shared").await.1,
        json!({"who": "child"})
    );
}

#[tokio::test]
async fn extends_loop_and_missing_parent_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("a"),
        "app.json",
        r#"{"extends": ["../b"]}"#,
    );
    write(
        &dir.path().join("b"),
        "app.json",
        r#"{"extends": ["../a"]}"#,
    );
    let disk = RecordingFactory::new("disk");
    let err = builder(&dir.path().join("a"), &disk).open().unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration);
    assert_eq!(err.field(), Some("extends"));

    write(
        &dir.path().join("c"),
        "app.json",
        r#"{"extends": ["../nowhere"]}"#,
    );
    let err = builder(&dir.path().join("c"), &disk).open().unwrap_err();
    assert_eq!(err.field(), Some("extends[0]"));
    assert!(err.file().unwrap().ends_with("c/app.json"));
}

/// Every bad input gets an error of the right kind naming the file (and field), and the
/// other elements still load.
#[tokio::test]
async fn bad_inputs_are_reported_per_element() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    element(
        root,
        "storages.Good",
        json!({"title": "ok", "type": "storages.DiskType"}),
        Some(json!({})),
    );
    write(
        root,
        "storages/Malformed/e.json",
        r#"{"title": "x", "type": "#,
    );
    write(
        root,
        "storages/NoTitle/e.json",
        r#"{"type": "storages.DiskType"}"#,
    );
    write(root, "storages/NoType/e.json", r#"{"title": "t"}"#);
    element(
        root,
        "storages.Unknown",
        json!({"title": "u", "type": "storages.NoSuchType"}),
        Some(json!({})),
    );
    element(
        root,
        "storages.CycleA",
        json!({"title": "a", "type": "storages.CycleB"}),
        None,
    );
    element(
        root,
        "storages.CycleB",
        json!({"title": "b", "type": "storages.CycleA"}),
        None,
    );
    element(
        root,
        "storages.UsesCycle",
        json!({"title": "c", "type": "storages.CycleA"}),
        Some(json!({})),
    );
    element(
        root,
        "storages.NoConfig",
        json!({"title": "n", "type": "storages.DiskType"}),
        None,
    );
    element(
        root,
        "storages.WrongField",
        json!({"title": "w", "type": "storages.DiskType"}),
        Some(json!({"port": "eighty"})),
    );
    element(
        root,
        "storages.ConfigArray",
        json!({"title": "w", "type": "storages.DiskType"}),
        None,
    );
    write(root, "storages/ConfigArray/ConfigArray.json", "[1]");
    write(
        root,
        "storages/BadConfigJson/e.json",
        r#"{"title": "b", "type": "storages.DiskType"}"#,
    );
    write(
        root,
        "storages/BadConfigJson/BadConfigJson.json",
        r#"{"directory": "#,
    );
    std::fs::create_dir_all(root.join("storages/NotUtf8")).unwrap();
    std::fs::write(
        root.join("storages/NotUtf8/e.json"),
        b"{\"title\": \"\xff\xfe\", \"type\": \"x\"}",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("storages/DirEJson/e.json")).unwrap();
    write(
        root,
        "storages/Dup/Name/e.json",
        r#"{"title": "1", "type": "storages.DiskType"}"#,
    );
    write(
        root,
        "storages/Dup.Name/e.json",
        r#"{"title": "2", "type": "storages.DiskType"}"#,
    );

    let disk = RecordingFactory::new("disk");
    let app = builder(root, &disk)
        .open()
        .expect("a broken element must not stop the app");

    let file = |rel: &str| -> PathBuf { root.join(rel) };
    let cases: Vec<(&str, ElementErrorKind, PathBuf, Option<&str>)> = vec![
        (
            "storages.Malformed",
            ElementErrorKind::InvalidDeclaration,
            file("storages/Malformed/e.json"),
            None,
        ),
        (
            "storages.NoTitle",
            ElementErrorKind::InvalidDeclaration,
            file("storages/NoTitle/e.json"),
            Some("title"),
        ),
        (
            "storages.NoType",
            ElementErrorKind::InvalidDeclaration,
            file("storages/NoType/e.json"),
            Some("type"),
        ),
        (
            "storages.Unknown",
            ElementErrorKind::UnknownType,
            file("storages/Unknown/e.json"),
            Some("type"),
        ),
        (
            "storages.UsesCycle",
            ElementErrorKind::TypeCycle,
            file("storages/CycleB/e.json"),
            Some("type"),
        ),
        (
            "storages.WrongField",
            ElementErrorKind::InvalidConfig,
            file("storages/WrongField/WrongField.json"),
            Some("port"),
        ),
        (
            "storages.ConfigArray",
            ElementErrorKind::InvalidConfig,
            file("storages/ConfigArray/ConfigArray.json"),
            None,
        ),
        (
            "storages.BadConfigJson",
            ElementErrorKind::InvalidConfig,
            file("storages/BadConfigJson/BadConfigJson.json"),
            None,
        ),
        (
            "storages.NotUtf8",
            ElementErrorKind::InvalidDeclaration,
            file("storages/NotUtf8/e.json"),
            None,
        ),
        (
            "storages.DirEJson",
            ElementErrorKind::InvalidDeclaration,
            file("storages/DirEJson/e.json"),
            None,
        ),
        (
            "storages.Dup.Name",
            ElementErrorKind::DuplicateElement,
            file("storages/Dup.Name/e.json"),
            None,
        ),
    ];
    for (name, kind, expected_file, field) in cases {
        let err = app.get_element(name).await.expect_err(name);
        assert_eq!(err.kind(), kind, "{name}: {err}");
        assert_eq!(err.full_name(), Some(name), "{name}: {err}");
        assert_eq!(err.file(), Some(expected_file.as_path()), "{name}: {err}");
        if let Some(field) = field {
            assert_eq!(err.field(), Some(field), "{name}: {err}");
        }
        let shown = err.to_string();
        assert!(shown.contains(name), "{shown}");
        assert_eq!(
            shown.matches(&expected_file.display().to_string()).count(),
            1,
            "the file is named once: {shown}"
        );
    }
    // Problems are listed without loading; the good element still loads.
    let problems: Vec<_> = app
        .problems()
        .iter()
        .filter_map(|p| p.full_name().map(str::to_string))
        .collect();
    for broken in [
        "storages.Malformed",
        "storages.NoTitle",
        "storages.NotUtf8",
        "storages.DirEJson",
        "storages.Dup.Name",
    ] {
        assert!(
            problems.contains(&broken.to_string()),
            "{broken} in {problems:?}"
        );
    }
    app.get_element("storages.Good")
        .await
        .expect("the good element loads");
    // A missing <Name>.json is no overrides, not an error.
    assert_eq!(built(&app, "storages.NoConfig").await.1, json!({}));
    let missing = app.get_element("storages.Nope").await.unwrap_err();
    assert_eq!(missing.kind(), ElementErrorKind::NotFound);
    let meta = app.get_element("storages.Meta").await.unwrap_err();
    assert_eq!(meta.kind(), ElementErrorKind::NotInstantiable);
}

#[tokio::test]
async fn a_failed_load_is_not_cached() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Later",
        json!({"title": "l", "type": "storages.DiskType"}),
        None,
    );
    write(dir.path(), "storages/Later/Later.json", r#"{"fixed": "#);
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk).open().unwrap();
    let err = app.get_element("storages.Later").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig);
    write(
        dir.path(),
        "storages/Later/Later.json",
        r#"{"fixed": true}"#,
    );
    let (_, config) = built(&app, "storages.Later").await;
    assert_eq!(config, json!({"fixed": true}));
}
