//! The date forms signatures carry: Unix seconds, RFC 1123 HTTP dates (V1's `Date`) and
//! ISO 8601 basic date-times (V4's `x-oss-date`), formatted and parsed with the clock
//! passed in.

use std::time::{SystemTime, UNIX_EPOCH};

use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::request::SignError;

/// Seconds since the Unix epoch, or an error for times before it.
pub fn unix_seconds(t: SystemTime) -> Result<u64, SignError> {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| SignError::TimeOutOfRange)
}

fn to_utc(t: SystemTime) -> Result<OffsetDateTime, SignError> {
    let secs = i64::try_from(unix_seconds(t)?).map_err(|_| SignError::TimeOutOfRange)?;
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| SignError::TimeOutOfRange)
}

/// Formats an RFC 1123 HTTP date: `Thu, 17 Nov 2005 18:49:58 GMT`.
pub fn format_http_date(t: SystemTime) -> Result<String, SignError> {
    let fmt = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let dt = to_utc(t)?;
    if dt.year() > 9999 {
        return Err(SignError::TimeOutOfRange);
    }
    dt.format(&fmt).map_err(|_| SignError::TimeOutOfRange)
}

/// Formats the V4 timestamp `yyyymmddThhmmssZ` (UTC).
pub fn format_v4_datetime(t: SystemTime) -> Result<String, SignError> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    let dt = to_utc(t)?;
    if dt.year() > 9999 {
        return Err(SignError::TimeOutOfRange);
    }
    dt.format(&fmt).map_err(|_| SignError::TimeOutOfRange)
}

/// Parses the V4 timestamp `yyyymmddThhmmssZ`; `None` if malformed.
pub fn parse_v4_datetime(s: &str) -> Option<SystemTime> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    if s.len() != 16 {
        return None;
    }
    let dt = PrimitiveDateTime::parse(s, &fmt).ok()?.assume_utc();
    let secs = u64::try_from(dt.unix_timestamp()).ok()?;
    UNIX_EPOCH.checked_add(std::time::Duration::from_secs(secs))
}

/// Parses an HTTP date (RFC 1123, RFC 850 or asctime); `None` if malformed.
pub fn parse_http_date(s: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(s.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        let t = UNIX_EPOCH + Duration::from_secs(1_132_253_398);
        assert_eq!(
            format_http_date(t).unwrap(),
            "Thu, 17 Nov 2005 18:49:58 GMT"
        );
        assert_eq!(format_v4_datetime(t).unwrap(), "20051117T184958Z");
        assert_eq!(parse_v4_datetime("20051117T184958Z"), Some(t));
        assert_eq!(parse_http_date("Thu, 17 Nov 2005 18:49:58 GMT"), Some(t));
        assert_eq!(parse_v4_datetime("2005-11-17T18:49:58Z"), None);
        assert_eq!(parse_v4_datetime("20051317T184958Z"), None);
        assert_eq!(parse_v4_datetime("2005111xT184958Z"), None);
        assert_eq!(
            format_http_date(UNIX_EPOCH - Duration::from_secs(1)),
            Err(SignError::TimeOutOfRange)
        );
    }
}
