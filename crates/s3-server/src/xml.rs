//! XML: escaping and S3's time formats for the documents the handlers write
//! ([`escape`], [`iso8601`], [`Doc`]), and the two request bodies the
//! server reads ([`CompleteMultipartUpload`], [`DeleteRequest`]).

use serde::Deserialize;

/// The S3 namespace of response documents.
pub const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Escapes text for an XML element.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str(&format!("&#x{:X};", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Unix seconds as S3's `2006-02-03T16:45:09.000Z`.
pub fn iso8601(unix_secs: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(unix_secs as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A response document being written.
#[derive(Debug)]
pub struct Doc {
    out: String,
}

impl Doc {
    /// Starts a document whose root is `root` (in the S3 namespace).
    pub fn new(root: &str) -> Self {
        Doc {
            out: format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{NS}\">"),
        }
    }

    /// `<name>text</name>`.
    pub fn field(&mut self, name: &str, text: impl AsRef<str>) -> &mut Self {
        self.out
            .push_str(&format!("<{name}>{}</{name}>", escape(text.as_ref())));
        self
    }

    /// `<name>text</name>` if there is a text.
    pub fn opt(&mut self, name: &str, text: Option<impl AsRef<str>>) -> &mut Self {
        if let Some(text) = text {
            self.field(name, text);
        }
        self
    }

    /// Opens an element.
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push_str(&format!("<{name}>"));
        self
    }

    /// Closes an element.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str(&format!("</{name}>"));
        self
    }

    /// Closes the root and returns the text.
    pub fn finish(mut self, root: &str) -> String {
        self.out.push_str(&format!("</{root}>"));
        self.out
    }
}

/// One `<Part>` of CompleteMultipartUpload.
#[derive(Debug, Deserialize)]
pub struct CompletePart {
    /// Part number.
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    /// The part's ETag as the client got it.
    #[serde(rename = "ETag", default)]
    pub etag: String,
    /// Checksums the client lists for the part.
    #[serde(rename = "ChecksumCRC32", default)]
    pub crc32: Option<String>,
    /// CRC-32C of the part.
    #[serde(rename = "ChecksumCRC32C", default)]
    pub crc32c: Option<String>,
    /// CRC-64/NVME of the part.
    #[serde(rename = "ChecksumCRC64NVME", default)]
    pub crc64nvme: Option<String>,
    /// SHA-1 of the part.
    #[serde(rename = "ChecksumSHA1", default)]
    pub sha1: Option<String>,
    /// SHA-256 of the part.
    #[serde(rename = "ChecksumSHA256", default)]
    pub sha256: Option<String>,
}

impl CompletePart {
    /// The checksum the client lists for `algorithm` (lower-case name).
    pub fn checksum(&self, algorithm: &str) -> Option<&str> {
        match algorithm {
            "crc32" => self.crc32.as_deref(),
            "crc32c" => self.crc32c.as_deref(),
            "crc64nvme" => self.crc64nvme.as_deref(),
            "sha1" => self.sha1.as_deref(),
            "sha256" => self.sha256.as_deref(),
            _ => None,
        }
    }
}

/// The body of CompleteMultipartUpload.
#[derive(Debug, Deserialize)]
pub struct CompleteMultipartUpload {
    /// The parts, in the client's order.
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletePart>,
}

/// One `<Object>` of DeleteObjects.
#[derive(Debug, Deserialize)]
pub struct DeleteObject {
    /// The key.
    #[serde(rename = "Key")]
    pub key: String,
}

/// The body of DeleteObjects.
#[derive(Debug, Deserialize)]
pub struct DeleteRequest {
    /// Whether only errors are reported.
    #[serde(rename = "Quiet", default)]
    pub quiet: bool,
    /// The keys.
    #[serde(rename = "Object", default)]
    pub objects: Vec<DeleteObject>,
}

/// Parses a request body document; `None` if it is not one (MalformedXML).
pub fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Option<T> {
    quick_xml::de::from_str(std::str::from_utf8(body).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_parse_and_text_escapes() {
        let c: CompleteMultipartUpload = parse(
            br#"<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"a"</ETag><PartNumber>1</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><PartNumber>2</PartNumber><ETag>b</ETag></Part></CompleteMultipartUpload>"#,
        )
        .unwrap();
        assert_eq!(c.parts.len(), 2);
        assert_eq!(c.parts[0].checksum("crc32"), Some("AAAAAA=="));
        let d: DeleteRequest =
            parse(b"<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key></Object></Delete>")
                .unwrap();
        assert!(d.quiet);
        assert_eq!(d.objects[0].key, "a&b");
        assert!(parse::<DeleteRequest>(b"<Delete><Object>").is_none());
        assert_eq!(escape("a<&>\u{1}"), "a&lt;&amp;&gt;&#x1;");
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
    }
}
