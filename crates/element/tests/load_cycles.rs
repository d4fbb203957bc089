//! Load cycles: a factory that loads another element which (directly or through others)
//! needs the first one gets a `LoadCycle` error naming the chain — whether it asks through
//! its build context, through `ctx.app()`, through a family-style helper, or from two
//! concurrent top-level loads — while loads that merely share elements keep working.

mod common;

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use common::{builder, element, RecordingFactory};
use jit_element::{
    App, BuildContext, Element, ElementErrorKind, ElementFactory, ElementResult, ElementValue,
};
use serde_json::json;

/// How a wrapper reaches the elements it wraps.
#[derive(Clone, Copy)]
enum Via {
    /// `ctx.get_element`.
    Context,
    /// `ctx.app().get_element`.
    App,
    /// A family-style helper taking the `App` (like `app.storage(name)`).
    Helper,
    /// `ctx.get_element` for every element of `inners`, all at once.
    ContextJoined,
}

/// A wrapper Type: loads `inner` (or each of `inners`) and records what it loaded.
struct Wrapper {
    via: Via,
    delay: Duration,
}

/// What a wrapper builds: the fullNames it loaded.
struct Loaded(Vec<String>);

/// What a family crate's typed accessor does: load through the app.
async fn family_helper(app: &App, full_name: &str) -> ElementResult<Arc<Element>> {
    app.get_element(full_name).await
}

#[async_trait]
impl ElementFactory for Wrapper {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        tokio::time::sleep(self.delay).await;
        let names: Vec<String> = match ctx.config.get("inners") {
            Some(list) => serde_json::from_value(list.clone()).unwrap(),
            None => vec![ctx.config["inner"].as_str().unwrap().to_string()],
        };
        let mut loaded = Vec::new();
        if let Via::ContextJoined = self.via {
            let (first, second) =
                tokio::join!(ctx.get_element(&names[0]), ctx.get_element(&names[1]));
            loaded.push(first?.full_name().to_string());
            loaded.push(second?.full_name().to_string());
        } else {
            for name in &names {
                let element = match self.via {
                    Via::Context => ctx.get_element(name).await?,
                    Via::App => ctx.app().get_element(name).await?,
                    _ => family_helper(ctx.app(), name).await?,
                };
                loaded.push(element.full_name().to_string());
            }
        }
        Ok(Arc::new(Loaded(loaded)))
    }
}

/// An app with `storages.Base` and `storages.Base2` (disk elements) and the wrapper Types `storages.Ctx`,
/// `storages.ViaApp`, `storages.Helper`, `storages.Joined` and `storages.Slow` (through
/// the app, after a pause that lets concurrent loads interleave), plus `elements`:
/// (name, Type, config).
fn app_with(
    dir: &tempfile::TempDir,
    disk: &RecordingFactory,
    elements: &[(&str, &str, serde_json::Value)],
) -> App {
    let root = dir.path();
    for base in ["storages.Base", "storages.Base2"] {
        element(
            root,
            base,
            json!({"title": "base", "type": "storages.DiskType"}),
            Some(json!({})),
        );
    }
    for (name, type_name, config) in elements {
        element(
            root,
            name,
            json!({"title": "t", "type": type_name}),
            Some(config.clone()),
        );
    }
    let wrapper = |via, delay_ms| Wrapper {
        via,
        delay: Duration::from_millis(delay_ms),
    };
    builder(root, disk)
        .register_builtin_type(
            "storages.Ctx",
            "storages.Meta",
            "c",
            wrapper(Via::Context, 0),
        )
        .register_builtin_type(
            "storages.ViaApp",
            "storages.Meta",
            "a",
            wrapper(Via::App, 0),
        )
        .register_builtin_type(
            "storages.Helper",
            "storages.Meta",
            "h",
            wrapper(Via::Helper, 0),
        )
        .register_builtin_type(
            "storages.Joined",
            "storages.Meta",
            "j",
            wrapper(Via::ContextJoined, 0),
        )
        .register_builtin_type(
            "storages.Slow",
            "storages.Meta",
            "s",
            wrapper(Via::App, 100),
        )
        .open()
        .unwrap()
}

