//! Checks of listing: prefixes and `/` delimiters, and pages chained by tokens.

use bytes::Bytes;

use super::fixtures::prefix;
use super::target::Target;
use crate::ext::StorageMetaExt;
use crate::types::ListOptions;

/// Listing with a prefix and `/` delimiter gives objects and common prefixes in order.
pub(crate) async fn list_prefix_and_delimiter(t: &Target) {
    let p = prefix();
    for name in [
        "a.txt",
        "b.txt",
        "dir1/x.txt",
        "dir1/y.txt",
        "dir2/z/deep.txt",
    ] {
        t.storage
            .upload_by_file(&format!("{p}{name}"), Bytes::from_static(b"x"), None)
            .await
            .expect("upload");
    }
    let page = t
        .storage
        .list(ListOptions {
            prefix: Some(p.clone()),
            delimiter: Some("/".into()),
            ..ListOptions::default()
        })
        .await
        .expect("list");
    let keys: Vec<_> = page.objects.iter().map(|o| o.key.clone()).collect();
    assert_eq!(keys, vec![format!("{p}a.txt"), format!("{p}b.txt")]);
    assert_eq!(
        page.common_prefixes,
        vec![format!("{p}dir1/"), format!("{p}dir2/")]
    );
    assert!(page.next_token.is_none());
    let all = t.storage.list_all(&p).await.expect("list_all");
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|o| o.size == 1));
}

/// Pages of `max_keys` entries chain through `next_token` without loss or repetition.
pub(crate) async fn list_pagination(t: &Target) {
    let p = prefix();
    let mut expected = Vec::new();
    for i in 0..7 {
        let key = format!("{p}item-{i:02}");
        t.storage
            .upload_by_file(&key, Bytes::from_static(b"x"), None)
            .await
            .expect("upload");
        expected.push(key);
    }
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = t
            .storage
            .list(ListOptions {
                prefix: Some(p.clone()),
                token,
                max_keys: Some(3),
                ..ListOptions::default()
            })
            .await
            .expect("list page");
        assert!(page.objects.len() <= 3);
        seen.extend(page.objects.into_iter().map(|o| o.key));
        pages += 1;
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
}
