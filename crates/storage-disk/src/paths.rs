//! Safe key → file mapping: the folder layout of a disk storage (objects, the reserved
//! `.jitstore` tree with sidecars and temp files) and the walks that find or prepare an
//! object's place one segment at a time without following links (see `dir_handle.rs`;
//! the key rules are in `names.rs`).
//!
//! A storage holds no open folder between operations (an app may declare thousands of
//! storages, and the limit on open files is per process): each operation opens the
//! storage folder by its canonical path and goes on only if it is still the folder the
//! storage opened (same device and inode), so a folder moved away, replaced or swapped
//! for a link is refused, never followed; the reserved folders are then opened from it
//! without following links. A walk keeps the handle of every folder it opened, so a
//! folder swapped for a link after the walk passed it cannot redirect the read, write,
//! rename or delete that follows: the operation happens in the folder that was checked.
//!
//! Every function here is synchronous and meant to run inside `spawn_blocking`.

use std::fs::File;
use std::io;
use std::path::PathBuf;

use jit_storage::{StorageError, StorageErrorKind, StorageResult};

use crate::dir_handle::{file_meta, is_link_or_not_dir, DirHandle, DirId, EntryMeta, Kind};
use crate::names::RESERVED_DIR;

/// Where a disk storage keeps what: objects at the root, sidecars and temp files in the
/// reserved tree. Holds paths only; [`Layout::root_dir`], [`Layout::meta_dir`] and
/// [`Layout::tmp_dir`] open the folders for one operation.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The storage folder (canonical, absolute), for URLs and messages.
    pub root: PathBuf,
    /// Which folder `root` was when the storage opened.
    root_id: DirId,
}

/// `<root>/.jitstore/meta`: one sidecar per object, mirroring the object tree.
const META_DIR: &str = "meta";
/// `<root>/.jitstore/tmp`: files being written, renamed into place when complete.
const TMP_DIR: &str = "tmp";

impl Layout {
    /// Opens the layout of the storage folder `root` (canonical), creating the reserved
    /// tree if missing; a link anywhere in the reserved tree is refused. Nothing stays
    /// open.
    pub fn open(root: PathBuf) -> StorageResult<Self> {
        let root_dir =
            DirHandle::open_path(&root).map_err(|e| io_error("open the folder", &root, e))?;
        let root_id = root_dir
            .id()
            .map_err(|e| io_error("inspect the folder", &root, e))?;
        let layout = Self { root, root_id };
        layout.meta_dir(&root_dir)?;
        layout.tmp_dir(&root_dir)?;
        Ok(layout)
    }

    /// The storage folder, opened for one operation. Refused (PermissionDenied) when the
    /// folder now at its path is not the one the storage opened: moved, replaced, or
    /// swapped for a link.
    pub fn root_dir(&self) -> StorageResult<DirHandle> {
        let dir = DirHandle::open_path(&self.root)
            .map_err(|e| io_error("open the folder", &self.root, e))?;
        let id = dir
            .id()
            .map_err(|e| io_error("inspect the folder", &self.root, e))?;
        if id != self.root_id {
            return Err(StorageError::new(
                StorageErrorKind::PermissionDenied,
                format!(
                    "{} is no longer the folder the storage opened (it was moved, replaced \
                     or swapped for a link); load the element again to use the new one",
                    self.root.display()
                ),
            ));
        }
        Ok(dir)
    }

    /// `<root>/.jitstore/meta` under `root` (from [`Layout::root_dir`]), recreated if
    /// it was removed; a link there is refused.
    pub fn meta_dir(&self, root: &DirHandle) -> StorageResult<DirHandle> {
        reserved_dir(root, META_DIR)
    }

    /// `<root>/.jitstore/tmp` under `root` (from [`Layout::root_dir`]), recreated if it
    /// was removed; a link there is refused.
    pub fn tmp_dir(&self, root: &DirHandle) -> StorageResult<DirHandle> {
        reserved_dir(root, TMP_DIR)
    }
}

