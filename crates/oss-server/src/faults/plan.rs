//! Deciding which request gets which fault: [`Injector`] numbers the eligible requests
//! as they arrive and draws each one's fault from the seed and that number alone
//! (SplitMix64), among the configured kinds that can apply to the request's
//! [`Shape`]; it also keeps the counts of what was injected.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::config::{FaultConfig, FaultKind};
use super::counts::{FaultCounters, FaultCounts};

/// What matters about a request for choosing its fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// An object, multipart or listing request (others never get faults).
    pub eligible: bool,
    /// A HEAD request (its answer has no body to cut).
    pub head: bool,
    /// A GetObject (the only answer whose CRC header is falsified).
    pub get_object: bool,
    /// Whether the connection can be cut (served through the fault listener).
    pub connection: bool,
}

impl Shape {
    /// Whether `kind` can be injected into a request of this shape.
    pub fn allows(&self, kind: FaultKind) -> bool {
        match kind {
            FaultKind::InternalError | FaultKind::Unavailable | FaultKind::Slow => true,
            FaultKind::ResetRequest | FaultKind::LostAnswer => self.connection,
            FaultKind::ResetResponse | FaultKind::Truncate => self.connection && !self.head,
            FaultKind::BadCrc => self.get_object,
        }
    }
}

/// The fault plan of a running server, and the counts of what it injected.
#[derive(Debug)]
pub struct Injector {
    config: FaultConfig,
    next: AtomicU64,
    counters: FaultCounters,
}

/// SplitMix64's output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64's increment.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Injector {
    /// A plan for `config` (kinds listed twice count once).
    pub fn new(mut config: FaultConfig) -> Self {
        let mut kinds = Vec::new();
        for kind in config.kinds.drain(..) {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        config.kinds = kinds;
        Injector {
            config,
            next: AtomicU64::new(0),
            counters: FaultCounters::default(),
        }
    }

    /// Whether any fault can be injected.
    pub fn enabled(&self) -> bool {
        self.config.enabled()
    }

    /// How long a `slow` request waits.
    pub fn delay(&self) -> Duration {
        self.config.delay
    }

    /// The fault, if any, of request number `n` of `shape`.
    pub fn fault_of(&self, n: u64, shape: &Shape) -> Option<FaultKind> {
        let first = mix(self
            .config
            .seed
            .wrapping_add(n.wrapping_add(1).wrapping_mul(GAMMA)));
        let second = mix(first ^ GAMMA);
        let unit = (first >> 11) as f64 / (1u64 << 53) as f64;
        if unit >= self.config.rate {
            return None;
        }
        let fitting: Vec<FaultKind> = self
            .config
            .kinds
            .iter()
            .copied()
            .filter(|k| shape.allows(*k))
            .collect();
        if fitting.is_empty() {
            return None;
        }
        Some(fitting[(second % fitting.len() as u64) as usize])
    }

    /// Numbers the next eligible request and draws its fault; `None` for requests
    /// that are not eligible (they are not numbered) or when faults are off.
    pub fn draw(&self, shape: &Shape) -> Option<FaultKind> {
        if !shape.eligible || !self.enabled() {
            return None;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.fault_of(n, shape)
    }

    /// Counts one injected fault.
    pub fn record(&self, kind: FaultKind) {
        tracing::debug!(fault = kind.name(), "fault injected");
        self.counters.record(kind);
    }

    /// What was injected so far.
    pub fn counts(&self) -> FaultCounts {
        self.counters.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_shape() -> Shape {
        Shape {
            eligible: true,
            head: false,
            get_object: true,
            connection: true,
        }
    }

    fn sequence(seed: u64, rate: f64) -> Vec<Option<FaultKind>> {
        let injector = Injector::new(FaultConfig::new(rate, &FaultKind::ALL, seed));
        (0..2000).map(|_| injector.draw(&every_shape())).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        assert_eq!(sequence(7, 0.2), sequence(7, 0.2));
        assert_ne!(sequence(7, 0.2), sequence(8, 0.2));
    }

    #[test]
    fn the_rate_is_the_share_of_faulted_requests() {
        let faulted = sequence(7, 0.2).iter().filter(|f| f.is_some()).count();
        assert!((300..500).contains(&faulted), "{faulted} of 2000");
        assert!(sequence(7, 1.0).iter().all(Option::is_some));
        assert!(sequence(7, 0.0).iter().all(Option::is_none));
        let kinds: std::collections::HashSet<_> = sequence(7, 1.0).into_iter().collect();
        assert_eq!(kinds.len(), FaultKind::ALL.len(), "every kind is drawn");
    }

    #[test]
    fn only_kinds_that_fit_the_request_are_drawn() {
        let injector = Injector::new(FaultConfig::new(1.0, &FaultKind::ALL, 3));
        let head = Shape {
            head: true,
            get_object: false,
            connection: false,
            ..every_shape()
        };
        for _ in 0..500 {
            let kind = injector.draw(&head).expect("rate 1");
            assert!(
                matches!(
                    kind,
                    FaultKind::InternalError | FaultKind::Unavailable | FaultKind::Slow
                ),
                "{kind}"
            );
        }
        let only_crc = Injector::new(FaultConfig::new(1.0, &[FaultKind::BadCrc], 3));
        assert_eq!(only_crc.draw(&head), None);
        let ineligible = Shape {
            eligible: false,
            ..every_shape()
        };
        assert_eq!(injector.draw(&ineligible), None);
    }
}
