//! Fuzz target: any bytes as the body of a ListObjectsV2 answer and of an error answer,
//! read by an OssType storage (`OssStorage::list`) from a fake server on 127.0.0.1 (the
//! listing and error parsers are private). Invariants: no panic; an error status is
//! always an error.

#![no_main]

use std::sync::{Arc, Mutex, OnceLock};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jit_storage::{ListOptions, StorageMeta};
use jit_storage_cloud::{OssConfig, OssStorage};
use libfuzzer_sys::fuzz_target;

struct Fake {
    runtime: tokio::runtime::Runtime,
    answer: Arc<Mutex<(u16, Vec<u8>)>>,
    storage: OssStorage,
}

fn fake() -> &'static Fake {
    static FAKE: OnceLock<Fake> = OnceLock::new();
    FAKE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let answer = Arc::new(Mutex::new((200u16, Vec::new())));
        let shared = answer.clone();
        let addr = runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let app = axum::Router::new().fallback(move || {
                let (status, body) = shared.lock().unwrap().clone();
                async move {
                    let mut response: Response = body.into_response();
                    *response.status_mut() = StatusCode::from_u16(status).unwrap();
                    response
                }
            });
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            addr
        });
        let config: OssConfig = serde_json::from_value(serde_json::json!({
            "accessKeyId": "AK",
            "accessKeySecret": "secret",
            "endPoint": format!("http://{addr}"),
            "bucketName": "fake-bucket",
            "region": "cn-hangzhou",
            "pathStyle": true,
            "maxRetries": 0
        }))
        .unwrap();
        let storage = OssStorage::new(&config).unwrap();
        Fake {
            runtime,
            answer,
            storage,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let status = match selector % 4 {
        0 | 1 => 200,
        2 => 403,
        _ => 404,
    };
    let fake = fake();
    *fake.answer.lock().unwrap() = (status, body.to_vec());
    let result = fake
        .runtime
        .block_on(fake.storage.list(ListOptions::default()));
    if status != 200 {
        assert!(result.is_err());
    }
});