/// Opens (creating if missing) `.jitstore/<name>` under `root` without following links.
fn reserved_dir(root: &DirHandle, name: &str) -> StorageResult<DirHandle> {
    let reserved = open_or_create_dir(root, RESERVED_DIR)?;
    open_or_create_dir(&reserved, name)
}

fn symlink_refused(path: PathBuf) -> StorageError {
    StorageError::new(
        StorageErrorKind::PermissionDenied,
        format!(
            "{} is a symbolic link; a disk storage never follows links",
            path.display()
        ),
    )
}

fn io_error(what: &str, path: &std::path::Path, err: io::Error) -> StorageError {
    StorageError::io(format!("cannot {what} {}", path.display()), err)
}

fn is_absent(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::NotFound
}

/// What `name` in `dir` is, `None` when missing.
fn kind_of(dir: &DirHandle, name: &str) -> StorageResult<Option<EntryMeta>> {
    match dir.stat(name) {
        Ok(m) => Ok(Some(m)),
        Err(e) if is_absent(&e) => Ok(None),
        Err(e) => Err(io_error("inspect", &dir.shown(name), e)),
    }
}

/// Opens the sub-folder `name`, creating it when missing; a link or a file there is
/// refused (PermissionDenied, Conflict).
fn open_or_create_dir(dir: &DirHandle, name: &str) -> StorageResult<DirHandle> {
    for _ in 0..3 {
        match dir.open_dir(name) {
            Ok(d) => return Ok(d),
            Err(e) if is_absent(&e) => match dir.create_dir(name) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io_error("create the folder", &dir.shown(name), e)),
            },
            Err(e) if is_link_or_not_dir(&e) => return Err(not_a_folder(dir, name)?),
            Err(e) => return Err(io_error("open", &dir.shown(name), e)),
        }
    }
    Err(StorageError::new(
        StorageErrorKind::Conflict,
        format!("{} keeps changing", dir.shown(name).display()),
    ))
}

/// Why `name` could not be opened as a folder: it is a link (PermissionDenied) or not a
/// folder (Conflict). The diagnosis is made after the refusal, so racing it changes
/// only the message.
fn not_a_folder(dir: &DirHandle, name: &str) -> StorageResult<StorageError> {
    Ok(match kind_of(dir, name)?.map(|m| m.kind) {
        Some(Kind::Link) => symlink_refused(dir.shown(name)),
        _ => StorageError::new(
            StorageErrorKind::Conflict,
            format!("{} is not a folder", dir.shown(name).display()),
        ),
    })
}

/// The folders `parents` opened one by one under `base`, stopping at the first that is
/// missing or a file; a link is refused (PermissionDenied).
fn open_chain(base: &DirHandle, parents: &[&str]) -> StorageResult<Vec<DirHandle>> {
    let mut chain: Vec<DirHandle> = Vec::with_capacity(parents.len());
    for segment in parents {
        let dir = chain.last().unwrap_or(base);
        match dir.open_dir(segment) {
            Ok(d) => chain.push(d),
            Err(e) if is_absent(&e) => break,
            Err(e) if is_link_or_not_dir(&e) => match kind_of(dir, segment)?.map(|m| m.kind) {
                Some(Kind::Link) => return Err(symlink_refused(dir.shown(segment))),
                _ => break,
            },
            Err(e) => return Err(io_error("open", &dir.shown(segment), e)),
        }
    }
    Ok(chain)
}

/// A second handle on `base`, for the place of a key without parents.
fn reopen(base: &DirHandle) -> StorageResult<DirHandle> {
    base.try_clone()
        .map_err(|e| io_error("reopen", base.path(), e))
}

