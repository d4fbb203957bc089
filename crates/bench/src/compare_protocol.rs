//! Which protocol the `compare` group measures (`--compare-protocol`): OSS against
//! `jitstore serve-oss` (ours, OpenDAL, curl, oss2) or S3 against `jitstore serve-s3`
//! (ours as `MinioType`, curl, boto3). Everything that differs between the two runs is
//! here as data (the server command, where clients find the secret, the clients that
//! speak the protocol, the Python SDK); the rounds, the measuring and the table are one
//! code path for both. The clients' names are here too, as the protocols list them.

use clap::ValueEnum;

/// The clients compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientName {
    /// Our library (`OssStorage`; under S3 `MinioStorage`), in `jitstore-oss-client`.
    Ours,
    /// Apache OpenDAL 0.58's OSS service, in `opendal-oss-client`.
    Opendal,
    /// curl with presigned URLs (`curl -T`, `curl -o /dev/null`).
    Curl,
    /// The Python SDK oss2 (`resumable_upload`, `get_object`).
    Oss2,
    /// The AWS SDK for Python boto3 (`upload_file`, `get_object`), S3 only.
    Boto3,
}

impl ClientName {
    /// The name printed in the table.
    pub fn label(self) -> &'static str {
        match self {
            ClientName::Ours => "ours (jitstore-oss-client)",
            ClientName::Opendal => "OpenDAL 0.58 (opendal-oss-client)",
            ClientName::Curl => "curl",
            ClientName::Oss2 => "oss2 (Python)",
            ClientName::Boto3 => "boto3 (Python)",
        }
    }
}

/// The protocol of one `compare` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    /// OSS: `jitstore serve-oss`, our `OssType`, OpenDAL's OSS service, oss2.
    Oss,
    /// S3: `jitstore serve-s3` (SigV4 verified), our `MinioType`, boto3.
    S3,
}

/// A Python SDK a protocol is compared with, run through a script of this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonSdk {
    /// The client it is.
    pub client: ClientName,
    /// The module `import` must find.
    pub module: &'static str,
    /// The file name the script is written under.
    pub script_name: &'static str,
    /// The script.
    pub script: &'static str,
}

/// The module both SDK scripts import (their flags, the streamed GET, the output line),
/// written beside them: its file name and text.
pub const SDK_COMMON: (&str, &str) = (
    "sdk_client_common.py",
    include_str!("../sdk_client_common.py"),
);

/// oss2 through `oss2_client.py`.
const OSS2: PythonSdk = PythonSdk {
    client: ClientName::Oss2,
    module: "oss2",
    script_name: "oss2_client.py",
    script: include_str!("../oss2_client.py"),
};

/// boto3 through `boto3_client.py`.
const BOTO3: PythonSdk = PythonSdk {
    client: ClientName::Boto3,
    module: "boto3",
    script_name: "boto3_client.py",
    script: include_str!("../boto3_client.py"),
};

impl Protocol {
    /// The `jitstore` subcommand serving it.
    pub fn serve_command(self) -> &'static str {
        match self {
            Protocol::Oss => "serve-oss",
            Protocol::S3 => "serve-s3",
        }
    }

    /// The variable the server reads the accepted secret from.
    pub fn server_secret_env(self) -> &'static str {
        match self {
            Protocol::Oss => "JITSTORE_OSS_ACCESS_KEY_SECRET",
            Protocol::S3 => "JITSTORE_S3_ACCESS_KEY_SECRET",
        }
    }

    /// The variable the clients (ours and the Python SDK) read the secret from.
    pub fn client_secret_env(self) -> &'static str {
        match self {
            Protocol::Oss => "OSS_ACCESS_KEY_SECRET",
            Protocol::S3 => "AWS_SECRET_ACCESS_KEY",
        }
    }

    /// The region clients sign with (serve-s3's default; OSS's V4 test region).
    pub fn region(self) -> &'static str {
        match self {
            Protocol::Oss => "cn-hangzhou",
            Protocol::S3 => "us-east-1",
        }
    }

    /// The value of our client's `--protocol`.
    pub fn client_flag(self) -> &'static str {
        match self {
            Protocol::Oss => "oss",
            Protocol::S3 => "s3",
        }
    }

    /// The clients run when `--compare-clients` is not given.
    pub fn default_clients(self) -> Vec<ClientName> {
        match self {
            Protocol::Oss => vec![
                ClientName::Ours,
                ClientName::Opendal,
                ClientName::Curl,
                ClientName::Oss2,
            ],
            Protocol::S3 => vec![ClientName::Ours, ClientName::Curl, ClientName::Boto3],
        }
    }

    /// Whether `client` speaks this protocol (OpenDAL's client here is OSS only).
    pub fn speaks(self, client: ClientName) -> bool {
        self.default_clients().contains(&client)
    }

    /// The Python SDK that is `client` under this protocol, if any.
    pub fn python_sdk(self, client: ClientName) -> Option<PythonSdk> {
        [OSS2, BOTO3]
            .into_iter()
            .find(|sdk| sdk.client == client && self.speaks(client))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_protocol_has_its_own_clients_and_sdk() {
        assert!(Protocol::S3.speaks(ClientName::Boto3));
        assert!(!Protocol::S3.speaks(ClientName::Opendal));
        assert!(!Protocol::Oss.speaks(ClientName::Boto3));
        assert_eq!(
            Protocol::S3.python_sdk(ClientName::Boto3).map(|s| s.module),
            Some("boto3")
        );
        assert_eq!(Protocol::S3.python_sdk(ClientName::Oss2), None);
        assert_eq!(
            Protocol::Oss
                .python_sdk(ClientName::Oss2)
                .map(|s| s.script_name),
            Some("oss2_client.py")
        );
    }
}
