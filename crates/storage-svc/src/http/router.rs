//! [`router`]: StorageSvc's methods under `<service path>/<method>` by JitAi's names —
//! `uploadByFile` (multipart), `preview`, `previewThumbnail`, `download` (GET/HEAD),
//! `getSignUrl` and `delete` (GET query or POST JSON) — with the access hook on writes,
//! CORS, and JSON errors for unknown methods and parameters.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use jit_storage::Payload;

use super::auth::Action;
use super::options::RouterOptions;
use super::params::{bad, Params};
use super::responses::{file_response, ok_json, ApiError};
use super::upload_form::read_form;
use crate::range::RangeSpec;
use crate::service::{ReadOptions, SignRequest, StorageService, UploadRequest};

/// The methods answered, by JitAi's names.
pub const METHODS: [&str; 6] = [
    "uploadByFile",
    "preview",
    "previewThumbnail",
    "download",
    "getSignUrl",
    "delete",
];

/// What every handler shares.
struct Shared {
    service: Arc<StorageService>,
    options: RouterOptions,
    /// Keeps the service's app open for as long as the router is mounted (the service
    /// holds it weakly), so a host may drop its own handle on the app.
    _app: Option<jit_element::App>,
}

type St = State<Arc<Shared>>;
type QueryPairs = Result<Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>;
type Handled = Result<Response, ApiError>;

/// The router of `service`, answering under its settings' `service_path`
/// ([`SERVICE_PATH`](crate::SERVICE_PATH) by default). Mount it as it is, or merge it
/// into the host's router.
pub fn router(service: Arc<StorageService>, options: RouterOptions) -> Router {
    let base = service
        .settings()
        .service_path
        .trim_end_matches('/')
        .to_owned();
    let upload_limit =
        usize::try_from(options.max_upload_bytes.saturating_add(1 << 20)).unwrap_or(usize::MAX);
    let cors = options.cors_layer();
    let shared = Arc::new(Shared {
        _app: service.app(),
        service,
        options,
    });
    let at = |method: &str| format!("{base}/{method}");
    let router = Router::new()
        .route(
            &at("uploadByFile"),
            with_405(post(upload_by_file)).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(&at("preview"), with_405(get(preview)))
        .route(&at("previewThumbnail"), with_405(get(preview_thumbnail)))
        .route(&at("download"), with_405(get(download)))
        .route(&at("getSignUrl"), with_405(get(sign_query).post(sign_json)))
        .route(&at("delete"), with_405(get(delete_query).post(delete_json)))
        .route(&format!("{base}/{{*method}}"), any(unknown_method))
        .with_state(shared);
    match cors {
        Some(layer) => router.layer(layer),
        None => router,
    }
}

/// A JSON 405 for the HTTP methods a route does not take.
fn with_405(route: MethodRouter<Arc<Shared>>) -> MethodRouter<Arc<Shared>> {
    route.fallback(|method: Method| async move {
        ApiError::Route {
            status: 405,
            kind: "MethodNotAllowed",
            message: format!("HTTP method {method} is not allowed here"),
        }
        .into_response()
    })
}

async fn unknown_method(Path(method): Path<String>) -> Response {
    ApiError::Route {
        status: 404,
        kind: "NotFound",
        message: format!(
            "no StorageSvc method {method:?} (methods: {})",
            METHODS.join(", ")
        ),
    }
    .into_response()
}

/// The pairs of the query string, or a BadInput error.
fn query_params(method: &'static str, query: QueryPairs) -> Result<Params, ApiError> {
    let Query(pairs) =
        query.map_err(|e| bad(method, format!("bad query string: {}", e.body_text())))?;
    Ok(Params::from_pairs(method, pairs)?)
}

/// A POST's JSON body, or its query string when the body is empty.
fn body_params(method: &'static str, query: QueryPairs, body: &Bytes) -> Result<Params, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return query_params(method, query);
    }
    let from_query = query_params(method, query)?;
    from_query.finish().map_err(|_| {
        bad(
            method,
            "give the parameters in the JSON body or in the query string, not both",
        )
    })?;
    Ok(Params::from_json(method, body)?)
}

/// Range and If-None-Match.
fn read_options(headers: &HeaderMap) -> ReadOptions {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &header::HeaderValue| v.to_str().ok())
    };
    ReadOptions {
        range: text(header::RANGE).and_then(RangeSpec::parse),
        if_none_match: text(header::IF_NONE_MATCH).map(str::to_owned),
    }
}