/// Opens the regular file of `segments` under `base` without following any link.
/// `Ok(None)` when there is no such file (a component is missing, or is a file where a
/// folder would be, or the last one is a folder); PermissionDenied when a component is
/// a link or the last one is not a regular file.
pub(crate) fn find_file(
    base: &DirHandle,
    segments: &[&str],
) -> StorageResult<Option<(File, EntryMeta)>> {
    let (last, parents) = segments
        .split_last()
        .ok_or_else(|| StorageError::invalid_argument("object name is empty"))?;
    let chain = open_chain(base, parents)?;
    if chain.len() < parents.len() {
        return Ok(None);
    }
    let dir = chain.last().unwrap_or(base);
    let file = match dir.open_file(last) {
        Ok(f) => f,
        Err(e) if is_absent(&e) => return Ok(None),
        Err(e) if is_link_or_not_dir(&e) => {
            return match kind_of(dir, last)?.map(|m| m.kind) {
                Some(Kind::Link) => Err(symlink_refused(dir.shown(last))),
                _ => Ok(None),
            }
        }
        Err(e) => return Err(io_error("open", &dir.shown(last), e)),
    };
    let meta = file_meta(&file).map_err(|e| io_error("inspect", &dir.shown(last), e))?;
    match meta.kind {
        Kind::File => Ok(Some((file, meta))),
        Kind::Dir => Ok(None),
        _ => Err(StorageError::new(
            StorageErrorKind::PermissionDenied,
            format!("{} is not a regular file", dir.shown(last).display()),
        )),
    }
}

/// Prepares the place of `segments` under `base` for a file to be renamed onto it:
/// opens (creating missing ones) the parent folders, refuses symbolic links
/// (PermissionDenied) and refuses a parent that is a file or a target that is a folder
/// (Conflict). Returns the open parent folder.
pub(crate) fn prepare_file(base: &DirHandle, segments: &[&str]) -> StorageResult<DirHandle> {
    prepare(base, segments, false)
}

/// Like [`prepare_file`], for the sidecar tree: whatever is in the way there (a file
/// where a folder must be, a folder where the sidecar goes) is a leftover of objects
/// that can no longer exist, and is removed. Links are still refused.
pub(crate) fn prepare_sidecar(base: &DirHandle, segments: &[&str]) -> StorageResult<DirHandle> {
    prepare(base, segments, true)
}

fn prepare(base: &DirHandle, segments: &[&str], clear_stale: bool) -> StorageResult<DirHandle> {
    let (last, parents) = segments
        .split_last()
        .ok_or_else(|| StorageError::invalid_argument("object name is empty"))?;
    let mut chain: Vec<DirHandle> = Vec::with_capacity(parents.len());
    for (i, segment) in parents.iter().enumerate() {
        let dir = chain.last().unwrap_or(base);
        let next = match open_or_create_dir(dir, segment) {
            Ok(d) => d,
            Err(e) if e.kind() == StorageErrorKind::Conflict && clear_stale => {
                dir.remove_file(segment)
                    .map_err(|e| io_error("remove the stale", &dir.shown(segment), e))?;
                open_or_create_dir(dir, segment)?
            }
            Err(e) if e.kind() == StorageErrorKind::Conflict => {
                return Err(StorageError::new(
                    StorageErrorKind::Conflict,
                    format!(
                        "{:?} is an object, so it cannot also be a folder",
                        parents[..=i].join("/")
                    ),
                ))
            }
            Err(e) => return Err(e),
        };
        chain.push(next);
    }
    let dir = match chain.pop() {
        Some(dir) => dir,
        None => reopen(base)?,
    };
    match kind_of(&dir, last)?.map(|m| m.kind) {
        Some(Kind::Link) => Err(symlink_refused(dir.shown(last))),
        Some(Kind::Dir) if clear_stale => {
            remove_tree(&dir, last)?;
            Ok(dir)
        }
        Some(Kind::Dir) => Err(StorageError::new(
            StorageErrorKind::Conflict,
            format!(
                "{:?} is a folder of other objects, so it cannot also be an object",
                segments.join("/")
            ),
        )),
        _ => Ok(dir),
    }
}

