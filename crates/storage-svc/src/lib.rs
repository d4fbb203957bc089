//! `storages.services.StorageSvc`: JitAi's storage service, the part of the framework a
//! low-code runtime embeds in front of an app's storages.
#![warn(missing_docs)]
