//! Content types: the one rule every Type uses when the caller gives none — guess from
//! the name's extension, else `application/octet-stream`.

/// The content type used when neither the caller nor the name's extension tells one.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// The MIME type `name` implies by its extension (`photos/a.PNG` → `image/png`),
/// [`DEFAULT_CONTENT_TYPE`] when it has none or an unknown one.
pub fn guess_content_type(name: &str) -> String {
    let file_name = name.rsplit(['/', '\\']).next().unwrap_or(name);
    mime_guess::from_path(file_name)
        .first_raw()
        .unwrap_or(DEFAULT_CONTENT_TYPE)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_from_the_last_segment_only() {
        assert_eq!(guess_content_type("a/b/photo.PNG"), "image/png");
        assert_eq!(guess_content_type("report.pdf"), "application/pdf");
        assert_eq!(guess_content_type("notes.txt"), "text/plain");
        assert_eq!(guess_content_type("blob"), DEFAULT_CONTENT_TYPE);
        assert_eq!(guess_content_type("dir.png/blob"), DEFAULT_CONTENT_TYPE);
        assert_eq!(
            guess_content_type("archive.unknownext"),
            DEFAULT_CONTENT_TYPE
        );
        assert_eq!(guess_content_type("trailing/"), DEFAULT_CONTENT_TYPE);
    }
}
