//! The storage contract's behaviour suite, run on `storages.DiskType` elements loaded
//! through a real `App`: one with its signed URLs served over HTTP on 127.0.0.1, and one
//! configured without signing, whose presigned-URL checks are reported as ignored.

mod common;

use jit_storage::testkit::{Suite, Target};

async fn signed() -> Target {
    let fixture = common::served().await;
    let storage = fixture.storage.clone();
    let caps = storage.capabilities();
    assert!(caps.presign_get && caps.presign_put && caps.crc64 && caps.list);
    Target::new(storage).keep(fixture)
}

async fn unsigned() -> Target {
    let fixture = common::plain().await;
    let storage = fixture.storage.clone();
    assert!(!storage.capabilities().presign_get);
    Target::new(storage).keep(fixture)
}

fn main() -> std::process::ExitCode {
    Suite::new()
        .variant("signed", signed)
        .variant("unsigned", unsigned)
        .main()
}
