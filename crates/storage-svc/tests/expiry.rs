//! Expiry on the service's clock: an expired file is deleted when accessed and is then a
//! 404; the sweep deletes every expired file and never one that has not expired; the
//! sweeper task runs it. Real files, SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::{finish, on_both};
use jit_storage_svc::{ReadOptions, SvcErrorKind, UploadRequest};

async fn upload(f: &common::Fixture, name: &str, expires: Option<u64>) {
    let mut request = UploadRequest::new(name, format!("bytes of {name}").into_bytes());
    request.expires = expires;
    let record = f.svc.upload_by_file(request).await.unwrap();
    assert_eq!(record.retention_period, expires);
    if let Some(secs) = expires {
        assert_eq!(
            record.expires,
            Some(record.upload_time + secs as i64 * 1000)
        );
    }
}

#[tokio::test]
async fn an_expired_file_is_deleted_when_accessed() {
    on_both(|f| async move {
        upload(&f, "short.txt", Some(10)).await;
        upload(&f, "long.txt", Some(1_000)).await;
        let svc = &f.svc;
        svc.preview("short.txt", None, ReadOptions::default())
            .await
            .unwrap();
        f.clock.advance_ms(10_000);
        let err = svc
            .preview("short.txt", None, ReadOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound, "{err}");
        assert!(err.to_string().contains("expired"), "{err}");
        assert!(
            !f.files().join("short.txt").exists(),
            "the object is deleted"
        );
        let err = svc.record("short.txt", None).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::NotFound);
        assert!(
            !err.to_string().contains("expired"),
            "the record is gone: {err}"
        );
        svc.download("long.txt", None, ReadOptions::default())
            .await
            .unwrap();
        assert!(f.files().join("long.txt").exists());
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn the_sweep_deletes_only_expired_files() {
    on_both(|f| async move {
        for i in 0..5 {
            upload(&f, &format!("soon-{i}.txt"), Some(5)).await;
        }
        upload(&f, "later.txt", Some(60)).await;
        upload(&f, "never.txt", None).await;
        let svc = &f.svc;
        assert_eq!(svc.sweep_expired().await.unwrap(), 0, "nothing expired yet");
        f.clock.advance_ms(5_000);
        assert_eq!(svc.sweep_expired().await.unwrap(), 5);
        for i in 0..5 {
            assert!(!f.files().join(format!("soon-{i}.txt")).exists());
            let err = svc
                .record(&format!("soon-{i}.txt"), None)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), SvcErrorKind::NotFound);
        }
        for name in ["later.txt", "never.txt"] {
            assert!(f.files().join(name).exists(), "{name}");
            svc.record(name, None).await.unwrap();
        }
        assert_eq!(svc.sweep_expired().await.unwrap(), 0);
        f.clock.advance_ms(55_000);
        assert_eq!(svc.sweep_expired().await.unwrap(), 1);
        assert!(f.files().join("never.txt").exists());
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn sweeps_go_through_more_than_one_batch() {
    on_both(|f| async move {
        for i in 0..130 {
            upload(&f, &format!("many/{i:03}.txt"), Some(1)).await;
        }
        upload(&f, "many/keep.txt", None).await;
        f.clock.advance_ms(1_000);
        assert_eq!(f.svc.sweep_expired().await.unwrap(), 130);
        let left: Vec<_> = std::fs::read_dir(f.files().join("many"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(left, vec!["keep.txt".to_string()]);
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn the_sweeper_task_sweeps_until_the_service_is_dropped() {
    on_both(|f| async move {
        upload(&f, "swept.txt", Some(1)).await;
        f.clock.advance_ms(1_000);
        let task = f.svc.spawn_sweeper(Duration::from_millis(20));
        let path = f.files().join("swept.txt");
        for _ in 0..200 {
            if !path.exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(!path.exists(), "the sweeper deleted the expired file");
        assert!(!task.is_finished());
        let pg = finish(f).await;
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("the sweeper ends once the service is dropped")
            .unwrap();
        pg
    })
    .await;
}
