//! Builtin elements (`AppBuilder::register_builtin_element`): elements that exist in code
//! without a folder, like JitAi's `storages.services.StorageSvc` — listed with their Type
//! and title, loaded once through the cache (a failed load retried, cycles refused),
//! checked by their factory's `check` instead of being loaded, and overridden by an app
//! folder (or a parent app's) of the same fullName.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use common::{builder, built, element, write, Built, RecordingFactory};
use jit_element::{
    App, BuildContext, ElementErrorKind, ElementFactory, ElementResult, ElementRole, ElementValue,
};
use serde_json::json;

const SVC: &str = "storages.services.Svc";

/// A service element's factory: counts builds and checks, fails while `fail` is set,
/// and may load another element while it builds.
#[derive(Clone, Default)]
struct ServiceFactory {
    builds: Arc<AtomicUsize>,
    checks: Arc<AtomicUsize>,
    fail: Arc<AtomicBool>,
    loads: Option<&'static str>,
}

/// What the service factory builds: the app folder it was built for and its context.
struct Service {
    root: PathBuf,
    config_file: PathBuf,
    config_is_empty: bool,
}

#[async_trait]
impl ElementFactory for ServiceFactory {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        self.builds.fetch_add(1, Ordering::SeqCst);
        if let Some(other) = self.loads {
            ctx.app().get_element(other).await?;
        }
        if self.fail.load(Ordering::SeqCst) {
            return Err(ctx.invalid_config("settings.svc.url", "the database is down"));
        }
        Ok(Arc::new(Service {
            root: ctx.app().root().to_path_buf(),
            config_file: ctx.config_file.clone(),
            config_is_empty: ctx.config.as_object().is_some_and(|m| m.is_empty()),
        }))
    }

    async fn check(&self, ctx: &BuildContext) -> ElementResult<()> {
        self.checks.fetch_add(1, Ordering::SeqCst);
        if self.fail.load(Ordering::SeqCst) {
            return Err(ctx.invalid_config("settings.svc.url", "must be a URL"));
        }
        Ok(())
    }
}

fn files_element(root: &std::path::Path) {
    element(
        root,
        "storages.Files",
        json!({"title": "Files", "type": "storages.DiskType"}),
        None,
    );
}

#[tokio::test]
async fn listed_with_type_and_title_and_loaded_once() {
    let dir = tempfile::tempdir().unwrap();
    files_element(dir.path());
    let service = ServiceFactory::default();
    let app = builder(dir.path(), &RecordingFactory::new("disk"))
        .register_builtin_element(SVC, "services.NormalType", "A service", service.clone())
        .open()
        .unwrap();

    let names: Vec<_> = app
        .declarations()
        .iter()
        .map(|d| (d.full_name.clone(), d.type_name.clone(), d.title.clone()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "storages.Files".into(),
                "storages.DiskType".into(),
                "Files".into()
            ),
            (SVC.into(), "services.NormalType".into(), "A service".into()),
        ]
    );
    let decl = app.declaration(SVC).unwrap();
    assert!(decl.builtin);
    assert_eq!(app.role_of(&decl), ElementRole::Instance);
    assert_eq!(decl.config_file(), dir.path().join("app.json"));
    assert!(app.problems().is_empty());
    assert_eq!(
        service.builds.load(Ordering::SeqCst),
        0,
        "listing loads nothing"
    );

    let clone = app.clone();
    let (a, b) = tokio::join!(app.get_element(SVC), clone.get_element(SVC));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(Arc::ptr_eq(&a, &b));
    let c = app.get_element(SVC).await.unwrap();
    assert!(Arc::ptr_eq(&a, &c));
    assert_eq!(service.builds.load(Ordering::SeqCst), 1);
    assert_eq!(a.full_name(), SVC);
    assert_eq!(a.title(), "A service");
    assert_eq!(a.type_name(), "services.NormalType");
    assert_eq!(a.implementation(), SVC);
    let built = a.downcast_ref::<Service>().unwrap();
    assert_eq!(built.root, dir.path());
    assert_eq!(built.config_file, dir.path().join("app.json"));
    assert!(built.config_is_empty);

    // Another app opened by the same builder setup gets its own element.
    let other = builder(dir.path(), &RecordingFactory::new("disk"))
        .register_builtin_element(SVC, "services.NormalType", "A service", service.clone())
        .open()
        .unwrap();
    let d = other.get_element(SVC).await.unwrap();
    assert!(!Arc::ptr_eq(&a, &d));
    assert_eq!(service.builds.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_failed_load_is_not_kept_and_check_runs_the_factory_check() {
    let dir = tempfile::tempdir().unwrap();
    files_element(dir.path());
    let service = ServiceFactory::default();
    service.fail.store(true, Ordering::SeqCst);
    let app = builder(dir.path(), &RecordingFactory::new("disk"))
        .register_builtin_element(SVC, "services.NormalType", "A service", service.clone())
        .open()
        .unwrap();

    let err = app.get_element(SVC).await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidConfig, "{err}");
    assert_eq!(err.full_name(), Some(SVC));
    assert_eq!(err.file(), Some(dir.path().join("app.json").as_path()));
    assert_eq!(err.field(), Some("settings.svc.url"));

    // check reports the factory's check, without building the element.
    let report = app.check().await;
    assert_eq!(report.len(), 1, "{report:?}");
    assert_eq!(report[0].full_name(), Some(SVC));
    assert_eq!(report[0].message(), "must be a URL");
    assert_eq!(service.checks.load(Ordering::SeqCst), 1);
    assert_eq!(
        service.builds.load(Ordering::SeqCst),
        1,
        "check loads no builtin"
    );

    service.fail.store(false, Ordering::SeqCst);
    assert!(app.check().await.is_empty());
    app.get_element(SVC).await.unwrap();
    app.get_element(SVC).await.unwrap();
    assert_eq!(
        service.builds.load(Ordering::SeqCst),
        2,
        "retried once, then kept"
    );
}

