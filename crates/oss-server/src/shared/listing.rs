//! Listing objects, as both protocols page them: names under a prefix after a marker,
//! rolled up into common prefixes at a delimiter, at most so many entries
//! ([`list_page`], [`common_prefix`]).

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::store::metadata::ObjectMeta;

/// One page of an object listing.
#[derive(Debug, Default)]
pub struct Listing {
    /// The objects listed, in key order.
    pub contents: Vec<ObjectMeta>,
    /// The common prefixes listed, in order.
    pub prefixes: Vec<String>,
    /// Whether more entries follow.
    pub truncated: bool,
    /// The last key or common prefix listed (the next marker when truncated).
    pub last: Option<String>,
}

/// Lists keys under `prefix` that sort after `after` (`""`: from the start), rolling up by `delimiter`,
/// at most `max` entries (keys plus common prefixes). `max` 0 asks for nothing and gets
/// an empty page that is not truncated (as S3 answers `max-keys=0`): a truncated page
/// must carry a marker to continue from, and an empty one has none.
pub fn list_page(
    objects: &BTreeMap<String, ObjectMeta>,
    prefix: &str,
    delimiter: &str,
    after: &str,
    max: usize,
) -> Listing {
    let mut page = Listing::default();
    if max == 0 {
        return page;
    }
    let start = if after >= prefix {
        Bound::Excluded(after)
    } else {
        Bound::Included(prefix)
    };
    for (key, meta) in objects.range::<str, _>((start, Bound::Unbounded)) {
        if !key.starts_with(prefix) {
            break;
        }
        let listed = page.contents.len() + page.prefixes.len();
        match common_prefix(key, prefix, delimiter) {
            Some(rolled) => {
                if rolled <= after || page.prefixes.last().map(String::as_str) == Some(rolled) {
                    continue;
                }
                if listed >= max {
                    page.truncated = true;
                    break;
                }
                page.prefixes.push(rolled.to_owned());
                page.last = Some(rolled.to_owned());
            }
            None => {
                if listed >= max {
                    page.truncated = true;
                    break;
                }
                page.contents.push(meta.clone());
                page.last = Some(key.clone());
            }
        }
    }
    page
}

/// Groups sorted names under `prefix` by `delimiter`: returns, for `name`, either the
/// common prefix it rolls up into, or `None` if it is listed itself.
pub fn common_prefix<'n>(name: &'n str, prefix: &str, delimiter: &str) -> Option<&'n str> {
    if delimiter.is_empty() {
        return None;
    }
    let rest = name.get(prefix.len()..)?;
    rest.find(delimiter)
        .map(|at| &name[..prefix.len() + at + delimiter.len()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::metadata::ObjectType;

    fn objects(keys: &[&str]) -> BTreeMap<String, ObjectMeta> {
        keys.iter()
            .map(|k| {
                (
                    (*k).to_owned(),
                    ObjectMeta {
                        key: (*k).to_owned(),
                        size: 0,
                        etag: String::new(),
                        crc64: 0,
                        content_md5: None,
                        content_type: String::new(),
                        last_modified: 0,
                        object_type: ObjectType::Normal,
                        headers: vec![],
                        user_meta: vec![],
                        checksums: vec![],
                        blob: String::new(),
                    },
                )
            })
            .collect()
    }

    fn keys(page: &Listing) -> Vec<&str> {
        page.contents.iter().map(|m| m.key.as_str()).collect()
    }

    #[test]
    fn pages_with_delimiter_do_not_repeat_prefixes() {
        let all = objects(&["a/1", "a/2", "b", "c/1", "d"]);
        let first = list_page(&all, "", "/", "", 2);
        assert_eq!(first.prefixes, vec!["a/"]);
        assert_eq!(keys(&first), vec!["b"]);
        assert!(first.truncated);
        let marker = first.last.clone().unwrap();
        let second = list_page(&all, "", "/", &marker, 2);
        assert_eq!(second.prefixes, vec!["c/"]);
        assert_eq!(keys(&second), vec!["d"]);
        assert!(!second.truncated);
    }

    #[test]
    fn max_zero_is_an_empty_page_not_a_truncated_one() {
        let all = objects(&["a/1", "b", "c"]);
        for delimiter in ["", "/"] {
            let page = list_page(&all, "", delimiter, "", 0);
            assert!(page.contents.is_empty() && page.prefixes.is_empty());
            assert!(!page.truncated);
            assert_eq!(page.last, None);
        }
    }

    #[test]
    fn prefix_and_marker_bound_the_listing() {
        let all = objects(&["a", "b/1", "b/2", "b/3", "c"]);
        let page = list_page(&all, "b/", "", "b/1", 10);
        assert_eq!(keys(&page), vec!["b/2", "b/3"]);
        assert!(!page.truncated);
        let page = list_page(&all, "", "", "", 2);
        assert_eq!(keys(&page), vec!["a", "b/1"]);
        assert!(page.truncated);
    }

    fn names(p: &Listing) -> (Vec<&str>, Vec<&str>) {
        (
            p.contents.iter().map(|m| m.key.as_str()).collect(),
            p.prefixes.iter().map(String::as_str).collect(),
        )
    }

    #[test]
    fn pages_roll_up_and_continue() {
        let all = objects(&["a", "d/1", "d/2", "e/x/1", "f", "g"]);
        let p = list_page(&all, "", "/", "", 3);
        assert_eq!(names(&p), (vec!["a"], vec!["d/", "e/"]));
        assert!(p.truncated);
        assert_eq!(p.last.as_deref(), Some("e/"));
        let p = list_page(&all, "", "/", "e/", 3);
        assert_eq!(names(&p), (vec!["f", "g"], vec![]));
        assert!(!p.truncated);
        let p = list_page(&all, "d/", "/", "", 10);
        assert_eq!(names(&p), (vec!["d/1", "d/2"], vec![]));
        let p = list_page(&all, "", "", "d/2", 2);
        assert_eq!(names(&p), (vec!["e/x/1", "f"], vec![]));
        assert!(p.truncated);
        let p = list_page(&all, "", "", "", 0);
        assert!(!p.truncated && p.contents.is_empty());
    }

    #[test]
    fn common_prefixes_roll_up_at_the_first_delimiter() {
        assert_eq!(common_prefix("a/b/c", "", "/"), Some("a/"));
        assert_eq!(common_prefix("a/b/c", "a/", "/"), Some("a/b/"));
        assert_eq!(common_prefix("a/b", "a/", "/"), None);
        assert_eq!(common_prefix("a/b", "", ""), None);
        assert_eq!(common_prefix("x--y--z", "", "--"), Some("x--"));
    }
}
