//! Helpers shared by the element tests: a recording factory, writing element folders, and
//! an app builder with `storages.Meta` and a built-in `storages.DiskType`.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jit_element::{App, AppBuilder, BuildContext, ElementFactory, ElementResult, ElementValue};
use serde_json::Value;

/// What the test factory builds: which Type built it and the config it was given.
#[derive(Debug)]
pub struct Built {
    pub implementation: &'static str,
    pub config: Value,
}

/// A factory that records how often it runs and can be slowed down to widen races.
#[derive(Clone)]
pub struct RecordingFactory {
    pub name: &'static str,
    pub calls: Arc<AtomicUsize>,
    pub delay: Duration,
}

impl RecordingFactory {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            calls: Arc::new(AtomicUsize::new(0)),
            delay: Duration::ZERO,
        }
    }
}

#[async_trait]
impl ElementFactory for RecordingFactory {
    async fn build(&self, ctx: BuildContext) -> ElementResult<ElementValue> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        if let Some(port) = ctx.config.get("port") {
            if !port.is_u64() {
                return Err(ctx.invalid_config("port", "must be a number"));
            }
        }
        Ok(Arc::new(Built {
            implementation: self.name,
            config: ctx.config.clone(),
        }))
    }
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn element(root: &Path, full: &str, e_json: Value, config: Option<Value>) {
    let dir = full.replace('.', "/");
    write(root, &format!("{dir}/e.json"), &e_json.to_string());
    if let Some(config) = config {
        let name = full.rsplit('.').next().unwrap();
        write(root, &format!("{dir}/{name}.json"), &config.to_string());
    }
}

pub fn builder(root: &Path, disk: &RecordingFactory) -> AppBuilder {
    App::builder(root)
        .register_meta("storages.Meta")
        .register_builtin_type(
            "storages.DiskType",
            "storages.Meta",
            "Local disk",
            disk.clone(),
        )
        .env_vars(HashMap::from([(
            "FROM_ENV".to_string(),
            "env-value".to_string(),
        )]))
}

pub async fn built(app: &App, name: &str) -> (String, Value) {
    let element = app
        .get_element(name)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let built = element.downcast_ref::<Built>().expect("a Built");
    (built.implementation.to_string(), built.config.clone())
}
