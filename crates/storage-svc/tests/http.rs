//! The HTTP service end to end (see `http_support`): every route, multipart uploads,
//! ranges, ETags, attachment names, thumbnails, sandboxed active content, getSignUrl and
//! clear errors for bad requests.

mod http_support;

use http_support::{json, png, protected, start, uploaded, TOKEN};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn upload_then_preview_download_and_delete() {
    let svc = start(protected()).await;
    let bytes = b"hello, StorageSvc\n".repeat(100);
    let record = uploaded(svc.upload("notes/hello.txt", bytes.clone(), &[]).await).await;
    assert_eq!(record["name"], "notes/hello.txt", "{record}");
    assert_eq!(record["size"], bytes.len() as u64, "{record}");
    assert_eq!(record["uploadUser"], "tester", "{record}");
    assert_eq!(record["storeFullName"], "storages.Default", "{record}");
    let file = record["fileName"].as_str().unwrap().to_owned();

    // The record's url previews it.
    let url = format!("{}{}", svc.base, record["url"].as_str().unwrap());
    let preview = svc.http.get(&url).send().await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let h = preview.headers().clone();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-disposition"], "inline");
    assert_eq!(h["cache-control"], "private, no-cache");
    assert!(
        h["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"),
        "{h:?}"
    );
    assert_eq!(h["content-length"], bytes.len().to_string().as_str());
    let etag = h["etag"].to_str().unwrap().to_owned();
    assert_eq!(preview.bytes().await.unwrap(), bytes);

    // HEAD: the headers, no body.
    let head = svc.http.head(&url).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["etag"], etag.as_str());
    assert!(head.bytes().await.unwrap().is_empty());

    // download: the same bytes as an attachment.
    let down = svc.get("download", &[("file", &file)]).await;
    assert_eq!(down.status(), StatusCode::OK);
    let disposition = down.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"hello.txt\""),
        "{disposition}"
    );
    assert_eq!(down.bytes().await.unwrap(), bytes);

    // delete (POST JSON), then it is gone.
    let deleted = svc
        .http
        .post(svc.url("delete"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "file": file }))
        .send()
        .await
        .unwrap();
    let (status, body) = json(deleted).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], Value::Null);
    let (status, body) = json(svc.get("preview", &[("file", &file)]).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["errcode"], 404);
    assert_eq!(body["kind"], "NotFound");
}

