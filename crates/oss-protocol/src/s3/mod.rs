//! AWS Signature Version 4 for S3, beside OSS V4 and over the same core
//! ([`crate::v4core`]): signing (header and presigned, `x-amz-content-sha256`, STS
//! session tokens), the chunk-signature chain of `aws-chunked` bodies with an encoder
//! for clients and a decoder for servers, and a server-side verifier mapping every
//! refusal to its S3 error code. Pure: the clock is passed in, nothing does I/O.
//!
//! - [`request`](mod@request): names and limits, [`S3Request`], [`PayloadHash`], the
//!   S3 canonical forms.
//! - [`sign`](mod@sign): [`sign_header`], [`sign_header_with_key`], [`presign`].
//! - [`chunked`]: [`ChunkChain`], [`ChunkedEncoder`], [`encoded_length`].
//! - [`decode`]: [`ChunkedDecoder`], [`ChunkedError`].
//! - [`verify`](mod@verify): [`verify()`], [`verify_with`], [`S3Verified`].
//! - [`error`](mod@error): [`S3VerifyError`].

pub mod chunked;
pub mod decode;
pub mod error;
pub mod request;
pub mod sign;
pub mod verify;

pub use chunked::{canonical_trailers, encoded_length, ChunkChain, ChunkedEncoder};
pub use decode::{ChunkedDecoder, ChunkedError};
pub use error::S3VerifyError;
pub use request::{PayloadHash, S3Request};
pub use sign::{presign, sign_header, sign_header_with_key, signing_key, HeaderSignature};
pub use verify::{verify, verify_with, S3ReceivedRequest, S3Verified, S3VerifyOptions};
