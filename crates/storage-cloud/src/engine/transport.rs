//! The HTTP transport of an element: one pooled `reqwest::Client` (host pins, no
//! redirects, a connect timeout), executing a request under an idle timeout that counts
//! upload progress, response bodies as streams with the same idle timeout, and error
//! answers read with a bound on their body.
//!
//! Timeouts are idle ones (no progress for `timeoutSeconds`), never total ones, so a
//! large transfer is not cut short while it moves. Nothing here signs or retries:
//! [`crate::engine::core`] builds and signs each attempt and decides whether to try again.
//! The dialect's [`Vocabulary`] names the service in messages and errors.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use jit_storage::{ByteStream, StorageError, StorageErrorKind, StorageResult};
use reqwest::{Method, Response};

use crate::engine::error;
use crate::engine::vocabulary::Vocabulary;

/// Upload chunk size when sending bytes held in memory.
const SEND_CHUNK: usize = 64 * 1024;

/// At most this much of an error answer's body is read.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Most bytes of an XML answer (a listing page, a multipart answer) read into memory:
/// 1000 listed keys of 1024 bytes, URL-encoded, fit with room to spare.
pub(crate) const MAX_XML_BODY: usize = 16 * 1024 * 1024;

/// Bytes of a request body handed to the HTTP client so far: how the idle timeout
/// tells a slow upload from a stalled one. Clones share the count.
#[derive(Clone, Default, Debug)]
pub(crate) struct Progress(Arc<AtomicU64>);

impl Progress {
    /// Counts `n` more bytes.
    pub fn add(&self, n: usize) {
        self.0.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Bytes counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// `bytes` as a body of `SEND_CHUNK` slices (no copies), counted by `progress`.
pub(crate) fn counted_body(bytes: Bytes, progress: Progress) -> reqwest::Body {
    let chunks = (0..bytes.len())
        .step_by(SEND_CHUNK)
        .map(move |start| bytes.slice(start..(start + SEND_CHUNK).min(bytes.len())))
        .collect::<Vec<_>>();
    let stream = futures::stream::iter(chunks).map(move |chunk| {
        progress.add(chunk.len());
        Ok::<_, std::io::Error>(chunk)
    });
    reqwest::Body::wrap_stream(stream)
}

/// The HTTP client of an element and its idle timeout.
#[derive(Debug)]
pub(crate) struct Transport {
    client: reqwest::Client,
    idle: Duration,
    words: &'static Vocabulary,
}

impl Transport {
    /// A client whose connections time out after `timeout`, as do requests and
    /// responses making no progress; `pinned_hosts` sends those host names to fixed
    /// addresses (local servers reached through virtual-hosted names); `words` are the
    /// dialect's.
    pub fn new(
        timeout: Duration,
        pinned_hosts: &[(String, SocketAddr)],
        words: &'static Vocabulary,
    ) -> StorageResult<Self> {
        // No read_timeout: reqwest applies it to the whole wait for the response
        // headers, upload included. Idle timeouts are enforced in `execute` and
        // `body_stream` instead.
        let mut builder = reqwest::Client::builder()
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(format!(
                "jit-storage-{}/{}",
                words.name,
                env!("CARGO_PKG_VERSION")
            ));
        for (host, addr) in pinned_hosts {
            builder = builder.resolve(host, *addr);
        }
        let client = builder.build().map_err(|e| {
            StorageError::new(
                StorageErrorKind::InvalidConfig,
                "cannot build the HTTP client",
            )
            .with_source(e)
        })?;
        Ok(Self {
            client,
            idle: timeout,
            words,
        })
    }

    /// A request to `url` on this client's connection pool.
    pub fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Executes one attempt and returns its successful (2xx) response; any other
    /// status is the error its (bounded) body describes. Fails with Timeout when
    /// `timeoutSeconds` pass with neither a response nor upload progress.
    pub async fn execute(
        &self,
        request: reqwest::Request,
        progress: Option<&Progress>,
    ) -> StorageResult<Response> {
        let pending = self.client.execute(request);
        tokio::pin!(pending);
        let mut last = progress.map_or(0, Progress::get);
        let response = loop {
            tokio::select! {
                result = &mut pending => {
                    break result.map_err(|e| error::from_reqwest(e, self.words.service))?
                }
                () = tokio::time::sleep(self.idle) => {
                    let now = progress.map_or(last, Progress::get);
                    if now == last {
                        return Err(StorageError::new(
                            StorageErrorKind::Timeout,
                            format!(
                                "{} made no progress for {} s",
                                self.words.service,
                                self.idle.as_secs()
                            ),
                        ));
                    }
                    last = now;
                }
            }
        };
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.error_of(response).await)
        }
    }

