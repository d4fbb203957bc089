//! Checks of what is not there and what is refused: deletes, NotFound, `exists`, bad
//! names, and errors that name the element.

use bytes::Bytes;

use super::fixtures::prefix;
use super::target::Target;
use crate::error::StorageErrorKind;
use crate::ext::StorageMetaExt;

/// After `delete`, `download` fails with NotFound.
pub(crate) async fn delete_then_download_is_not_found(t: &Target) {
    let key = format!("{}gone.txt", prefix());
    t.storage
        .upload_by_file(&key, Bytes::from_static(b"bye"), None)
        .await
        .expect("upload");
    t.storage.delete(&key).await.expect("delete");
    let err = t
        .storage
        .download(&key)
        .await
        .expect_err("download after delete");
    assert_eq!(err.kind(), StorageErrorKind::NotFound, "{err}");
}

/// Deleting a key that never existed succeeds.
pub(crate) async fn delete_missing_key_succeeds(t: &Target) {
    let key = format!("{}never-existed.txt", prefix());
    t.storage
        .delete(&key)
        .await
        .expect("delete of a missing key");
}

/// `get_object` of a missing key fails with NotFound.
pub(crate) async fn stat_missing_is_not_found(t: &Target) {
    let key = format!("{}missing.txt", prefix());
    let err = t
        .storage
        .get_object(&key)
        .await
        .expect_err("stat of a missing key");
    assert_eq!(err.kind(), StorageErrorKind::NotFound, "{err}");
}

/// `exists` tells present from absent.
pub(crate) async fn exists_reports_presence(t: &Target) {
    let key = format!("{}here.txt", prefix());
    assert!(!t.storage.exists(&key).await.expect("exists before"));
    t.storage
        .upload_by_file(&key, Bytes::from_static(b"1"), None)
        .await
        .expect("upload");
    assert!(t.storage.exists(&key).await.expect("exists after"));
}

/// Empty, over-long, absolute, control-character and `..` names are InvalidArgument.
pub(crate) async fn bad_names_are_rejected(t: &Target) {
    let long = "a".repeat(1024);
    for name in [
        "",
        long.as_str(),
        "/abs.txt",
        "\\abs.txt",
        "a\0b",
        "a\nb",
        "../up.txt",
        "a/../b",
    ] {
        let err = t
            .storage
            .upload_by_file(name, Bytes::from_static(b"x"), None)
            .await
            .expect_err("upload of a bad name");
        assert_eq!(
            err.kind(),
            StorageErrorKind::InvalidArgument,
            "{name:?}: {err}"
        );
        let err = t
            .storage
            .download(name)
            .await
            .expect_err("download of a bad name");
        assert_eq!(
            err.kind(),
            StorageErrorKind::InvalidArgument,
            "{name:?}: {err}"
        );
    }
}

/// Errors of an element carry its fullName and Type, the operation and the key.
pub(crate) async fn errors_name_the_element(t: &Target) {
    let identity = t
        .storage
        .identity()
        .cloned()
        .expect("the runner only gives element targets to this check");
    let key = format!("{}absent.txt", prefix());
    let err = t
        .storage
        .download(&key)
        .await
        .expect_err("download of a missing key");
    assert_eq!(err.element(), Some(identity.full_name.as_str()));
    assert_eq!(err.type_name(), Some(identity.type_name.as_str()));
    assert_eq!(err.operation(), Some("download"));
    assert_eq!(err.key(), Some(key.as_str()));
    let shown = err.to_string();
    assert!(
        shown.contains(&identity.full_name) && shown.contains("NotFound"),
        "{shown}"
    );
}
