//! "Did you mean": an unknown Type suggests the nearest known Type (registered or
//! declared) or Meta, and an undeclared element the nearest declared one; names too far
//! from anything get no suggestion.

mod common;

use common::{builder, element, RecordingFactory};
use jit_element::{App, ElementErrorKind};
use serde_json::json;

fn app(root: &std::path::Path) -> App {
    element(
        root,
        "storages.TenantType",
        json!({"title": "tenant", "type": "storages.Meta"}),
        None,
    );
    let instances = [
        ("storages.Default", "storages.DiskType"),
        ("storages.Typo", "storages.OssTyp"),
        ("storages.FolderTypo", "storages.TenantTyep"),
        ("storages.MetaTypo", "storages.Mta"),
        ("storages.FarOff", "storages.Something"),
    ];
    for (name, type_name) in instances {
        element(
            root,
            name,
            json!({"title": "t", "type": type_name}),
            Some(json!({})),
        );
    }
    let disk = RecordingFactory::new("disk");
    builder(root, &disk)
        .register_builtin_type("storages.OssType", "storages.Meta", "OSS", disk.clone())
        .register_type("storages.TenantType", disk.clone())
        .open()
        .unwrap()
}

#[tokio::test]
async fn an_unknown_type_suggests_the_nearest_known_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    for (name, suggested) in [
        ("storages.Typo", Some("storages.OssType")),
        ("storages.FolderTypo", Some("storages.TenantType")),
        ("storages.MetaTypo", Some("storages.Meta")),
        ("storages.FarOff", None),
    ] {
        let err = app.get_element(name).await.unwrap_err();
        assert_eq!(err.kind(), ElementErrorKind::UnknownType, "{err}");
        assert_eq!(err.field(), Some("type"), "{err}");
        let shown = err.to_string();
        match suggested {
            Some(s) => assert!(
                shown.contains(&format!("did you mean \"{s}\"?")),
                "{name}: {shown}"
            ),
            None => assert!(!shown.contains("did you mean"), "{name}: {shown}"),
        }
    }
}

#[tokio::test]
async fn an_undeclared_element_suggests_the_nearest_declared_one() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path());
    let err = app.get_element("storages.Defualt").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::NotFound, "{err}");
    assert!(
        err.to_string()
            .contains("did you mean \"storages.Default\"?"),
        "{err}"
    );
    let err = app.declaration("storages.defaul").unwrap_err();
    assert!(err.to_string().contains("\"storages.Default\""), "{err}");
    let err = app.get_element("storages.Elsewhere").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::NotFound, "{err}");
    assert!(!err.to_string().contains("did you mean"), "{err}");
}
