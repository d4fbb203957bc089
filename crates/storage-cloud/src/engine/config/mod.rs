//! The configuration every object-store Type shares: the common keys as written
//! (`common`), how one flat object is read into them and a Type's own keys (`keys`),
//! their checks (`settings`, `transfer_limits`) and where credentials come from
//! (`credentials`). An index only.

pub(crate) mod common;
pub(crate) mod credentials;
pub(crate) mod keys;
pub(crate) mod settings;
pub(crate) mod transfer_limits;