/// Fails the test instead of hanging when a cycle is not detected.
async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), future)
        .await
        .unwrap_or_else(|_| panic!("{what}: must fail or finish, not hang"))
}

/// Loads `name`, expecting a load cycle error whose message holds `chain`.
async fn assert_load_cycle(app: &App, name: &str, chain: &str) {
    let err = within(name, app.get_element(name))
        .await
        .expect_err("a load cycle must be an error");
    assert_eq!(err.kind(), ElementErrorKind::LoadCycle, "{err}");
    let shown = err.to_string();
    assert!(shown.contains("load cycle"), "{shown}");
    assert!(shown.contains(chain), "{name}: {shown}");
}

fn loaded(element: &Element) -> Vec<String> {
    element
        .downcast_ref::<Loaded>()
        .expect("a wrapper")
        .0
        .clone()
}

#[tokio::test]
async fn self_reference_through_the_build_context() {
    let dir = tempfile::tempdir().unwrap();
    let disk = RecordingFactory::new("disk");
    let app = app_with(
        &dir,
        &disk,
        &[
            (
                "storages.Selfish",
                "storages.Ctx",
                json!({"inner": "storages.Selfish"}),
            ),
            (
                "storages.Outer",
                "storages.Ctx",
                json!({"inner": "storages.Base"}),
            ),
        ],
    );
    assert_load_cycle(
        &app,
        "storages.Selfish",
        "storages.Selfish → storages.Selfish",
    )
    .await;
    let err = app.get_element("storages.Selfish").await.unwrap_err();
    assert_eq!(err.full_name(), Some("storages.Selfish"));
    let outer = app.get_element("storages.Outer").await.unwrap();
    assert_eq!(loaded(&outer), ["storages.Base"]);
}

#[tokio::test]
async fn self_reference_through_the_app_and_a_family_helper() {
    let dir = tempfile::tempdir().unwrap();
    let disk = RecordingFactory::new("disk");
    let app = app_with(
        &dir,
        &disk,
        &[
            (
                "storages.Me",
                "storages.ViaApp",
                json!({"inner": "storages.Me"}),
            ),
            (
                "storages.Myself",
                "storages.Helper",
                json!({"inner": "storages.Myself"}),
            ),
        ],
    );
    assert_load_cycle(&app, "storages.Me", "storages.Me → storages.Me").await;
    assert_load_cycle(&app, "storages.Myself", "storages.Myself → storages.Myself").await;
}

#[tokio::test]
async fn two_and_three_element_cycles_name_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let disk = RecordingFactory::new("disk");
    let app = app_with(
        &dir,
        &disk,
        &[
            (
                "storages.A",
                "storages.ViaApp",
                json!({"inner": "storages.B"}),
            ),
            ("storages.B", "storages.Ctx", json!({"inner": "storages.A"})),
            (
                "storages.X",
                "storages.Helper",
                json!({"inner": "storages.Y"}),
            ),
            ("storages.Y", "storages.Ctx", json!({"inner": "storages.Z"})),
            (
                "storages.Z",
                "storages.ViaApp",
                json!({"inner": "storages.X"}),
            ),
            (
                "storages.Outside",
                "storages.Ctx",
                json!({"inner": "storages.A"}),
            ),
        ],
    );
    assert_load_cycle(&app, "storages.A", "storages.A → storages.B → storages.A").await;
    assert_load_cycle(&app, "storages.B", "storages.B → storages.A → storages.B").await;
    assert_load_cycle(
        &app,
        "storages.Y",
        "storages.Y → storages.Z → storages.X → storages.Y",
    )
    .await;
    // An element that only leads into a cycle fails with the cycle's error.
    assert_load_cycle(
        &app,
        "storages.Outside",
        "storages.A → storages.B → storages.A",
    )
    .await;
}

