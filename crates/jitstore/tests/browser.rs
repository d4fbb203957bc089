//! The StorageSvc example page in a real browser: `jitstore serve-oss` (the bucket, CORS
//! open to the page's origin) and `jitstore serve` over a copy of app-example (MyOss
//! pointed at that bucket, writes behind a token) as real processes, and Debian's
//! headless Chromium driven by playwright-core (tests/browser/drive.mjs, installed
//! pinned by tests/browser/install.sh). The page uploads a 640×480 PNG through
//! uploadByFile to storages.Default and straight to the bucket with getSignUrl's
//! presigned PUT to storages.MyOss; each time the thumbnail must render at 120×90 and
//! the downloaded bytes must equal the picked file. A screenshot is saved under
//! `<target>/browser-test/storage-svc.png`.
//!
//! Without /usr/bin/chromium the test fails (it never passes without a browser).

#[path = "browser/served_app.rs"]
mod served_app;

mod common;
mod served;

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use served::serve_announced;
use served_app::{copy_example, ServeApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const TOKEN: &str = "browser-test-token-7d2e";
const BUCKET: &str = "browser-bucket";
const AK: &str = "BROWSERKEY";
const SK: &str = "browser-secret-0123456789";

/// `<target>` (the parent of the tests' temporary folder).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .to_path_buf()
}

/// Installs playwright-core (pinned; idempotent); returns its node_modules folder.
fn install_playwright() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/install.sh");
    let dest = target_dir().join("browser-oracles");
    let mut command = Command::new("bash");
    command.arg(&script).arg(&dest);
    let out = common::run_within(command, Duration::from_secs(300));
    assert!(
        out.status.success(),
        "installing playwright-core failed ({}):\n{}{}",
        out.status,
        common::stdout(&out),
        common::stderr(&out)
    );
    dest.join("node/node_modules")
}

/// A free loopback port (bound, then released for the server to take).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 160])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encode the PNG");
    out.into_inner()
}

#[test]
fn the_page_uploads_both_ways_in_headless_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: this test drives a real browser; install it with \
         `apt-get install chromium chromium-driver`"
    );
    let node_modules = install_playwright();

    // The page's origin must be known before serve-oss starts (its CORS origin).
    let svc_port = free_port();
    let page_origin = format!("http://127.0.0.1:{svc_port}");
    let bucket_root = tempfile::tempdir().unwrap();
    let mut oss = Command::new(env!("CARGO_BIN_EXE_jitstore"));
    oss.env_remove("JITSTORE_LOG")
        .args(["serve-oss", "--addr", "127.0.0.1:0", "--bucket", BUCKET])
        .args(["--access-key-id", AK, "--cors-origin", &page_origin])
        .arg("--root")
        .arg(bucket_root.path())
        .env("JITSTORE_OSS_ACCESS_KEY_SECRET", SK);
    let (_oss, oss_endpoint) = serve_announced(oss, "local OSS server on ");

    let app = tempfile::tempdir().unwrap();
    copy_example(app.path());
    let server = ServeApp::start_at(
        app.path(),
        &format!("127.0.0.1:{svc_port}"),
        &[],
        &[
            ("JITSTORE_TOKEN", TOKEN),
            ("OSS_ACCESS_KEY_ID", AK),
            ("OSS_ACCESS_KEY_SECRET", SK),
            ("OSS_ENDPOINT", &oss_endpoint),
            ("OSS_BUCKET", BUCKET),
            ("OSS_REGION", "cn-hangzhou"),
        ],
    );
    assert_eq!(server.base, page_origin);

    let picked_dir = tempfile::tempdir().unwrap();
    let picked = picked_dir.path().join("photo.png");
    let bytes = png(640, 480);
    std::fs::write(&picked, &bytes).unwrap();
    let shots = target_dir().join("browser-test");
    std::fs::create_dir_all(&shots).unwrap();
    let screenshot = shots.join("storage-svc.png");
    let _ = std::fs::remove_file(&screenshot);

    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/drive.mjs");
    let mut node = Command::new("node");
    node.arg(&driver)
        .env("NODE_PATH", &node_modules)
        .env("PAGE_URL", format!("{page_origin}/"))
        .env("PICK_FILE", &picked)
        .env("TOKEN", TOKEN)
        .env("SCREENSHOT", &screenshot)
        .env("CHROMIUM", CHROMIUM)
        .env(
            "UPLOADS",
            "upload-form=storages.Default,upload-direct=storages.MyOss",
        );
    let out = common::run_within(node, Duration::from_secs(180));
    let stdout = common::stdout(&out);
    assert!(
        out.status.success(),
        "the browser run failed ({}):\n{}\n{}\n--- jitstore serve:\n{}",
        out.status,
        stdout,
        common::stderr(&out),
        server.output()
    );
    println!("screenshot: {}", screenshot.display());
    assert!(
        screenshot.is_file(),
        "no screenshot at {}",
        screenshot.display()
    );

    let report: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("the driver's report is not JSON ({e}):\n{stdout}"));
    let uploads = report["uploads"].as_array().expect("uploads");
    assert_eq!(uploads.len(), 2, "{report}");
    for (upload, storage) in uploads.iter().zip(["storages.Default", "storages.MyOss"]) {
        let what = format!("{} to {storage}: {upload}", upload["button"]);
        assert_eq!(upload["record"]["storeFullName"], storage, "{what}");
        assert_eq!(upload["record"]["name"], "photo.png", "{what}");
        assert_eq!(upload["thumbnail"]["width"], 120, "{what}");
        assert_eq!(upload["thumbnail"]["height"], 90, "{what}");
        assert_eq!(upload["preview"]["width"], 640, "{what}");
        assert_eq!(upload["preview"]["height"], 480, "{what}");
        assert_eq!(upload["downloadName"], "photo.png", "{what}");
        assert_eq!(upload["downloadBytes"], bytes.len(), "{what}");
        assert_eq!(upload["downloadEqual"], true, "{what}");
    }
    assert!(
        !server.output().contains(TOKEN) && !server.output().contains(SK),
        "a secret was printed:\n{}",
        server.output()
    );
}
