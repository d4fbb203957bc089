//! A method's parameters, from a query string or a JSON object, read strictly: each
//! parameter at most once, numbers as plain decimal digits, and any parameter the method
//! does not know is a BadInput error naming it.

use std::collections::BTreeMap;

use crate::error::{SvcError, SvcErrorKind, SvcResult};

/// The largest `expires` / `urlExpires` accepted: ten years of seconds.
const MAX_SECONDS: u64 = 10 * 366 * 24 * 3600;

/// The parameters of one call, taken one by one; [`Params::finish`] refuses the rest.
#[derive(Debug)]
pub(crate) struct Params {
    method: &'static str,
    values: BTreeMap<String, String>,
}

impl Params {
    /// The pairs of a query string (already percent-decoded).
    pub(crate) fn from_pairs(
        method: &'static str,
        pairs: Vec<(String, String)>,
    ) -> SvcResult<Self> {
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            if values.contains_key(&name) {
                return Err(bad(method, format!("parameter {name:?} is given twice")));
            }
            values.insert(name, value);
        }
        Ok(Params { method, values })
    }

    /// A JSON object's members: strings, numbers (whole, non-negative) or null (absent).
    pub(crate) fn from_json(method: &'static str, body: &[u8]) -> SvcResult<Self> {
        let parsed: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| bad(method, format!("the body is not JSON: {e}")))?;
        let serde_json::Value::Object(members) = parsed else {
            return Err(bad(method, "the body must be a JSON object"));
        };
        let mut values = BTreeMap::new();
        for (name, value) in members {
            let text = match value {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) if n.is_u64() => n.to_string(),
                other => {
                    return Err(bad(
                        method,
                        format!(
                            "parameter {name:?} must be a string or a whole number, not {other}"
                        ),
                    ))
                }
            };
            values.insert(name, text);
        }
        Ok(Params { method, values })
    }

    /// A text parameter that must be given and not be empty.
    pub(crate) fn required(&mut self, name: &str) -> SvcResult<String> {
        match self.values.remove(name) {
            Some(v) if !v.is_empty() => Ok(v),
            Some(_) => Err(bad(self.method, format!("parameter {name:?} is empty"))),
            None => Err(bad(self.method, format!("parameter {name:?} is missing"))),
        }
    }

    /// An optional text parameter; empty counts as absent (a form's empty field).
    pub(crate) fn optional(&mut self, name: &str) -> Option<String> {
        self.values.remove(name).filter(|v| !v.is_empty())
    }

    /// A whole number of seconds (1 to ten years), if given.
    pub(crate) fn seconds(&mut self, name: &str) -> SvcResult<Option<u64>> {
        let Some(text) = self.optional(name) else {
            return Ok(None);
        };
        let n = parse_number(self.method, name, &text)?;
        if n == 0 || n > MAX_SECONDS {
            return Err(bad(
                self.method,
                format!("parameter {name:?} must be from 1 to {MAX_SECONDS} seconds, not {n}"),
            ));
        }
        Ok(Some(n))
    }

    /// A pixel count (a `u32`), if given.
    pub(crate) fn pixels(&mut self, name: &str) -> SvcResult<Option<u32>> {
        let Some(text) = self.optional(name) else {
            return Ok(None);
        };
        let n = parse_number(self.method, name, &text)?;
        u32::try_from(n)
            .map(Some)
            .map_err(|_| bad(self.method, format!("parameter {name:?} is too large: {n}")))
    }

    /// Refuses any parameter not taken.
    pub(crate) fn finish(self) -> SvcResult<()> {
        match self.values.keys().next() {
            None => Ok(()),
            Some(name) => Err(bad(
                self.method,
                format!("unknown parameter {name:?} (see the method's parameters in the docs)"),
            )),
        }
    }
}

/// A BadInput error of `method`.
pub(crate) fn bad(method: &'static str, message: impl Into<String>) -> SvcError {
    SvcError::new(SvcErrorKind::BadInput, method, message)
}

/// Plain decimal digits only (no sign, no spaces, no fraction), within `u64`.
pub(crate) fn parse_number(method: &'static str, name: &str, text: &str) -> SvcResult<u64> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            method,
            format!("parameter {name:?} must be a whole number, not {text:?}"),
        ));
    }
    text.parse()
        .map_err(|_| bad(method, format!("parameter {name:?} is too large: {text}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn numbers_are_strict() {
        for bad_value in [
            "+1",
            "-1",
            " 1",
            "1.0",
            "0x10",
            "",
            "1e3",
            "99999999999999999999999",
        ] {
            let mut p = Params::from_pairs("preview", pairs(&[("width", bad_value)])).unwrap();
            if bad_value.is_empty() {
                assert_eq!(p.pixels("width").unwrap(), None);
            } else {
                let e = p.pixels("width").unwrap_err();
                assert_eq!(e.kind(), SvcErrorKind::BadInput, "{bad_value}");
                assert!(e.message().contains("width"), "{e}");
            }
        }
        let mut p = Params::from_pairs("x", pairs(&[("width", "120")])).unwrap();
        assert_eq!(p.pixels("width").unwrap(), Some(120));
        let mut p = Params::from_pairs("x", pairs(&[("width", "4294967296")])).unwrap();
        assert!(p.pixels("width").is_err());
        let mut p = Params::from_pairs("x", pairs(&[("expires", "0")])).unwrap();
        assert!(p.seconds("expires").is_err());
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let e = Params::from_pairs("x", pairs(&[("file", "a"), ("file", "b")])).unwrap_err();
        assert!(e.message().contains("twice"), "{e}");
        let mut p = Params::from_pairs("x", pairs(&[("file", "a"), ("sotrage", "b")])).unwrap();
        assert_eq!(p.required("file").unwrap(), "a");
        let e = p.finish().unwrap_err();
        assert!(e.message().contains("sotrage"), "{e}");
    }

    #[test]
    fn json_members_are_strings_or_whole_numbers() {
        let mut p =
            Params::from_json("x", br#"{"file":"a.png","expires":60,"storage":null}"#).unwrap();
        assert_eq!(p.required("file").unwrap(), "a.png");
        assert_eq!(p.seconds("expires").unwrap(), Some(60));
        assert_eq!(p.optional("storage"), None);
        p.finish().unwrap();
        for body in [
            &br#"{"expires":1.5}"#[..],
            br#"{"expires":-1}"#,
            b"[1]",
            b"{",
            br#"{"a":{}}"#,
        ] {
            assert!(
                Params::from_json("x", body).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
