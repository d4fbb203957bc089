//! The HTTP service: an axum [`router`] answering `/storages/services/StorageSvc/<method>`
//! with JitAi's method names and JSON envelope, the [`AccessHook`] deciding who may
//! write, and its [`RouterOptions`] (CORS, upload cap).
//!
//! The files, from the bottom up (each uses only files listed before it): `auth` (the
//! hook, [`AllowAll`], [`BearerToken`]), `params` (strict parameters), `responses` (the
//! envelope, errors, file answers), `upload_form` (the multipart form, spooled to a
//! temporary file), `options`, `router`.

mod auth;
mod options;
mod params;
mod responses;
mod router;
mod upload_form;

pub use auth::{AccessDenied, AccessHook, Action, AllowAll, BearerToken, Caller};
pub use options::{RouterOptions, DEFAULT_MAX_UPLOAD_BYTES};
pub use router::{router, METHODS};
