//! The V4 signing region an OSS endpoint implies
//! (`oss-cn-hangzhou(-internal).aliyuncs.com` → `cn-hangzhou`).

/// The V4 signing region of an OSS endpoint, or `None` when the endpoint does not name
/// one (custom domains, `oss-accelerate*`, IP addresses).
///
/// Accepts `oss-cn-hangzhou.aliyuncs.com`, `oss-cn-hangzhou-internal.aliyuncs.com`,
/// `bucket.oss-cn-hangzhou.aliyuncs.com`, the dual-stack form
/// `cn-hangzhou.oss.aliyuncs.com`, with or without `http(s)://`, port or path.
pub fn region_from_endpoint(endpoint: &str) -> Option<String> {
    let trimmed = endpoint.trim();
    let no_scheme = match trimmed.split_once("://") {
        Some((_, rest)) => rest,
        None => trimmed,
    };
    let host = no_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n < 3 || labels[n - 2] != "aliyuncs" || labels[n - 1] != "com" {
        return None;
    }
    let service = labels[n - 3];
    if service == "oss" {
        // Dual-stack: <region>.oss.aliyuncs.com
        if n >= 4 && looks_like_region(labels[n - 4]) {
            return Some(labels[n - 4].to_owned());
        }
        return None;
    }
    let rest = service.strip_prefix("oss-")?;
    let region = rest.strip_suffix("-internal").unwrap_or(rest);
    if region.starts_with("accelerate") || !looks_like_region(region) {
        return None;
    }
    Some(region.to_owned())
}

fn looks_like_region(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    first.len() >= 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.clone().count() >= 1
        && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        let r = |e| region_from_endpoint(e);
        assert_eq!(
            r("oss-cn-hangzhou.aliyuncs.com").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(
            r("oss-cn-hangzhou-internal.aliyuncs.com").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(
            r("https://oss-us-west-1.aliyuncs.com/").as_deref(),
            Some("us-west-1")
        );
        assert_eq!(
            r("http://b.oss-cn-beijing.aliyuncs.com:80/x").as_deref(),
            Some("cn-beijing")
        );
        assert_eq!(
            r("cn-shanghai.oss.aliyuncs.com").as_deref(),
            Some("cn-shanghai")
        );
        assert_eq!(
            r("OSS-CN-HANGZHOU.ALIYUNCS.COM").as_deref(),
            Some("cn-hangzhou")
        );
        assert_eq!(r("oss-accelerate.aliyuncs.com"), None);
        assert_eq!(r("oss-accelerate-overseas.aliyuncs.com"), None);
        assert_eq!(r("oss.aliyuncs.com"), None);
        assert_eq!(r("127.0.0.1:9000"), None);
        assert_eq!(r("static.example.com"), None);
        assert_eq!(r(""), None);
        assert_eq!(r("oss-.aliyuncs.com"), None);
    }
}
