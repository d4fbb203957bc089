//! Checks of presigned URLs, fetched over real HTTP: GET serves the bytes (and a tampered
//! URL does not), PUT stores an upload with the signed content type.

use std::time::Duration;

use super::fixtures::{prefix, random_bytes};
use super::target::Target;
use crate::ext::StorageMetaExt;
use crate::types::PresignOptions;

/// A signed GET URL, fetched over HTTP, returns the object's bytes; a tampered one does
/// not.
pub(crate) async fn signed_url_serves_bytes(t: &Target) {
    let key = format!("{}signed/photo 1+x.bin", prefix());
    let data = random_bytes(4096);
    t.storage
        .upload_by_file(&key, data.clone(), Some("image/jpeg"))
        .await
        .expect("upload");
    let url = t
        .storage
        .get_sign_url(&key, Some("image/jpeg"), Some(Duration::from_secs(600)))
        .await
        .expect("sign");
    let response = t.http.get(&url).send().await.expect("fetch signed URL");
    assert_eq!(response.status().as_u16(), 200, "GET {url}");
    assert!(response.bytes().await.expect("body") == data);
    let url = t
        .storage
        .get_sign_url(&key, None, None)
        .await
        .expect("sign with defaults");
    let response = t.http.get(&url).send().await.expect("fetch signed URL");
    assert_eq!(response.status().as_u16(), 200, "GET {url}");
    // Changing the signature must make the URL useless.
    let tampered = tamper_signature(&url);
    let response = t
        .http
        .get(&tampered)
        .send()
        .await
        .expect("fetch tampered URL");
    assert!(
        response.status().is_client_error(),
        "tampered URL answered {}",
        response.status()
    );
}

/// A presigned PUT URL accepts an upload with the signed content type.
pub(crate) async fn presigned_put_uploads(t: &Target) {
    let key = format!("{}browser/upload.txt", prefix());
    let presigned = t
        .storage
        .presign(
            &key,
            PresignOptions::put("text/plain", Duration::from_secs(600)),
        )
        .await
        .expect("presign put");
    let mut request = t.http.put(&presigned.url).body("from a browser");
    for (name, value) in &presigned.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("PUT presigned");
    assert!(
        response.status().is_success(),
        "PUT answered {}",
        response.status()
    );
    assert_eq!(
        t.storage.download(&key).await.expect("download"),
        &b"from a browser"[..]
    );
    let info = t.storage.get_object(&key).await.expect("stat");
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
}

fn tamper_signature(url: &str) -> String {
    // Change the last character of the URL's last query value, which is where every
    // signing scheme here puts (or ends) its signature. Digits, so that the new value
    // differs for hex (where 'a' and 'A' are the same digit) and base64 alike.
    let mut chars: Vec<char> = url.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = if *last == '0' { '1' } else { '0' };
    }
    chars.into_iter().collect()
}
