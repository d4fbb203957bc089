//! Property tests of the local OSS server's addressing, through
//! [`jit_oss_server::router`] with tower's `oneshot`: for any key OSS accepts, the
//! object written path-style is the one read virtual-hosted, listed (URL-encoded) under
//! its own name and deleted; keys OSS refuses are refused as InvalidObjectName; with a
//! folder store, no key writes outside the folder, and what was written is there again
//! after the store is reopened.
//!
//! Case counts are bounded (the folder cases write through fsync) so that
//! `cargo test --workspace` stays fast.

mod props;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use jit_oss_protocol::encode::{decode_component, encode_path, encode_query_component};
use props::{runtime, send, server, with_root, BUCKET};
use proptest::prelude::*;

/// Keys: path-like ones with dot segments, escapes and Unicode, and any text.
fn keys() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        4 => "[a-zA-Z0-9 _.~+%#?&=;:,@!$'()*-]{1,10}",
        1 => prop::sample::select(vec!["..", ".", "", "%2F", "%FF", "a b ", "\\"]).prop_map(str::to_string),
        1 => "[中文☃é\u{1}\u{7f}]{1,3}",
    ];
    let joined = prop::collection::vec(segment, 1..5).prop_map(|s| s.join("/"));
    prop_oneof![3 => joined, 1 => any::<String>()]
}

/// What the server accepts: 1 to 1023 bytes, not starting with `/` or `\`, and no
/// control character (C0, DEL, C1).
fn acceptable(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 1023
        && !key.starts_with('/')
        && !key.starts_with('\\')
        && !key.chars().any(char::is_control)
}

/// The `<Key>` texts of a listing, URL-decoded.
fn listed_keys(xml: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(xml);
    text.split("<Key>")
        .skip(1)
        .filter_map(|t| t.split("</Key>").next())
        .map(decode_component)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_acceptable_key_is_written_read_listed_and_deleted_under_its_name(
        key in keys().prop_filter("acceptable", |k| acceptable(k)),
        content in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        runtime().block_on(async {
            let state = server().await;
            let path_style = format!("/{BUCKET}/{}", encode_path(&key));
            let virtual_hosted = format!("/{}", encode_path(&key));
            let host = format!("{BUCKET}.localhost:9000");

            let put = send(&state, "PUT", "127.0.0.1:9000", &path_style, &[], &[], content.clone()).await.unwrap();
            prop_assert_eq!(put.status, StatusCode::OK, "{:?}", put);
            let got = send(&state, "GET", &host, &virtual_hosted, &[], &[], Vec::new()).await.unwrap();
            prop_assert_eq!(got.status, StatusCode::OK, "{:?}", got);
            prop_assert_eq!(&got.body, &content);

            let query = [
                ("list-type".to_string(), Some("2".to_string())),
                ("encoding-type".to_string(), Some("url".to_string())),
                ("prefix".to_string(), Some(encode_query_component(&key))),
            ];
            let listed = send(&state, "GET", "localhost:9000", &format!("/{BUCKET}"), &query, &[], Vec::new()).await.unwrap();
            prop_assert_eq!(listed.status, StatusCode::OK, "{:?}", listed);
            let keys = listed_keys(&listed.body);
            prop_assert!(keys.contains(&key), "{:?} not in {:?}", key, keys);
            prop_assert!(keys.iter().all(|k| k.starts_with(&key)), "{:?}", keys);

            let deleted = send(&state, "DELETE", &host, &virtual_hosted, &[], &[], Vec::new()).await.unwrap();
            prop_assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted);
            let gone = send(&state, "GET", "127.0.0.1", &path_style, &[], &[], Vec::new()).await.unwrap();
            prop_assert_eq!(gone.status, StatusCode::NOT_FOUND);
            let still = send(&state, "GET", "127.0.0.1", &format!("/{BUCKET}/obj"), &[], &[], Vec::new()).await.unwrap();
            prop_assert!(key == "obj" || still.status == StatusCode::OK);
            Ok(())
        })?;
    }

    #[test]
    fn keys_oss_refuses_are_invalid_object_names(
        key in prop_oneof![
            "[a-z]{1,4}".prop_map(|k| format!("/{k}")),
            "[a-z]{0,4}".prop_map(|k| format!("\\{k}")),
            (1024usize..1100).prop_map(|n| "k".repeat(n)),
        ],
    ) {
        runtime().block_on(async {
            let state = server().await;
            let path = format!("/{BUCKET}/{}", encode_path(&key));
            let put = send(&state, "PUT", "127.0.0.1", &path, &[], &[], b"x".to_vec()).await.unwrap();
            prop_assert_eq!(put.status, StatusCode::BAD_REQUEST, "{:?}", put);
            prop_assert!(String::from_utf8_lossy(&put.body).contains("InvalidObjectName"));
            Ok(())
        })?;
    }
}

/// Every file and folder under `dir` except `skip`, with file bytes.
fn snapshot(dir: &Path, skip: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path == skip {
                continue;
            }
            if path.is_dir() {
                stack.push(path.clone());
            }
            let bytes = if path.is_file() {
                std::fs::read(&path).unwrap()
            } else {
                Vec::new()
            };
            out.insert(path, bytes);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_folder_store_keeps_every_key_inside_and_across_a_reopen(
        key in keys().prop_filter("acceptable", |k| acceptable(k)),
        content in prop::collection::vec(any::<u8>(), 0..32),
    ) {
        runtime().block_on(async {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
            let root = dir.path().join("root");
            let before = snapshot(dir.path(), &root);
            let path = format!("/{BUCKET}/{}", encode_path(&key));
            {
                let state = with_root(Some(&root)).await;
                let put = send(&state, "PUT", "127.0.0.1", &path, &[], &[], content.clone()).await.unwrap();
                prop_assert_eq!(put.status, StatusCode::OK, "{:?}", put);
                let uploads = [("uploads".to_string(), None)];
                let init = send(&state, "POST", "127.0.0.1", &path, &uploads, &[], Vec::new()).await.unwrap();
                prop_assert_eq!(init.status, StatusCode::OK, "{:?}", init);
            }
            prop_assert_eq!(snapshot(dir.path(), &root), before.clone(), "outside changed");
            let reopened = with_root(Some(&root)).await;
            let got = send(&reopened, "GET", "127.0.0.1", &path, &[], &[], Vec::new()).await.unwrap();
            prop_assert_eq!(got.status, StatusCode::OK, "{:?}", got);
            prop_assert_eq!(got.body, content);
            prop_assert_eq!(snapshot(dir.path(), &root), before, "outside changed");
            Ok(())
        })?;
    }
}
