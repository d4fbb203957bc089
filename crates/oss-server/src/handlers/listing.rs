//! What the listing handlers (objects, uploads, parts) share: page sizes from the query
//! ([`parse_count`]), rolling names up into common prefixes ([`common_prefix`]) and
//! URL-encoding names when `encoding-type=url` was asked for ([`maybe_encode`]).

use super::context::Ctx;
use crate::error::{OssError, OssResult};

/// Parses a decimal query parameter with a default and an inclusive upper bound.
pub fn parse_count(ctx: &Ctx<'_>, name: &str, default: usize, max: usize) -> OssResult<usize> {
    match ctx.q(name) {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(OssError::invalid_argument(
                format!("Argument {name} must be an integer between 0 and {max}."),
                name,
                text,
            )),
        },
    }
}

/// Groups sorted names under `prefix` by `delimiter`: returns, for `name`, either the
/// common prefix it rolls up into, or `None` if it is listed itself.
pub fn common_prefix<'n>(name: &'n str, prefix: &str, delimiter: &str) -> Option<&'n str> {
    if delimiter.is_empty() {
        return None;
    }
    let rest = name.get(prefix.len()..)?;
    rest.find(delimiter)
        .map(|at| &name[..prefix.len() + at + delimiter.len()])
}

/// Encodes `text` for a response if `encoding-type=url` was asked for.
pub fn maybe_encode(text: &str, encoding: &Option<String>) -> String {
    match encoding {
        Some(_) => jit_oss_protocol::encode::encode_query_component(text),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefixes_roll_up_at_the_first_delimiter() {
        assert_eq!(common_prefix("a/b/c", "", "/"), Some("a/"));
        assert_eq!(common_prefix("a/b/c", "a/", "/"), Some("a/b/"));
        assert_eq!(common_prefix("a/b", "a/", "/"), None);
        assert_eq!(common_prefix("a/b", "", ""), None);
        assert_eq!(common_prefix("x--y--z", "", "--"), Some("x--"));
    }
}
