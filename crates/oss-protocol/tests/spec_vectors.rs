//! The public vectors listed in `shared/reference/oss-protocol.md` (Aliyun documentation
//! and the official Go SDK v2 tests), recomputed with this crate.

use std::time::{Duration, UNIX_EPOCH};

use jit_oss_protocol::sign::{v1, v4, SignRequest};
use jit_oss_protocol::Credentials;

#[test]
fn v1_doc_header_example() {
    let secret = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV";
    let req = SignRequest::new("PUT")
        .with_bucket("oss-example")
        .with_key("nelson")
        .with_header(
            "Content-MD5",
            "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=",
        )
        .with_header("Content-Type", "text/html")
        .with_header("Date", "Thu, 17 Nov 2005 18:49:58 GMT")
        .with_header("X-OSS-Meta-Author", "foo@bar.com")
        .with_header("X-OSS-Magic", "abracadabra");
    let view = req.view();
    let sts = v1::string_to_sign(&view, v1::header_date(&view).unwrap());
    assert_eq!(
        sts,
        "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson"
    );
    assert_eq!(v1::signature(secret, &sts), "26NBxoKdsyly4EDv6inkoDft/yA=");

    // The same through sign_header with the clock at that instant.
    let mut signed = req.clone();
    let creds = Credentials::new("44CF9590006BF252F707", secret);
    v1::sign_header(
        &mut signed,
        &creds,
        UNIX_EPOCH + Duration::from_secs(1_132_253_398),
    )
    .unwrap();
    assert_eq!(
        signed.header("authorization"),
        Some("OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=")
    );
}

#[test]
fn v1_doc_query_example() {
    let secret = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV";
    let mut req = SignRequest::new("GET")
        .with_bucket("oss-example")
        .with_key("oss-api.pdf");
    let sts = v1::string_to_sign(&req.view(), "1141889120");
    assert_eq!(sts, "GET\n\n\n1141889120\n/oss-example/oss-api.pdf");
    assert_eq!(v1::signature(secret, &sts), "EwaNTn1erJGkimiJ9WmXgwnANLc=");
    let creds = Credentials::new("44CF9590006BF252F707", secret);
    v1::presign(
        &mut req,
        &creds,
        UNIX_EPOCH + Duration::from_secs(1_141_889_120),
    )
    .unwrap();
    assert_eq!(
        req.query_string(),
        "OSSAccessKeyId=44CF9590006BF252F707&Expires=1141889120&Signature=EwaNTn1erJGkimiJ9WmXgwnANLc%3D"
    );
}

#[test]
fn v1_go_sdk_vectors() {
    let req = SignRequest::new("PUT")
        .with_bucket("examplebucket")
        .with_key("nelson")
        .with_header("content-md5", "eB5eJF1ptWaXm4bijSPyxw==")
        .with_header("content-type", "text/html")
        .with_header("x-oss-meta-author", "alice")
        .with_header("x-oss-meta-magic", "abracadabra")
        .with_header("x-oss-date", "Wed, 28 Dec 2022 10:27:41 GMT");
    let mut signed = req.clone();
    let creds = Credentials::new("ak", "sk");
    // 2022-12-28T10:27:41Z; the request's x-oss-date is what gets signed.
    v1::sign_header(
        &mut signed,
        &creds,
        UNIX_EPOCH + Duration::from_secs(1_672_223_261),
    )
    .unwrap();
    let view = signed.view();
    assert_eq!(
        v1::string_to_sign(&view, v1::header_date(&view).unwrap()),
        "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson"
    );
    assert_eq!(
        signed.header("authorization"),
        Some("OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=")
    );
    assert_eq!(signed.header("date"), Some("Wed, 28 Dec 2022 10:27:41 GMT"));

    let q = SignRequest::new("GET")
        .with_bucket("bucket")
        .with_key("key")
        .with_query("versionId", Some("versionId"));
    let sts = v1::string_to_sign(&q.view(), "1699807420");
    assert_eq!(sts, "GET\n\n\n1699807420\n/bucket/key?versionId=versionId");
    assert_eq!(v1::signature("sk", &sts), "dcLTea+Yh9ApirQ8o8dOPqtvJXQ=");

    let mut q = SignRequest::new("GET")
        .with_bucket("bucket")
        .with_key("key+123")
        .with_query("versionId", Some("versionId"));
    let sts_creds = Credentials::with_token("ak", "sk", "token");
    v1::presign(
        &mut q,
        &sts_creds,
        UNIX_EPOCH + Duration::from_secs(1_699_808_204),
    )
    .unwrap();
    assert_eq!(
        v1::string_to_sign(&q.view(), "1699808204"),
        "GET\n\n\n1699808204\n/bucket/key+123?security-token=token&versionId=versionId"
    );
    assert_eq!(
        q.query_param("Signature"),
        Some(Some("jzKYRrM5y6Br0dRFPaTGOsbrDhY="))
    );
    assert_eq!(q.query_param("security-token"), Some(Some("token")));
}

