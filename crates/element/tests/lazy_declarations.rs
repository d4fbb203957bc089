//! Declarations read on demand: opening an app reads no `e.json`; each is read the first
//! time it is needed, once; whatever needs them all (the list, the problems, roles,
//! `check`) still sees every one, with the same answers and errors as when they were all
//! read at open — duplicates, extends layering and malformed files included, and also
//! for many elements, some read before the rest.

mod common;

use common::{builder, built, element, write, RecordingFactory};
use jit_element::{ElementErrorKind, ElementRole};
use serde_json::json;

#[tokio::test]
async fn an_e_json_is_read_when_first_needed_then_kept() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    element(
        root,
        "storages.Files",
        json!({"title": "Files", "type": "storages.DiskType"}),
        Some(json!({"directory": "data"})),
    );
    write(root, "storages/Later/e.json", r#"{"title": "#);
    let disk = RecordingFactory::new("disk");
    let app = builder(root, &disk).open().unwrap();

    // Not read at open: fixed before its first use, it is read as fixed.
    write(
        root,
        "storages/Later/e.json",
        r#"{"title": "Later", "type": "storages.DiskType"}"#,
    );
    assert_eq!(app.declaration("storages.Later").unwrap().title, "Later");
    // Read once: a later change is not seen by this app.
    write(root, "storages/Later/e.json", r#"{"title": "#);
    assert_eq!(app.declaration("storages.Later").unwrap().title, "Later");
    assert!(app.problems().is_empty(), "{:?}", app.problems());
    built(&app, "storages.Files").await;
}

#[tokio::test]
async fn one_element_loads_without_its_neighbours_and_problems_still_list_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    element(
        root,
        "storages.Files",
        json!({"title": "Files", "type": "storages.DiskType"}),
        Some(json!({"directory": "data"})),
    );
    write(
        root,
        "storages/Broken/e.json",
        r#"{"type": "storages.DiskType"}"#,
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(root, &disk).open().unwrap();
    built(&app, "storages.Files").await;
    let problems = app.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].full_name(), Some("storages.Broken"));
    assert_eq!(problems[0].field(), Some("title"));
    let err = app.get_element("storages.Broken").await.unwrap_err();
    assert_eq!(err.to_string(), problems[0].to_string());
}

#[tokio::test]
async fn a_child_s_broken_element_still_replaces_its_parent_s() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("base");
    let child = dir.path().join("child");
    element(
        &parent,
        "storages.Both",
        json!({"title": "Parent's", "type": "storages.DiskType"}),
        Some(json!({})),
    );
    element(
        &parent,
        "storages.Broken",
        json!({"title": "Parent's good one", "type": "storages.DiskType"}),
        Some(json!({})),
    );
    write(&parent, "storages/Fixed/e.json", r#"{"title": "#);
    write(&child, "app.json", r#"{"extends": ["../base"]}"#);
    write(&child, "storages/Broken/e.json", r#"{"title": "#);
    element(
        &child,
        "storages.Fixed",
        json!({"title": "Child's", "type": "storages.DiskType"}),
        Some(json!({})),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(&child, &disk).open().unwrap();

    let err = app.declaration("storages.Broken").unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration, "{err}");
    assert_eq!(
        err.file(),
        Some(child.join("storages/Broken/e.json").as_path())
    );
    assert_eq!(app.declaration("storages.Fixed").unwrap().title, "Child's");
    let names: Vec<_> = app
        .declarations()
        .iter()
        .map(|d| d.full_name.clone())
        .collect();
    assert_eq!(names, ["storages.Both", "storages.Fixed"]);
    let problems: Vec<_> = app
        .problems()
        .iter()
        .map(|p| p.file().unwrap().to_path_buf())
        .collect();
    assert_eq!(problems, [child.join("storages/Broken/e.json")]);
}

#[tokio::test]
async fn roles_need_every_declaration_and_get_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Only the instance says that Archive is a Type.
    element(
        root,
        "storages.Archive",
        json!({"title": "archive", "type": "storages.DiskType"}),
        Some(json!({"directory": "archive"})),
    );
    element(
        root,
        "storages.Old",
        json!({"title": "old", "type": "storages.Archive"}),
        Some(json!({})),
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(root, &disk).open().unwrap();
    // Loading Old reads Old's and Archive's e.json only; the role still sees Old's.
    built(&app, "storages.Old").await;
    let archive = app.declaration("storages.Archive").unwrap();
    assert_eq!(app.role_of(&archive), ElementRole::Type);
    let old = app.declaration("storages.Old").unwrap();
    assert_eq!(app.role_of(&old), ElementRole::Instance);
    assert!(app.known_types().contains(&"storages.Archive".to_string()));
}

/// Many elements, one read before the rest: every one is listed, every broken one
/// reported, in fullName order, duplicates included.
#[tokio::test]
async fn many_declarations_are_all_read_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let count = 600;
    let broken = |i: usize| i % 100 == 7;
    for i in 0..count {
        let text = if broken(i) {
            r#"{"title": 1, "type": "x"}"#.to_string()
        } else {
            json!({"title": format!("element {i}"), "type": "storages.DiskType"}).to_string()
        };
        write(root, &format!("storages/E{i:04}/e.json"), &text);
    }
    write(
        root,
        "storages/E0010.x/e.json",
        r#"{"title": "a", "type": "storages.DiskType"}"#,
    );
    write(
        root,
        "storages/E0010/x/e.json",
        r#"{"title": "b", "type": "storages.DiskType"}"#,
    );
    let disk = RecordingFactory::new("disk");
    let app = builder(root, &disk).open().unwrap();
    // One read before the rest: kept, not read again.
    assert_eq!(
        app.declaration("storages.E0300").unwrap().title,
        "element 300"
    );

    let listed: Vec<(String, String)> = app
        .declarations()
        .iter()
        .map(|d| (d.full_name.clone(), d.title.clone()))
        .collect();
    let expected: Vec<(String, String)> = (0..count)
        .filter(|&i| !broken(i))
        .map(|i| (format!("storages.E{i:04}"), format!("element {i}")))
        .collect();
    assert_eq!(listed, expected);

    let problems = app.problems();
    let reported: Vec<(String, ElementErrorKind)> = problems
        .iter()
        .map(|p| (p.full_name().unwrap().to_string(), p.kind()))
        .collect();
    let mut wanted: Vec<(String, ElementErrorKind)> = (0..count)
        .filter(|&i| broken(i))
        .map(|i| {
            (
                format!("storages.E{i:04}"),
                ElementErrorKind::InvalidDeclaration,
            )
        })
        .collect();
    wanted.push((
        "storages.E0010.x".to_string(),
        ElementErrorKind::DuplicateElement,
    ));
    wanted.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(reported, wanted, "every problem, in fullName order");

    let duplicate = &problems[reported
        .iter()
        .position(|(_, kind)| *kind == ElementErrorKind::DuplicateElement)
        .unwrap()];
    assert_eq!(
        duplicate.file(),
        Some(root.join("storages/E0010.x/e.json").as_path())
    );
    assert!(
        duplicate
            .message()
            .contains(&root.join("storages/E0010/x/e.json").display().to_string()),
        "{duplicate}"
    );
}
