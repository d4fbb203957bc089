//! Names never reach outside the storage folder (`..`, absolute names, symbolic links,
//! the reserved tree), writes are atomic (a failed streamed put leaves the old version
//! and no temp files; concurrent readers see old or new content, never a mix), and the
//! stored CRC catches bytes changed behind the storage's back.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use jit_storage::StorageMetaExt;
use jit_storage::{
    GetOptions, ListOptions, Payload, PutOptions, StorageError, StorageErrorKind, StorageMeta,
};

fn failing_stream(chunks: Vec<Bytes>, fail: bool, length: u64) -> Payload {
    let mut items: Vec<Result<Bytes, StorageError>> = chunks.into_iter().map(Ok).collect();
    if fail {
        items.push(Err(StorageError::new(
            StorageErrorKind::Network,
            "the client went away",
        )));
    }
    Payload::Stream {
        stream: Box::pin(futures::stream::iter(items)),
        length,
    }
}

#[tokio::test]
async fn dot_dot_and_absolute_names_are_refused_even_without_the_element_wrapper() {
    let f = common::plain().await;
    let outside = f.root().parent().unwrap().join("escape.txt");
    // `f.disk` is the Type's own implementation: no upstream name check in front of it.
    let storages: [&dyn StorageMeta; 2] = [f.disk.as_ref(), f.storage.as_ref()];
    for storage in storages {
        for name in [
            "../escape.txt",
            "a/../../escape.txt",
            "/etc/passwd",
            "a/./b",
            "a//b",
        ] {
            let err = storage
                .upload_by_file(name, Bytes::from_static(b"x"), None)
                .await
                .unwrap_err();
            assert_eq!(
                err.kind(),
                StorageErrorKind::InvalidArgument,
                "{name}: {err}"
            );
            let err = storage.download(name).await.unwrap_err();
            assert_eq!(
                err.kind(),
                StorageErrorKind::InvalidArgument,
                "{name}: {err}"
            );
            let err = storage.delete(name).await.unwrap_err();
            assert_eq!(
                err.kind(),
                StorageErrorKind::InvalidArgument,
                "{name}: {err}"
            );
        }
    }
    assert!(!outside.exists());
}

