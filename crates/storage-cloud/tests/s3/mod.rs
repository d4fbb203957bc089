//! Fixtures of the S3 family's tests: moto's S3 server (a server we did not write,
//! installed pinned by `install_moto.sh` into `target/moto`, started once per test
//! process on a free loopback port and gone when the process is), serve-s3 (ours,
//! which verifies every SigV4 signature, in-process per target), an app folder
//! declaring one element of one of the four Types with its endpoint, port and secret
//! as app variables, and the element loaded through a real `App`, path style or
//! virtual-hosted (`bucket.localhost` pinned to 127.0.0.1 for the element and for the
//! suite's HTTP client). Every target gets a bucket of its own.

#![allow(dead_code)]

pub mod checks;
pub mod moto_checks;
pub mod refusing;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use jit_element::{App, AppBuilder};
use jit_storage::{StorageAppBuilderExt, StorageAppExt, StorageMeta};
use jit_storage_cloud::{AwsS3Type, CloudflareR2Type, EosType, MinioType};
use serde_json::{json, Value};

pub const AK: &str = "test-s3-ak";
pub const SK: &str = "test-s3-secret-value";

/// One of the four Types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Aws,
    R2,
    Minio,
    Eos,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Aws, Kind::R2, Kind::Minio, Kind::Eos];

    pub fn type_name(self) -> &'static str {
        match self {
            Kind::Aws => jit_storage_cloud::AWS_S3_TYPE,
            Kind::R2 => jit_storage_cloud::CLOUDFLARE_R2_TYPE,
            Kind::Minio => jit_storage_cloud::MINIO_TYPE,
            Kind::Eos => jit_storage_cloud::EOS_TYPE,
        }
    }

    /// A short lower-case name, for variants and buckets.
    pub fn short(self) -> &'static str {
        match self {
            Kind::Aws => "aws",
            Kind::R2 => "r2",
            Kind::Minio => "minio",
            Kind::Eos => "eos",
        }
    }

    /// The region the Type signs with in these tests (R2's default `auto`, MinIO's
    /// default `us-east-1`).
    pub fn region(self) -> &'static str {
        match self {
            Kind::R2 => "auto",
            _ => "us-east-1",
        }
    }

    /// The app builder with this Type registered (its factory resolving `pins`).
    fn register(self, builder: AppBuilder, pins: &[(String, SocketAddr)]) -> AppBuilder {
        macro_rules! with_pins {
            ($t:ty) => {{
                let mut factory = <$t>::default();
                for (host, addr) in pins {
                    factory = factory.pin_host(host.clone(), *addr);
                }
                builder.register_builtin_storage_type(self.type_name(), "S3 family", factory)
            }};
        }
        match self {
            Kind::Aws => with_pins!(AwsS3Type),
            Kind::R2 => with_pins!(CloudflareR2Type),
            Kind::Minio => with_pins!(MinioType),
            Kind::Eos => with_pins!(EosType),
        }
    }
}

/// How the element addresses the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `http://127.0.0.1:PORT/bucket/key`.
    Path,
    /// `http://bucket.localhost:PORT/key`, pinned to 127.0.0.1.
    VirtualHost,
}

/// The element config of `kind`, its endpoint, port and secret as app variables, in
/// each Type's own way: AwsS3Type and CloudflareR2Type with `http://` in the endpoint,
/// MinioType with `host:port` and `"${MINIO_SCHEME:-http}"`, EosType with
/// `"scheme": "http"`.
pub fn config(kind: Kind, style: Style, bucket: &str) -> Value {
    let host = match style {
        Style::Path => "${S3_HOST}",
        Style::VirtualHost => "localhost",
    };
    let mut cfg = json!({
        "accessKeyId": AK,
        "accessKeySecret": "${S3_SECRET}",
        "bucketName": bucket,
        "pathStyle": style == Style::Path,
        "maxRetries": 1
    });
    match kind {
        Kind::Aws => {
            cfg["endPoint"] = format!("http://{host}:${{S3_PORT}}").into();
            cfg["region"] = "us-east-1".into();
        }
        Kind::R2 => cfg["endPoint"] = format!("http://{host}:${{S3_PORT}}").into(),
        Kind::Minio => {
            cfg["endPoint"] = format!("{host}:${{S3_PORT}}").into();
            cfg["scheme"] = "${MINIO_SCHEME:-http}".into();
        }
        Kind::Eos => {
            cfg["endPoint"] = format!("{host}:${{S3_PORT}}").into();
            cfg["scheme"] = "http".into();
        }
    }
    cfg
}

/// Writes `storages/<name>/e.json` (declaring `type_name`) and `<name>.json`.
pub fn write_element(root: &std::path::Path, name: &str, type_name: &str, config: &Value) {
    let folder = root.join("storages").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    let decl = json!({
        "title": "My S3 Storage",
        "type": type_name,
        "backendBundleEntry": ".",
        "variables": [{"name": "MINIO_SCHEME"}]
    });
    std::fs::write(folder.join("e.json"), decl.to_string()).unwrap();
    std::fs::write(
        folder.join(format!("{name}.json")),
        serde_json::to_string_pretty(config).unwrap(),
    )
    .unwrap();
}

