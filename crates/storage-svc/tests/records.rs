//! The record store: migrations run at open (twice is fine; a database migrated by a
//! newer version is refused clearly), several service instances share one PostgreSQL
//! database, and the SQLite default lives under the app's data folder.

mod common;

use common::{finish, fixture, on_both, Db, PgDb};
use jit_storage_svc::records::{migrator, RecordStore, SCHEMA_VERSION};
use jit_storage_svc::{ReadOptions, RecordsDatabase, SvcErrorKind, UploadRequest};
use sqlx::Connection;

#[tokio::test]
async fn the_default_sqlite_file_is_under_the_app_data_folder_in_wal_mode() {
    let f = fixture(Db::Sqlite).await;
    let path = f.dir.path().join("data/storage-svc/records.sqlite3");
    assert_eq!(
        f.svc.settings().database,
        RecordsDatabase::Sqlite(path.clone())
    );
    f.svc
        .upload_by_file(UploadRequest::new("a.txt", b"a".to_vec()))
        .await
        .unwrap();
    assert!(path.is_file());
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode.0.to_lowercase(), "wal");
    let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM _sqlx_migrations")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(versions, vec![(SCHEMA_VERSION,)]);
    finish(f).await;
}

#[tokio::test]
async fn opening_twice_is_fine_and_a_newer_schema_is_refused() {
    on_both(|f| async move {
        f.svc
            .upload_by_file(UploadRequest::new("kept.txt", b"kept".to_vec()))
            .await
            .unwrap();
        // A second open migrates nothing and sees the records.
        let again = f.another_service().await;
        again.record("kept.txt", None).await.unwrap();
        again.records().close().await;

        // A version this code does not know: refused, naming the version.
        let database = f.svc.settings().database.clone();
        let checksum: Vec<u8> = vec![0; 48];
        sqlx::any::install_default_drivers();
        let url = match &database {
            RecordsDatabase::Sqlite(path) => format!("sqlite://{}", path.display()),
            RecordsDatabase::Postgres(url) => url.clone(),
        };
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(SCHEMA_VERSION + 1_000)
        .bind("from the future")
        .bind(true)
        .bind(checksum)
        .bind(0_i64)
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        let err = RecordStore::open(&database).await.unwrap_err();
        assert!(err.to_string().contains(&(SCHEMA_VERSION + 1_000).to_string()), "{err}");
        let err = jit_storage_svc::StorageService::open(&f.app).await.unwrap_err();
        assert_eq!(err.kind(), SvcErrorKind::Records, "{err}");
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("record store"), "{shown}");
        assert!(!shown.contains("postgres://"), "the URL is never shown: {shown}");
        finish(f).await
    })
    .await;
}

#[tokio::test]
async fn several_instances_share_one_postgresql_database() {
    let f = fixture(Db::Postgres).await;
    let other = f.another_service().await;
    let record = f
        .svc
        .upload_by_file(UploadRequest::new("shared.txt", b"one".to_vec()))
        .await
        .unwrap();
    let seen = other.record("shared.txt", None).await.unwrap();
    assert_eq!(seen.uid, record.uid);
    other.delete("shared.txt", None).await.unwrap();
    let err = f
        .svc
        .preview("shared.txt", None, ReadOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), SvcErrorKind::NotFound);

    // Concurrent uploads of one name from both instances leave exactly one record.
    let (a, b) = tokio::join!(
        f.svc
            .upload_by_file(UploadRequest::new("race.txt", b"from a".to_vec())),
        other.upload_by_file(UploadRequest::new("race.txt", b"from b".to_vec()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let winner = f.svc.record("race.txt", None).await.unwrap();
    assert!(winner.uid == a.uid || winner.uid == b.uid);
    assert_eq!(
        other.record("race.txt", None).await.unwrap().uid,
        winner.uid
    );
    other.records().close().await;
    if let Some(pg) = finish(f).await {
        pg.drop_now().await;
    }
}

#[tokio::test]
async fn migrations_are_defined_in_code_for_both_databases() {
    for postgres in [false, true] {
        let m = migrator(postgres).await.unwrap();
        let versions: Vec<i64> = m.iter().map(|m| m.version).collect();
        assert_eq!(versions.last(), Some(&SCHEMA_VERSION));
    }
    // Two stores opening the same fresh PostgreSQL database at once both succeed.
    let pg = PgDb::create().await;
    let database = RecordsDatabase::Postgres(pg.url.clone());
    let (a, b) = tokio::join!(RecordStore::open(&database), RecordStore::open(&database));
    let (a, b) = (a.unwrap(), b.unwrap());
    a.ping().await.unwrap();
    b.ping().await.unwrap();
    a.close().await;
    b.close().await;
    pg.drop_now().await;
}
