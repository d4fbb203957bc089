//! The folder store's names and its blocking file primitives: which names are safe as
//! file names ([`is_hex_id`], [`is_bucket_dir_name`], [`meta_file_name`]), and the
//! durable steps every change is made of ([`atomic_write_blocking`],
//! [`remove_file_blocking`], [`rename_into_blocking`], [`sync_dir`]), each reporting
//! whether its change reached the disk even when it fails ([`FolderError`]).
//!
//! The blocking functions run inside `spawn_blocking` ([`blocking`]).

use std::io::{self, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::blob::random_id;
use super::error::StoreError;

/// Prefix of a deleted bucket's directory while it is being removed (never a bucket
/// name, since those have no dot); removed for good when the store is opened.
pub const TRASH_PREFIX: &str = ".trash-";

/// A change to the folder that failed, and whether it was made anyway: renamed or
/// removed, but its directory could not be synced, so it is visible now and may or may
/// not survive a power loss. The in-memory index must follow what is visible.
#[derive(Debug)]
pub struct FolderError {
    /// What went wrong.
    pub error: StoreError,
    /// Whether the change is visible on disk despite the error.
    pub applied: bool,
}

impl FolderError {
    /// A failure that left the disk as it was.
    pub fn not_applied(error: StoreError) -> Self {
        FolderError {
            error,
            applied: false,
        }
    }
}

impl From<FolderError> for StoreError {
    fn from(err: FolderError) -> Self {
        err.error
    }
}

/// The outcome of a blocking change: `Err((error, applied))`.
pub type Change = Result<(), (io::Error, bool)>;

/// Whether `s` is a name we created (random hex) and so safe as a file name.
pub fn is_hex_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `s` can be a bucket directory name.
pub fn is_bucket_dir_name(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The metadata file name of a key.
pub fn meta_file_name(key: &str) -> String {
    format!("{}.json", hex::encode(Sha256::digest(key.as_bytes())))
}

/// Fsyncs a directory so that the renames, creations and removals in it are durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Syncs `dir` after a change that is already visible: a failure is reported as
/// applied.
fn synced(dir: &Path) -> Change {
    sync_dir(dir).map_err(|e| (e, true))
}

/// Writes `bytes` to `target` through a fsynced temporary file in `tmp_dir` and a
/// rename, then fsyncs the target's directory: a crash leaves the old or the new
/// version, never half of one.
pub fn atomic_write_blocking(tmp_dir: &Path, target: &Path, bytes: &[u8]) -> Change {
    let tmp = tmp_dir.join(format!("{}.tmp", random_id()));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, target)
    })();
    if let Err(err) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err((err, false));
    }
    synced(target.parent().unwrap_or(tmp_dir))
}

/// Renames `from` to `to` (same file system), then fsyncs the directory of `to` (and of
/// `from`, when it differs) so that the move is durable.
pub fn rename_into_blocking(from: &Path, to: &Path) -> Change {
    std::fs::rename(from, to).map_err(|e| (e, false))?;
    let to_dir = to.parent().unwrap_or(to);
    synced(to_dir)?;
    match from.parent() {
        Some(from_dir) if from_dir != to_dir => synced(from_dir),
        _ => Ok(()),
    }
}

/// Removes a file (a missing one is fine), then fsyncs its directory.
pub fn remove_file_blocking(path: &Path) -> Change {
    match std::fs::remove_file(path) {
        Ok(()) => synced(path.parent().unwrap_or(path)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err((e, false)),
    }
}

/// Creates `dir` (and its parents) and fsyncs its parent so that its entry is durable.
pub fn create_dir_blocking(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    match dir.parent() {
        Some(parent) => sync_dir(parent),
        None => Ok(()),
    }
}

/// Runs blocking file work off the async runtime. The work runs to its end even if
/// the returned future is dropped.
pub async fn blocking<T: Send + 'static>(
    context: String,
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(|e| StoreError::io(context, e)),
        Err(join) => Err(StoreError::io(context, io::Error::other(join.to_string()))),
    }
}

/// Runs a blocking [`Change`] off the async runtime.
pub async fn blocking_change(
    context: String,
    f: impl FnOnce() -> Change + Send + 'static,
) -> Result<(), FolderError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err((source, applied))) => Err(FolderError {
            error: StoreError::io(context, source),
            applied,
        }),
        Err(join) => Err(FolderError::not_applied(StoreError::io(
            context,
            io::Error::other(join.to_string()),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_whole_files_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let tmp = dir.path().join("tmp");
        std::fs::create_dir(&tmp).expect("tmp");
        let target = dir.path().join("file.json");
        atomic_write_blocking(&tmp, &target, b"first").expect("first");
        atomic_write_blocking(&tmp, &target, b"second").expect("second");
        assert_eq!(std::fs::read(&target).expect("read"), b"second");
        assert_eq!(std::fs::read_dir(&tmp).expect("tmp").count(), 0);
        let (_, applied) = atomic_write_blocking(&tmp, &dir.path().join("no/such/dir/file"), b"x")
            .expect_err("no directory");
        assert!(!applied);
        assert_eq!(std::fs::read_dir(&tmp).expect("tmp").count(), 0);
    }

    #[test]
    fn names_that_are_safe_as_file_names() {
        assert!(is_hex_id("0123ABCdef"));
        assert!(!is_hex_id("../x") && !is_hex_id(""));
        assert!(is_bucket_dir_name("my-bucket-1"));
        assert!(!is_bucket_dir_name(".trash-1") && !is_bucket_dir_name("-ab"));
        assert_eq!(meta_file_name("../../x").len(), 69);
    }
}
