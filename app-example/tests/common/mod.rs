//! What the example's tests share: a copy of the example's declarations in a temp dir,
//! so that no test writes into the repository.

#![allow(dead_code)]

use std::path::Path;

use app_example::ExampleApp;

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the example's declarations (app.json and storages/) in a temp dir.
pub fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = ExampleApp::default_dir();
    std::fs::copy(source.join("app.json"), dir.path().join("app.json")).unwrap();
    std::fs::create_dir_all(dir.path().join("storages")).unwrap();
    copy_tree(&source.join("storages"), &dir.path().join("storages"));
    dir
}
