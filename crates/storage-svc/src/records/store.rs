//! [`RecordStore`]: the file records and cached-thumbnail records, in SQLite or
//! PostgreSQL through sqlx's `Any` driver, with one set of SQL for both (`$n`
//! placeholders, `INSERT … ON CONFLICT … DO UPDATE … RETURNING`).

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Connection, Executor, Row};

use crate::records::schema::{migrator_for, Dialect};
use crate::settings::RecordsDatabase;

/// One row of `jitstore_files`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// Row id.
    pub id: i64,
    /// The upload's unique id.
    pub uid: String,
    /// The storage element holding the file.
    pub store_full_name: String,
    /// The stored name (the object key).
    pub file_name: String,
    /// The name the user gave.
    pub name: String,
    /// Hex MD5, when known.
    pub md5: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<i64>,
    /// The recorded content type.
    pub content_type: String,
    /// Upload time, ms since the epoch.
    pub upload_time: i64,
    /// Who uploaded it.
    pub upload_user: Option<String>,
    /// Expiry, ms since the epoch; `None`: never.
    pub expires_at: Option<i64>,
    /// The `expires` given at upload, in seconds.
    pub retention_period: Option<i64>,
}

/// A record to insert (or to replace the record of the same stored name with).
#[derive(Debug, Clone)]
pub struct NewFile {
    /// The upload's unique id.
    pub uid: String,
    /// The storage element.
    pub store_full_name: String,
    /// The stored name.
    pub file_name: String,
    /// The user's name of the file.
    pub name: String,
    /// Hex MD5, when known.
    pub md5: Option<String>,
    /// Size in bytes, when known.
    pub size: Option<i64>,
    /// Content type.
    pub content_type: String,
    /// Upload time, ms.
    pub upload_time: i64,
    /// Who uploads.
    pub upload_user: Option<String>,
    /// Expiry, ms; `None`: never.
    pub expires_at: Option<i64>,
    /// Seconds kept.
    pub retention_period: Option<i64>,
}

const COLUMNS: &str = "id, uid, store_full_name, file_name, name, md5, size, content_type, \
                       upload_time, upload_user, expires_at, retention_period";

/// The file records of one database. Cheap to clone (a pool).
#[derive(Debug, Clone)]
pub struct RecordStore {
    pool: AnyPool,
}

impl RecordStore {
    /// Connects (creating a SQLite file and its folders if missing) and migrates the
    /// schema. A database migrated by a newer version of this code is refused
    /// (`VersionMissing`).
    pub async fn open(database: &RecordsDatabase) -> Result<RecordStore, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let (url, dialect) = match database {
            RecordsDatabase::Sqlite(path) => {
                if let Some(parent) = path.parent() {
                    tokio::fs::create_dir_all(parent).await?;
                }
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Dialect::Sqlite,
                )
            }
            RecordsDatabase::Postgres(url) => (url.clone(), Dialect::Postgres),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if dialect == Dialect::Sqlite { 4 } else { 8 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let migrator = migrator_for(dialect).await?;
        migrator
            .run(&pool)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        Ok(RecordStore { pool })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        self.pool.acquire().await?.ping().await
    }

