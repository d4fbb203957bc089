//! The behaviour suite: one check per promise of the storage contract, kept in one list
//! ([`CHECKS`]), run by every storage Type against itself.
//!
//! A Type's test target declares `harness = false` in its `Cargo.toml` and hands the
//! suite one or more ways to build a [`Target`]:
//!
//! ```toml
//! [[test]]
//! name = "behaviour"
//! harness = false
//! ```
//!
//! ```ignore
//! async fn target() -> jit_storage::testkit::Target { /* build a storage */ }
//! jit_storage::behaviour_suite!(target);
//! // or, with several variants:
//! fn main() -> std::process::ExitCode {
//!     jit_storage::testkit::Suite::new()
//!         .variant("v4", || target("v4"))
//!         .variant("v1", || target("v1"))
//!         .main()
//! }
//! ```
//!
//! Each check is one test (`cargo test` filters and `--list` work as usual), builds its
//! own target and writes under its own random prefix, so checks may share a backend and
//! run in parallel. A check whose [capability](crate::Capabilities) the storage states
//! it lacks is reported as *ignored*, with the missing capability in its name — never
//! as passed.

mod absence;
mod descriptions;
mod fixtures;
mod listing;
mod objects;
mod signed_urls;
mod suite;
mod target;

pub use suite::{Check, Needs, Suite, CHECKS};
pub use target::Target;

/// Generates the `main` of a `harness = false` test target that runs the whole suite
/// against the targets built by the given `async fn() -> Target`.
#[macro_export]
macro_rules! behaviour_suite {
    ($make_target:path) => {
        fn main() -> ::std::process::ExitCode {
            $crate::testkit::Suite::new()
                .variant("", $make_target)
                .main()
        }
    };
}
