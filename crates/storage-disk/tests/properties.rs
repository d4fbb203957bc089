//! Property tests of DiskType's path handling through its public API, for any name:
//! nothing outside the storage folder is ever written, read or removed (names built to
//! escape with `..`, `.`, `\`, absolute paths and the reserved tree included); a name
//! the rules accept is stored, read back, listed and deleted without leaving files; its
//! object URL's path decodes back to the name, has no `.`/`..` segment and no leading
//! `/`; its signed URL, served by [`signed_url_router`], returns the object; and any
//! `Range` header gets the whole object, the exact slice it names, or 416.
//!
//! Case counts are bounded (each case opens a storage in a temp folder and writes
//! through fsync) so that `cargo test --workspace` stays fast.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use bytes::Bytes;
use jit_storage::{
    validate_object_name, PresignOptions, StorageErrorKind, StorageMeta, StorageMetaExt,
};
use jit_storage_disk::{signed_url_router, DiskSettings, DiskStorage, SigningKey, RESERVED_DIR};
use jit_wire::percent::decode_component;
use proptest::prelude::*;
use tower::ServiceExt;

const BASE_URL: &str = "http://files.example/mount";
const SENTINEL: &[u8] = b"outside the storage folder";

/// Segments built to escape the folder or confuse paths and URLs, and ordinary ones.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 _.~+%#?&=;:,@!$'()*-]{1,10}",
        1 => Just("..".to_string()),
        1 => Just(".".to_string()),
        1 => Just(String::new()),
        1 => Just(RESERVED_DIR.to_string()),
        1 => Just("secret.txt".to_string()),
        1 => Just("%2E%2E".to_string()),
        1 => "[中文☃é]{1,3}",
        1 => "[a\\\\\u{0}\u{7f}]{1,3}",
        1 => "x{250,260}",
    ]
}

fn names() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(segment(), 1..5),
        prop::collection::vec(prop_oneof![4 => Just("/"), 1 => Just("\\")], 5),
        prop_oneof![6 => Just(""), 1 => Just("/"), 1 => Just("../"), 1 => Just("\\")],
    )
        .prop_map(|(segments, separators, lead)| {
            let mut name = lead.to_string();
            for (i, s) in segments.iter().enumerate() {
                if i > 0 {
                    name.push_str(separators[i]);
                }
                name.push_str(s);
            }
            name
        })
}

/// What a disk storage accepts: the contract's rule plus non-empty, short segments
/// that every file system can hold (no trailing dot or space, no Windows device name)
/// outside the reserved tree (in any letter case).
fn storable(name: &str) -> bool {
    validate_object_name(name).is_ok()
        && name.split('/').all(|s| {
            !s.is_empty() && s.len() <= 255 && !s.ends_with(['.', ' ']) && !windows_device(s)
        })
        && name
            .split('/')
            .next()
            .is_some_and(|first| first.to_uppercase() != RESERVED_DIR.to_uppercase())
}

/// CON, PRN, AUX, NUL, COM1-9, LPT1-9 (and their superscript digits), CONIN$, CONOUT$,
/// with or without an extension, in any case.
fn windows_device(segment: &str) -> bool {
    let stem = segment.split('.').next().unwrap_or("").to_uppercase();
    let stem = stem.trim_end_matches(' ');
    if matches!(stem, "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$") {
        return true;
    }
    let chars: Vec<char> = stem.chars().collect();
    chars.len() == 4
        && (stem.starts_with("COM") || stem.starts_with("LPT"))
        && matches!(chars[3], '1'..='9' | '¹' | '²' | '³')
}

/// Every file under `dir` except the storage folder, with its bytes.
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

/// Object files (not the reserved tree) left in the storage folder.
fn object_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if d == root && path.file_name() == Some(RESERVED_DIR.as_ref()) {
                continue;
            }
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out
}