async fn upload_by_file(
    State(s): St,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Handled {
    const M: &str = "uploadByFile";
    let caller = s.options.hook.check(Action::Upload, &headers).await?;
    let form = form.map_err(|e| {
        bad(
            M,
            format!(
                "send a multipart/form-data body with a \"file\" part: {}",
                e.body_text()
            ),
        )
    })?;
    let form = read_form(
        form,
        s.options.upload_dir.as_deref(),
        s.options.max_upload_bytes,
    )
    .await?;
    let payload = form.payload().await?;
    let mut fields = form.fields;
    let file = fields
        .optional("fileName")
        .or(form.part_file_name)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            bad(
                M,
                "no file name: give the \"file\" part a filename or send a \"fileName\" field",
            )
        })?;
    let mut request = UploadRequest::new(file, Payload::File(payload));
    request.md5 = fields.optional("md5");
    request.content_type = fields.optional("contentType");
    request.storage = fields.optional("storage");
    request.expires = fields.seconds("expires")?;
    request.upload_user = caller.user;
    request.data_md5 = Some(form.md5.clone());
    fields.finish()?;
    tracing::debug!(size = form.size, "StorageSvc.uploadByFile: received");
    let stored = s.service.upload_by_file(request).await?;
    // The spooled file is deleted only now, once the service has stored it.
    drop(form.temp);
    Ok(ok_json(stored))
}

/// preview, previewThumbnail and download answer HEAD like GET, without the body.
async fn preview(State(s): St, headers: HeaderMap, query: QueryPairs) -> Handled {
    let mut p = query_params("preview", query)?;
    let file = p.required("file")?;
    let storage = p.optional("storage");
    p.finish()?;
    let content = s
        .service
        .preview(&file, storage.as_deref(), read_options(&headers))
        .await?;
    Ok(file_response(content))
}

async fn preview_thumbnail(State(s): St, headers: HeaderMap, query: QueryPairs) -> Handled {
    let mut p = query_params("previewThumbnail", query)?;
    let name = p.required("name")?;
    let width = p.pixels("width")?;
    let height = p.pixels("height")?;
    let storage = p.optional("storage");
    p.finish()?;
    let content = s
        .service
        .preview_thumbnail(
            &name,
            width,
            height,
            storage.as_deref(),
            read_options(&headers),
        )
        .await?;
    Ok(file_response(content))
}

async fn download(State(s): St, headers: HeaderMap, query: QueryPairs) -> Handled {
    let mut p = query_params("download", query)?;
    let file = p.required("file")?;
    let storage = p.optional("storage");
    p.finish()?;
    let content = s
        .service
        .download(&file, storage.as_deref(), read_options(&headers))
        .await?;
    Ok(file_response(content))
}

async fn sign_query(State(s): St, headers: HeaderMap, query: QueryPairs) -> Handled {
    let params = query_params("getSignUrl", query)?;
    sign(&s, &headers, params).await
}

async fn sign_json(State(s): St, headers: HeaderMap, query: QueryPairs, body: Bytes) -> Handled {
    let params = body_params("getSignUrl", query, &body)?;
    sign(&s, &headers, params).await
}

async fn sign(s: &Shared, headers: &HeaderMap, mut p: Params) -> Handled {
    let caller = s.options.hook.check(Action::Sign, headers).await?;
    let mut request = SignRequest::new(p.required("file")?, p.required("contentType")?);
    request.storage = p.optional("storage");
    request.expires = p.seconds("expires")?;
    request.url_expires = p.seconds("urlExpires")?;
    request.upload_user = caller.user;
    p.finish()?;
    Ok(ok_json(s.service.get_sign_url(request).await?))
}

async fn delete_query(State(s): St, headers: HeaderMap, query: QueryPairs) -> Handled {
    let params = query_params("delete", query)?;
    delete(&s, &headers, params).await
}

async fn delete_json(State(s): St, headers: HeaderMap, query: QueryPairs, body: Bytes) -> Handled {
    let params = body_params("delete", query, &body)?;
    delete(&s, &headers, params).await
}

async fn delete(s: &Shared, headers: &HeaderMap, mut p: Params) -> Handled {
    s.options.hook.check(Action::Delete, headers).await?;
    let file = p.required("file")?;
    let storage = p.optional("storage");
    p.finish()?;
    s.service.delete(&file, storage.as_deref()).await?;
    Ok(ok_json(()))
}
