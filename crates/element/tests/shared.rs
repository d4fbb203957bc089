//! `App::shared`: one value per type for every clone of an app, built once, a failed
//! build not kept.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use jit_element::App;

struct Service(usize);

#[tokio::test]
async fn one_value_per_app_shared_by_clones_and_failures_are_not_kept() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::builder(dir.path()).open().unwrap();
    let runs = AtomicUsize::new(0);

    let failed: Result<Arc<Service>, String> = app
        .shared(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err("the database is down".to_string())
        })
        .await;
    assert_eq!(failed.err().as_deref(), Some("the database is down"));

    let clone = app.clone();
    let (a, b) = tokio::join!(
        app.shared(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<_, String>(Arc::new(Service(7)))
        }),
        clone.shared(|| async {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok::<_, String>(Arc::new(Service(8)))
        })
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(
        runs.load(Ordering::SeqCst),
        2,
        "one failed run, then one run"
    );

    // Another type has its own cell; another app its own values.
    let n: Arc<usize> = app
        .shared(|| async { Ok::<_, ()>(Arc::new(3)) })
        .await
        .unwrap();
    assert_eq!(*n, 3);
    let other = App::builder(dir.path()).open().unwrap();
    let c: Arc<Service> = other
        .shared(|| async { Ok::<_, ()>(Arc::new(Service(9))) })
        .await
        .unwrap();
    assert_eq!((a.0, c.0), (7, 9));
}
