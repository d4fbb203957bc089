//! [`RangeSpec`]: one HTTP byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`), resolved
//! against the object's size when it is known.

use std::ops::Range;

/// One byte range of a `Range: bytes=…` header. Several ranges are not supported (the
/// whole file is sent, as RFC 9110 allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeSpec {
    /// `bytes=first-last` (inclusive).
    FromTo(u64, u64),
    /// `bytes=first-`.
    From(u64),
    /// `bytes=-n`: the last `n` bytes.
    Suffix(u64),
}

impl RangeSpec {
    /// Parses a `Range` header value; `None` for anything but one well-formed byte range
    /// (the caller then sends the whole file).
    pub fn parse(header: &str) -> Option<RangeSpec> {
        let spec = header.trim().strip_prefix("bytes=")?.trim();
        if spec.contains(',') {
            return None;
        }
        let (first, last) = spec.split_once('-')?;
        let number = |s: &str| -> Option<u64> {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        match (first.trim().is_empty(), last.trim().is_empty()) {
            (true, false) => Some(RangeSpec::Suffix(number(last)?)),
            (false, true) => Some(RangeSpec::From(number(first)?)),
            (false, false) => {
                let (a, b) = (number(first)?, number(last)?);
                (a <= b).then_some(RangeSpec::FromTo(a, b))
            }
            (true, true) => None,
        }
    }

    /// The half-open range of an object of `size` bytes; `None` when unsatisfiable (HTTP
    /// 416).
    pub fn resolve(self, size: u64) -> Option<Range<u64>> {
        match self {
            RangeSpec::FromTo(a, _) | RangeSpec::From(a) if a >= size => None,
            RangeSpec::FromTo(a, b) => Some(a..b.saturating_add(1).min(size)),
            RangeSpec::From(a) => Some(a..size),
            RangeSpec::Suffix(0) => None,
            RangeSpec::Suffix(_) if size == 0 => None,
            RangeSpec::Suffix(n) => Some(size.saturating_sub(n)..size),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms_and_refuses_the_rest() {
        assert_eq!(RangeSpec::parse("bytes=0-9"), Some(RangeSpec::FromTo(0, 9)));
        assert_eq!(RangeSpec::parse("bytes=5-"), Some(RangeSpec::From(5)));
        assert_eq!(RangeSpec::parse("bytes=-3"), Some(RangeSpec::Suffix(3)));
        for bad in [
            "bytes=9-0",
            "bytes=-",
            "bytes=0-1,3-4",
            "items=0-1",
            "bytes=a-b",
            "bytes=+1-2",
        ] {
            assert_eq!(RangeSpec::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn resolves_against_the_size() {
        assert_eq!(RangeSpec::FromTo(0, 9).resolve(5), Some(0..5));
        assert_eq!(RangeSpec::From(5).resolve(5), None);
        assert_eq!(RangeSpec::Suffix(3).resolve(10), Some(7..10));
        assert_eq!(RangeSpec::Suffix(30).resolve(10), Some(0..10));
        assert_eq!(RangeSpec::Suffix(0).resolve(10), None);
        assert_eq!(RangeSpec::Suffix(1).resolve(0), None);
    }
}