#[tokio::test]
async fn ranges_and_if_none_match() {
    let svc = start(protected()).await;
    let bytes: Vec<u8> = (0..1000u32).map(|i| (i % 251) as u8).collect();
    let record = uploaded(svc.upload("data.bin", bytes.clone(), &[]).await).await;
    let file = record["fileName"].as_str().unwrap();
    let url = svc.url("preview");

    let part = svc
        .http
        .get(&url)
        .query(&[("file", file)])
        .header("Range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], "bytes 10-19/1000");
    assert_eq!(part.headers()["content-length"], "10");
    let etag = part.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(part.bytes().await.unwrap(), bytes[10..20]);

    let suffix = svc
        .http
        .get(&url)
        .query(&[("file", file)])
        .header("Range", "bytes=-5")
        .send()
        .await
        .unwrap();
    assert_eq!(suffix.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(suffix.bytes().await.unwrap(), bytes[995..]);

    let unsatisfiable = svc
        .http
        .get(&url)
        .query(&[("file", file)])
        .header("Range", "bytes=5000-")
        .send()
        .await
        .unwrap();
    let content_range = unsatisfiable.headers().get("content-range").cloned();
    let (status, body) = json(unsatisfiable).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE, "{body}");
    assert_eq!(
        content_range.as_ref().and_then(|v| v.to_str().ok()),
        Some(format!("bytes */{}", bytes.len()).as_str()),
        "a 416 says the file's size"
    );
    assert_eq!(body["errcode"], 416);

    let cached = svc
        .http
        .get(&url)
        .query(&[("file", file)])
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(cached.headers()["etag"], etag.as_str());
    assert!(cached.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn attachment_names_keep_unicode_and_quotes_safe() {
    let svc = start(protected()).await;
    let name = "Résumé \"final\" 2026.txt";
    let record = uploaded(
        svc.upload("x.txt", b"cv".to_vec(), &[("fileName", name)])
            .await,
    )
    .await;
    assert_eq!(record["name"], name, "{record}");
    let down = svc
        .get(
            "download",
            &[("file", record["fileName"].as_str().unwrap())],
        )
        .await;
    assert_eq!(down.status(), StatusCode::OK);
    assert_eq!(
        down.headers()["content-disposition"],
        "attachment; filename=\"R_sum_ _final_ 2026.txt\"; \
         filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%202026.txt"
    );
}

#[tokio::test]
async fn thumbnails_of_images_and_415_for_text() {
    let svc = start(protected()).await;
    let record = uploaded(svc.upload("photo.png", png(640, 480), &[]).await).await;
    let name = record["fileName"].as_str().unwrap();
    let thumb = svc
        .get(
            "previewThumbnail",
            &[("name", name), ("width", "120"), ("height", "120")],
        )
        .await;
    assert_eq!(thumb.status(), StatusCode::OK);
    assert_eq!(thumb.headers()["content-type"], "image/png");
    assert_eq!(thumb.headers()["x-content-type-options"], "nosniff");
    let decoded = image::load_from_memory(&thumb.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (120, 90));

    let (status, body) = json(
        svc.get("previewThumbnail", &[("name", name), ("width", "12x")])
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["errmsg"].as_str().unwrap().contains("width"), "{body}");

    let text = uploaded(svc.upload("plain.txt", b"not an image".to_vec(), &[]).await).await;
    let (status, body) = json(
        svc.get(
            "previewThumbnail",
            &[("name", text["fileName"].as_str().unwrap())],
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["kind"], "NotAnImage");
}

#[tokio::test]
async fn active_content_is_sandboxed() {
    let svc = start(protected()).await;
    let record = uploaded(
        svc.upload(
            "page.html",
            b"<script>alert(1)</script>".to_vec(),
            &[("contentType", "text/html")],
        )
        .await,
    )
    .await;
    let preview = svc
        .get("preview", &[("file", record["fileName"].as_str().unwrap())])
        .await;
    assert_eq!(preview.status(), StatusCode::OK);
    assert_eq!(preview.headers()["content-security-policy"], "sandbox");
    assert_eq!(preview.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn get_sign_url_answers_the_put_and_the_record() {
    let svc = start(protected()).await;
    // (request, seconds the URL should work: urlExpires, or the service's 300 s.)
    for (request, lifetime) in [
        (
            svc.http.post(svc.url("getSignUrl")).bearer_auth(TOKEN).json(&serde_json::json!(
                {"file": "direct.png", "contentType": "image/png", "expires": 3600, "urlExpires": 60}
            )),
            60,
        ),
        (
            svc.http
                .get(svc.url("getSignUrl"))
                .bearer_auth(TOKEN)
                .query(&[("file", "direct2.png"), ("contentType", "image/png")]),
            300,
        ),
    ] {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64;
        let (status, body) = json(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let data = &body["data"];
        assert_eq!(data["method"], "PUT", "{body}");
        assert!(data["url"].as_str().unwrap().starts_with("http://127.0.0.1:9/files/"), "{body}");
        assert_eq!(data["headers"]["Content-Type"], "image/png", "{body}");
        assert_eq!(data["file"]["storeFullName"], "storages.Default", "{body}");
        let left = data["expiresAt"].as_i64().unwrap() - now;
        assert!((lifetime * 1000 - 5000..=lifetime * 1000 + 5000).contains(&left), "{left} ms: {body}");
        assert_eq!(data["file"]["uploadUser"], "tester", "{body}");
    }
}

#[tokio::test]
async fn bad_requests_are_clear_json_errors() {
    let svc = start(protected()).await;
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (svc.http.get(svc.url("preview")), 400, "\"file\" is missing"),
        (svc.http.get(svc.url("preview")).query(&[("file", "a"), ("fiel", "b")]), 400, "\"fiel\""),
        (svc.http.get(svc.url("preview")).query(&[("file", "a"), ("file", "b")]), 400, "twice"),
        (svc.http.get(svc.url("nosuch")), 404, "no StorageSvc method \"nosuch\""),
        (svc.http.put(svc.url("preview")), 405, "PUT"),
        (
            svc.http.post(svc.url("getSignUrl")).bearer_auth(TOKEN).body("{not json"),
            400,
            "not JSON",
        ),
        (
            svc.http
                .post(svc.url("getSignUrl"))
                .bearer_auth(TOKEN)
                .json(&serde_json::json!({"file": "a.png", "contentType": "image/png", "expires": "-1"})),
            400,
            "expires",
        ),
        (
            svc.http.post(svc.url("uploadByFile")).bearer_auth(TOKEN).body("plain"),
            400,
            "multipart",
        ),
    ];
    for (request, want, says) in cases {
        let (status, body) = json(request.send().await.unwrap()).await;
        assert_eq!(status.as_u16(), want, "{body}");
        assert_eq!(body["errcode"], want, "{body}");
        assert!(
            body["errmsg"].as_str().unwrap().contains(says),
            "{says:?} in {body}"
        );
    }
    // An unknown form field.
    let form = Form::new()
        .part("file", Part::bytes(b"x".to_vec()).file_name("x.txt"))
        .text("colour", "red");
    let (status, body) = json(
        svc.http
            .post(svc.url("uploadByFile"))
            .bearer_auth(TOKEN)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errmsg"].as_str().unwrap().contains("colour"),
        "{body}"
    );
}

#[tokio::test]
async fn md5_is_recorded_named_deduplicated_and_checked() {
    use md5::{Digest, Md5};
    let svc = start(protected()).await;
    let bytes = png(64, 48);
    let real = hex::encode(Md5::digest(&bytes));

    // The router hashes the upload as it spools it; the record carries that MD5.
    let plain = uploaded(svc.upload("pic.png", bytes.clone(), &[]).await).await;
    assert_eq!(plain["md5"], real.as_str(), "{plain}");

    // With the client's md5: stored as <md5>.<ext>, the same bytes once.
    let first = uploaded(svc.upload("a.PNG", bytes.clone(), &[("md5", &real)]).await).await;
    assert_eq!(first["fileName"], format!("{real}.png"), "{first}");
    let again = uploaded(svc.upload("b.png", bytes.clone(), &[("md5", &real)]).await).await;
    assert_eq!(again["uid"], first["uid"], "{again}");

    // A claim that does not match the bytes is refused and nothing is recorded.
    let wrong = "0".repeat(32);
    let (status, body) = json(svc.upload("c.png", bytes, &[("md5", &wrong)]).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["kind"], "BadInput", "{body}");
    assert!(body["errmsg"].as_str().unwrap().contains(&real), "{body}");
    let gone = svc
        .get("preview", &[("file", &format!("{wrong}.png"))])
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}