    /// A response body as a stream whose reads time out after `timeoutSeconds` idle.
    pub fn body_stream(&self, response: Response) -> ByteStream {
        let idle = self.idle;
        let service = self.words.service;
        let inner = response.bytes_stream();
        Box::pin(futures::stream::unfold(
            Some(inner),
            move |state| async move {
                let mut inner = state?;
                match tokio::time::timeout(idle, inner.next()).await {
                    Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(inner))),
                    Ok(Some(Err(e))) => Some((Err(error::from_reqwest(e, service)), None)),
                    Ok(None) => None,
                    Err(_) => Some((
                        Err(StorageError::new(
                            StorageErrorKind::Timeout,
                            format!("{service} sent nothing for {} s", idle.as_secs()),
                        )),
                        None,
                    )),
                }
            },
        ))
    }

    /// A (small, XML) response body in memory, with the idle timeout and at most
    /// `limit` bytes: a longer body (announced, or found while reading) is a
    /// [`Server`](StorageErrorKind::Server) error with the request id, never read
    /// whole.
    pub async fn body_bytes(&self, response: Response, limit: usize) -> StorageResult<Bytes> {
        let headers = response.headers().clone();
        let too_large = || {
            error::malformed_response(
                self.words,
                format!(
                    "{} answered with more than {limit} bytes of XML; refusing to read it",
                    self.words.service
                ),
                Some(&headers),
            )
        };
        let announced = response.content_length().unwrap_or(0);
        if announced > limit as u64 {
            return Err(too_large());
        }
        let mut body = BytesMut::with_capacity(announced as usize);
        let mut stream = self.body_stream(response);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if chunk.len() > limit - body.len() {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    }

    /// The error a failed answer describes, from its status, headers and at most
    /// [`MAX_ERROR_BODY`] of its body (read with the idle timeout; a body that breaks
    /// off leaves what was read).
    async fn error_of(&self, response: Response) -> StorageError {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        let mut stream = self.body_stream(response);
        while let Some(Ok(chunk)) = stream.next().await {
            let room = MAX_ERROR_BODY - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= MAX_ERROR_BODY {
                break;
            }
        }
        error::from_response_parts(self.words, status, &headers, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oss::dialect::OSS_VOCABULARY;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server answering every connection with `head` then `body`, then holding the
    /// connection open without a word more.
    async fn answering(head: &'static str, body: Vec<u8>) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let body = body.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 4096];
                    let _ = socket.read(&mut request).await;
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                    tokio::time::sleep(Duration::from_secs(30)).await;
                });
            }
        });
        addr
    }

    fn get(transport: &Transport, addr: SocketAddr) -> reqwest::Request {
        transport
            .request(Method::GET, &format!("http://{addr}/k"))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn error_bodies_are_read_with_a_bound_and_the_idle_timeout() {
        let transport = Transport::new(Duration::from_secs(1), &[], &OSS_VOCABULARY).unwrap();
        // A body far larger than the bound, still being sent: the error is built from
        // the first MAX_ERROR_BODY bytes, without waiting for the rest.
        let head = "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 10000000\r\n\r\n";
        let addr = answering(head, vec![b'x'; 2 * MAX_ERROR_BODY]).await;
        let err = transport
            .execute(get(&transport, addr), None)
            .await
            .unwrap_err();
        assert_eq!(err.remote().and_then(|r| r.status), Some(503));
        assert!(err.message().contains("xxxx"), "{err}");

        // Headers, then nothing: the error comes after the idle timeout, not never.
        let head = "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 100\r\n\r\n";
        let addr = answering(head, b"partial".to_vec()).await;
        let started = std::time::Instant::now();
        let err = transport
            .execute(get(&transport, addr), None)
            .await
            .unwrap_err();
        assert_eq!(err.remote().and_then(|r| r.status), Some(500));
        assert!(err.message().contains("partial"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn response_bodies_time_out_when_idle() {
        let transport = Transport::new(Duration::from_secs(1), &[], &OSS_VOCABULARY).unwrap();
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n";
        let addr = answering(head, b"some".to_vec()).await;
        let response = transport
            .execute(get(&transport, addr), None)
            .await
            .unwrap();
        let err = transport.body_bytes(response, 1000).await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::Timeout, "{err}");
    }

    #[tokio::test]
    async fn xml_bodies_are_read_with_a_bound() {
        let transport = Transport::new(Duration::from_secs(5), &[], &OSS_VOCABULARY).unwrap();
        // Announced too large: refused before reading.
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 2000\r\nx-oss-request-id: BIG\r\n\r\n";
        let addr = answering(head, vec![b' '; 2000]).await;
        let response = transport
            .execute(get(&transport, addr), None)
            .await
            .unwrap();
        let err = transport.body_bytes(response, 1000).await.unwrap_err();
        assert_eq!(err.kind(), StorageErrorKind::Server, "{err}");
        assert_eq!(err.request_id(), Some("BIG"));
        assert!(err.message().contains("more than 1000 bytes"), "{err}");

        // Not announced (chunked): refused once the bound is passed.
        let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
        let mut body = Vec::new();
        for _ in 0..10 {
            body.extend_from_slice(b"190\r\n");
            body.extend_from_slice(&[b' '; 400]);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"0\r\n\r\n");
        let addr = answering(head, body).await;
        let response = transport
            .execute(get(&transport, addr), None)
            .await
            .unwrap();
        let err = transport.body_bytes(response, 1000).await.unwrap_err();
        assert!(err.message().contains("more than 1000 bytes"), "{err}");

        // Within the bound: read whole.
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n";
        let addr = answering(head, b"<a/>\n".to_vec()).await;
        let response = transport
            .execute(get(&transport, addr), None)
            .await
            .unwrap();
        assert_eq!(
            transport.body_bytes(response, 1000).await.unwrap(),
            &b"<a/>\n"[..]
        );
    }
}
