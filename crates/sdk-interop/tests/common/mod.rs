//! What the OSS and the S3 SDK interop tests check alike about a driver's run: that a
//! driver pointed at a missing bucket fails at its first check naming NoSuchBucket,
//! that it never printed the secret, and that a folder store was written to.

use std::fmt::Display;
use std::path::Path;

use jit_sdk_interop::DriverOutput;

/// `out` is a driver's run against a bucket the server does not have: it failed,
/// at its first check, naming NoSuchBucket, and closed with its count.
pub fn assert_missing_bucket_reported(sdk: &dyn Display, out: &DriverOutput) {
    let transcript = out.transcript();
    assert!(
        !out.success,
        "{sdk}: a driver against a missing bucket passed:\n{transcript}"
    );
    assert!(
        out.stdout.contains("FAIL") && out.stdout.contains("NoSuchBucket"),
        "{sdk}: the failure does not name NoSuchBucket:\n{transcript}"
    );
    assert!(
        out.stdout.trim_end().ends_with("0 passed, 1 failed"),
        "{sdk}: no closing count:\n{transcript}"
    );
}

/// The driver printed `secret` nowhere.
pub fn assert_secret_not_shown(what: &str, out: &DriverOutput, secret: &str) {
    assert!(
        !out.stdout.contains(secret) && !out.stderr.contains(secret),
        "{what}: the driver printed the secret"
    );
}

/// The folder store under `root` exists and holds something.
pub fn assert_folder_store_written(root: &Path) {
    let entries = std::fs::read_dir(root)
        .unwrap_or_else(|err| panic!("folder store {} not created: {err}", root.display()));
    assert!(
        entries.count() > 0,
        "the folder store wrote nothing under {}",
        root.display()
    );
}
