//! The record store's schema as migrations defined in code: a [`Migrator`] built from
//! [`Migration`] values, no files read at run time. The only difference between the two
//! databases is how the row id is generated.

use std::borrow::Cow;

use futures::future::BoxFuture;
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};

/// The newest schema version this code knows.
pub const SCHEMA_VERSION: i64 = 1;

/// Which SQL dialect the id column is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

fn files_table(dialect: Dialect) -> String {
    let id = match dialect {
        Dialect::Sqlite => "id INTEGER PRIMARY KEY AUTOINCREMENT",
        Dialect::Postgres => "id BIGSERIAL PRIMARY KEY",
    };
    format!(
        "CREATE TABLE jitstore_files (
            {id},
            uid TEXT NOT NULL UNIQUE,
            store_full_name TEXT NOT NULL,
            file_name TEXT NOT NULL,
            name TEXT NOT NULL,
            md5 TEXT,
            size BIGINT,
            content_type TEXT NOT NULL,
            upload_time BIGINT NOT NULL,
            upload_user TEXT,
            expires_at BIGINT,
            retention_period BIGINT,
            UNIQUE (store_full_name, file_name)
        );
        CREATE INDEX jitstore_files_expires_at ON jitstore_files (expires_at);
        CREATE TABLE jitstore_thumbnails (
            store_full_name TEXT NOT NULL,
            file_name TEXT NOT NULL,
            thumb_name TEXT NOT NULL,
            PRIMARY KEY (store_full_name, file_name, thumb_name)
        );"
    )
}

/// The migrations of `dialect`, oldest first.
fn migrations(dialect: Dialect) -> Vec<Migration> {
    vec![Migration::new(
        1,
        Cow::Borrowed("file records and their cached thumbnails"),
        MigrationType::Simple,
        Cow::Owned(files_table(dialect)),
        false,
    )]
}

/// The migrations, as a source sqlx's [`Migrator`] resolves.
#[derive(Debug)]
struct InCode(Dialect);

impl MigrationSource<'static> for InCode {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { Ok(migrations(self.0)) })
    }
}

/// The migrator of the record store for a database of `dialect`.
pub(crate) async fn migrator_for(dialect: Dialect) -> Result<Migrator, sqlx::Error> {
    Migrator::new(InCode(dialect))
        .await
        .map_err(|e| sqlx::Error::Migrate(Box::new(e)))
}

/// The migrator of the record store for SQLite (`postgres == false`) or PostgreSQL.
pub async fn migrator(postgres: bool) -> Result<Migrator, sqlx::Error> {
    migrator_for(if postgres {
        Dialect::Postgres
    } else {
        Dialect::Sqlite
    })
    .await
}
