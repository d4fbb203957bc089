//! The one list of checks ([`CHECKS`]), what each needs ([`Needs`]), and the runner
//! ([`Suite`]) that turns them into tests: a libtest-compatible harness
//! (`libtest-mimic`) in which a check the storage cannot support is *ignored*, not passed.

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

use super::target::Target;
use super::{absence, descriptions, listing, objects, signed_urls};
use crate::capabilities::Capabilities;

/// What a check needs from the storage under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Needs {
    /// Nothing: every storage keeps this promise.
    Nothing,
    /// [`Capabilities::presign_get`].
    PresignGet,
    /// [`Capabilities::presign_put`].
    PresignPut,
    /// [`Capabilities::list`].
    List,
    /// [`Capabilities::range_read`].
    RangeRead,
    /// [`Capabilities::user_metadata`].
    UserMetadata,
    /// [`Capabilities::crc64`].
    Crc64,
    /// A storage loaded as an element of an app (it has an identity to name in errors).
    Element,
}

impl Needs {
    /// Whether a storage with `capabilities` (and, for [`Needs::Element`], loaded as an
    /// element when `is_element`) can run the check.
    pub fn met_by(self, capabilities: &Capabilities, is_element: bool) -> bool {
        match self {
            Self::Nothing => true,
            Self::PresignGet => capabilities.presign_get,
            Self::PresignPut => capabilities.presign_put,
            Self::List => capabilities.list,
            Self::RangeRead => capabilities.range_read,
            Self::UserMetadata => capabilities.user_metadata,
            Self::Crc64 => capabilities.crc64,
            Self::Element => is_element,
        }
    }

    /// A short label: `presign_put`, `element identity`, ….
    pub fn label(self) -> &'static str {
        match self {
            Self::Nothing => "nothing",
            Self::PresignGet => "presign_get",
            Self::PresignPut => "presign_put",
            Self::List => "list",
            Self::RangeRead => "range_read",
            Self::UserMetadata => "user_metadata",
            Self::Crc64 => "crc64",
            Self::Element => "element identity",
        }
    }
}

/// A check's body: runs against a target and panics on a broken promise.
pub type CheckFn = for<'a> fn(&'a Target) -> Pin<Box<dyn Future<Output = ()> + 'a>>;

/// One promise of the contract.
#[derive(Clone, Copy)]
pub struct Check {
    /// The test's name.
    pub name: &'static str,
    /// What the storage must be able to do for the check to apply.
    pub needs: Needs,
    /// The check itself.
    pub run: CheckFn,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("name", &self.name)
            .field("needs", &self.needs)
            .finish_non_exhaustive()
    }
}

macro_rules! checks {
    ($($module:ident::$check:ident: $needs:ident),* $(,)?) => {
        /// Every check of the suite, in the order they are listed.
        pub const CHECKS: &[Check] = &[
            $(Check {
                name: stringify!($check),
                needs: Needs::$needs,
                run: |target| Box::pin($module::$check(target)),
            }),*
        ];
    };
}

checks! {
    objects::round_trip_text: Nothing,
    objects::round_trip_binary_sizes: Nothing,
    objects::special_keys: Nothing,
    objects::streamed_upload: Nothing,
    objects::overwrite_replaces: Nothing,
    objects::copy_keeps_content_and_type: Nothing,
    objects::delete_many_removes_every_object: Nothing,
    objects::range_read: RangeRead,
    descriptions::content_type_is_kept: Nothing,
    descriptions::content_type_follows_the_extension: Nothing,
    descriptions::default_content_type: Nothing,
    descriptions::user_metadata_is_kept: UserMetadata,
    descriptions::upload_result_describes_object: Nothing,
    descriptions::crc64_is_reported: Crc64,
    absence::delete_then_download_is_not_found: Nothing,
    absence::delete_missing_key_succeeds: Nothing,
    absence::stat_missing_is_not_found: Nothing,
    absence::exists_reports_presence: Nothing,
    absence::bad_names_are_rejected: Nothing,
    absence::errors_name_the_element: Element,
    signed_urls::signed_url_serves_bytes: PresignGet,
    signed_urls::presigned_put_uploads: PresignPut,
    listing::list_prefix_and_delimiter: List,
    listing::list_pagination: List,
}

type MakeTarget = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Target>>> + Send + Sync>;

struct Variant {
    name: String,
    make: MakeTarget,
}

/// The suite, run against one or more variants of a storage (say V4 and V1 signing).
#[derive(Default)]
pub struct Suite {
    variants: Vec<Variant>,
}

impl Suite {
    /// A suite with no variants yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a variant: its name prefixes its tests (`v4::round_trip_text`; empty for
    /// none) and `make` builds a fresh target for each check.
    pub fn variant<F, Fut>(mut self, name: &str, make: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Target> + 'static,
    {
        let make: MakeTarget = Arc::new(move || Box::pin(make()));
        self.variants.push(Variant {
            name: name.to_string(),
            make,
        });
        self
    }

    /// Runs the suite with the command line's test arguments (filters, `--list`,
    /// `--ignored`, …) and returns the process's exit code.
    pub fn main(self) -> ExitCode {
        let args = Arguments::from_args();
        libtest_mimic::run(&args, self.trials()).exit_code()
    }

    /// One test per check and variant; a check whose needs the variant's storage does not
    /// meet is ignored, its name saying what is missing.
    pub fn trials(&self) -> Vec<Trial> {
        let mut trials = Vec::new();
        for variant in &self.variants {
            let (capabilities, is_element) = probe(&variant.make);
            for check in CHECKS {
                let name = if variant.name.is_empty() {
                    check.name.to_string()
                } else {
                    format!("{}::{}", variant.name, check.name)
                };
                let check = *check;
                if check.needs.met_by(&capabilities, is_element) {
                    let make = variant.make.clone();
                    trials.push(Trial::test(name, move || run(&make, check)));
                } else {
                    let missing = check.needs.label();
                    trials.push(
                        Trial::test(name, move || {
                            Err(format!("skipped: the storage lacks {missing}").into())
                        })
                        .with_kind(format!("lacks {missing}"))
                        .with_ignored_flag(true),
                    );
                }
            }
        }
        trials
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the behaviour suite")
}

/// Builds one target to read what the storage states it can do.
fn probe(make: &MakeTarget) -> (Capabilities, bool) {
    runtime().block_on(async {
        let target = make().await;
        (
            target.storage.capabilities(),
            target.storage.identity().is_some(),
        )
    })
}

fn run(make: &MakeTarget, check: Check) -> Result<(), Failed> {
    runtime().block_on(async {
        let target = make().await;
        (check.run)(&target).await;
    });
    Ok(())
}
