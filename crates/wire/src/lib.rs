//! `jit-wire`: what every storage Type and local server does to bytes on the wire, written
//! once for the workspace.
//!
//! - [`crc64`]: CRC-64/XZ (OSS's `x-oss-hash-crc64ecma`, DiskType's sidecar CRC) and
//!   CRC-64/NVME (S3's `x-amz-checksum-crc64nvme`) by carry-less multiplication where the
//!   CPU has it, streaming, and the combination of adjacent pieces' CRCs.
//! - [`percent`]: RFC 3986 percent-encoding of object keys and query components (the
//!   encoding OSS's and S3's signatures are computed over).

#![warn(missing_docs)]

pub mod crc64;
pub mod percent;
