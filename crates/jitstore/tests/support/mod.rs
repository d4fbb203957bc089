//! What the tests of `jitstore serve-oss` as a child process share: starting it (and
//! killing it whatever happens), and a small OSS client that signs with
//! `jit_oss_protocol` (V4) and reports answers as they came, so that a test decides
//! what counts as acknowledged.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::SystemTime;

use jit_oss_protocol::sign::{v4, SignRequest};
use jit_oss_protocol::Credentials;

pub const AK: &str = "CRASHKEY";
pub const SK: &str = "crash-secret";
pub const BUCKET: &str = "crash-bucket";
pub const REGION: &str = "cn-hangzhou";

/// A running `jitstore serve-oss`, killed when dropped.
pub struct ServerProcess {
    pub child: Child,
    pub addr: SocketAddr,
    /// The rest of its stderr, once the address line was read.
    pub stderr: Option<BufReader<ChildStderr>>,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ServerProcess {
    /// Kills the process with SIGKILL (no chance to clean up) and waits for it.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill the server");
        self.child.wait().expect("wait for the server");
    }

    /// Sends SIGINT (what Ctrl-C sends), waits for the process, and returns the rest
    /// of what it wrote to stderr.
    pub fn interrupt(&mut self) -> String {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -INT failed");
        let mut rest = String::new();
        if let Some(mut stderr) = self.stderr.take() {
            stderr.read_to_string(&mut rest).expect("read stderr");
        }
        let exit = self.child.wait().expect("wait for the server");
        assert!(exit.success(), "serve-oss exited with {exit}: {rest}");
        rest
    }
}

/// Starts `jitstore serve-oss` on a free loopback port with the bucket [`BUCKET`],
/// keeping objects under `root`, with `extra` arguments.
pub fn serve(root: &Path, extra: &[&str]) -> ServerProcess {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jitstore"))
        .args([
            "serve-oss",
            "--addr",
            "127.0.0.1:0",
            "--bucket",
            BUCKET,
            "--access-key-id",
            AK,
        ])
        .arg("--root")
        .arg(root)
        .args(extra)
        .env("JITSTORE_OSS_ACCESS_KEY_SECRET", SK)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start jitstore serve-oss");
    let stderr = child.stderr.take().expect("stderr");
    // From here on, dropping the process kills and waits for it.
    let mut process = ServerProcess {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        stderr: Some(BufReader::new(stderr)),
    };
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let stderr = process.stderr.as_mut().expect("stderr");
        if stderr.read_line(&mut line).expect("read stderr") == 0 {
            panic!("serve-oss exited without announcing its address:\n{seen}");
        }
        seen.push_str(&line);
        if let Some(rest) = line.split("local OSS server on http://").nth(1) {
            process.addr = rest
                .split_whitespace()
                .next()
                .and_then(|a| a.parse().ok())
                .expect("address");
            return process;
        }
    }
}

/// An answer: status, headers, body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A V4-signing client for one server address.
#[derive(Clone)]
pub struct Oss {
    pub http: reqwest::Client,
    pub addr: SocketAddr,
}

impl Oss {
    pub fn new(addr: SocketAddr) -> Self {
        Oss {
            http: reqwest::Client::new(),
            addr,
        }
    }

    /// Sends a signed request; `Err` when no whole answer came back (connection
    /// refused, reset, closed, or a body cut short).
    pub async fn send(
        &self,
        method: &str,
        key: Option<&str>,
        query: &[(&str, Option<&str>)],
        body: Vec<u8>,
    ) -> Result<Answer, reqwest::Error> {
        let mut sign = SignRequest::new(method).with_bucket(BUCKET);
        if let Some(key) = key {
            sign = sign.with_key(key);
        }
        for (name, value) in query {
            sign = sign.with_query(*name, *value);
        }
        v4::sign_header(
            &mut sign,
            &Credentials::new(AK, SK),
            REGION,
            &[],
            SystemTime::now(),
        )
        .expect("sign");
        let query = sign.query_string();
        let mut url = format!("http://{}{}", self.addr, sign.path_style_path());
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method, url);
        for (name, value) in &sign.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let response = request.body(body).send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?.to_vec();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// Text of the first `<name>` element of `xml` (enough for UploadId, Code, ...).
pub fn xml_text(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].to_owned())
}

/// Texts of every `<name>` element of `xml`.
pub fn all_xml_text(xml: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(found) = xml_text(rest, name) {
        let close = format!("</{name}>");
        let at = rest.find(&close).expect("closed") + close.len();
        out.push(found);
        rest = &rest[at..];
    }
    out
}

/// Deterministic bytes: `len` of them, different for each `seed`.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}
