//! [`DirHandle`]: an open folder, and every file-system operation a disk storage makes,
//! relative to it and without following symbolic links.
//!
//! On Unix a handle is an open directory file descriptor, and every operation is an
//! `*at` call on it (`openat` with `O_NOFOLLOW`, plus `O_DIRECTORY` for folders,
//! `statat` with `AT_SYMLINK_NOFOLLOW`, `mkdirat`, `renameat`, `unlinkat`), so a walk
//! from the storage root opens one segment at a time and keeps what it opened: a folder
//! swapped for a symbolic link after it was opened changes nothing (the handle still
//! refers to the folder), and a link met during the walk is refused by the kernel
//! (`ELOOP`/`ENOTDIR`), not by an earlier check that could be raced.
//!
//! Elsewhere (Windows) a handle is a path, and each operation checks the entry with
//! `symlink_metadata` before using it: the same refusals, but a swap between check and
//! use is not excluded there.
//!
//! Every function is synchronous and meant to run inside `spawn_blocking`.

use std::ffi::OsString;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// What an entry of a folder is, seen without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link (never followed).
    Link,
    /// A device, socket, FIFO or anything else.
    Other,
}

/// What is known about an entry: its kind, and for files the fields of a stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryMeta {
    /// The kind of entry.
    pub kind: Kind,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch (0 before it).
    pub mtime_ns: u64,
    /// Inode number (0 where the platform has none).
    pub inode: u64,
}

/// Which folder a handle is on, whatever path leads to it: device and inode on Unix
/// (elsewhere every folder compares equal, as there is nothing to compare).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DirId {
    dev: u64,
    ino: u64,
}

/// An open folder (see the module documentation).
#[derive(Debug)]
pub(crate) struct DirHandle {
    #[cfg(unix)]
    fd: std::os::fd::OwnedFd,
    /// Where the folder was when opened, for messages (and, off Unix, for the
    /// operations themselves).
    path: PathBuf,
}

/// The error of an operation refused because it met a symbolic link (or a non-folder
/// where a folder was asked for): `ELOOP`, `ENOTDIR`.
pub(crate) fn is_link_or_not_dir(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        let code = e.raw_os_error();
        code == Some(rustix::io::Errno::LOOP.raw_os_error())
            || code == Some(rustix::io::Errno::NOTDIR.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        e.get_ref().is_some_and(|inner| inner.is::<NotAFolder>())
    }
}

impl DirHandle {
    /// Where the folder was when opened, joined with `name` (for messages).
    pub fn shown(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// The folder's path when opened.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags};

#[cfg(unix)]
fn meta_of(stat: &rfs::Stat) -> EntryMeta {
    let kind = match FileType::from_raw_mode(stat.st_mode) {
        FileType::RegularFile => Kind::File,
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Link,
        _ => Kind::Other,
    };
    #[allow(clippy::unnecessary_cast)]
    let (secs, nanos) = (stat.st_mtime as i64, stat.st_mtime_nsec as u64);
    let mtime_ns = u64::try_from(secs)
        .ok()
        .and_then(|s| s.checked_mul(1_000_000_000))
        .and_then(|ns| ns.checked_add(nanos))
        .unwrap_or(0);
    #[allow(clippy::unnecessary_cast)]
    EntryMeta {
        kind,
        size: u64::try_from(stat.st_size).unwrap_or(0),
        mtime_ns,
        inode: stat.st_ino as u64,
    }
}

/// What an open file is.
#[cfg(unix)]
pub(crate) fn file_meta(file: &File) -> io::Result<EntryMeta> {
    Ok(meta_of(&rfs::fstat(file)?))
}

#[cfg(unix)]
impl DirHandle {
    /// Opens the folder at `path` (following links in `path` itself: the storage
    /// root is resolved once, when the storage opens).
    pub fn open_path(path: &Path) -> io::Result<Self> {
        let fd = rfs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Self {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// Which folder this handle is on.
    pub fn id(&self) -> io::Result<DirId> {
        let stat = rfs::fstat(&self.fd)?;
        #[allow(clippy::unnecessary_cast)]
        Ok(DirId {
            dev: stat.st_dev as u64,
            ino: stat.st_ino as u64,
        })
    }

    /// Another handle on the same folder.
    pub fn try_clone(&self) -> io::Result<Self> {
        Ok(Self {
            fd: self.fd.try_clone()?,
            path: self.path.clone(),
        })
    }

    /// Opens the sub-folder `name`; a link there fails with `ELOOP` or `ENOTDIR`
    /// ([`is_link_or_not_dir`]), a file with `ENOTDIR`.
    pub fn open_dir(&self, name: &str) -> io::Result<Self> {
        let fd = rfs::openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Self {
            fd,
            path: self.path.join(name),
        })
    }

    /// What `name` is, without following a link.
    pub fn stat(&self, name: &str) -> io::Result<EntryMeta> {
        Ok(meta_of(&rfs::statat(
            &self.fd,
            name,
            AtFlags::SYMLINK_NOFOLLOW,
        )?))
    }

    /// Opens the file `name` for reading, never through a link (`ELOOP`), never
    /// blocking on a FIFO; the caller checks it is a regular file.
    pub fn open_file(&self, name: &str) -> io::Result<File> {
        let fd = rfs::openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(File::from(fd))
    }

    /// Creates the new file `name` (never an existing one, never through a link)
    /// and opens it for writing.
    pub fn create_new(&self, name: &str) -> io::Result<File> {
        let fd = rfs::openat(
            &self.fd,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o666),
        )?;
        Ok(File::from(fd))
    }

    /// Creates the sub-folder `name`.
    pub fn create_dir(&self, name: &str) -> io::Result<()> {
        rfs::mkdirat(&self.fd, name, Mode::from_raw_mode(0o777))?;
        Ok(())
    }

    /// Renames `name` onto `to_name` in `to` (replacing a file there; a link there
    /// is replaced, never written through).
    pub fn rename(&self, name: &str, to: &DirHandle, to_name: &str) -> io::Result<()> {
        rfs::renameat(&self.fd, name, &to.fd, to_name)?;
        Ok(())
    }

    /// Removes the file (or link) `name`.
    pub fn remove_file(&self, name: &str) -> io::Result<()> {
        rfs::unlinkat(&self.fd, name, AtFlags::empty())?;
        Ok(())
    }

    /// Removes the empty sub-folder `name`.
    pub fn remove_dir(&self, name: &str) -> io::Result<()> {
        rfs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)?;
        Ok(())
    }

    /// The names in the folder (not `.` and `..`), in no particular order.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        use std::os::unix::ffi::OsStringExt;
        let mut names = Vec::new();
        for entry in rfs::Dir::read_from(&self.fd)? {
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            if name != b"." && name != b".." {
                names.push(OsString::from_vec(name.to_vec()));
            }
        }
        Ok(names)
    }

