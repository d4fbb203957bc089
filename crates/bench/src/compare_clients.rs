//! The clients of the `compare` group and their command lines: ours
//! (`jitstore-oss-client`, `--protocol s3` against serve-s3), Apache OpenDAL's OSS
//! service (`opendal-oss-client`), curl (with presigned URLs) and the Python SDKs oss2
//! (`oss2_client.py`) and boto3 (`boto3_client.py`, same flags). Every client is a
//! process of its own, configured alike (8 MiB parts, 4 in flight, where the client has
//! such knobs), and prints `{"op":…,"bytes":…}` on stdout, which is checked.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::compare_protocol::{ClientName, Protocol};
use crate::error::{BenchError, BenchResult};
use crate::oss_fixture::{ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET};

/// A large transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Large {
    /// Upload the source file.
    Put,
    /// Download the object to `/dev/null`.
    Get,
}

/// What every client is pointed at and configured with.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The protocol spoken (which server, secret variable, region).
    pub protocol: Protocol,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The large source file.
    pub source: PathBuf,
    /// The key of the large object.
    pub key: String,
    /// Part (and read chunk) size.
    pub part_size: u64,
    /// Parts (and read chunks) in flight.
    pub concurrent: usize,
    /// Extra `--set KEY=VALUE` arguments for our client.
    pub ours_set: Vec<String>,
}

/// How one client is run.
#[derive(Debug, Clone)]
pub enum Client {
    /// A Rust client taking the same flags (ours or OpenDAL's): its executable.
    Rust(ClientName, PathBuf),
    /// curl, with presigned URLs for the large object.
    Curl {
        /// The presigned PUT URL.
        put_url: String,
        /// Headers the PUT must send (bound into its signature).
        put_headers: Vec<(String, String)>,
        /// The presigned GET URL.
        get_url: String,
    },
    /// A Python SDK (oss2, boto3) through its script, which takes the same flags.
    Python {
        /// oss2 or boto3.
        name: ClientName,
        /// Python interpreter.
        python: String,
        /// Folder the SDK is installed in (`PYTHONPATH`).
        path: PathBuf,
        /// The script, written to the run's folder.
        script: PathBuf,
    },
}

impl Client {
    /// Which client this is.
    pub fn name(&self) -> ClientName {
        match self {
            Client::Rust(name, _) => *name,
            Client::Curl { .. } => ClientName::Curl,
            Client::Python { name, .. } => *name,
        }
    }

    /// The command of one large transfer.
    pub fn large(&self, setup: &Setup, op: Large) -> Command {
        let file = match op {
            Large::Put => setup.source.clone(),
            Large::Get => PathBuf::from("/dev/null"),
        };
        let verb = match op {
            Large::Put => "put",
            Large::Get => "get",
        };
        match self {
            Client::Rust(name, exe) => {
                let mut cmd = rust_client(*name, exe, verb, setup);
                cmd.arg("--part-size")
                    .arg(setup.part_size.to_string())
                    .arg("--concurrent")
                    .arg(setup.concurrent.to_string())
                    .args(["--key", &setup.key])
                    .arg("--file")
                    .arg(file);
                cmd
            }
            Client::Curl {
                put_url,
                put_headers,
                get_url,
            } => {
                let mut cmd = Command::new("curl");
                cmd.args([
                    "--silent",
                    "--show-error",
                    "--fail",
                    "--output",
                    "/dev/null",
                ]);
                match op {
                    Large::Put => {
                        for (name, value) in put_headers {
                            cmd.arg("--header").arg(format!("{name}: {value}"));
                        }
                        cmd.arg("--upload-file").arg(file).args([
                            "--write-out",
                            r#"{"op":"put","bytes":%{size_upload}}"#,
                            put_url,
                        ]);
                    }
                    Large::Get => {
                        cmd.args([
                            "--write-out",
                            r#"{"op":"get","bytes":%{size_download}}"#,
                            get_url,
                        ]);
                    }
                }
                cmd
            }
            Client::Python {
                python,
                path,
                script,
                ..
            } => {
                let mut cmd = Command::new(python);
                cmd.arg(script)
                    .arg(verb)
                    .args(["--endpoint", &setup.endpoint, "--bucket", BUCKET])
                    .args(["--region", setup.protocol.region()])
                    .args(["--access-key-id", ACCESS_KEY_ID, "--key", &setup.key])
                    .arg("--file")
                    .arg(file)
                    .arg("--part-size")
                    .arg(setup.part_size.to_string())
                    .arg("--threads")
                    .arg(setup.concurrent.to_string())
                    .env("PYTHONPATH", path)
                    .env(setup.protocol.client_secret_env(), ACCESS_KEY_SECRET);
                cmd
            }
        }
    }

    /// The command of the small-object run (PUT `count` objects of `size` bytes, then
    /// GET them, `in_flight` at a time), for the Rust clients only.
    pub fn small(
        &self,
        setup: &Setup,
        prefix: &str,
        count: usize,
        size: usize,
        in_flight: usize,
    ) -> Option<Command> {
        let Client::Rust(name, exe) = self else {
            return None;
        };
        let mut cmd = rust_client(*name, exe, "small", setup);
        cmd.args(["--prefix", prefix])
            .arg("--count")
            .arg(count.to_string())
            .arg("--size")
            .arg(size.to_string())
            .arg("--in-flight")
            .arg(in_flight.to_string());
        Some(cmd)
    }
}

