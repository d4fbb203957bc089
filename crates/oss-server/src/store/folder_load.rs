//! Opening a folder store: every bucket under the root is read back ([`load_root`],
//! giving [`LoadedBucket`]s), and what an interrupted server left behind is cleaned
//! first: staging and temporary files, buckets half deleted, uploads half created or
//! half removed, and blobs no object or part refers to.

use std::collections::{BTreeMap, HashSet};
use std::io;
use std::path::Path;

use super::error::StoreError;
use super::layout::{is_bucket_dir_name, is_hex_id, meta_file_name, TRASH_PREFIX};
use super::metadata::{ObjectMeta, PartMeta, UploadMeta, UploadState};

/// A bucket as found on disk when opening.
#[derive(Debug)]
pub struct LoadedBucket {
    /// Bucket name.
    pub name: String,
    /// Creation time, Unix seconds.
    pub created: u64,
    /// Its objects by key.
    pub objects: BTreeMap<String, ObjectMeta>,
    /// Its multipart uploads.
    pub uploads: Vec<UploadState>,
}

/// Reads and parses a JSON file.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, StoreError> {
    let bytes =
        std::fs::read(path).map_err(|e| StoreError::io(format!("read {}", path.display()), e))?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

/// Lists a directory's entries, empty if it does not exist.
fn entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>, StoreError> {
    match std::fs::read_dir(dir) {
        Ok(iter) => iter
            .collect::<io::Result<Vec<_>>>()
            .map_err(|e| StoreError::io(format!("list {}", dir.display()), e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(StoreError::io(format!("list {}", dir.display()), e)),
    }
}

/// Removes a file or a whole directory, ignoring failures (garbage only).
fn remove_any(path: &Path) {
    let _ = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
}

/// Loads every bucket under `root` (creating it if needed), cleaning leftovers.
/// Blocking: call inside `spawn_blocking`.
pub fn load_root(root: &Path) -> Result<Vec<LoadedBucket>, StoreError> {
    std::fs::create_dir_all(root)
        .map_err(|e| StoreError::io(format!("create root {}", root.display()), e))?;
    let mut buckets = Vec::new();
    for entry in entries(root)? {
        let name = entry.file_name().to_string_lossy().into_owned();
        let dir = entry.path();
        if name.starts_with(TRASH_PREFIX) {
            remove_any(&dir);
            continue;
        }
        if !dir.is_dir() || !is_bucket_dir_name(&name) || !dir.join("bucket.json").is_file() {
            continue;
        }
        buckets.push(load_bucket(&name, &dir)?);
    }
    Ok(buckets)
}

/// Loads one bucket directory.
fn load_bucket(name: &str, dir: &Path) -> Result<LoadedBucket, StoreError> {
    let info: serde_json::Value = read_json(&dir.join("bucket.json"))?;
    let created = info.get("created").and_then(|v| v.as_u64()).unwrap_or(0);
    for sub in ["objects", "blobs", "uploads", "tmp"] {
        std::fs::create_dir_all(dir.join(sub))
            .map_err(|e| StoreError::io(format!("create {sub} of {name}"), e))?;
    }
    // Staging files, temporary files and uploads moved aside to be removed.
    for leftover in entries(&dir.join("tmp"))? {
        remove_any(&leftover.path());
    }
    let mut referenced = HashSet::new();
    let mut objects = BTreeMap::new();
    for entry in entries(&dir.join("objects"))? {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let meta: ObjectMeta = read_json(&path)?;
        if !is_hex_id(&meta.blob)
            || path.file_name().and_then(|n| n.to_str()) != Some(meta_file_name(&meta.key).as_str())
        {
            return Err(StoreError::Corrupt {
                path,
                detail: "metadata does not match its file name or blob id".to_owned(),
            });
        }
        referenced.insert(meta.blob.clone());
        objects.insert(meta.key.clone(), meta);
    }
    let mut uploads = Vec::new();
    for entry in entries(&dir.join("uploads"))? {
        let upload_dir = entry.path();
        let upload_file = upload_dir.join("upload.json");
        if !upload_file.is_file() {
            // Created but never described: the initiation was not acknowledged.
            remove_any(&upload_dir);
            continue;
        }
        let meta: UploadMeta = read_json(&upload_file)?;
        let mut parts = BTreeMap::new();
        for part_entry in entries(&upload_dir)? {
            let file_name = part_entry.file_name().to_string_lossy().into_owned();
            if !file_name.starts_with("part-") {
                continue;
            }
            let part: PartMeta = read_json(&part_entry.path())?;
            if !is_hex_id(&part.blob) {
                return Err(StoreError::Corrupt {
                    path: part_entry.path(),
                    detail: "bad blob id".to_owned(),
                });
            }
            referenced.insert(part.blob.clone());
            parts.insert(part.number, part);
        }
        uploads.push(UploadState { meta, parts });
    }
    for blob in entries(&dir.join("blobs"))? {
        let id = blob.file_name().to_string_lossy().into_owned();
        if !referenced.contains(&id) {
            let _ = std::fs::remove_file(blob.path());
        }
    }
    Ok(LoadedBucket {
        name: name.to_owned(),
        created,
        objects,
        uploads,
    })
}
