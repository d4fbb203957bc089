//! The OSS error response body:
//! `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId><HostId>…</HostId>…</Error>`.
//!
//! [`OssErrorBody::parse`] reads one with quick-xml (clients); [`OssErrorBody::to_xml`]
//! writes one with proper escaping (the local server).

use quick_xml::escape::escape;
use quick_xml::events::Event;
use quick_xml::Reader;

/// A parsed or to-be-written OSS error body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OssErrorBody {
    /// Error code, e.g. `NoSuchKey`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The request id (also sent as `x-oss-request-id`).
    pub request_id: String,
    /// The host that answered.
    pub host_id: String,
    /// Every other child element in document order, e.g. `("Key", "a.txt")`,
    /// `("StringToSign", …)`, `("EC", "0026-00000001")`.
    pub extra: Vec<(String, String)>,
}

impl OssErrorBody {
    /// A body with code and message; other fields empty.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        OssErrorBody {
            code: code.into(),
            message: message.into(),
            ..Default::default()
        }
    }

    /// The first extra element with that name.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parses an OSS error body; `None` if it is not well-formed XML with an `<Error>`
    /// root element.
    pub fn parse(body: &[u8]) -> Option<OssErrorBody> {
        parse(body)
    }

    /// Serialises as OSS does, with an XML declaration; text is escaped and extra
    /// elements whose names are not valid XML names are left out.
    pub fn to_xml(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
        let fixed = [
            ("Code", &self.code),
            ("Message", &self.message),
            ("RequestId", &self.request_id),
            ("HostId", &self.host_id),
        ];
        let extras = self.extra.iter().map(|(n, v)| (n.as_str(), v));
        for (name, value) in fixed.into_iter().chain(extras) {
            if !is_xml_name(name) {
                continue;
            }
            out.push_str("  <");
            out.push_str(name);
            out.push('>');
            out.push_str(&escape(value.as_str()));
            out.push_str("</");
            out.push_str(name);
            out.push_str(">\n");
        }
        out.push_str("</Error>\n");
        out
    }
}

/// Parses an OSS error body; see [`OssErrorBody::parse`].
pub fn parse(body: &[u8]) -> Option<OssErrorBody> {
    let mut reader = Reader::from_reader(body);
    let mut out = OssErrorBody::default();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut current: Option<(String, String)> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                depth += 1;
                if depth == 1 {
                    if seen_root || e.name().as_ref() != b"Error" {
                        return None;
                    }
                    seen_root = true;
                } else if depth == 2 {
                    let name = std::str::from_utf8(e.name().as_ref()).ok()?.to_owned();
                    current = Some((name, String::new()));
                }
            }
            Event::Empty(e) => {
                if depth == 0 {
                    // `<Error/>`: an empty error body.
                    if seen_root || e.name().as_ref() != b"Error" {
                        return None;
                    }
                    seen_root = true;
                } else if depth == 1 {
                    let name = std::str::from_utf8(e.name().as_ref()).ok()?.to_owned();
                    store(&mut out, name, String::new());
                }
            }
            Event::Text(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t.unescape().ok()?);
                }
            }
            Event::CData(c) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(std::str::from_utf8(&c).ok()?);
                }
            }
            Event::End(_) => {
                if depth == 2 {
                    if let Some((name, text)) = current.take() {
                        store(&mut out, name, text);
                    }
                }
                depth = depth.checked_sub(1)?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if seen_root && depth == 0 {
        Some(out)
    } else {
        None
    }
}

fn store(out: &mut OssErrorBody, name: String, text: String) {
    let text = text.trim().to_owned();
    match name.as_str() {
        "Code" => out.code = text,
        "Message" => out.message = text,
        "RequestId" => out.request_id = text,
        "HostId" => out.host_id = text,
        _ => out.extra.push((name, text)),
    }
}

fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    !name.to_ascii_lowercase().starts_with("xml")
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>SignatureDoesNotMatch</Code>
  <Message>The request signature we calculated does not match the signature you provided.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>bucket.oss-cn-hangzhou.aliyuncs.com</HostId>
  <OSSAccessKeyId>LTAI****</OSSAccessKeyId>
  <StringToSign>GET&#10;&#10;&#10;Wed, 11 Feb 2026 10:00:00 GMT&#10;/bucket/a&amp;b</StringToSign>
  <EC>0002-00000040</EC>
</Error>"#;

    #[test]
    fn parses_oss_body() {
        let b = OssErrorBody::parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(b.code, "SignatureDoesNotMatch");
        assert_eq!(b.request_id, "5C3D9175B6FC201293AD****");
        assert_eq!(b.host_id, "bucket.oss-cn-hangzhou.aliyuncs.com");
        assert_eq!(b.extra("OSSAccessKeyId"), Some("LTAI****"));
        assert_eq!(
            b.extra("StringToSign"),
            Some("GET\n\n\nWed, 11 Feb 2026 10:00:00 GMT\n/bucket/a&b")
        );
        assert_eq!(b.extra("EC"), Some("0002-00000040"));
        assert_eq!(b.extra.len(), 3);
    }

    #[test]
    fn round_trips_with_escaping() {
        let mut b = OssErrorBody::new("NoSuchKey", "The specified key <a & \"b\"> does not exist.");
        b.request_id = "RID".into();
        b.host_id = "h".into();
        b.extra.push(("Key".into(), "dir/<x>&'y'.txt".into()));
        b.extra.push(("bad name".into(), "dropped".into()));
        let xml = b.to_xml();
        assert!(xml.starts_with(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>NoSuchKey</Code>"
        ));
        assert!(xml.contains("&lt;a &amp; &quot;b&quot;&gt;"), "{xml}");
        assert!(!xml.contains("dropped"));
        let back = OssErrorBody::parse(xml.as_bytes()).unwrap();
        b.extra.pop();
        assert_eq!(back, b);
    }

    #[test]
    fn rejects_non_error_bodies() {
        for body in [
            "",
            "not xml at all",
            "<ListBucketResult><Name>b</Name></ListBucketResult>",
            "<Error><Code>X</Code>",
            "<Error><Code>X</Error>",
            "<Error></Error><Error></Error>",
        ] {
            assert_eq!(OssErrorBody::parse(body.as_bytes()), None, "{body}");
        }
        assert_eq!(
            OssErrorBody::parse(b"<Error/>"),
            Some(OssErrorBody::default())
        );
        let b =
            OssErrorBody::parse(b"<Error><Code><![CDATA[A<B]]></Code><Empty/></Error>").unwrap();
        assert_eq!(b.code, "A<B");
        assert_eq!(b.extra("Empty"), Some(""));
    }
}