/// `exe verb --endpoint … --bucket … --access-key-id …` with the secret in the
/// environment, plus `--protocol` and `--set` for ours.
fn rust_client(name: ClientName, exe: &PathBuf, verb: &str, setup: &Setup) -> Command {
    let mut cmd = Command::new(exe);
    cmd.arg(verb)
        .args(["--endpoint", &setup.endpoint, "--bucket", BUCKET])
        .args(["--access-key-id", ACCESS_KEY_ID])
        .env(setup.protocol.client_secret_env(), ACCESS_KEY_SECRET);
    if name == ClientName::Ours {
        cmd.args(["--protocol", setup.protocol.client_flag()]);
        for set in &setup.ours_set {
            cmd.args(["--set", set]);
        }
    }
    cmd
}

/// Checks a client's `{"op":…,"bytes":…}` line: `bytes` must be `expected`.
pub fn check_output(stdout: &str, expected: u64) -> BenchResult<()> {
    let line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let doc: Value = serde_json::from_str(line)
        .map_err(|e| BenchError::Check(format!("client printed {line:?}: {e}")))?;
    match doc["bytes"].as_u64() {
        Some(n) if n == expected => Ok(()),
        _ => Err(BenchError::Check(format!(
            "client reported {line}, expected {expected} bytes"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> Setup {
        Setup {
            protocol: Protocol::Oss,
            endpoint: "http://127.0.0.1:1".to_owned(),
            source: PathBuf::from("/tmp/src.bin"),
            key: "k".to_owned(),
            part_size: 8 << 20,
            concurrent: 4,
            ours_set: vec!["someKey=4".to_owned()],
        }
    }

    fn args(cmd: &Command) -> Vec<String> {
        cmd.get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn rust_clients_get_the_same_tuning_and_ours_its_extra_keys() {
        let ours = Client::Rust(ClientName::Ours, PathBuf::from("ours"));
        let dal = Client::Rust(ClientName::Opendal, PathBuf::from("dal"));
        let a = args(&ours.large(&setup(), Large::Put));
        let b = args(&dal.large(&setup(), Large::Put));
        assert!(a.windows(2).any(|w| w == ["--part-size", "8388608"]));
        assert!(a.windows(2).any(|w| w == ["--set", "someKey=4"]));
        assert_eq!(b.iter().filter(|x| *x == "--set").count(), 0);
        assert!(b.windows(2).any(|w| w == ["--concurrent", "4"]));
        assert!(args(&dal.large(&setup(), Large::Get)).contains(&"/dev/null".to_owned()));
    }

    #[test]
    fn curl_sends_the_signed_headers_and_prints_the_size() {
        let curl = Client::Curl {
            put_url: "http://p".to_owned(),
            put_headers: vec![("Content-Type".to_owned(), "application/x".to_owned())],
            get_url: "http://g".to_owned(),
        };
        let put = args(&curl.large(&setup(), Large::Put));
        assert!(put.contains(&"Content-Type: application/x".to_owned()));
        assert!(put.contains(&"/tmp/src.bin".to_owned()));
        assert!(curl.small(&setup(), "p", 1, 1, 1).is_none());
    }

    #[test]
    fn under_s3_ours_speaks_s3_and_boto3_gets_the_aws_secret() {
        let s3 = Setup {
            protocol: Protocol::S3,
            ..setup()
        };
        let ours = Client::Rust(ClientName::Ours, PathBuf::from("ours"));
        let cmd = ours.large(&s3, Large::Put);
        assert!(args(&cmd).windows(2).any(|w| w == ["--protocol", "s3"]));
        let envs: Vec<_> = cmd.get_envs().filter_map(|(k, _)| k.to_str()).collect();
        assert_eq!(envs, ["AWS_SECRET_ACCESS_KEY"]);
        let boto3 = Client::Python {
            name: ClientName::Boto3,
            python: "python3".to_owned(),
            path: PathBuf::from("/tmp/boto3-bench"),
            script: PathBuf::from("boto3_client.py"),
        };
        let get = boto3.large(&s3, Large::Get);
        let a = args(&get);
        assert_eq!(a[..2], ["boto3_client.py", "get"]);
        assert!(a.windows(2).any(|w| w == ["--region", "us-east-1"]));
        assert!(a.windows(2).any(|w| w == ["--threads", "4"]));
        assert!(get
            .get_envs()
            .any(|(k, v)| k == "PYTHONPATH" && v.is_some_and(|v| v == "/tmp/boto3-bench")));
        assert!(boto3.small(&s3, "p", 1, 1, 1).is_none());
    }

    #[test]
    fn output_is_checked() {
        assert!(check_output("{\"op\":\"put\",\"bytes\":10}\n", 10).is_ok());
        assert!(check_output("{\"op\":\"put\",\"bytes\":9}", 10).is_err());
        assert!(check_output("garbage", 10).is_err());
    }
}
