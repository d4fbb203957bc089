//! `App::check`: one report of every broken element of an app — declarations, Type
//! chains, and each Instance's load — sorted by fullName, without stopping at the first,
//! and without reporting good elements or the Metas and Types themselves.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::{builder, element, write, RecordingFactory};
use jit_element::{BuildContext, ElementErrorKind, ElementFactory, ElementResult, ElementValue};
use serde_json::json;

/// Loads the element named by `inner` through the app.
struct Wrapper;

#[async_trait]
impl ElementFactory for Wrapper {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        let inner = ctx.config["inner"].as_str().unwrap_or_default().to_string();
        let element = ctx.app().get_element(&inner).await?;
        Ok(Arc::new(element.full_name().to_string()))
    }
}

/// Always refuses, as a factory whose backend is unreachable would.
struct Failing;

#[async_trait]
impl ElementFactory for Failing {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        Err(ctx.build_error(std::io::Error::other("backend unreachable")))
    }
}

#[tokio::test]
async fn check_reports_every_broken_element_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let instance = |name: &str, type_name: &str, config: Option<serde_json::Value>| {
        element(root, name, json!({"title": "t", "type": type_name}), config);
    };
    // Good: Metas, Types and Instances that load.
    write(
        root,
        "caches/Meta/e.json",
        r#"{"title": "caches", "type": ""}"#,
    );
    instance(
        "storages.TenantType",
        "storages.Meta",
        Some(json!({"p": 1})),
    );
    instance(
        "storages.ArchiveDisk",
        "storages.DiskType",
        Some(json!({"d": "a"})),
    );
    instance("storages.Good", "storages.DiskType", Some(json!({})));
    instance("storages.NoConfig", "storages.DiskType", None);
    instance("storages.Tenant1", "storages.TenantType", None);
    instance("storages.Archive", "storages.ArchiveDisk", Some(json!({})));
    instance(
        "storages.WrapGood",
        "storages.WrapType",
        Some(json!({"inner": "storages.Good"})),
    );
    // Broken, one of each kind.
    write(root, "storages/Malformed/e.json", r#"{"title": "#);
    instance("storages.UnknownT", "storages.DiskTyp", Some(json!({})));
    instance("storages.CycA", "storages.CycB", None);
    instance("storages.CycB", "storages.CycA", None);
    instance("storages.UsesCyc", "storages.CycA", Some(json!({})));
    instance(
        "storages.LoopA",
        "storages.WrapType",
        Some(json!({"inner": "storages.LoopB"})),
    );
    instance(
        "storages.LoopB",
        "storages.WrapType",
        Some(json!({"inner": "storages.LoopA"})),
    );
    instance("storages.BadJson", "storages.DiskType", None);
    write(root, "storages/BadJson/BadJson.json", r#"{"d": "#);
    instance(
        "storages.NoVar",
        "storages.DiskType",
        Some(json!({"k": "{{NOT_SET}}"})),
    );
    instance(
        "storages.BadPort",
        "storages.DiskType",
        Some(json!({"port": "x"})),
    );
    instance("storages.Down", "storages.FailType", Some(json!({})));
    instance(
        "storages.WrapBad",
        "storages.WrapType",
        Some(json!({"inner": "storages.BadJson"})),
    );

    let disk = RecordingFactory::new("disk");
    let app = builder(root, &disk)
        .register_type("storages.TenantType", disk.clone())
        .register_builtin_type("storages.WrapType", "storages.Meta", "wrap", Wrapper)
        .register_builtin_type("storages.FailType", "storages.Meta", "fail", Failing)
        .open()
        .unwrap();

    let report = app.check().await;
    let shown: Vec<String> = report.iter().map(|e| e.to_string()).collect();
    let found: Vec<(&str, ElementErrorKind)> = report
        .iter()
        .map(|e| {
            (
                e.full_name().expect("each problem names its element"),
                e.kind(),
            )
        })
        .collect();
    use ElementErrorKind::*;
    assert_eq!(
        found,
        [
            ("storages.BadJson", InvalidConfig),
            ("storages.BadPort", InvalidConfig),
            ("storages.CycA", TypeCycle),
            ("storages.CycB", TypeCycle),
            ("storages.Down", Build),
            ("storages.LoopA", LoadCycle),
            ("storages.LoopB", LoadCycle),
            ("storages.Malformed", InvalidDeclaration),
            ("storages.NoVar", UnresolvedVariable),
            ("storages.UnknownT", UnknownType),
            ("storages.UsesCyc", TypeCycle),
            ("storages.WrapBad", InvalidConfig),
        ],
        "{shown:#?}"
    );
    let message = |name: &str| {
        report
            .iter()
            .find(|e| e.full_name() == Some(name))
            .unwrap()
            .to_string()
    };
    assert!(
        message("storages.UnknownT").contains("did you mean \"storages.DiskType\"?"),
        "{shown:#?}"
    );
    assert!(
        message("storages.LoopA").contains("storages.LoopA → storages.LoopB → storages.LoopA"),
        "{shown:#?}"
    );
    let wrap_bad = report
        .iter()
        .find(|e| e.full_name() == Some("storages.WrapBad"))
        .unwrap();
    assert!(
        wrap_bad.message().starts_with("via storages.BadJson: "),
        "{wrap_bad}"
    );
    assert!(wrap_bad
        .file()
        .unwrap()
        .ends_with("storages/BadJson/BadJson.json"));
    assert!(
        message("storages.Down").contains("backend unreachable"),
        "{shown:#?}"
    );

    // The good Instances loaded (and are cached); a second check reports the same.
    for good in [
        "storages.Good",
        "storages.Tenant1",
        "storages.Archive",
        "storages.WrapGood",
    ] {
        app.get_element(good).await.unwrap();
    }
    assert_eq!(app.check().await.len(), report.len());
}

#[tokio::test]
async fn a_healthy_app_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        "storages.Default",
        json!({"title": "files", "type": "storages.DiskType"}),
        Some(json!({"directory": "data"})),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk).open().unwrap();
    assert!(app.check().await.is_empty());
}
