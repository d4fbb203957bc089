//! The example's StorageSvc flow (what `cargo run -p app-example` prints last), run on a
//! copy of the example app: records in SQLite under the copy's data folder, the default
//! storage from `settings.defaultElement.defaultStorage`.

mod common;

use std::collections::HashMap;

use app_example::flow::run_service_flow;
use app_example::ExampleApp;
use common::example_copy;
use jitstore::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_flow_runs_on_the_default_storage() {
    let dir = example_copy();
    let example = ExampleApp::open(dir.path(), Some(HashMap::new()))
        .await
        .expect("open the example");
    let report = run_service_flow(&example.app)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.lines.len(), 6, "{:?}", report.lines);
    assert!(
        report.lines[0].ends_with("storages.Default"),
        "{:?}",
        report.lines
    );
    assert!(dir
        .path()
        .join("data/storage-svc/records.sqlite3")
        .is_file());
    // Same app, same service: the flow can run again.
    let svc = example.app.storage_service().await.unwrap();
    assert_eq!(svc.settings().default_storage, "storages.Default");
    run_service_flow(&example.app)
        .await
        .unwrap_or_else(|e| panic!("second run: {e}"));
    example.shutdown().await;
}
