//! The record store: file records in SQLite or PostgreSQL, with the schema's migrations.
//!
//! - `schema`: the migrations, defined in code and run when the store opens.
//! - `store`: [`RecordStore`], the operations the service needs, with one set of SQL for
//!   both databases (through sqlx's `Any` driver).

mod schema;
mod store;

pub use schema::{migrator, SCHEMA_VERSION};
pub use store::{FileRow, NewFile, RecordStore};
