//! Discovery on hostile app folders: symbolic links to `/`, link loops and mazes, and links
//! to element folders or files outside the app. Opening the app must finish (a timeout is
//! the failure guard, never a measurement), must not load anything from outside the app
//! (or, for a parent app, outside that parent), and must report an element found outside
//! as that element's problem, naming the path.

#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use common::{builder, built, element, write, RecordingFactory};
use jit_element::{App, ElementErrorKind};
use serde_json::json;

/// A temporary folder whose name is not hidden (discovery skips hidden folders).
fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("app-").tempdir().unwrap()
}

/// Opens the app at `root` on another thread; fails the test if that does not finish.
fn open_within_guard(root: &Path) -> App {
    let (done, finished) = mpsc::channel();
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let disk = RecordingFactory::new("disk");
        let _ = done.send(builder(&root, &disk).open());
    });
    finished
        .recv_timeout(Duration::from_secs(60))
        .expect("opening the app must finish, not walk the whole machine or loop")
        .expect("the app opens")
}

fn names(app: &App) -> Vec<String> {
    app.declarations()
        .iter()
        .map(|d| d.full_name.clone())
        .collect()
}

fn good_app(root: &Path) {
    element(
        root,
        "storages.Good",
        json!({"title": "good", "type": "storages.DiskType"}),
        Some(json!({"directory": "data"})),
    );
}

#[tokio::test]
async fn a_link_to_the_root_of_the_machine_is_not_followed() {
    let dir = tempdir();
    let root = dir.path();
    good_app(root);
    symlink("/", root.join("loop")).unwrap();
    symlink("/", root.join("storages/Root")).unwrap();
    let app = open_within_guard(root);
    assert_eq!(names(&app), ["storages.Good"]);
    assert!(app.problems().is_empty(), "{:?}", app.problems());
    built(&app, "storages.Good").await;
}

#[tokio::test]
async fn link_loops_and_link_mazes_finish() {
    let dir = tempdir();
    let root = dir.path();
    good_app(root);
    // Loops back to an ancestor, at every level.
    symlink(".", root.join("self")).unwrap();
    symlink("..", root.join("storages/up")).unwrap();
    symlink(".", root.join("storages/Good/again")).unwrap();
    // Two links that point at each other's folders.
    std::fs::create_dir_all(root.join("ping")).unwrap();
    std::fs::create_dir_all(root.join("pong")).unwrap();
    symlink("../pong", root.join("ping/to")).unwrap();
    symlink("../ping", root.join("pong/to")).unwrap();
    // A maze without any loop: 2^30 distinct paths through 30 folders.
    for i in 0..30 {
        let here = root.join(format!("maze/m{i:02}"));
        std::fs::create_dir_all(&here).unwrap();
        for side in ["a", "b"] {
            symlink(format!("../m{:02}", i + 1), here.join(side)).unwrap();
        }
    }
    std::fs::create_dir_all(root.join("maze/m30")).unwrap();
    let app = open_within_guard(root);
    assert_eq!(names(&app), ["storages.Good"]);
    assert!(app.problems().is_empty(), "{:?}", app.problems());
}

#[tokio::test]
async fn an_element_outside_the_app_is_refused_and_reported() {
    let dir = tempdir();
    let root = dir.path().join("app");
    let outside = dir.path().join("outside");
    good_app(&root);
    element(
        &outside,
        "storages.Evil",
        json!({"title": "evil", "type": "storages.DiskType"}),
        Some(json!({"directory": "/"})),
    );
    write(&outside, "secret.json", r#"{"password": "hunter2"}"#);
    // A folder link, an e.json link and a config link, each leading out of the app.
    symlink(outside.join("storages/Evil"), root.join("storages/Evil")).unwrap();
    std::fs::create_dir_all(root.join("storages/Sneaky")).unwrap();
    symlink(
        outside.join("storages/Evil/e.json"),
        root.join("storages/Sneaky/e.json"),
    )
    .unwrap();
    write(
        &root,
        "storages/Leaky/e.json",
        r#"{"title": "leaky", "type": "storages.DiskType"}"#,
    );
    symlink(
        outside.join("secret.json"),
        root.join("storages/Leaky/Leaky.json"),
    )
    .unwrap();
    // A family folder leading outside is not walked at all.
    symlink(outside.join("storages"), root.join("elsewhere")).unwrap();

    let app = open_within_guard(&root);
    assert_eq!(names(&app), ["storages.Good", "storages.Leaky"]);
    for (name, path) in [
        ("storages.Evil", root.join("storages/Evil")),
        ("storages.Sneaky", root.join("storages/Sneaky/e.json")),
    ] {
        let err = app.get_element(name).await.expect_err(name);
        assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration, "{err}");
        assert_eq!(err.full_name(), Some(name), "{err}");
        assert_eq!(err.file(), Some(path.as_path()), "{err}");
        let shown = err.to_string();
        assert!(shown.contains("outside the app"), "{shown}");
        assert!(
            shown.contains(&outside.join("storages/Evil").display().to_string()),
            "names where the link leads: {shown}"
        );
    }
    let err = app.get_element("storages.Leaky").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
    assert_eq!(
        err.file(),
        Some(root.join("storages/Leaky/Leaky.json").as_path())
    );
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(err.to_string().contains("outside the app"), "{err}");

    let reported: Vec<String> = app
        .check()
        .await
        .iter()
        .filter_map(|p| p.full_name().map(str::to_string))
        .collect();
    assert_eq!(
        reported,
        ["storages.Evil", "storages.Leaky", "storages.Sneaky"]
    );
}

