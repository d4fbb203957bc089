//! Listing: walks the object tree in OSS key order (byte order of the full keys),
//! filtering by prefix, rolling keys up into common prefixes at the delimiter, and
//! continuing after a token (start-after semantics). The reserved `.jitstore` tree,
//! symbolic links and names that are not valid keys are never listed.
//!
//! Sorting the entries of each folder by name, with `/` appended to folder names, visits
//! the keys in global byte order, so a page stops the walk as soon as it is full, and
//! folders wholly before the token are skipped unopened.
//!
//! Folders are opened one segment at a time through their parent's handle, never
//! through a link, so a folder swapped for a link mid-walk is skipped, not followed.

use jit_storage::{ListOptions, ListPage, StorageError, StorageResult, MAX_NAME_BYTES};

use crate::dir_handle::{is_link_or_not_dir, DirHandle, EntryMeta, Kind};
use crate::meta_file::{describe, read_sidecar, Stamp};
use crate::names::{is_reserved_dir, is_valid_segment};
use crate::paths::Layout;

/// Entries per page when the caller gives no `max_keys`, and the most ever returned.
pub const MAX_KEYS: usize = 1000;

enum Entry {
    Object(String, EntryMeta),
    Prefix(String),
}

struct Walk<'a> {
    prefix: &'a str,
    delimiter: Option<&'a str>,
    after: Option<&'a str>,
    /// The token was a common prefix: keys under it were already summarized.
    skip_under: Option<&'a str>,
    limit: usize,
    entries: Vec<Entry>,
    more: bool,
}

/// One page of the listing `options` (blocking; run it in `spawn_blocking`).
pub(crate) fn list_page(layout: &Layout, options: &ListOptions) -> StorageResult<ListPage> {
    let limit = match options.max_keys {
        Some(0) => {
            return Err(StorageError::invalid_argument(
                "max_keys must be at least 1",
            ))
        }
        Some(n) => n.min(MAX_KEYS),
        None => MAX_KEYS,
    };
    let prefix = options.prefix.as_deref().unwrap_or("");
    let delimiter = options.delimiter.as_deref().filter(|d| !d.is_empty());
    let after = options.token.as_deref().filter(|t| !t.is_empty());
    let skip_under = match (after, delimiter) {
        (Some(token), Some(d))
            if token.starts_with(prefix) && token[prefix.len()..].contains(d) =>
        {
            Some(token)
        }
        _ => None,
    };
    let mut walk = Walk {
        prefix,
        delimiter,
        after,
        skip_under,
        limit,
        entries: Vec::new(),
        more: false,
    };
    let root = layout.root_dir()?;
    walk.dir(&root, "")?;

    let meta_dir = layout.meta_dir(&root)?;
    let mut page = ListPage::default();
    let mut last = None;
    for entry in walk.entries {
        match entry {
            Entry::Object(key, metadata) => {
                let segments: Vec<&str> = key.split('/').collect();
                let sidecar = read_sidecar(&meta_dir, &segments)?;
                page.objects
                    .push(describe(&key, Stamp::of(&metadata), sidecar).info);
                last = Some(key);
            }
            Entry::Prefix(p) => {
                page.common_prefixes.push(p.clone());
                last = Some(p);
            }
        }
    }
    if walk.more {
        page.next_token = last;
    }
    Ok(page)
}

