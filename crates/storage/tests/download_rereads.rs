//! `download` collects the whole object before handing anything out, so a read whose
//! bytes fail their checksum is read again (up to `DOWNLOAD_READS` reads in all) before
//! IntegrityMismatch is reported; a streamed `get` reports the mismatch as it is.

use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use bytes::Bytes;
use jit_storage::{
    Capabilities, GetOptions, GetResult, ListOptions, ListPage, ObjectInfo, Payload,
    PresignOptions, PresignedRequest, PutOptions, StorageError, StorageErrorKind, StorageMeta,
    StorageMetaExt, StorageResult, UploadResult, DOWNLOAD_READS,
};

/// One object whose first `corrupt` reads end in a checksum failure.
#[derive(Debug)]
struct Flaky {
    corrupt: u32,
    reads: AtomicU32,
}

#[async_trait]
impl StorageMeta for Flaky {
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    async fn put(&self, _: &str, _: Payload, _: PutOptions) -> StorageResult<UploadResult> {
        Err(StorageError::unsupported("read-only"))
    }
    async fn get(&self, name: &str, _: GetOptions) -> StorageResult<GetResult> {
        let read = self.reads.fetch_add(1, Ordering::SeqCst) + 1;
        let tail: StorageResult<Bytes> = if read <= self.corrupt {
            Err(StorageError::new(
                StorageErrorKind::IntegrityMismatch,
                "CRC-64 differs",
            ))
        } else {
            Ok(Bytes::from_static(b"world"))
        };
        let items = vec![Ok(Bytes::from_static(b"hello ")), tail];
        Ok(GetResult {
            info: ObjectInfo::new(name, 11),
            range: None,
            stream: Box::pin(futures::stream::iter(items)),
        })
    }
    async fn stat(&self, name: &str) -> StorageResult<ObjectInfo> {
        Ok(ObjectInfo::new(name, 11))
    }
    async fn delete(&self, _: &str) -> StorageResult<()> {
        Err(StorageError::unsupported("read-only"))
    }
    async fn list(&self, _: ListOptions) -> StorageResult<ListPage> {
        Ok(ListPage::default())
    }
    async fn presign(&self, _: &str, _: PresignOptions) -> StorageResult<PresignedRequest> {
        Err(StorageError::unsupported("no URLs"))
    }
    fn object_url(&self, name: &str) -> StorageResult<String> {
        Ok(format!("mem://{name}"))
    }
}

fn flaky(corrupt: u32) -> Flaky {
    Flaky {
        corrupt,
        reads: AtomicU32::new(0),
    }
}

#[tokio::test]
async fn a_corrupted_read_is_read_again() {
    let storage = flaky(DOWNLOAD_READS - 1);
    let bytes = storage
        .download("a.txt")
        .await
        .expect("the last read is whole");
    assert_eq!(bytes, &b"hello world"[..]);
    assert_eq!(storage.reads.load(Ordering::SeqCst), DOWNLOAD_READS);
}

#[tokio::test]
async fn reads_that_stay_corrupted_fail_saying_how_many_were_made() {
    let storage = flaky(u32::MAX);
    let err = storage.download("a.txt").await.unwrap_err();
    assert_eq!(err.kind(), StorageErrorKind::IntegrityMismatch);
    assert_eq!(err.operation(), Some("download"));
    assert!(
        err.message()
            .contains(&format!("after {DOWNLOAD_READS} attempts")),
        "{err}"
    );
    assert_eq!(storage.reads.load(Ordering::SeqCst), DOWNLOAD_READS);
}