/// Removes the folder `name` in `dir` and everything in it, never following a link
/// (a link inside is removed, not its target).
fn remove_tree(dir: &DirHandle, name: &str) -> StorageResult<()> {
    let sub = match dir.open_dir(name) {
        Ok(sub) => sub,
        Err(e) if is_absent(&e) => return Ok(()),
        Err(e) if is_link_or_not_dir(&e) => {
            return dir
                .remove_file(name)
                .map_err(|e| io_error("remove", &dir.shown(name), e))
        }
        Err(e) => return Err(io_error("open", &dir.shown(name), e)),
    };
    let names = sub
        .names()
        .map_err(|e| io_error("list", &dir.shown(name), e))?;
    for child in names {
        let Some(child) = child.to_str() else {
            continue;
        };
        match kind_of(&sub, child)?.map(|m| m.kind) {
            Some(Kind::Dir) => remove_tree(&sub, child)?,
            Some(_) => sub
                .remove_file(child)
                .map_err(|e| io_error("remove", &sub.shown(child), e))?,
            None => {}
        }
    }
    match dir.remove_dir(name) {
        Ok(()) => Ok(()),
        Err(e) if is_absent(&e) => Ok(()),
        Err(e) => Err(io_error("remove the folder", &dir.shown(name), e)),
    }
}

/// Removes the regular file of `segments` under `base` if there is one, then the
/// folders it leaves empty. PermissionDenied when a component is a link (the link is
/// left alone). Returns whether a file was removed.
pub(crate) fn remove_file(base: &DirHandle, segments: &[&str]) -> StorageResult<bool> {
    let (last, parents) = segments
        .split_last()
        .ok_or_else(|| StorageError::invalid_argument("object name is empty"))?;
    let chain = open_chain(base, parents)?;
    if chain.len() < parents.len() {
        return Ok(false);
    }
    let dir = chain.last().unwrap_or(base);
    let removed = match kind_of(dir, last)?.map(|m| m.kind) {
        Some(Kind::Link) => return Err(symlink_refused(dir.shown(last))),
        // Unlinking never follows a link, so an entry swapped meanwhile is only
        // unlinked, never its target.
        Some(Kind::File) => match dir.remove_file(last) {
            Ok(()) => true,
            Err(e) if is_absent(&e) => false,
            Err(e) => return Err(io_error("remove", &dir.shown(last), e)),
        },
        _ => false,
    };
    prune_empty(base, &chain, parents);
    Ok(removed)
}

