//! The symlink check and the file operation cannot be raced: while a thread keeps
//! swapping a folder of the storage for a link to a folder outside it, concurrent
//! uploads, reads, listings and deletes never write, read, list or remove anything
//! outside.

#![cfg(unix)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use jit_storage::{StorageErrorKind, StorageMetaExt};

const OUTSIDE_FILE: &str = "outside-only.txt";
const OUTSIDE_BYTES: &[u8] = b"SECRET: must never be read through the storage";

fn names_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test]
async fn a_link_planted_in_a_parent_segment_is_refused() {
    let f = common::plain().await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join(OUTSIDE_FILE), OUTSIDE_BYTES).unwrap();
    std::fs::create_dir_all(f.root().join("a/b")).unwrap();
    std::os::unix::fs::symlink(outside.path(), f.root().join("a/b/planted")).unwrap();
    for key in ["a/b/planted/new.txt", "a/b/planted/deeper/new.txt"] {
        let err = f
            .storage
            .upload_by_file(key, Bytes::from_static(b"x"), None)
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            StorageErrorKind::PermissionDenied,
            "{key}: {err}"
        );
    }
    let key = format!("a/b/planted/{OUTSIDE_FILE}");
    let err = f.storage.download(&key).await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    let err = f.storage.delete(&key).await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    assert!(f.storage.list_all("a/").await.unwrap().is_empty());
    assert_eq!(
        names_in(outside.path()),
        BTreeSet::from([OUTSIDE_FILE.into()])
    );
}

/// Swaps `<root>/d` for a link to `outside` and back, as fast as it can, until `stop`:
/// the real folder is moved aside, the link put in its place, then removed and the
/// folder moved back. Returns how many times the link was in place.
fn swap_in_a_loop(root: PathBuf, outside: PathBuf, stop: Arc<AtomicBool>) -> u64 {
    let d = root.join("d");
    let mut swaps = 0;
    let mut i = 0u64;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let parked = root.join(format!("parked-{i}"));
        let moved = std::fs::rename(&d, &parked).is_ok();
        if std::os::unix::fs::symlink(&outside, &d).is_ok() {
            swaps += 1;
            std::thread::yield_now();
            let _ = std::fs::remove_file(&d);
        }
        if moved {
            let _ = std::fs::rename(&parked, &d);
        }
    }
    swaps
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_folder_swapped_for_a_link_in_a_loop_never_leads_outside() {
    let f = common::plain().await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join(OUTSIDE_FILE), OUTSIDE_BYTES).unwrap();
    f.storage
        .upload_by_file("d/inside.txt", Bytes::from_static(b"inside"), None)
        .await
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let racer = {
        let (root, outside, stop) = (f.root(), outside.path().to_path_buf(), stop.clone());
        std::thread::spawn(move || swap_in_a_loop(root, outside, stop))
    };

    const WORKERS: usize = 4;
    const ROUNDS: usize = 250;
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let storage = f.storage.clone();
        tasks.push(tokio::spawn(async move {
            let (mut stored, mut refused) = (0u64, 0u64);
            for i in 0..ROUNDS {
                let key = format!("d/w{w}-{i}.txt");
                match storage
                    .upload_by_file(&key, Bytes::from(key.clone()), Some("text/plain"))
                    .await
                {
                    Ok(_) => stored += 1,
                    Err(_) => refused += 1,
                }
                if let Ok(bytes) = storage.download(&format!("d/{OUTSIDE_FILE}")).await {
                    assert_ne!(bytes, OUTSIDE_BYTES, "a read went through the link");
                }
                if let Ok(bytes) = storage.download("d/inside.txt").await {
                    assert_eq!(bytes, &b"inside"[..]);
                }
                if i % 10 == 0 {
                    if let Ok(listed) = storage.list_all("d/").await {
                        assert!(
                            listed.iter().all(|o| !o.key.ends_with(OUTSIDE_FILE)),
                            "a listing went through the link: {listed:?}"
                        );
                    }
                }
                let _ = storage.delete(&format!("d/{OUTSIDE_FILE}")).await;
            }
            (stored, refused)
        }));
    }
    let (mut stored, mut refused) = (0, 0);
    for task in tasks {
        let (s, r) = task.await.expect("worker");
        stored += s;
        refused += r;
    }
    stop.store(true, Ordering::Relaxed);
    let swaps = racer.join().expect("racer");
    eprintln!("{swaps} swaps to a link; {stored} uploads stored, {refused} refused while it ran");

    // Nothing was written, removed or changed outside.
    assert_eq!(
        names_in(outside.path()),
        BTreeSet::from([OUTSIDE_FILE.to_string()]),
        "an upload or delete went through the link"
    );
    assert_eq!(
        std::fs::read(outside.path().join(OUTSIDE_FILE)).unwrap(),
        OUTSIDE_BYTES
    );
    assert!(swaps > 0 && stored > 0, "the race really ran");
    // No temp file was left behind by the refused uploads.
    assert!(common::temp_files(&f.root()).is_empty());
}
