//! The `jitstore` tool's command line: arguments ([`args`]), the one-line error
//! ([`error`]), dispatch ([`run`]) and the commands: checking the app (`check`), objects
//! (`objects`) and servers (`serve` for serve-oss, `serve_s3`, and
//! `serve_app` for the app's StorageSvc).

pub mod args;
mod check;
pub mod error;
mod objects;
mod progress;
pub mod run;
mod serve;
mod serve_app;
mod serve_s3;