#[tokio::test]
async fn a_parent_app_is_its_own_root() {
    let dir = tempdir();
    let base = dir.path().join("base");
    let child = dir.path().join("child");
    good_app(&base);
    write(&child, "app.json", r#"{"extends": ["../base"]}"#);
    element(
        &child,
        "storages.ChildOnly",
        json!({"title": "child", "type": "storages.DiskType"}),
        None,
    );
    // Inside the child, but outside the parent that holds the link.
    symlink(
        child.join("storages/ChildOnly"),
        base.join("storages/Borrowed"),
    )
    .unwrap();
    let app = open_within_guard(&child);
    assert_eq!(names(&app), ["storages.ChildOnly", "storages.Good"]);
    let err = app.get_element("storages.Borrowed").await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration, "{err}");
    assert!(err.to_string().contains("outside the app"), "{err}");
}

#[tokio::test]
async fn links_that_stay_inside_the_app_keep_working() {
    let dir = tempdir();
    let root = dir.path();
    good_app(root);
    // A family kept elsewhere in the app, linked into place.
    element(
        root,
        "lib.storages.Shared",
        json!({"title": "shared", "type": "storages.DiskType"}),
        Some(json!({"directory": "shared"})),
    );
    symlink("lib/storages", root.join("storages2")).unwrap();
    // An e.json and a config that are links to files inside the app.
    write(
        root,
        "templates/disk.json",
        r#"{"title": "linked", "type": "storages.DiskType"}"#,
    );
    write(root, "templates/config.json", r#"{"directory": "linked"}"#);
    std::fs::create_dir_all(root.join("storages/Linked")).unwrap();
    symlink(
        "../../templates/disk.json",
        root.join("storages/Linked/e.json"),
    )
    .unwrap();
    symlink(
        "../../templates/config.json",
        root.join("storages/Linked/Linked.json"),
    )
    .unwrap();
    let app = open_within_guard(root);
    assert_eq!(
        names(&app),
        [
            "lib.storages.Shared",
            "storages.Good",
            "storages.Linked",
            "storages2.Shared"
        ]
    );
    assert_eq!(
        built(&app, "storages2.Shared").await.1,
        json!({"directory": "shared"})
    );
    assert_eq!(
        built(&app, "storages.Linked").await.1,
        json!({"directory": "linked"})
    );
}

#[tokio::test]
async fn elements_deeper_than_the_bound_are_not_looked_for() {
    let dir = tempdir();
    let root = dir.path();
    let deep = json!({"title": "deep", "type": "storages.DiskType"});
    element(root, "a.b.c.Four", deep.clone(), None);
    element(root, "a.b.c.d.Five", deep, None);
    let app = open_within_guard(root);
    assert_eq!(names(&app), ["a.b.c.Four"]);
}

#[test]
fn an_app_json_leading_out_of_the_app_is_refused_unread() {
    let dir = tempdir();
    let root = dir.path().join("app");
    good_app(&root);
    write(
        dir.path(),
        "outside/app.json",
        r#"{"envVars": {"TOKEN": "hunter2"}}"#,
    );
    symlink(dir.path().join("outside/app.json"), root.join("app.json")).unwrap();
    let disk = RecordingFactory::new("disk");
    let err = builder(&root, &disk).open().unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration, "{err}");
    assert_eq!(err.file(), Some(root.join("app.json").as_path()));
    assert!(err.to_string().contains("outside the app"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
