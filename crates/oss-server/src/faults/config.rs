//! What to inject: the kinds of fault ([`FaultKind`], named as on the command line:
//! `500`, `503`, `reset-request`, `reset-response`, `lost-answer`, `slow`,
//! `truncate`, `bad-crc`) and how often, from which seed ([`FaultConfig`]).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One kind of fault the server can inject into an object, multipart or listing
/// request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// `500`: answered 500 InternalError; the request is not applied.
    InternalError,
    /// `503`: answered 503 ServiceUnavailable; the request is not applied.
    Unavailable,
    /// `reset-request`: the connection is reset after part of the request body was
    /// read (at once for a request without a body); the request is not applied.
    ResetRequest,
    /// `reset-response`: the request is applied, the answer's head and part of its
    /// body are sent, then the connection is reset.
    ResetResponse,
    /// `lost-answer`: the request is applied, then the connection is closed without a
    /// byte of the answer.
    LostAnswer,
    /// `slow`: the request is handled after a delay ([`FaultConfig::delay`]).
    Slow,
    /// `truncate`: the request is applied; the answer declares its full
    /// Content-Length, sends half of the body, then closes the connection.
    Truncate,
    /// `bad-crc`: a GetObject answer carries a wrong `x-oss-hash-crc64ecma` (the bytes
    /// are right).
    BadCrc,
}

impl FaultKind {
    /// Every kind, in the order counts are reported.
    pub const ALL: [FaultKind; 8] = [
        FaultKind::InternalError,
        FaultKind::Unavailable,
        FaultKind::ResetRequest,
        FaultKind::ResetResponse,
        FaultKind::LostAnswer,
        FaultKind::Slow,
        FaultKind::Truncate,
        FaultKind::BadCrc,
    ];

    /// The kind's name on the command line (`503`, `reset-request`, ...).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::InternalError => "500",
            FaultKind::Unavailable => "503",
            FaultKind::ResetRequest => "reset-request",
            FaultKind::ResetResponse => "reset-response",
            FaultKind::LostAnswer => "lost-answer",
            FaultKind::Slow => "slow",
            FaultKind::Truncate => "truncate",
            FaultKind::BadCrc => "bad-crc",
        }
    }

    /// The position of the kind in [`FaultKind::ALL`].
    pub fn index(self) -> usize {
        FaultKind::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or_default()
    }

    /// Parses a comma-separated list of kinds (`all` for every kind); spaces around
    /// names are ignored, repeats are kept once.
    pub fn parse_list(list: &str) -> Result<Vec<FaultKind>, UnknownFaultKind> {
        let mut kinds = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let more = if name == "all" {
                FaultKind::ALL.to_vec()
            } else {
                vec![name.parse()?]
            };
            for kind in more {
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
        }
        Ok(kinds)
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a fault kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault kind {name:?}: use {}", FaultKind::ALL.map(FaultKind::name).join(", "))]
pub struct UnknownFaultKind {
    /// The name given.
    pub name: String,
}

impl FromStr for FaultKind {
    type Err = UnknownFaultKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == s.trim())
            .ok_or_else(|| UnknownFaultKind { name: s.to_owned() })
    }
}

/// Fault injection: off unless `rate` is above 0.
///
/// Only object, multipart and listing requests (anything naming a key, and GET on a
/// bucket's objects or uploads, and batch deletes) are eligible; they are numbered in
/// the order they arrive, and request number `n` gets a fault, and which, by a
/// function of `seed` and `n` alone: the same seed gives the same faults for the same
/// sequence of requests. A drawn kind that cannot apply to a request (see
/// [`FaultKind`]; e.g. `bad-crc` on a PUT) is never drawn for it: the draw is among
/// the listed kinds that can. Nothing is ever written to the store by a fault: a
/// request is applied in full, or not at all.
#[derive(Clone, PartialEq)]
pub struct FaultConfig {
    /// Share of eligible requests that get a fault, 0 to 1 (0: off; 1: every one).
    pub rate: f64,
    /// The kinds to choose from (uniformly among those that can apply).
    pub kinds: Vec<FaultKind>,
    /// Seed of the sequence.
    pub seed: u64,
    /// How long a `slow` request waits before it is handled.
    pub delay: Duration,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate: 0.0,
            kinds: FaultKind::ALL.to_vec(),
            seed: 0,
            delay: Duration::from_secs(2),
        }
    }
}

impl fmt::Debug for FaultConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultConfig")
            .field("rate", &self.rate)
            .field("kinds", &format_args!("{}", self.kinds_text()))
            .field("seed", &self.seed)
            .field("delay", &self.delay)
            .finish()
    }
}

impl FaultConfig {
    /// Every listed kind at `rate`, from `seed`.
    pub fn new(rate: f64, kinds: &[FaultKind], seed: u64) -> Self {
        FaultConfig {
            rate,
            kinds: kinds.to_vec(),
            seed,
            ..FaultConfig::default()
        }
    }

    /// Whether any fault can be injected.
    pub fn enabled(&self) -> bool {
        self.rate > 0.0 && !self.kinds.is_empty()
    }

    /// The kinds as a comma-separated list.
    pub fn kinds_text(&self) -> String {
        self.kinds
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Checks the rate (a number from 0 to 1).
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(format!(
                "fault rate must be a number from 0 to 1, not {}",
                self.rate
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_name_and_all() {
        for kind in FaultKind::ALL {
            assert_eq!(kind.name().parse::<FaultKind>(), Ok(kind));
            assert_eq!(FaultKind::ALL[kind.index()], kind);
        }
        assert_eq!(
            FaultKind::parse_list(" 503, reset-request ,503").expect("parses"),
            vec![FaultKind::Unavailable, FaultKind::ResetRequest]
        );
        assert_eq!(FaultKind::parse_list("all").expect("all"), FaultKind::ALL);
        let err = FaultKind::parse_list("503,reset").expect_err("unknown");
        assert_eq!(err.name, "reset");
        assert!(err.to_string().contains("lost-answer"), "{err}");
    }

    #[test]
    fn off_by_default_and_rate_checked() {
        let config = FaultConfig::default();
        assert!(!config.enabled());
        assert!(config.check().is_ok());
        assert!(FaultConfig::new(0.2, &[FaultKind::Slow], 7).enabled());
        assert!(!FaultConfig::new(0.2, &[], 7).enabled());
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            assert!(
                FaultConfig::new(bad, &FaultKind::ALL, 0).check().is_err(),
                "{bad}"
            );
        }
    }
}
