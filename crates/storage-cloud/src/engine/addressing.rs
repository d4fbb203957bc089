//! Where a bucket's objects live: the [`Addressing`] styles (virtual host, path,
//! custom domain), how an endpoint as written (`https://host:port/`) and the
//! `pathStyle` and `customDomain` keys resolve to one, and the host, path and URL of
//! an object under it. The same for OSS and the S3 family.

use jit_wire::percent::encode_path;

/// How object URLs are formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressing {
    /// `scheme://bucket.endpoint/key` (what OSS's and AWS's public endpoints use).
    VirtualHost,
    /// `scheme://endpoint/bucket/key` (local servers, MinIO, R2).
    PathStyle,
    /// `scheme://domain/key` for a CNAME bound to the bucket.
    CustomDomain(String),
}

/// A scheme, endpoint and addressing style, or the key at fault and why.
pub(crate) type Resolved = Result<(&'static str, String, Addressing), (&'static str, String)>;

/// The scheme, endpoint host and addressing style of `end_point`, `customDomain` and
/// `pathStyle`: a scheme written in `end_point` (or `customDomain`) wins over
/// `default_scheme`; without `pathStyle`, `path_style_default` decides from the
/// endpoint host. `example` is an endpoint for messages.
pub(crate) fn resolve(
    end_point: &str,
    default_scheme: &'static str,
    path_style: Option<bool>,
    path_style_default: fn(&str) -> bool,
    custom_domain: Option<&str>,
    example: &str,
) -> Resolved {
    let (endpoint_scheme, endpoint) = split_scheme("endPoint", end_point, example)?;
    let mut scheme = endpoint_scheme.unwrap_or(default_scheme);
    let path_style = path_style.unwrap_or_else(|| path_style_default(&endpoint));
    let addressing = match custom_domain.map(str::trim) {
        Some(domain) if !domain.is_empty() => {
            if path_style {
                return Err((
                    "pathStyle",
                    "cannot be combined with customDomain (a custom domain names the bucket by itself)".into(),
                ));
            }
            let (domain_scheme, host) = split_scheme("customDomain", domain, example)?;
            if let Some(s) = domain_scheme {
                scheme = s;
            }
            Addressing::CustomDomain(host)
        }
        _ if path_style => Addressing::PathStyle,
        _ => Addressing::VirtualHost,
    };
    Ok((scheme, endpoint, addressing))
}

/// Whether `host[:port]` names an IPv4 or bracketed IPv6 address: a bucket cannot be
/// a sub-domain of one, so such endpoints (local servers) are path style by default.
pub(crate) fn host_is_ip_literal(endpoint: &str) -> bool {
    if let Some(rest) = endpoint.strip_prefix('[') {
        return rest
            .split_once(']')
            .is_some_and(|(ip, _)| ip.parse::<std::net::Ipv6Addr>().is_ok());
    }
    let host = endpoint.rsplit_once(':').map_or(endpoint, |(h, _)| h);
    host.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Splits `https://Host:port/` into (`Some("https")`, `host:port`), refusing other
/// schemes, paths, queries and user info.
fn split_scheme(
    field: &'static str,
    raw: &str,
    example: &str,
) -> Result<(Option<&'static str>, String), (&'static str, String)> {
    let raw = raw.trim();
    let (scheme, rest) = match raw.split_once("://") {
        Some((s, rest)) if s.eq_ignore_ascii_case("http") => (Some("http"), rest),
        Some((s, rest)) if s.eq_ignore_ascii_case("https") => (Some("https"), rest),
        Some((s, _)) => {
            return Err((
                field,
                format!("scheme {s:?} is not supported; use http:// or https://"),
            ))
        }
        None => (None, raw),
    };
    let host = rest.trim_end_matches('/');
    if host.is_empty() {
        return Err((field, format!("must name a host, e.g. {example}")));
    }
    if host.contains(['/', '?', '#', '@', ' ']) {
        return Err((
            field,
            format!("{host:?} must be a host (with optional port), without path, query or user"),
        ));
    }
    Ok((scheme, host.to_ascii_lowercase()))
}

/// Where one bucket's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// Endpoint host with optional port.
    pub endpoint: &'a str,
    /// The bucket.
    pub bucket: &'a str,
    /// How URLs are formed.
    pub addressing: &'a Addressing,
}

impl Place<'_> {
    /// The host (with port) requests go to.
    pub fn host(&self) -> String {
        match self.addressing {
            Addressing::VirtualHost => format!("{}.{}", self.bucket, self.endpoint),
            Addressing::PathStyle => self.endpoint.to_string(),
            Addressing::CustomDomain(domain) => domain.clone(),
        }
    }

    /// The percent-encoded path of `key` (segment by segment, `/` kept); the bucket
    /// root for `None`.
    pub fn path(&self, key: Option<&str>) -> String {
        let key = encode_path(key.unwrap_or(""));
        match self.addressing {
            Addressing::PathStyle => format!("/{}/{key}", self.bucket),
            _ => format!("/{key}"),
        }
    }

    /// `scheme://host[/bucket]`: the URL prefix objects live under, without a trailing
    /// `/`.
    #[cfg(test)]
    pub fn base_url(&self) -> String {
        match self.addressing {
            Addressing::PathStyle => format!("{}://{}/{}", self.scheme, self.endpoint, self.bucket),
            _ => format!("{}://{}", self.scheme, self.host()),
        }
    }

    /// The object's unsigned address; the bucket root (`…/`) for `None`.
    pub fn url(&self, key: Option<&str>) -> String {
        format!("{}://{}{}", self.scheme, self.host(), self.path(key))
    }
}
