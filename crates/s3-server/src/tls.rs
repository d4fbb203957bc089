//! TLS for the server ([`TlsConfig`]): a PEM certificate chain and key, served with
//! rustls (ring). boto3 sends its default `aws-chunked` bodies with checksum trailers
//! only over TLS, so serving HTTPS is how its default uploads are exercised.
//!
//! [`TlsListener`] accepts TCP connections and runs each handshake in a task of its own
//! (bounded by a timeout), so that a slow or silent client never holds up the others.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Longest a client may take to complete its handshake.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// Where the server's certificate and key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    /// PEM file: the certificate, then any intermediates.
    pub cert_chain_pem: PathBuf,
    /// PEM file: the private key (PKCS#8, PKCS#1 or SEC1).
    pub private_key_pem: PathBuf,
}

impl TlsConfig {
    /// The acceptor for these files; the error says what was wrong.
    pub fn acceptor(&self) -> Result<TlsAcceptor, String> {
        let read = |path: &PathBuf| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let certs = CertificateDer::pem_slice_iter(&read(&self.cert_chain_pem)?)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("{}: {e}", self.cert_chain_pem.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "{}: no certificate found",
                self.cert_chain_pem.display()
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(&read(&self.private_key_pem)?)
            .map_err(|e| format!("{}: {e}", self.private_key_pem.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| e.to_string())?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

/// A listener whose connections have completed a TLS handshake.
#[derive(Debug)]
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local_addr: SocketAddr,
    accepting: JoinHandle<()>,
}

impl TlsListener {
    /// Accepts on `listener`, handshaking with `acceptor`.
    pub fn new(listener: TcpListener, acceptor: TlsAcceptor) -> io::Result<Self> {
        let local_addr = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let accepting = tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = tx.closed() => break,
                    accepted = listener.accept() => accepted,
                };
                let Ok((tcp, addr)) = accepted else {
                    // Out of file descriptors or the like: let it pass.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let handshake = tokio::time::timeout(HANDSHAKE_LIMIT, acceptor.accept(tcp));
                    if let Ok(Ok(tls)) = handshake.await {
                        let _ = tx.send((tls, addr)).await;
                    }
                });
            }
        });
        Ok(TlsListener {
            ready,
            local_addr,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local_addr)
    }
}
