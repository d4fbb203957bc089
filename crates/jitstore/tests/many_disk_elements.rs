//! An app of 2,000 `storages.DiskType` elements, run under a soft limit of 256 open files:
//! `App::check` loads every element and every one of them then takes a put, a get and a
//! list. A disk storage holds no file descriptor between operations, so the number of
//! elements an app can use is not bounded by the limit on open files.
//!
//! Its own test binary, with a single test: the lowered limit applies to the whole
//! process and must not reach any other test.

#![cfg(unix)]

use std::path::Path;

use jitstore::prelude::*;
use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};

/// Elements declared: far more than the limit allows if each held even one descriptor.
const ELEMENTS: usize = 2_000;
/// The soft limit on open files the test runs under.
const OPEN_FILES: u64 = 256;
/// Elements used at the same time after the check.
const IN_FLIGHT: usize = 8;

/// Lowers the soft limit on open files to `limit` (the hard limit is left as it is).
fn lower_open_file_limit(limit: u64) {
    let current = getrlimit(Resource::Nofile);
    let soft = current.maximum.map_or(limit, |hard| hard.min(limit));
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(soft),
            maximum: current.maximum,
        },
    )
    .expect("lower RLIMIT_NOFILE");
    assert_eq!(getrlimit(Resource::Nofile).current, Some(soft));
}

fn element_name(i: usize) -> String {
    format!("storages.E{i:05}")
}

/// Declares `count` DiskType elements, each with its own folder under `data/`.
fn declare_elements(root: &Path, count: usize) {
    for i in 0..count {
        let name = format!("E{i:05}");
        let dir = root.join("storages").join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("e.json"),
            format!(r#"{{"title": "Disk {i}", "type": "storages.DiskType"}}"#),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{name}.json")),
            format!(r#"{{"directory": "data/{name}"}}"#),
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_element_of_a_large_app_works_under_a_low_open_file_limit() {
    let dir = tempfile::Builder::new().prefix("app-").tempdir().unwrap();
    declare_elements(dir.path(), ELEMENTS);
    lower_open_file_limit(OPEN_FILES);

    let app = App::builder(dir.path())
        .with_builtin_types()
        .open()
        .expect("the app opens");
    let problems = app.check().await;
    assert!(
        problems.is_empty(),
        "{} problems, the first: {}",
        problems.len(),
        problems[0]
    );

    // Every element is loaded (and cached by the app) by now; each must still work.
    // A few run at a time, as a server would, each opening what it needs only while
    // it runs.
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..IN_FLIGHT {
        let app = app.clone();
        tasks.spawn(async move {
            for i in (lane..ELEMENTS).step_by(IN_FLIGHT) {
                use_element(&app, i).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("a lane of elements");
    }
}

/// A put, a get and a list on element `i`, each checked.
async fn use_element(app: &App, i: usize) {
    let name = element_name(i);
    let storage = app.storage(&name).await.expect("a checked element loads");
    let key = format!("docs/{i}.txt");
    let body = format!("object of {name}");
    storage
        .upload_by_file(&key, body.clone().into(), Some("text/plain"))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let got = storage
        .download(&key)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(got, body.as_bytes(), "{name}");
    let listed = storage
        .list_all("")
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let keys: Vec<&str> = listed.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(keys, [key.as_str()], "{name}");
}