#[cfg(unix)]
#[tokio::test]
async fn a_folder_link_pointing_outside_is_refused() {
    let f = common::plain().await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"secret").unwrap();
    std::os::unix::fs::symlink(outside.path(), f.root().join("out")).unwrap();

    let err = f
        .storage
        .upload_by_file("out/new.txt", Bytes::from_static(b"x"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    assert!(!outside.path().join("new.txt").exists());
    for result in [
        f.storage.download("out/secret.txt").await.map(|_| ()),
        f.storage.get_object("out/secret.txt").await.map(|_| ()),
        f.storage.delete("out/secret.txt").await,
        f.storage
            .copy("out/secret.txt", "inside.txt")
            .await
            .map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    }
    assert_eq!(
        std::fs::read(outside.path().join("secret.txt")).unwrap(),
        b"secret"
    );
    let listed = f.storage.list_all("").await.unwrap();
    assert!(listed.is_empty(), "{listed:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn a_file_link_pointing_outside_is_refused() {
    let f = common::plain().await;
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, b"secret").unwrap();
    std::os::unix::fs::symlink(&secret, f.root().join("link.txt")).unwrap();

    let err = f.storage.download("link.txt").await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    let err = f
        .storage
        .upload_by_file("link.txt", Bytes::from_static(b"overwritten"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    let err = f.storage.delete("link.txt").await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
    assert_eq!(std::fs::read(&secret).unwrap(), b"secret");
    assert!(f.storage.list_all("").await.unwrap().is_empty());
}

#[tokio::test]
async fn the_reserved_tree_is_neither_writable_nor_listed() {
    let f = common::plain().await;
    f.storage
        .upload_by_file("a.txt", Bytes::from_static(b"x"), None)
        .await
        .unwrap();
    for name in [".jitstore/meta/a.txt", ".jitstore/tmp/x", ".jitstore"] {
        let err = f
            .storage
            .upload_by_file(name, Bytes::from_static(b"x"), None)
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            StorageErrorKind::InvalidArgument,
            "{name}: {err}"
        );
        let err = f.storage.download(name).await.unwrap_err();
        assert_eq!(
            err.kind(),
            StorageErrorKind::InvalidArgument,
            "{name}: {err}"
        );
    }
    let keys: Vec<String> = f
        .storage
        .list_all("")
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(keys, vec!["a.txt"]);
    let page = f
        .storage
        .list(ListOptions {
            delimiter: Some("/".into()),
            ..ListOptions::default()
        })
        .await
        .unwrap();
    assert!(page.common_prefixes.is_empty(), "{page:?}");
}

#[tokio::test]
async fn the_reserved_tree_in_any_case_and_windows_names_are_refused_on_every_platform() {
    let f = common::plain().await;
    f.storage
        .upload_by_file("a.txt", Bytes::from_static(b"x"), None)
        .await
        .unwrap();
    let storages: [&dyn StorageMeta; 2] = [f.disk.as_ref(), f.storage.as_ref()];
    for storage in storages {
        for (name, rule) in [
            (".JITSTORE/x", "reserved"),
            (".JitStore/meta/a.txt", "reserved"),
            ("CON", "Windows"),
            ("docs/nul.txt", "Windows"),
            ("Com1.log", "Windows"),
            ("lpt9/x", "Windows"),
            ("trailing.", "dot or a space"),
            ("dir /x", "dot or a space"),
        ] {
            let err = storage
                .upload_by_file(name, Bytes::from_static(b"x"), None)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{name}");
            assert!(err.to_string().contains(rule), "{name}: {err}");
            let err = storage.download(name).await.unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{name}");
            let err = storage.delete(name).await.unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::InvalidArgument, "{name}");
        }
    }
    // Nothing was created beside the reserved tree, and files placed by hand under such
    // names are not listed as keys.
    std::fs::write(f.root().join("AUX.txt"), b"by hand").unwrap();
    std::fs::write(f.root().join("dot."), b"by hand").unwrap();
    let keys: Vec<String> = f
        .storage
        .list_all("")
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(keys, vec!["a.txt"]);
    let mut names: Vec<String> = std::fs::read_dir(f.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec![".jitstore", "AUX.txt", "a.txt", "dot."]);
}

#[tokio::test]
async fn a_failed_streamed_put_leaves_the_old_version_and_nothing_else() {
    let f = common::plain().await;
    f.storage
        .upload_by_file(
            "doc/k.txt",
            Bytes::from_static(b"old version"),
            Some("text/plain"),
        )
        .await
        .unwrap();
    let chunk = Bytes::from(vec![b'n'; 64 * 1024]);
    let cases = [
        (
            "stream error",
            failing_stream(vec![chunk.clone()], true, 1 << 20),
            None,
        ),
        (
            "too many bytes",
            failing_stream(vec![chunk.clone(), chunk.clone()], false, 100_000),
            Some(StorageErrorKind::InvalidArgument),
        ),
        (
            "too few bytes",
            failing_stream(vec![chunk.clone()], false, 100_000),
            Some(StorageErrorKind::InvalidArgument),
        ),
    ];
    for (what, payload, kind) in cases {
        let err = f
            .storage
            .put("doc/k.txt", payload, PutOptions::content_type("text/html"))
            .await
            .expect_err(what);
        if let Some(kind) = kind {
            assert_eq!(err.kind(), kind, "{what}: {err}");
        }
        assert_eq!(
            f.storage.download("doc/k.txt").await.unwrap(),
            &b"old version"[..],
            "{what}"
        );
        let info = f.storage.get_object("doc/k.txt").await.unwrap();
        assert_eq!(info.content_type.as_deref(), Some("text/plain"), "{what}");
        assert!(common::temp_files(&f.root()).is_empty(), "{what}");
    }
    // A new key whose stream fails leaves no file and no folder.
    let err = f
        .storage
        .put(
            "fresh/dir/new.bin",
            failing_stream(vec![chunk], true, 1 << 20),
            PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::Network, "{err}");
    assert!(!f.storage.exists("fresh/dir/new.bin").await.unwrap());
    assert!(!f.root().join("fresh").exists());
    assert!(common::temp_files(&f.root()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_readers_see_old_or_new_content_never_a_mix() {
    let f = common::plain().await;
    let storage = f.storage.clone();
    const SIZE: usize = 256 * 1024;
    let version = |b: u8| Bytes::from(vec![b; SIZE]);
    storage
        .upload_by_file("hot.bin", version(b'a'), None)
        .await
        .unwrap();

    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let storage = storage.clone();
        let finished = finished.clone();
        readers.push(tokio::spawn(async move {
            let mut reads = 0u32;
            loop {
                let stop = finished.load(std::sync::atomic::Ordering::SeqCst);
                let got = storage.download("hot.bin").await.expect("download");
                assert_eq!(got.len(), SIZE);
                let first = got[0];
                assert!(first == b'a' || first == b'b');
                assert!(got.iter().all(|&b| b == first), "a read mixed two versions");
                let info = storage.get_object("hot.bin").await.expect("stat");
                assert_eq!(info.size, SIZE as u64);
                reads += 1;
                if stop {
                    return reads;
                }
            }
        }));
    }
    for i in 0..40 {
        let byte = if i % 2 == 0 { b'b' } else { b'a' };
        storage
            .upload_by_file("hot.bin", version(byte), None)
            .await
            .unwrap();
    }
    finished.store(true, std::sync::atomic::Ordering::SeqCst);
    for reader in readers {
        assert!(reader.await.expect("reader") >= 1);
    }
    assert!(common::temp_files(&f.root()).is_empty());
}

#[tokio::test]
async fn bytes_changed_behind_the_storage_fail_the_crc_check() {
    let f = common::plain().await;
    f.storage
        .upload_by_file("c.txt", Bytes::from_static(b"original!"), None)
        .await
        .unwrap();
    let path = f.root().join("c.txt");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    // Same size, same inode, same mtime: only the bytes differ.
    {
        use std::io::{Seek, Write};
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.seek(std::io::SeekFrom::Start(0)).unwrap();
        file.write_all(b"ORIGINAL!").unwrap();
        file.set_modified(modified).unwrap();
    }
    let err = f.storage.download("c.txt").await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch, "{err}");
    // A range read is not checked (the CRC covers the whole object).
    let part = f
        .storage
        .get("c.txt", GetOptions { range: Some(0..3) })
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(part, &b"ORI"[..]);
}

#[tokio::test]
async fn files_placed_by_hand_are_served_with_a_guessed_type() {
    let f = common::plain().await;
    std::fs::create_dir_all(f.root().join("hand")).unwrap();
    std::fs::write(f.root().join("hand/page.html"), b"<p>hi</p>").unwrap();
    let info = f.storage.get_object("hand/page.html").await.unwrap();
    assert_eq!(info.content_type.as_deref(), Some("text/html"));
    assert_eq!(info.size, 9);
    assert_eq!(info.crc64, None);
    assert_eq!(
        f.storage.download("hand/page.html").await.unwrap(),
        &b"<p>hi</p>"[..]
    );
    // A file rewritten by hand after an upload is described from the file, not from
    // the now-stale sidecar.
    f.storage
        .upload_by_file("hand/note.txt", Bytes::from_static(b"v1"), Some("text/csv"))
        .await
        .unwrap();
    std::fs::write(f.root().join("hand/note.txt"), b"v2 by hand").unwrap();
    let info = f.storage.get_object("hand/note.txt").await.unwrap();
    assert_eq!(info.size, 10);
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        f.storage.download("hand/note.txt").await.unwrap(),
        &b"v2 by hand"[..]
    );
}

#[tokio::test]
async fn objects_and_folders_cannot_share_a_name_and_deletes_prune_folders() {
    let f = common::plain().await;
    f.storage
        .upload_by_file("a", Bytes::from_static(b"x"), None)
        .await
        .unwrap();
    let err = f
        .storage
        .upload_by_file("a/b", Bytes::from_static(b"x"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::Conflict, "{err}");
    f.storage
        .upload_by_file("d/e/x.txt", Bytes::from_static(b"x"), None)
        .await
        .unwrap();
    let err = f
        .storage
        .upload_by_file("d", Bytes::from_static(b"x"), None)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::Conflict, "{err}");
    assert!(common::temp_files(&f.root()).is_empty());

    // Once "d/e/x.txt" is gone, "d" is free to become an object.
    f.storage.delete("d/e/x.txt").await.unwrap();
    assert!(!f.root().join("d").exists());
    assert!(!f.root().join(".jitstore/meta/d").exists());
    f.storage
        .upload_by_file("d", Bytes::from_static(b"now a file"), None)
        .await
        .unwrap();
    assert_eq!(f.storage.download("d").await.unwrap(), &b"now a file"[..]);
}

#[tokio::test]
async fn upload_by_file_infers_the_type_from_the_extension() {
    let f = common::plain().await;
    let up = f
        .storage
        .upload_by_file("pics/cat.png", Bytes::from_static(b"\x89PNG"), None)
        .await
        .unwrap();
    assert!(up.url.starts_with("file:///"), "{}", up.url);
    let info = f.storage.get_object("pics/cat.png").await.unwrap();
    assert_eq!(info.content_type.as_deref(), Some("image/png"));
    let expected = crc::Crc::<u64>::new(&crc::CRC_64_XZ).checksum(b"\x89PNG");
    assert_eq!(up.crc64, Some(expected));
    assert_eq!(info.etag.as_deref().map(str::len), Some(32));
}