#[tokio::test]
async fn a_cycle_reached_by_two_concurrent_loads_fails_both() {
    let dir = tempfile::tempdir().unwrap();
    let disk = RecordingFactory::new("disk");
    let app = app_with(
        &dir,
        &disk,
        &[
            (
                "storages.A",
                "storages.Slow",
                json!({"inner": "storages.B"}),
            ),
            (
                "storages.B",
                "storages.Slow",
                json!({"inner": "storages.A"}),
            ),
        ],
    );
    let (a, b) = within("A and B loaded at once", async {
        tokio::join!(app.get_element("storages.A"), app.get_element("storages.B"))
    })
    .await;
    for (result, chain) in [
        (a, "storages.A → storages.B → storages.A"),
        (b, "storages.B → storages.A → storages.B"),
    ] {
        let err = result.expect_err("a load cycle must be an error");
        assert_eq!(err.kind(), ElementErrorKind::LoadCycle, "{err}");
        assert!(err.to_string().contains(chain), "{err}");
    }
    // Nothing stays recorded as waiting: the same loads fail again, they do not hang.
    assert_load_cycle(&app, "storages.A", "storages.A → storages.B → storages.A").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cycle_reached_from_two_tasks_fails_both() {
    let dir = tempfile::tempdir().unwrap();
    let disk = RecordingFactory::new("disk");
    let app = app_with(
        &dir,
        &disk,
        &[
            (
                "storages.A",
                "storages.Slow",
                json!({"inner": "storages.B"}),
            ),
            (
                "storages.B",
                "storages.Slow",
                json!({"inner": "storages.A"}),
            ),
        ],
    );
    let tasks = ["storages.A", "storages.B"].map(|name| {
        let app = app.clone();
        tokio::spawn(async move { app.get_element(name).await })
    });
    for task in tasks {
        let err = within("a task of the cycle", task)
            .await
            .unwrap()
            .expect_err("a load cycle must be an error");
        assert_eq!(err.kind(), ElementErrorKind::LoadCycle, "{err}");
    }
}

#[tokio::test]
async fn shared_and_previously_loaded_elements_are_not_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let mut disk = RecordingFactory::new("disk");
    disk.delay = Duration::from_millis(20);
    let app = app_with(
        &dir,
        &disk,
        &[
            (
                "storages.Outer",
                "storages.Ctx",
                json!({"inner": "storages.Middle"}),
            ),
            (
                "storages.Middle",
                "storages.ViaApp",
                json!({"inner": "storages.Base"}),
            ),
            (
                "storages.Again",
                "storages.Helper",
                json!({"inner": "storages.Middle"}),
            ),
            (
                "storages.Twice",
                "storages.ViaApp",
                json!({"inners": ["storages.Base", "storages.Base"]}),
            ),
            (
                "storages.Left",
                "storages.Ctx",
                json!({"inner": "storages.Base2"}),
            ),
            (
                "storages.Right",
                "storages.ViaApp",
                json!({"inner": "storages.Base2"}),
            ),
            (
                "storages.Diamond",
                "storages.Joined",
                json!({"inners": ["storages.Left", "storages.Right"]}),
            ),
        ],
    );
    // A loads B (through C): B is then loaded directly, from the cache.
    let outer = within("Outer", app.get_element("storages.Outer"))
        .await
        .unwrap();
    assert_eq!(loaded(&outer), ["storages.Middle"]);
    let middle = within("Middle", app.get_element("storages.Middle"))
        .await
        .unwrap();
    assert_eq!(loaded(&middle), ["storages.Base"]);
    // A previously loaded element requested again from inside another factory.
    let again = within("Again", app.get_element("storages.Again"))
        .await
        .unwrap();
    assert_eq!(loaded(&again), ["storages.Middle"]);
    let twice = within("Twice", app.get_element("storages.Twice"))
        .await
        .unwrap();
    assert_eq!(loaded(&twice), ["storages.Base", "storages.Base"]);
    // Two branches of one factory waiting at once for the same element.
    let diamond = within("Diamond", app.get_element("storages.Diamond"))
        .await
        .unwrap();
    assert_eq!(loaded(&diamond), ["storages.Left", "storages.Right"]);
    assert_eq!(
        disk.calls.load(Ordering::SeqCst),
        2,
        "Base and Base2 are each built once"
    );
}