/// A loaded element and what keeps it alive.
pub struct Element {
    pub app: App,
    pub storage: Arc<dyn StorageMeta>,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
}

/// An element of `kind` on the server at `addr`, bucket `bucket`, config `config(..)`
/// with `extra` merged in; `vars` are added to the app's variables.
pub async fn element(
    kind: Kind,
    style: Style,
    addr: SocketAddr,
    bucket: &str,
    extra: Value,
    vars: &[(&str, &str)],
) -> Element {
    let mut cfg = config(kind, style, bucket);
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    let dir = tempfile::tempdir().unwrap();
    write_element(dir.path(), "MyS3", kind.type_name(), &cfg);
    let mut env = HashMap::from([
        ("S3_HOST".to_string(), addr.ip().to_string()),
        ("S3_PORT".to_string(), addr.port().to_string()),
        ("S3_SECRET".to_string(), SK.to_string()),
    ]);
    for (k, v) in vars {
        env.insert(k.to_string(), v.to_string());
    }
    let virtual_host = format!("{bucket}.localhost");
    let pins = [(virtual_host.clone(), addr)];
    let app = kind
        .register(App::builder(dir.path()), &pins)
        .env_vars(env)
        .open()
        .expect("open app");
    let storage = app
        .storage("storages.MyS3")
        .await
        .unwrap_or_else(|e| panic!("load storages.MyS3 ({}): {e}", kind.type_name()));
    let http = reqwest::Client::builder()
        .resolve(&virtual_host, addr)
        .build()
        .unwrap();
    Element {
        app,
        storage,
        http,
        dir,
    }
}

/// A bucket name no other target of this process uses.
pub fn fresh_bucket(kind: Kind) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{}-{}-{}",
        kind.short(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Why moto cannot run here (pip missing), or its address.
pub enum Moto {
    Running(SocketAddr),
    Unavailable(String),
}

/// The moto server of this process: installed (pinned) and started at the first
/// call; `Unavailable` only when there is no pip to install it with. Any other
/// failure (pip failing, moto not starting) panics: that is a broken test bed, not a
/// skip.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    static CHILD: OnceLock<Mutex<Child>> = OnceLock::new();
    MOTO.get_or_init(|| {
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| here.join("../../target"));
        let dest = target.join("moto");
        let status = Command::new("bash")
            .arg(here.join("tests/s3/install_moto.sh"))
            .arg(&dest)
            .status()
            .expect("run install_moto.sh");
        match status.code() {
            Some(0) => {}
            Some(3) => {
                return Moto::Unavailable(
                    "python3 with pip is not available, so moto[server] cannot be installed".into(),
                )
            }
            _ => panic!("install_moto.sh failed ({status}); its output is above"),
        }
        // The server exits when this process does: a thread watches the parent.
        let script = "import os, sys, threading, time\n\
            parent = os.getppid()\n\
            def watch():\n\
            \x20   while os.getppid() == parent:\n\
            \x20       time.sleep(0.5)\n\
            \x20   os._exit(0)\n\
            threading.Thread(target=watch, daemon=True).start()\n\
            from moto.server import main\n\
            main(['-H', '127.0.0.1', '-p0'])\n";
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
        let mut child = Command::new(python)
            .arg("-c")
            .arg(script)
            .env("PYTHONPATH", dest.join("moto-python"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start moto");
        let (tx, rx) = std::sync::mpsc::channel();
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("Running on http://").nth(1) {
                        let _ = tx.send(rest.trim().to_string());
                    }
                }
            });
        }
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("moto did not say where it listens within 60 s");
        let addr: SocketAddr = addr.parse().expect("moto's address");
        let _ = CHILD.set(Mutex::new(child));
        Moto::Running(addr)
    })
}

/// A serve-s3 (in this process, on a free loopback port) that verifies every
/// signature, holding `bucket`, accepting `AK`/`SK` scoped to `region`.
pub async fn serve_s3(bucket: &str, region: &str) -> jit_s3_server::RunningServer {
    jit_s3_server::start(jit_s3_server::ServerConfig {
        buckets: vec![bucket.to_string()],
        credentials: vec![(AK.to_string(), SK.to_string())],
        region: region.to_string(),
        ..jit_s3_server::ServerConfig::default()
    })
    .await
    .expect("start serve-s3")
}

/// Creates `bucket` on moto (which checks no signature) in us-east-1.
pub async fn moto_bucket(addr: SocketAddr, bucket: &str) {
    let response = reqwest::Client::new()
        .put(format!("http://{addr}/{bucket}"))
        .send()
        .await
        .expect("create a bucket on moto");
    assert!(
        response.status().is_success(),
        "moto refused bucket {bucket}: {}",
        response.status()
    );
}
