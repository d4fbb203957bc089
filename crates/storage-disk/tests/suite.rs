//! The storage contract's behaviour suite, run on a `storages.DiskType` element loaded
//! through a real `App`, with its signed URLs served over HTTP on 127.0.0.1.

mod common;

use jit_storage::testkit::Target;

async fn make_target() -> Target {
    let fixture = common::served().await;
    let storage = fixture.storage.clone();
    let caps = storage.capabilities();
    assert!(caps.presign_get && caps.presign_put && caps.crc64 && caps.list);
    Target::new(storage).keep(fixture)
}

jit_storage::behaviour_suite!(make_target);
