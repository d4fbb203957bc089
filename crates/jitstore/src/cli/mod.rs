//! The `jitstore` tool's command line: arguments ([`args`]), the one-line error
//! ([`error`]), dispatch ([`run`]) and the commands on objects ([`objects`]) and servers
//! ([`serve`]).

pub mod args;
pub mod error;
mod objects;
mod progress;
pub mod run;
mod serve;