impl Walk<'_> {
    /// Walks `dir`, whose keys start with `key_prefix` (`""` or ending in `/`). Returns
    /// `false` once the page is full.
    fn dir(&mut self, dir: &DirHandle, key_prefix: &str) -> StorageResult<bool> {
        for (name, is_dir, metadata) in sorted_entries(dir, key_prefix.is_empty())? {
            let keep_going = if is_dir {
                self.folder(dir, &name, format!("{key_prefix}{name}/"))?
            } else {
                self.file(format!("{key_prefix}{name}"), metadata)
            };
            if !keep_going {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn folder(&mut self, parent: &DirHandle, name: &str, kp: String) -> StorageResult<bool> {
        if !(kp.starts_with(self.prefix) || self.prefix.starts_with(&kp)) {
            return Ok(true);
        }
        if let Some(after) = self.after {
            // Every key under `kp` sorts before `after` when `kp` does and `after` is not
            // under it.
            if kp.as_str() <= after && !after.starts_with(&kp) {
                return Ok(true);
            }
        }
        if self.skip_under.is_some_and(|s| kp.starts_with(s)) {
            return Ok(true);
        }
        let Some(dir) = open_sub(parent, name)? else {
            return Ok(true);
        };
        if let Some(common) = self.rollup(&kp) {
            // Everything below rolls up into the same prefix: one entry if any key exists.
            if has_any_key(&dir)? {
                return Ok(self.push_prefix(common));
            }
            return Ok(true);
        }
        self.dir(&dir, &kp)
    }

    fn file(&mut self, key: String, metadata: EntryMeta) -> bool {
        if !key.starts_with(self.prefix) || key.len() > MAX_NAME_BYTES {
            return true;
        }
        if self.after.is_some_and(|a| key.as_str() <= a) {
            return true;
        }
        if self.skip_under.is_some_and(|s| key.starts_with(s)) {
            return true;
        }
        match self.rollup(&key) {
            Some(common) => self.push_prefix(common),
            None => self.push(Entry::Object(key, metadata)),
        }
    }

    /// The common prefix `key` rolls up into, if the delimiter occurs after the prefix.
    fn rollup(&self, key: &str) -> Option<String> {
        let delimiter = self.delimiter?;
        let rest = key.get(self.prefix.len()..)?;
        let at = rest.find(delimiter)?;
        Some(key[..self.prefix.len() + at + delimiter.len()].to_string())
    }

    fn push_prefix(&mut self, common: String) -> bool {
        let repeated = matches!(self.entries.last(), Some(Entry::Prefix(p)) if *p == common);
        if repeated {
            return true;
        }
        self.push(Entry::Prefix(common))
    }

    fn push(&mut self, entry: Entry) -> bool {
        if self.entries.len() == self.limit {
            self.more = true;
            return false;
        }
        self.entries.push(entry);
        true
    }
}

/// Opens the sub-folder `name` of `dir`; `None` when it is gone or is no longer a
/// folder (swapped for a link or a file since it was listed).
fn open_sub(dir: &DirHandle, name: &str) -> StorageResult<Option<DirHandle>> {
    match dir.open_dir(name) {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || is_link_or_not_dir(&e) => Ok(None),
        Err(e) => Err(StorageError::io(
            format!("cannot list {}", dir.shown(name).display()),
            e,
        )),
    }
}

/// The listable entries of `dir` in key order: valid UTF-8 names a key segment may
/// have (no control characters, no Windows device name, …), no links, no reserved tree
/// at the root (in any letter case).
fn sorted_entries(dir: &DirHandle, at_root: bool) -> StorageResult<Vec<(String, bool, EntryMeta)>> {
    let names = match dir.names() {
        Ok(names) => names,
        // Removed meanwhile (a delete pruned it): nothing to list there.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(StorageError::io(
                format!("cannot list {}", dir.path().display()),
                e,
            ))
        }
    };
    let mut entries = Vec::new();
    for name in names {
        let Ok(name) = name.into_string() else {
            continue;
        };
        if !is_valid_segment(&name) || (at_root && is_reserved_dir(&name)) {
            continue;
        }
        // Seen without following links.
        let Ok(metadata) = dir.stat(&name) else {
            continue;
        };
        match metadata.kind {
            Kind::Dir => entries.push((name, true, metadata)),
            Kind::File => entries.push((name, false, metadata)),
            Kind::Link | Kind::Other => {}
        }
    }
    entries.sort_by_cached_key(|a| sort_key(&a.0, a.1));
    Ok(entries)
}

fn sort_key(name: &str, is_dir: bool) -> Vec<u8> {
    let mut key = name.as_bytes().to_vec();
    if is_dir {
        key.push(b'/');
    }
    key
}

/// Whether `dir` holds at least one listable key, at any depth.
fn has_any_key(dir: &DirHandle) -> StorageResult<bool> {
    for (name, is_dir, _) in sorted_entries(dir, false)? {
        if !is_dir {
            return Ok(true);
        }
        if let Some(sub) = open_sub(dir, &name)? {
            if has_any_key(&sub)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout_with(keys: &[&str]) -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::open(dir.path().to_path_buf()).unwrap();
        for key in keys {
            let path = layout.root.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"x").unwrap();
        }
        std::fs::write(layout.root.join(".jitstore/tmp/1-1-1.tmp"), b"half").unwrap();
        std::fs::create_dir_all(layout.root.join("empty/folder")).unwrap();
        (dir, layout)
    }

    fn keys(page: &ListPage) -> Vec<&str> {
        page.objects.iter().map(|o| o.key.as_str()).collect()
    }

    #[test]
    fn keys_come_in_byte_order_without_the_reserved_tree() {
        let (_d, layout) = layout_with(&["a/b", "a-c", "a.txt", "a0/z", "B", "é"]);
        let page = list_page(&layout, &ListOptions::default()).unwrap();
        assert_eq!(keys(&page), vec!["B", "a-c", "a.txt", "a/b", "a0/z", "é"]);
        assert!(page.next_token.is_none());
    }

    #[test]
    fn delimiter_and_tokens_work_together() {
        let (_d, layout) = layout_with(&["p/a", "p/d1/x", "p/d1/y", "p/d2/z", "p/e", "q"]);
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let page = list_page(
                &layout,
                &ListOptions {
                    prefix: Some("p/".into()),
                    delimiter: Some("/".into()),
                    token: token.clone(),
                    max_keys: Some(1),
                },
            )
            .unwrap();
            seen.extend(page.objects.iter().map(|o| o.key.clone()));
            seen.extend(page.common_prefixes.iter().cloned());
            match page.next_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert_eq!(seen, vec!["p/a", "p/d1/", "p/d2/", "p/e"]);
    }

    #[test]
    fn partial_prefixes_and_other_delimiters() {
        let (_d, layout) = layout_with(&["img-1.png", "img-2.png", "img/x", "doc"]);
        let page = list_page(
            &layout,
            &ListOptions {
                prefix: Some("im".into()),
                delimiter: Some("-".into()),
                ..ListOptions::default()
            },
        )
        .unwrap();
        assert_eq!(page.common_prefixes, vec!["img-"]);
        assert_eq!(keys(&page), vec!["img/x"]);
        let err = list_page(
            &layout,
            &ListOptions {
                max_keys: Some(0),
                ..ListOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), jit_storage::StorageErrorKind::InvalidArgument);
    }
}
