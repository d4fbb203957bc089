//! The load-once cache: one cell per fullName, so that concurrent callers share one load
//! and a loaded element is kept for the app's life, while a failed load is not cached.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::element::Element;
use crate::error::{ElementError, ElementErrorKind, ElementResult};

/// The cells of the elements asked for so far.
#[derive(Default)]
pub(crate) struct ElementCache {
    cells: Mutex<HashMap<String, Arc<OnceCell<Arc<Element>>>>>,
}

impl ElementCache {
    /// The element `full_name`, running `load` unless it is loaded or being loaded.
    /// `loading` is the chain of elements whose factories asked for it; `load` receives
    /// that chain with `full_name` appended.
    pub(crate) async fn get<F, Fut>(
        &self,
        full_name: &str,
        loading: &[String],
        load: F,
    ) -> ElementResult<Arc<Element>>
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: Future<Output = ElementResult<Arc<Element>>>,
    {
        if loading.iter().any(|n| n == full_name) {
            return Err(ElementError::new(
                ElementErrorKind::TypeCycle,
                format!(
                    "element needs itself while loading: {} → {full_name}",
                    loading.join(" → ")
                ),
            )
            .with_element(full_name));
        }
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            cells.entry(full_name.to_string()).or_default().clone()
        };
        let mut path = loading.to_vec();
        path.push(full_name.to_string());
        cell.get_or_try_init(|| load(path)).await.cloned()
    }
}
