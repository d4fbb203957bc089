//! The load-once cache, with load-cycle detection.
//!
//! One cell per fullName: concurrent callers share one load, a loaded element is kept for
//! the app's life, a failed load is not cached. A factory may load other elements while it
//! builds (a wrapper loads what it wraps); if that ever leads back to an element still
//! being loaded, waiting would never end, so it is refused with
//! [`ElementErrorKind::LoadCycle`]. Two records make that check possible:
//!
//! - a task-local chain of the elements whose factories are running in the current task
//!   (set around each load), so that [`crate::App::get_element`] called anywhere inside a
//!   factory — directly, through `ctx.app()`, or through a family helper — knows who asks;
//!   [`crate::BuildContext::get_element`] carries the same chain explicitly;
//! - a wait-for map (element being loaded → elements its loader awaits), updated and
//!   searched under one lock before awaiting a cell that is not initialised, so that
//!   loads in different tasks that wait for each other (A → B in one, B → A in another)
//!   fail instead of deadlocking.
//!
//! An element that is already loaded is returned without any check.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::OnceCell;

use crate::element::Element;
use crate::error::{ElementError, ElementErrorKind, ElementResult};

tokio::task_local! {
    /// The elements whose loads run in the current task, outermost first.
    static LOADING: Arc<[String]>;
}

/// The chain of elements being loaded by the current task (empty outside any factory).
pub(crate) fn loading_in_this_task() -> Vec<String> {
    LOADING.try_with(|chain| chain.to_vec()).unwrap_or_default()
}

/// The cells of the elements asked for so far, and who waits for whom.
#[derive(Default)]
pub(crate) struct ElementCache {
    state: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    cells: HashMap<String, Arc<OnceCell<Arc<Element>>>>,
    /// For each element whose loader awaits others: what it awaits, one entry per
    /// pending request (a factory may await several at once).
    waits_for: HashMap<String, Vec<String>>,
}

impl CacheState {
    /// The elements from `from` to `to` along wait-for links, both included, if any.
    fn wait_path(&self, from: &str, to: &str) -> Option<Vec<String>> {
        let mut seen = HashSet::new();
        let mut path = vec![from.to_string()];
        self.search(to, &mut path, &mut seen).then_some(path)
    }

    fn search(&self, to: &str, path: &mut Vec<String>, seen: &mut HashSet<String>) -> bool {
        let here = path.last().cloned().unwrap_or_default();
        if here == to {
            return true;
        }
        if !seen.insert(here.clone()) {
            return false;
        }
        for next in self.waits_for.get(&here).into_iter().flatten() {
            path.push(next.clone());
            if self.search(to, path, seen) {
                return true;
            }
            path.pop();
        }
        false
    }
}

/// Removes a wait-for link when its request ends, however it ends (cancelled included).
struct Waiting<'a> {
    cache: &'a ElementCache,
    waiter: String,
    awaited: String,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut state = self.cache.lock();
        if let Some(awaited) = state.waits_for.get_mut(&self.waiter) {
            if let Some(i) = awaited.iter().position(|n| *n == self.awaited) {
                awaited.swap_remove(i);
            }
            if awaited.is_empty() {
                state.waits_for.remove(&self.waiter);
            }
        }
    }
}

impl ElementCache {
    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The element `full_name`, running `load` unless it is loaded or being loaded.
    /// `loading` is the chain of elements whose loads asked for it (outermost first);
    /// `load` receives that chain with `full_name` appended, and runs with it as the
    /// task's chain.
    pub(crate) async fn get<F, Fut>(
        &self,
        full_name: &str,
        loading: Vec<String>,
        load: F,
    ) -> ElementResult<Arc<Element>>
    where
        F: FnOnce(Vec<String>) -> Fut,
        Fut: Future<Output = ElementResult<Arc<Element>>>,
    {
        let (cell, _waiting) = {
            let mut state = self.lock();
            let cell = state
                .cells
                .entry(full_name.to_string())
                .or_default()
                .clone();
            if let Some(element) = cell.get() {
                return Ok(element.clone());
            }
            if let Some(start) = loading.iter().position(|n| n == full_name) {
                let mut cycle = loading[start..].to_vec();
                cycle.push(full_name.to_string());
                return Err(load_cycle(&cycle));
            }
            let waiting = match loading.last() {
                None => None,
                Some(waiter) => {
                    if let Some(path) = state.wait_path(full_name, waiter) {
                        let mut cycle = vec![waiter.clone()];
                        cycle.extend(path);
                        return Err(load_cycle(&cycle));
                    }
                    state
                        .waits_for
                        .entry(waiter.clone())
                        .or_default()
                        .push(full_name.to_string());
                    Some(Waiting {
                        cache: self,
                        waiter: waiter.clone(),
                        awaited: full_name.to_string(),
                    })
                }
            };
            (cell, waiting)
        };
        let mut chain = loading;
        chain.push(full_name.to_string());
        let scoped: Arc<[String]> = chain.clone().into();
        cell.get_or_try_init(|| LOADING.scope(scoped, load(chain)))
            .await
            .cloned()
    }
}

/// The error for `cycle`, an element followed by what it needs, back to itself.
fn load_cycle(cycle: &[String]) -> ElementError {
    ElementError::new(
        ElementErrorKind::LoadCycle,
        format!(
            "{} (each element needs the next one while it is being loaded)",
            cycle.join(" → ")
        ),
    )
    .with_element(cycle.first().cloned().unwrap_or_default())
}