    /// The record of `file_name` in `store`.
    pub async fn get(&self, store: &str, file_name: &str) -> Result<Option<FileRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM jitstore_files WHERE store_full_name = $1 AND file_name = $2"
        );
        let row = sqlx::query(&sql)
            .bind(store)
            .bind(file_name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(file_row).transpose()
    }

    /// Inserts the record, or replaces the one of the same stored name (new uid, upload
    /// time, and everything else); returns the row.
    pub async fn upsert(&self, new: &NewFile) -> Result<FileRow, sqlx::Error> {
        let sql = format!(
            "INSERT INTO jitstore_files (uid, store_full_name, file_name, name, md5, size, \
             content_type, upload_time, upload_user, expires_at, retention_period) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (store_full_name, file_name) DO UPDATE SET \
             uid = excluded.uid, name = excluded.name, md5 = excluded.md5, \
             size = excluded.size, content_type = excluded.content_type, \
             upload_time = excluded.upload_time, upload_user = excluded.upload_user, \
             expires_at = excluded.expires_at, retention_period = excluded.retention_period \
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(new.uid.as_str())
            .bind(new.store_full_name.as_str())
            .bind(new.file_name.as_str())
            .bind(new.name.as_str())
            .bind(new.md5.clone())
            .bind(new.size)
            .bind(new.content_type.as_str())
            .bind(new.upload_time)
            .bind(new.upload_user.clone())
            .bind(new.expires_at)
            .bind(new.retention_period)
            .fetch_one(&self.pool)
            .await?;
        file_row(&row)
    }

    /// Records the size of a file whose size was unknown.
    pub async fn set_size(&self, id: i64, size: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE jitstore_files SET size = $1 WHERE id = $2")
            .bind(size)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets a record's expiry and retention period.
    pub async fn set_expiry(
        &self,
        id: i64,
        expires_at: Option<i64>,
        retention_period: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE jitstore_files SET expires_at = $1, retention_period = $2 WHERE id = $3",
        )
        .bind(expires_at)
        .bind(retention_period)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Up to `limit` records expired at `now_ms` with an id above `after_id`, by id.
    pub async fn list_expired(
        &self,
        now_ms: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<FileRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM jitstore_files \
             WHERE expires_at IS NOT NULL AND expires_at <= $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(now_ms)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(file_row).collect()
    }

    /// The names of the thumbnails recorded for a file.
    pub async fn thumbnails(
        &self,
        store: &str,
        file_name: &str,
    ) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT thumb_name FROM jitstore_thumbnails \
             WHERE store_full_name = $1 AND file_name = $2 ORDER BY thumb_name",
        )
        .bind(store)
        .bind(file_name)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| r.try_get::<String, _>(0)).collect()
    }

    /// Whether a thumbnail of a file is recorded.
    pub async fn has_thumbnail(
        &self,
        store: &str,
        file_name: &str,
        thumb_name: &str,
    ) -> Result<bool, sqlx::Error> {
        let row = sqlx::query(
            "SELECT thumb_name FROM jitstore_thumbnails \
             WHERE store_full_name = $1 AND file_name = $2 AND thumb_name = $3",
        )
        .bind(store)
        .bind(file_name)
        .bind(thumb_name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Records a cached thumbnail of a file.
    pub async fn add_thumbnail(
        &self,
        store: &str,
        file_name: &str,
        thumb_name: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO jitstore_thumbnails (store_full_name, file_name, thumb_name) \
             VALUES ($1, $2, $3) ON CONFLICT (store_full_name, file_name, thumb_name) DO NOTHING",
        )
        .bind(store)
        .bind(file_name)
        .bind(thumb_name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes a file's record and its thumbnails' records, in one transaction. Only
    /// the record with row id `id` is deleted: one that replaced it meanwhile stays.
    pub async fn delete(&self, id: i64, store: &str, file_name: &str) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let deleted = sqlx::query("DELETE FROM jitstore_files WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if deleted > 0 {
            sqlx::query(
                "DELETE FROM jitstore_thumbnails WHERE store_full_name = $1 AND file_name = $2",
            )
            .bind(store)
            .bind(file_name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(deleted > 0)
    }
}

fn file_row(row: &AnyRow) -> Result<FileRow, sqlx::Error> {
    Ok(FileRow {
        id: row.try_get("id")?,
        uid: row.try_get("uid")?,
        store_full_name: row.try_get("store_full_name")?,
        file_name: row.try_get("file_name")?,
        name: row.try_get("name")?,
        md5: row.try_get("md5")?,
        size: row.try_get("size")?,
        content_type: row.try_get("content_type")?,
        upload_time: row.try_get("upload_time")?,
        upload_user: row.try_get("upload_user")?,
        expires_at: row.try_get("expires_at")?,
        retention_period: row.try_get("retention_period")?,
    })
}
