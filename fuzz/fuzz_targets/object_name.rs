//! Fuzz target: any text as an object name. Invariants: `validate_object_name` accepts
//! exactly its rule; an accepted name's URL path decodes back with no `.`/`..` segment
//! and no leading `/`; a DiskType storage (opened once in a temp folder holding one
//! object, with a secret file beside it) never reads anything but that object.

#![no_main]

use std::sync::OnceLock;

use jit_storage::{validate_object_name, StorageMeta, StorageMetaExt, MAX_NAME_BYTES};
use jit_storage_disk::{DiskSettings, DiskStorage};
use jit_wire::percent::{decode_component, encode_path};
use libfuzzer_sys::fuzz_target;

const OBJECT: &str = "a/b.txt";
const CONTENT: &[u8] = b"the one object";

struct Disk {
    runtime: tokio::runtime::Runtime,
    storage: DiskStorage,
    _dir: tempfile::TempDir,
}

fn disk() -> &'static Disk {
    static DISK: OnceLock<Disk> = OnceLock::new();
    DISK.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut settings = DiskSettings::new(dir.path().join("store"));
        settings.base_url = Some("http://files.example".to_string());
        let storage = runtime.block_on(async {
            let storage = DiskStorage::open(settings).await.unwrap();
            storage
                .upload_by_file(OBJECT, bytes::Bytes::from_static(CONTENT), None)
                .await
                .unwrap();
            storage
        });
        Disk {
            runtime,
            storage,
            _dir: dir,
        }
    })
}

fn acceptable(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.starts_with(['/', '\\'])
        && !name.chars().any(char::is_control)
        && name.split(['/', '\\']).all(|s| s != "." && s != "..")
}

fuzz_target!(|name: &str| {
    let accepted = validate_object_name(name).is_ok();
    assert_eq!(accepted, acceptable(name), "{name:?}");
    let disk = disk();
    if accepted {
        let path = encode_path(name);
        assert!(!path.starts_with('/'));
        assert!(path.split('/').all(|s| s != "." && s != ".."), "{path}");
        assert_eq!(decode_component(&path), name);
        if let Ok(url) = disk.storage.object_url(name) {
            assert_eq!(url, format!("http://files.example/{path}"));
        }
    }
    if let Ok(bytes) = disk.runtime.block_on(disk.storage.download(name)) {
        assert!(
            name == OBJECT && bytes == CONTENT,
            "{name:?} read {bytes:?}"
        );
    }
});
