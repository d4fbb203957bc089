//! Safe key → path mapping: the folder layout of a disk storage (objects, the reserved
//! `.jitstore` tree with sidecars and temp files) and symlink-refusing walks that resolve
//! or prepare a path (the key rules are in `names.rs`).
//!
//! Every function here is synchronous and meant to run inside `spawn_blocking`.

use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

use jit_storage::{StorageError, StorageErrorKind, StorageResult};

use crate::names::RESERVED_DIR;

/// Where a disk storage keeps what: objects at the root, sidecars and temp files in the
/// reserved tree.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The storage folder (canonical, absolute).
    pub root: PathBuf,
    /// `<root>/.jitstore/meta`: one sidecar per object, mirroring the object tree.
    pub meta_root: PathBuf,
    /// `<root>/.jitstore/tmp`: files being written, renamed into place when complete.
    pub tmp_root: PathBuf,
}

impl Layout {
    /// The layout of the storage folder `root` (which must already be canonical).
    pub fn new(root: PathBuf) -> Self {
        let reserved = root.join(RESERVED_DIR);
        Self {
            meta_root: reserved.join("meta"),
            tmp_root: reserved.join("tmp"),
            root,
        }
    }
}

fn symlink_refused(path: &Path) -> StorageError {
    StorageError::new(
        StorageErrorKind::PermissionDenied,
        format!(
            "{} is a symbolic link; a disk storage never follows links",
            path.display()
        ),
    )
}

fn io_error(what: &str, path: &Path, err: io::Error) -> StorageError {
    StorageError::io(format!("cannot {what} {}", path.display()), err)
}

/// Finds the regular file of `segments` under `base` without following any symbolic
/// link. `Ok(None)` when there is no such file (a component is missing, or is a file
/// where a folder would be, or the last one is a folder); PermissionDenied when a
/// component is a link or the last one is not a regular file.
pub(crate) fn find_file(
    base: &Path,
    segments: &[&str],
) -> StorageResult<Option<(PathBuf, Metadata)>> {
    let mut path = base.to_path_buf();
    let (last, parents) = segments
        .split_last()
        .ok_or_else(|| StorageError::invalid_argument("object name is empty"))?;
    for segment in parents {
        path.push(segment);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(symlink_refused(&path)),
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Ok(None),
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(io_error("inspect", &path, e)),
        }
    }
    path.push(last);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => Err(symlink_refused(&path)),
        Ok(m) if m.is_file() => Ok(Some((path, m))),
        Ok(m) if m.is_dir() => Ok(None),
        Ok(_) => Err(StorageError::new(
            StorageErrorKind::PermissionDenied,
            format!("{} is not a regular file", path.display()),
        )),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(io_error("inspect", &path, e)),
    }
}

/// Prepares the path of `segments` under `base` for a file to be renamed onto it:
/// creates missing parent folders, refuses symbolic links (PermissionDenied) and refuses
/// a parent that is a file or a target that is a folder (Conflict).
pub(crate) fn prepare_file(base: &Path, segments: &[&str]) -> StorageResult<PathBuf> {
    prepare(base, segments, false)
}

/// Like [`prepare_file`], for the sidecar tree once the object is in place: whatever is
/// in the way there (a file where a folder must be, a folder where the sidecar goes) is
/// a leftover of objects that can no longer exist, and is removed. Links are still
/// refused.
pub(crate) fn prepare_sidecar(base: &Path, segments: &[&str]) -> StorageResult<PathBuf> {
    prepare(base, segments, true)
}

