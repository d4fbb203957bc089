//! DeleteObjects (`POST ?delete`): up to 1,000 keys in one request, whose body must
//! carry a `Content-MD5` or an `x-amz-checksum-*` (checked like any body), answered
//! with `<Deleted>` entries (none when `Quiet`) and `<Error>` entries.

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;

use super::body::read_small_body;
use super::context::Ctx;
use super::response::xml_response;
use crate::addressing;
use crate::checksum::Algorithm;
use crate::error::{S3Error, S3Result};
use crate::xml::{self, DeleteRequest, Doc};

/// Most keys in one DeleteObjects.
pub const MAX_DELETE_KEYS: usize = 1000;

/// DeleteObjects.
pub async fn delete_objects(ctx: &Ctx<'_>, bucket: &str, body: Body) -> S3Result<Response> {
    ctx.store().bucket_created(bucket)?;
    let has_checksum = ctx.headers.contains_key("content-md5")
        || ctx
            .headers
            .keys()
            .any(|n| Algorithm::from_header(n.as_str()).is_some())
        || ctx.headers.contains_key("x-amz-trailer");
    if !has_checksum {
        return Err(S3Error::invalid_request(
            "Missing required header for this request: Content-MD5 or x-amz-checksum-*",
        ));
    }
    let bytes = read_small_body(ctx, body, true).await?;
    let request: DeleteRequest = xml::parse(&bytes).ok_or_else(S3Error::malformed_xml)?;
    if request.objects.len() > MAX_DELETE_KEYS {
        return Err(S3Error::malformed_xml());
    }
    let mut doc = Doc::new("DeleteResult");
    for object in &request.objects {
        let outcome = match addressing::check_key(&object.key) {
            Ok(()) => ctx
                .store()
                .delete_object(bucket, &object.key)
                .await
                .map_err(S3Error::from),
            Err(err) => Err(err),
        };
        match outcome {
            Ok(_) => {
                if !request.quiet {
                    doc.open("Deleted")
                        .field("Key", &object.key)
                        .close("Deleted");
                }
            }
            Err(err) => {
                doc.open("Error")
                    .field("Key", &object.key)
                    .field("Code", err.code)
                    .field("Message", &err.message)
                    .close("Error");
            }
        }
    }
    Ok(xml_response(doc.finish("DeleteResult"), HeaderMap::new()))
}
