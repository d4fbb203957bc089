//! `jitstore serve-oss --root DIR` killed with SIGKILL in the middle of traffic, then
//! started again on the same folder: every object whose PUT or CompleteMultipartUpload
//! was acknowledged is served intact (bytes and CRC-64), nothing else shows up as an
//! object, and no temporary file is left.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::*;

/// What the writers know of one key.
#[derive(Debug, Default, Clone)]
struct KeyState {
    /// The content of the last acknowledged write.
    acked: Option<Vec<u8>>,
    /// The content of a write sent but never answered (it may or may not have landed).
    in_flight: Option<Vec<u8>>,
    /// Whether the acknowledged write was a multipart upload.
    multipart: bool,
}

type Ledger = Arc<Mutex<HashMap<String, KeyState>>>;

const WRITERS: u64 = 8;
/// Acknowledged writes to wait for before the kill.
const ACKED_BEFORE_KILL: usize = 160;

fn record(ledger: &Ledger, key: &str, update: impl FnOnce(&mut KeyState)) {
    let mut ledger = ledger.lock().unwrap_or_else(|e| e.into_inner());
    update(ledger.entry(key.to_owned()).or_default());
}

/// One multipart upload of `data` (two full parts and a tail); true if acknowledged.
async fn multipart(oss: &Oss, key: &str, data: &[u8]) -> Result<bool, reqwest::Error> {
    let init = oss
        .send("POST", Some(key), &[("uploads", None)], Vec::new())
        .await?;
    if init.status != 200 {
        return Ok(false);
    }
    let upload_id = xml_text(&init.text(), "UploadId").expect("upload id");
    let mut etags = Vec::new();
    for (number, chunk) in data.chunks(100 * 1024).enumerate() {
        let number = (number + 1).to_string();
        let part = oss
            .send(
                "PUT",
                Some(key),
                &[
                    ("partNumber", Some(&number)),
                    ("uploadId", Some(&upload_id)),
                ],
                chunk.to_vec(),
            )
            .await?;
        if part.status != 200 {
            return Ok(false);
        }
        etags.push(part.header("etag").expect("etag").to_owned());
    }
    let parts: String = etags
        .iter()
        .enumerate()
        .map(|(i, etag)| {
            format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{etag}</ETag></Part>",
                i + 1
            )
        })
        .collect();
    let done = oss
        .send(
            "POST",
            Some(key),
            &[("uploadId", Some(&upload_id))],
            format!("<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>").into_bytes(),
        )
        .await?;
    Ok(done.status == 200)
}

/// Writes until the server stops answering: new objects, overwrites of its own earlier
/// keys, and every fifth write a multipart upload.
async fn writer(oss: Oss, id: u64, ledger: Ledger, acked: Arc<AtomicUsize>, stop: Arc<AtomicBool>) {
    let mut keys: Vec<String> = Vec::new();
    for i in 0u64.. {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let seed = id * 1_000_000 + i;
        let is_multipart = i % 5 == 4;
        let key = if i % 4 == 3 && !keys.is_empty() {
            keys[(seed % keys.len() as u64) as usize].clone()
        } else {
            format!("w{id}/obj{i}")
        };
        let data = if is_multipart {
            pattern(2 * 100 * 1024 + (seed % 5000) as usize, seed)
        } else {
            pattern(1 + (seed % (48 * 1024)) as usize, seed)
        };
        record(&ledger, &key, |s| s.in_flight = Some(data.clone()));
        let outcome = if is_multipart {
            multipart(&oss, &key, &data).await
        } else {
            oss.send("PUT", Some(&key), &[], data.clone())
                .await
                .map(|answer| answer.status == 200)
        };
        match outcome {
            Ok(true) => {
                record(&ledger, &key, |s| {
                    s.acked = Some(data);
                    s.in_flight = None;
                    s.multipart = is_multipart;
                });
                acked.fetch_add(1, Ordering::Relaxed);
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            Ok(false) => panic!("the server refused a write to {key}"),
            // No answer: the server is gone. The write may or may not have landed.
            Err(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_objects_survive_sigkill() {
    let root = tempfile::tempdir().expect("temp dir");
    let mut server = serve(root.path(), &[]);
    let oss = Oss::new(server.addr);
    let ledger: Ledger = Arc::default();
    let acked = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|id| {
            tokio::spawn(writer(
                oss.clone(),
                id,
                ledger.clone(),
                acked.clone(),
                stop.clone(),
            ))
        })
        .collect();
    while acked.load(Ordering::Relaxed) < ACKED_BEFORE_KILL {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Mid-traffic: every writer has a request on the wire or about to be.
    server.kill();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.expect("writer");
    }

    let server = serve(root.path(), &[]);
    let oss = Oss::new(server.addr);
    let ledger = ledger.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let (mut verified, mut multipart_verified, mut in_flight_landed) = (0, 0, 0);
    for (key, state) in &ledger {
        let got = oss
            .send("GET", Some(key), &[], Vec::new())
            .await
            .expect("the restarted server answers");
        let landed = |body: &[u8]| state.in_flight.as_deref() == Some(body);
        match &state.acked {
            Some(acked) => {
                assert_eq!(got.status, 200, "acknowledged {key} lost: {}", got.text());
                assert!(
                    got.body == *acked || landed(&got.body),
                    "{key}: {} bytes served, not what was acknowledged",
                    got.body.len()
                );
                verified += 1;
                if state.multipart {
                    multipart_verified += 1;
                }
            }
            None => {
                assert!(
                    got.status == 404 || landed(&got.body),
                    "{key}: {}",
                    got.status
                );
            }
        }
        if got.status == 200 {
            let crc = jit_oss_protocol::crc64::checksum(&got.body).to_string();
            assert_eq!(
                got.header("x-oss-hash-crc64ecma"),
                Some(crc.as_str()),
                "{key}"
            );
            if state.in_flight.is_some() && landed(&got.body) {
                in_flight_landed += 1;
            }
        }
    }
    // Nothing but the keys written shows up as an object, and tmp/ was emptied.
    let mut listed = Vec::new();
    let mut marker = String::new();
    loop {
        let page = oss
            .send(
                "GET",
                None,
                &[("marker", Some(&marker)), ("max-keys", Some("1000"))],
                Vec::new(),
            )
            .await
            .expect("list");
        assert_eq!(page.status, 200, "{}", page.text());
        let text = page.text();
        listed.extend(all_xml_text(&text, "Key"));
        match xml_text(&text, "NextMarker") {
            Some(next) if xml_text(&text, "IsTruncated").as_deref() == Some("true") => {
                marker = next
            }
            _ => break,
        }
    }
    for key in &listed {
        assert!(ledger.contains_key(key), "{key:?} was never written");
    }
    let tmp = root.path().join(BUCKET).join("tmp");
    assert_eq!(std::fs::read_dir(&tmp).expect("tmp").count(), 0);
    let in_flight = ledger.values().filter(|s| s.in_flight.is_some()).count();
    eprintln!(
        "crash test: {} keys written, {verified} acknowledged ({multipart_verified} multipart) \
         and verified after SIGKILL and restart; {in_flight} in flight at the kill, \
         {in_flight_landed} of which landed whole",
        ledger.len()
    );
}