    /// Makes renames into the folder durable (best effort).
    pub fn sync(&self) {
        let _ = rfs::fsync(&self.fd);
    }
}

/// Tries to lock `file` exclusively without waiting: `Ok(true)` when locked (the
/// lock goes with the file's last descriptor, or with its process).
#[cfg(unix)]
pub(crate) fn try_lock(file: &File) -> io::Result<bool> {
    match rfs::flock(file, rfs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Locks `file` exclusively, waiting for another holder to let go.
#[cfg(unix)]
pub(crate) fn lock(file: &File) -> io::Result<()> {
    rfs::flock(file, rfs::FlockOperation::LockExclusive)?;
    Ok(())
}

/// How many names the open file has (0 once it was removed).
#[cfg(unix)]
pub(crate) fn link_count(file: &File) -> io::Result<u64> {
    #[allow(clippy::unnecessary_cast)]
    Ok(rfs::fstat(file)?.st_nlink as u64)
}

#[cfg(not(unix))]
fn meta_of(m: &std::fs::Metadata) -> EntryMeta {
    let t = m.file_type();
    let kind = if t.is_symlink() {
        Kind::Link
    } else if t.is_dir() {
        Kind::Dir
    } else if t.is_file() {
        Kind::File
    } else {
        Kind::Other
    };
    EntryMeta {
        kind,
        size: m.len(),
        mtime_ns: m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos().min(u64::MAX as u128) as u64),
        inode: 0,
    }
}

/// Off Unix: the error of an entry that is a link or not a folder.
#[cfg(not(unix))]
#[derive(Debug)]
struct NotAFolder(PathBuf);

#[cfg(not(unix))]
impl std::fmt::Display for NotAFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not a folder (or is a link)", self.0.display())
    }
}

#[cfg(not(unix))]
impl std::error::Error for NotAFolder {}

#[cfg(not(unix))]
fn not_a_dir(path: &Path) -> io::Error {
    io::Error::other(NotAFolder(path.to_path_buf()))
}

/// What an open file is.
#[cfg(not(unix))]
pub(crate) fn file_meta(file: &File) -> io::Result<EntryMeta> {
    Ok(meta_of(&file.metadata()?))
}