struct Fixture {
    _dir: tempfile::TempDir,
    outer: PathBuf,
    root: PathBuf,
    disk: Arc<DiskStorage>,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path().canonicalize().unwrap();
    std::fs::write(outer.join("secret.txt"), SENTINEL).unwrap();
    std::fs::create_dir(outer.join("sibling")).unwrap();
    std::fs::write(outer.join("sibling/secret.txt"), SENTINEL).unwrap();
    let mut settings = DiskSettings::new(outer.join("store"));
    settings.base_url = Some(BASE_URL.to_string());
    settings.signing_key = Some(SigningKey::new("0123456789abcdef-signing-key"));
    let disk = Arc::new(DiskStorage::open(settings).await.unwrap());
    let root = disk.directory().to_path_buf();
    Fixture {
        _dir: dir,
        outer,
        root,
        disk,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Sends `uri` (path and query) with `range` to the signed-URL router.
async fn serve(
    disk: &Arc<DiskStorage>,
    uri: &str,
    range: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Bytes) {
    let mut request = Request::get(uri);
    if let Some(r) = range {
        request = request.header(header::RANGE, r);
    }
    let response = signed_url_router(disk.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, body)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn no_name_reaches_outside_and_storable_names_round_trip(
        name in names(),
        other in names(),
        content in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        runtime().block_on(async {
            let f = fixture().await;
            let before = snapshot(&f.outer, &f.root);
            let storage: &dyn StorageMeta = f.disk.as_ref();
            let put = storage.upload_by_file(&name, Bytes::from(content.clone()), None).await;
            prop_assert_eq!(put.is_ok(), storable(&name), "{:?}: {:?}", name, put);
            if let Err(e) = &put {
                prop_assert_eq!(e.kind(), StorageErrorKind::InvalidArgument, "{}", e);
            }
            // Reads, copies and deletes of any other name find nothing outside.
            for probe in [&other, &name] {
                if let Ok(bytes) = storage.download(probe).await {
                    prop_assert!(probe == &name && bytes == content, "{probe:?} read {bytes:?}");
                }
            }
            let copied = storage.copy(&name, &other).await;
            if copied.is_ok() {
                prop_assert!(storable(&other) && put.is_ok());
                prop_assert_eq!(storage.download(&other).await.unwrap(), Bytes::from(content.clone()));
            }
            let _ = storage.delete(&other).await;
            prop_assert_eq!(snapshot(&f.outer, &f.root), before.clone(), "outside changed");

            if put.is_ok() {
                // The copy was deleted again, and with it `name` when both are the same.
                let listed = storage.list_all("").await.unwrap();
                let keys: Vec<&str> = listed.iter().map(|o| o.key.as_str()).collect();
                let expected: Vec<&str> = if other == name { vec![] } else { vec![name.as_str()] };
                prop_assert_eq!(keys, expected);
                storage.delete(&name).await.unwrap();
                prop_assert!(!storage.exists(&name).await.unwrap());
            }
            prop_assert_eq!(object_files(&f.root), Vec::<PathBuf>::new(), "files left behind");
            prop_assert_eq!(snapshot(&f.outer, &f.root), before, "outside changed");
            Ok(())
        })?;
    }

    #[test]
    fn urls_of_storable_names_decode_back_and_serve_the_object(
        name in names().prop_filter("storable", |n| storable(n)),
        content in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        runtime().block_on(async {
            let f = fixture().await;
            let url = f.disk.object_url(&name).unwrap();
            let path = url.strip_prefix(BASE_URL).and_then(|p| p.strip_prefix('/'));
            prop_assert!(path.is_some(), "{}", url);
            let path = path.unwrap();
            prop_assert!(!path.starts_with('/'), "{}", url);
            prop_assert!(!path.contains(['?', '#']), "{}", url);
            for segment in path.split('/') {
                prop_assert!(segment != "." && segment != "..", "{}", url);
                let decoded = decode_component(segment);
                prop_assert!(decoded != "." && decoded != "..", "{}", url);
            }
            prop_assert_eq!(decode_component(path), name.clone());

            f.disk.upload_by_file(&name, Bytes::from(content.clone()), None).await.unwrap();
            let signed = f.disk.presign(&name, PresignOptions::get(Duration::from_secs(60))).await.unwrap();
            let uri = signed.url.strip_prefix(BASE_URL).unwrap();
            let (status, _, body) = serve(&f.disk, uri, None).await;
            prop_assert_eq!(status, StatusCode::OK, "{}", uri);
            prop_assert_eq!(body, Bytes::from(content));
            Ok(())
        })?;
    }
}

/// A `Range` header: the forms the server understands, and noise.
fn range_header() -> impl Strategy<Value = String> {
    let number = prop_oneof![0u64..80, Just(u64::MAX), any::<u64>()].prop_map(|n| n.to_string());
    prop_oneof![
        (number.clone(), number.clone()).prop_map(|(a, b)| format!("bytes={a}-{b}")),
        number.clone().prop_map(|a| format!("bytes={a}-")),
        number.prop_map(|n| format!("bytes=-{n}")),
        "(bytes|=|-|,| |[0-9]{1,3}|x|\u{e9}){0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_range_gets_the_whole_object_its_exact_slice_or_416(
        size in 0usize..64,
        range in range_header(),
    ) {
        runtime().block_on(async {
            let f = fixture().await;
            let content: Vec<u8> = (0..size).map(|i| i as u8).collect();
            f.disk.upload_by_file("r.bin", Bytes::from(content.clone()), None).await.unwrap();
            let signed = f.disk.presign("r.bin", PresignOptions::get(Duration::from_secs(60))).await.unwrap();
            let uri = signed.url.strip_prefix(BASE_URL).unwrap();
            let (status, headers, body) = serve(&f.disk, uri, Some(&range)).await;
            let content_range = headers
                .get(header::CONTENT_RANGE)
                .map(|v| v.to_str().unwrap().to_string());
            match status {
                StatusCode::OK => prop_assert_eq!(&body[..], &content[..]),
                StatusCode::PARTIAL_CONTENT => {
                    let cr = content_range.unwrap();
                    let (span, total) = cr.strip_prefix("bytes ").unwrap().split_once('/').unwrap();
                    let (a, b) = span.split_once('-').unwrap();
                    let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
                    prop_assert_eq!(total, size.to_string());
                    prop_assert!(a <= b && b < size, "{}", cr);
                    prop_assert_eq!(&body[..], &content[a..=b]);
                }
                StatusCode::RANGE_NOT_SATISFIABLE => {
                    prop_assert_eq!(content_range, Some(format!("bytes */{size}")));
                }
                other => prop_assert!(false, "{range:?}: {other}"),
            }
            // The forms with a clear meaning get exactly it.
            let spec = range.strip_prefix("bytes=").unwrap_or("");
            let (first, last) = spec.split_once('-').unwrap_or(("x", "x"));
            let (first, last) = (first.parse::<u64>().ok(), last.parse::<u64>().ok());
            let size = size as u64;
            let expected = match (first, last, spec.starts_with('-')) {
                (Some(a), Some(b), _) if a <= b && a < size => Some((StatusCode::PARTIAL_CONTENT, a, b.min(size - 1))),
                (Some(a), None, _) if spec.ends_with('-') && a < size => Some((StatusCode::PARTIAL_CONTENT, a, size - 1)),
                (Some(a), _, _) if a >= size && (last.is_some_and(|b| b >= a) || spec.ends_with('-')) => {
                    Some((StatusCode::RANGE_NOT_SATISFIABLE, 0, 0))
                }
                (None, Some(n), true) if n > 0 && size > 0 => {
                    Some((StatusCode::PARTIAL_CONTENT, size - n.min(size), size - 1))
                }
                (None, Some(_), true) => Some((StatusCode::RANGE_NOT_SATISFIABLE, 0, 0)),
                _ => None,
            };
            if let Some((want, a, b)) = expected {
                prop_assert_eq!(status, want, "{}", range);
                if want == StatusCode::PARTIAL_CONTENT {
                    prop_assert_eq!(&body[..], &content[a as usize..=b as usize], "{}", range);
                }
            }
            Ok(())
        })?;
    }
}
