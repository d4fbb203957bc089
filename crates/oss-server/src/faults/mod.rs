//! Fault injection, off by default: a seeded share of object, multipart and listing
//! requests get one of the faults a real network and server produce (5xx answers,
//! connections reset mid-request or mid-answer, answers lost after the request was
//! applied, slow answers, truncated bodies, wrong CRC headers), so that clients can be
//! tested for losing nothing and leaking nothing.
//!
//! Files: `config` ([`FaultKind`], [`FaultConfig`]), `counts` ([`FaultCounts`]),
//! `plan` (which request gets which fault, from the seed), `conn` (connections that a
//! handler can reset or close), `body` (answers cut mid-body) and `apply` (the faults
//! put into a request's life, used by the router).

pub(crate) mod apply;
pub(crate) mod body;
pub mod config;
pub(crate) mod conn;
pub mod counts;
pub(crate) mod plan;

pub use config::{FaultConfig, FaultKind, UnknownFaultKind};
pub use counts::FaultCounts;