#[test]
fn v4_doc_header_example() {
    let req = SignRequest::new("PUT")
        .with_bucket("examplebucket")
        .with_key("exampleobject")
        .with_header("content-disposition", "attachment")
        .with_header("content-length", "3")
        .with_header("content-md5", "ICy5YqxZB1uWSwcVLSNLcA==")
        .with_header("content-type", "text/plain");
    let mut signed = req.clone();
    let creds = Credentials::new("accessKeyId", "yourAccessKeySecret");
    // 2025-04-11T06:41:24Z
    let now = UNIX_EPOCH + Duration::from_secs(1_744_353_684);
    v4::sign_header(
        &mut signed,
        &creds,
        "cn-hangzhou",
        &["content-length", "content-disposition"],
        now,
    )
    .unwrap();
    let view = signed.view();
    let additional =
        v4::additional_headers(&view.headers, &["content-disposition", "content-length"]);
    let creq = v4::canonical_request(&view, &additional);
    assert_eq!(
        creq,
        "PUT\n/examplebucket/exampleobject\n\ncontent-disposition:attachment\ncontent-length:3\ncontent-md5:ICy5YqxZB1uWSwcVLSNLcA==\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20250411T064124Z\n\ncontent-disposition;content-length\nUNSIGNED-PAYLOAD"
    );
    let sts = v4::string_to_sign(
        "20250411T064124Z",
        &v4::scope("20250411", "cn-hangzhou"),
        &creq,
    );
    assert_eq!(
        sts.rsplit('\n').next(),
        Some("c46d96390bdbc2d739ac9363293ae9d710b14e48081fcb22cd8ad54b63136eca")
    );
    let sig = "d3694c2dfc5371ee6acd35e88c4871ac95a7ba01d3a2f476768fe61218590097";
    assert_eq!(
        v4::signature("yourAccessKeySecret", "20250411", "cn-hangzhou", &sts),
        sig
    );
    assert_eq!(
        signed.header("authorization").unwrap(),
        format!(
            "OSS4-HMAC-SHA256 Credential=accessKeyId/20250411/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=content-disposition;content-length,Signature={sig}"
        )
    );
}

#[test]
fn v4_presign_example() {
    let mut req = SignRequest::new("GET")
        .with_bucket("examplebucket")
        .with_key("exampleobject")
        .with_header("host", "examplebucket.oss-cn-hangzhou.aliyuncs.com");
    let creds = Credentials::new("testid", "yourAccessKeySecret");
    // 2024-12-03T03:23:07Z
    let now = UNIX_EPOCH + Duration::from_secs(1_733_196_187);
    v4::presign(&mut req, &creds, "cn-hangzhou", &["host"], now, 86_400).unwrap();
    assert_eq!(
        req.query_param("x-oss-signature"),
        Some(Some(
            "a9ad2ce702a93c7c36ace35dd4e1b80cb76a999c890d7dfe78ff342a23dac8e0"
        ))
    );
    assert_eq!(
        req.query_param("x-oss-additional-headers"),
        Some(Some("host"))
    );
    assert_eq!(
        req.query_param("x-oss-date"),
        Some(Some("20241203T032307Z"))
    );
    assert_eq!(
        req.query_param("x-oss-credential"),
        Some(Some("testid/20241203/cn-hangzhou/oss/aliyun_v4_request"))
    );
}