/// Removes the now-empty folders of `chain` (the opened `parents` under `base`),
/// deepest first, stopping at the first that is not empty (or cannot be removed).
fn prune_empty(base: &DirHandle, chain: &[DirHandle], parents: &[&str]) {
    for i in (0..chain.len()).rev() {
        let holder = if i == 0 { base } else { &chain[i - 1] };
        if holder.remove_dir(parents[i]).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle(path: &std::path::Path) -> DirHandle {
        DirHandle::open_path(path).unwrap()
    }

    #[test]
    fn find_and_prepare_never_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let base = handle(dir.path());
        std::fs::create_dir(dir.path().join("real")).unwrap();
        std::fs::write(dir.path().join("real/f"), b"x").unwrap();
        assert!(find_file(&base, &["real", "f"]).unwrap().is_some());
        assert!(find_file(&base, &["real", "missing"]).unwrap().is_none());
        assert!(find_file(&base, &["real", "f", "under-a-file"])
            .unwrap()
            .is_none());
        assert!(find_file(&base, &["real"]).unwrap().is_none());

        let conflict = prepare_file(&base, &["real", "f", "x"]).unwrap_err();
        assert_eq!(conflict.kind(), StorageErrorKind::Conflict);
        let conflict = prepare_file(&base, &["real"]).unwrap_err();
        assert_eq!(conflict.kind(), StorageErrorKind::Conflict);
        let made = prepare_file(&base, &["new", "deep", "f"]).unwrap();
        assert!(dir.path().join("new/deep").is_dir());
        assert_eq!(made.path(), dir.path().join("new/deep"));

        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("link")).unwrap();
            for segments in [&["link", "f"][..], &["link"][..], &["link", "a", "b"][..]] {
                let err = find_file(&base, segments).unwrap_err();
                assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
                let err = prepare_file(&base, segments).unwrap_err();
                assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
                let err = remove_file(&base, segments).unwrap_err();
                assert_eq!(err.kind(), StorageErrorKind::PermissionDenied);
            }
            assert!(dir.path().join("real/f").exists());
        }
    }

    #[test]
    fn removing_prunes_empty_folders_up_to_the_base() {
        let dir = tempfile::tempdir().unwrap();
        let base = handle(dir.path());
        std::fs::create_dir_all(dir.path().join("a/b/c")).unwrap();
        std::fs::write(dir.path().join("a/keep"), b"x").unwrap();
        std::fs::write(dir.path().join("a/b/c/gone"), b"x").unwrap();
        assert!(remove_file(&base, &["a", "b", "c", "gone"]).unwrap());
        assert!(!dir.path().join("a/b").exists());
        assert!(dir.path().join("a/keep").exists());
        assert!(!remove_file(&base, &["top"]).unwrap());
        assert!(dir.path().exists());
    }

    #[test]
    fn sidecar_paths_clear_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let base = handle(dir.path());
        std::fs::write(dir.path().join("k"), b"stale sidecar").unwrap();
        let p = prepare_sidecar(&base, &["k", "x"]).unwrap();
        assert_eq!(p.path(), dir.path().join("k"));
        std::fs::create_dir_all(dir.path().join("k/x/deeper")).unwrap();
        std::fs::write(dir.path().join("k/x/deeper/f"), b"stale too").unwrap();
        prepare_sidecar(&base, &["k", "x"]).unwrap();
        assert!(!dir.path().join("k/x").exists());
    }

    #[test]
    fn the_reserved_tree_is_opened_without_links() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::open(dir.path().to_path_buf()).unwrap();
        assert!(dir.path().join(".jitstore/meta").is_dir());
        assert!(dir.path().join(".jitstore/tmp").is_dir());
        drop(layout);
        #[cfg(unix)]
        {
            let other = tempfile::tempdir().unwrap();
            let outside = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(outside.path(), other.path().join(".jitstore")).unwrap();
            let err = Layout::open(other.path().to_path_buf()).unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
            assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
        }
    }

    #[test]
    fn the_reserved_tree_is_opened_per_operation_and_recreated_if_removed() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::open(dir.path().to_path_buf()).unwrap();
        std::fs::remove_dir_all(dir.path().join(".jitstore")).unwrap();
        let root = layout.root_dir().unwrap();
        assert_eq!(
            layout.tmp_dir(&root).unwrap().path(),
            dir.path().join(".jitstore/tmp")
        );
        assert!(dir.path().join(".jitstore/tmp").is_dir());
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::fs::remove_dir_all(dir.path().join(".jitstore")).unwrap();
            std::os::unix::fs::symlink(outside.path(), dir.path().join(".jitstore")).unwrap();
            let err = layout.meta_dir(&root).unwrap_err();
            assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
            assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
        }
    }

    /// The root is opened by its path for each operation, and used only while it is the
    /// folder the storage opened.
    #[cfg(unix)]
    #[test]
    fn a_root_moved_replaced_or_swapped_for_a_link_is_refused() {
        let parent = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = parent.path().join("store");
        std::fs::create_dir(&root).unwrap();
        let layout = Layout::open(root.clone()).unwrap();
        assert_eq!(layout.root_dir().unwrap().path(), root);

        let aside = parent.path().join("aside");
        std::fs::rename(&root, &aside).unwrap();
        let err = layout.root_dir().unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::NotFound, "{err}");
        assert!(
            err.to_string().contains(&root.display().to_string()),
            "{err}"
        );

        std::os::unix::fs::symlink(outside.path(), &root).unwrap();
        let err = layout.root_dir().unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
        assert!(err.to_string().contains("no longer the folder"), "{err}");
        std::fs::remove_file(&root).unwrap();

        std::fs::create_dir(&root).unwrap();
        let err = layout.root_dir().unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::PermissionDenied, "{err}");
        std::fs::remove_dir(&root).unwrap();

        // A link to the very folder the storage opened leads nowhere else.
        std::os::unix::fs::symlink(&aside, &root).unwrap();
        layout.root_dir().unwrap();
        std::fs::remove_file(&root).unwrap();
        std::fs::rename(&aside, &root).unwrap();
        layout.root_dir().unwrap();
        assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
    }
}
