//! The HTTP service: an axum router answering `/storages/services/StorageSvc/<method>`.
