//! What the listing handlers (objects, uploads, parts) share: page sizes from the query
//! ([`parse_count`]), rolling names up into common prefixes ([`common_prefix`], from
//! [`crate::shared::listing`]) and URL-encoding names when `encoding-type=url` was
//! asked for ([`maybe_encode`]).

use super::context::Ctx;
use crate::error::{OssError, OssResult};
pub use crate::shared::listing::common_prefix;

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

/// Encodes `text` for a response if `encoding-type=url` was asked for.
pub fn maybe_encode(text: &str, encoding: &Option<String>) -> String {
    match encoding {
        Some(_) => jit_oss_protocol::encode::encode_query_component(text),
        None => text.to_owned(),
    }
}