#[cfg(not(unix))]
impl DirHandle {
    /// Opens the folder at `path`.
    pub fn open_path(path: &Path) -> io::Result<Self> {
        if !std::fs::metadata(path)?.is_dir() {
            return Err(not_a_dir(path));
        }
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// Which folder this handle is on: nothing to tell folders apart by here.
    pub fn id(&self) -> io::Result<DirId> {
        Ok(DirId { dev: 0, ino: 0 })
    }

    /// Another handle on the same folder.
    pub fn try_clone(&self) -> io::Result<Self> {
        Ok(Self {
            path: self.path.clone(),
        })
    }

    /// Opens the sub-folder `name`, refusing a link or a file.
    pub fn open_dir(&self, name: &str) -> io::Result<Self> {
        let path = self.path.join(name);
        if meta_of(&std::fs::symlink_metadata(&path)?).kind != Kind::Dir {
            return Err(not_a_dir(&path));
        }
        Ok(Self { path })
    }

    /// What `name` is, without following a link.
    pub fn stat(&self, name: &str) -> io::Result<EntryMeta> {
        Ok(meta_of(&std::fs::symlink_metadata(self.path.join(name))?))
    }

    /// Opens the file `name` for reading, refusing a link.
    pub fn open_file(&self, name: &str) -> io::Result<File> {
        let path = self.path.join(name);
        if meta_of(&std::fs::symlink_metadata(&path)?).kind == Kind::Link {
            return Err(not_a_dir(&path));
        }
        File::open(path)
    }

    /// Creates the new file `name` and opens it for writing.
    pub fn create_new(&self, name: &str) -> io::Result<File> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.path.join(name))
    }

    /// Creates the sub-folder `name`.
    pub fn create_dir(&self, name: &str) -> io::Result<()> {
        std::fs::create_dir(self.path.join(name))
    }

    /// Renames `name` onto `to_name` in `to`.
    pub fn rename(&self, name: &str, to: &DirHandle, to_name: &str) -> io::Result<()> {
        std::fs::rename(self.path.join(name), to.path.join(to_name))
    }

    /// Removes the file (or link) `name`.
    pub fn remove_file(&self, name: &str) -> io::Result<()> {
        std::fs::remove_file(self.path.join(name))
    }

    /// Removes the empty sub-folder `name`.
    pub fn remove_dir(&self, name: &str) -> io::Result<()> {
        std::fs::remove_dir(self.path.join(name))
    }

    /// The names in the folder, in no particular order.
    pub fn names(&self) -> io::Result<Vec<OsString>> {
        std::fs::read_dir(&self.path)?
            .map(|e| e.map(|e| e.file_name()))
            .collect()
    }

    /// Makes renames into the folder durable (a no-op here).
    pub fn sync(&self) {}
}

/// No advisory locks here: every file counts as locked by a live writer, and only
/// the age rule removes temp files.
#[cfg(not(unix))]
pub(crate) fn try_lock(_file: &File) -> io::Result<bool> {
    Ok(false)
}

/// No advisory locks here.
#[cfg(not(unix))]
pub(crate) fn lock(_file: &File) -> io::Result<()> {
    Ok(())
}

/// Always 1: the platform does not say.
#[cfg(not(unix))]
pub(crate) fn link_count(_file: &File) -> io::Result<u64> {
    Ok(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_stay_relative_and_never_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = DirHandle::open_path(dir.path()).unwrap();
        root.create_dir("sub").unwrap();
        let sub = root.open_dir("sub").unwrap();
        std::io::Write::write_all(&mut sub.create_new("f").unwrap(), b"abc").unwrap();
        assert!(sub.create_new("f").is_err());
        let f = sub.open_file("f").unwrap();
        let meta = file_meta(&f).unwrap();
        assert_eq!((meta.kind, meta.size), (Kind::File, 3));
        assert_eq!(sub.stat("f").unwrap().kind, Kind::File);
        assert_eq!(root.stat("sub").unwrap().kind, Kind::Dir);
        sub.rename("f", &root, "g").unwrap();
        assert_eq!(root.names().unwrap().len(), 2);
        root.remove_file("g").unwrap();
        root.remove_dir("sub").unwrap();
        assert!(root.names().unwrap().is_empty());

        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::fs::write(outside.path().join("secret"), b"s").unwrap();
            std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
            std::os::unix::fs::symlink(
                outside.path().join("secret"),
                dir.path().join("secret-link"),
            )
            .unwrap();
            let err = root.open_dir("out").unwrap_err();
            assert!(is_link_or_not_dir(&err), "{err}");
            let err = root.open_file("secret-link").unwrap_err();
            assert!(is_link_or_not_dir(&err), "{err}");
            assert_eq!(root.stat("out").unwrap().kind, Kind::Link);
            assert!(root.create_new("secret-link").is_err());
            assert_eq!(std::fs::read(outside.path().join("secret")).unwrap(), b"s");
        }
    }
}