fn prepare(base: &Path, segments: &[&str], clear_stale: bool) -> StorageResult<PathBuf> {
    let mut path = base.to_path_buf();
    let (last, parents) = segments
        .split_last()
        .ok_or_else(|| StorageError::invalid_argument("object name is empty"))?;
    for (i, segment) in parents.iter().enumerate() {
        path.push(segment);
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => return Err(symlink_refused(&path)),
            Ok(m) if m.is_dir() => {}
            Ok(_) if clear_stale => {
                std::fs::remove_file(&path).map_err(|e| io_error("remove the stale", &path, e))?;
                std::fs::create_dir(&path).map_err(|e| io_error("create the folder", &path, e))?;
            }
            Ok(_) => {
                return Err(StorageError::new(
                    StorageErrorKind::Conflict,
                    format!(
                        "{:?} is an object, so it cannot also be a folder",
                        parents[..=i].join("/")
                    ),
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match std::fs::create_dir(&path) {
                Ok(()) => {}
                // Someone else created it meanwhile: check it again.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let m = std::fs::symlink_metadata(&path)
                        .map_err(|e| io_error("inspect", &path, e))?;
                    if !m.is_dir() || m.file_type().is_symlink() {
                        return Err(StorageError::new(
                            StorageErrorKind::Conflict,
                            format!("{} appeared as a non-folder", path.display()),
                        ));
                    }
                }
                Err(e) => return Err(io_error("create the folder", &path, e)),
            },
            Err(e) => return Err(io_error("inspect", &path, e)),
        }
    }
    path.push(last);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => Err(symlink_refused(&path)),
        Ok(m) if m.is_dir() && clear_stale => {
            std::fs::remove_dir_all(&path)
                .map_err(|e| io_error("remove the stale folder", &path, e))?;
            Ok(path)
        }
        Ok(m) if m.is_dir() => Err(StorageError::new(
            StorageErrorKind::Conflict,
            format!(
                "{:?} is a folder of other objects, so it cannot also be an object",
                segments.join("/")
            ),
        )),
        Ok(_) => Ok(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(path),
        Err(e) => Err(io_error("inspect", &path, e)),
    }
}

/// Removes the now-empty folders between `file`'s parent and `base` (exclusive), so a
/// deleted object leaves no empty folders behind. Stops at the first folder that is not
/// empty (or cannot be removed).
pub(crate) fn prune_empty_parents(base: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == base || !d.starts_with(base) {
            break;
        }
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Missing. (A file where a folder was expected is caught by the walk itself, one
/// component at a time, before the OS would answer `ENOTDIR`.)
fn is_absent(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_and_prepare_never_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::create_dir(base.join("real")).unwrap();
        std::fs::write(base.join("real/f"), b"x").unwrap();
        assert!(find_file(base, &["real", "f"]).unwrap().is_some());
        assert!(find_file(base, &["real", "missing"]).unwrap().is_none());
        assert!(find_file(base, &["real", "f", "under-a-file"])
            .unwrap()
            .is_none());
        assert!(find_file(base, &["real"]).unwrap().is_none());

        let conflict = prepare_file(base, &["real", "f", "x"]).unwrap_err();
        assert_eq!(conflict.kind(), StorageErrorKind::Conflict);
        let conflict = prepare_file(base, &["real"]).unwrap_err();
        assert_eq!(conflict.kind(), StorageErrorKind::Conflict);
        let made = prepare_file(base, &["new", "deep", "f"]).unwrap();
        assert!(base.join("new/deep").is_dir());
        assert_eq!(made, base.join("new/deep/f"));

        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("real"), base.join("link")).unwrap();
            for segments in [&["link", "f"][..], &["link"][..]] {
                let err = find_file(base, segments).unwrap_err();
                assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
                let err = prepare_file(base, segments).unwrap_err();
                assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
            }
        }
    }

    #[test]
    fn pruning_stops_at_the_base_and_at_non_empty_folders() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::create_dir_all(base.join("a/b/c")).unwrap();
        std::fs::write(base.join("a/keep"), b"x").unwrap();
        prune_empty_parents(base, &base.join("a/b/c/gone"));
        assert!(!base.join("a/b").exists());
        assert!(base.join("a/keep").exists());
        prune_empty_parents(base, &base.join("top"));
        assert!(base.exists());
    }

    #[test]
    fn sidecar_paths_clear_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::write(base.join("k"), b"stale sidecar").unwrap();
        let p = prepare_sidecar(base, &["k", "x"]).unwrap();
        assert_eq!(p, base.join("k/x"));
        std::fs::write(&p, b"stale too").unwrap();
        let p = prepare_sidecar(base, &["k"]).unwrap();
        assert!(!p.exists());
    }
}