#[tokio::test]
async fn a_folder_of_the_same_full_name_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    element(
        dir.path(),
        SVC,
        json!({"title": "My service", "type": "storages.DiskType"}),
        Some(json!({"directory": "x"})),
    );
    let service = ServiceFactory::default();
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk)
        .register_builtin_element(SVC, "services.NormalType", "A service", service.clone())
        .open()
        .unwrap();
    let decl = app.declaration(SVC).unwrap();
    assert!(!decl.builtin);
    assert_eq!(decl.title, "My service");
    assert_eq!(app.declarations().len(), 1);
    assert_eq!(
        built(&app, SVC).await,
        ("disk".to_string(), json!({"directory": "x"}))
    );
    // The folder's element is an ordinary Instance: check loads it (already loaded).
    assert!(app.check().await.is_empty());
    assert_eq!(service.builds.load(Ordering::SeqCst), 0);
    assert_eq!(service.checks.load(Ordering::SeqCst), 0);

    // A parent app's folder overrides it too, and a broken folder is not replaced by it.
    let child = tempfile::tempdir().unwrap();
    write(
        child.path(),
        "app.json",
        &json!({"extends": [dir.path()]}).to_string(),
    );
    let app = builder(child.path(), &disk)
        .register_builtin_element(SVC, "services.NormalType", "A service", service.clone())
        .open()
        .unwrap();
    assert_eq!(app.declaration(SVC).unwrap().title, "My service");
    write(dir.path(), "storages/services/Svc/e.json", "{broken");
    let app = builder(dir.path(), &disk)
        .register_builtin_element(SVC, "services.NormalType", "A service", service.clone())
        .open()
        .unwrap();
    let err = app.get_element(SVC).await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::InvalidDeclaration, "{err}");
    assert_eq!(service.builds.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn loads_through_the_cache_with_cycle_detection() {
    let dir = tempfile::tempdir().unwrap();
    files_element(dir.path());
    // The builtin loads storages.Files while it builds: fine.
    let service = ServiceFactory {
        loads: Some("storages.Files"),
        ..Default::default()
    };
    let disk = RecordingFactory::new("disk");
    let app = builder(dir.path(), &disk)
        .register_builtin_element(SVC, "services.NormalType", "A service", service.clone())
        .open()
        .unwrap();
    app.get_element(SVC).await.unwrap();
    assert_eq!(disk.calls.load(Ordering::SeqCst), 1);
    assert!(app
        .get_element("storages.Files")
        .await
        .unwrap()
        .downcast_ref::<Built>()
        .is_some());

    // A builtin that loads itself is a load cycle, not a hang.
    let looping = ServiceFactory {
        loads: Some(SVC),
        ..Default::default()
    };
    let app = App::builder(dir.path())
        .register_builtin_element(SVC, "services.NormalType", "A service", looping)
        .open()
        .unwrap();
    let err = app.get_element(SVC).await.unwrap_err();
    assert_eq!(err.kind(), ElementErrorKind::LoadCycle, "{err}");
    assert!(err.message().contains(SVC), "{err}");
}
