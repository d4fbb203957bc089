//! The storage contract's behaviour suite on the example's own Type: `storages.AcmeFiles`
//! (TenantType, wrapping the DiskType element `storages.Default` with its signed URLs
//! served on 127.0.0.1), loaded from a copy of the example app.

mod common;

use std::collections::HashMap;

use app_example::ExampleApp;
use common::example_copy;
use jitstore::prelude::*;
use jitstore::storage::testkit::Target;

async fn acme_files() -> Target {
    let dir = example_copy();
    let example = ExampleApp::open(dir.path(), Some(HashMap::new()))
        .await
        .expect("open the example");
    let storage = example
        .app
        .storage("storages.AcmeFiles")
        .await
        .expect("load storages.AcmeFiles");
    Target::new(storage).keep(example).keep(dir)
}

jitstore::storage::behaviour_suite!(acme_files);
