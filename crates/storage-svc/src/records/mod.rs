//! The record store: file records in SQLite or PostgreSQL, with the schema's migrations.
