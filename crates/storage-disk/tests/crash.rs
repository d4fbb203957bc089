//! Crash safety, with real processes: `disk-crash-writer` (a test-only binary of this
//! crate) overwrites one key in a loop with two alternating versions and is killed with
//! SIGKILL at random points, many times. After every kill the key reads as one of the
//! two versions, whole (CRC-64 checked here, independently of the storage), described
//! as that very version (content type, metadata, stored CRC); no temp file is ever
//! listed; and the next open of the storage sweeps the temp files the dead writer left.

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use jit_storage::{PutOptions, StorageMeta, StorageMetaExt};
use jit_storage_disk::{DiskSettings, DiskStorage};

const KEY: &str = "crash/object";
const KILLS: usize = 80;

fn crc64(data: &[u8]) -> u64 {
    crc::Crc::<u64>::new(&crc::CRC_64_XZ).checksum(data)
}

/// A small deterministic generator (xorshift), so the test needs no randomness crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn version_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = Rng(seed);
    (0..len).map(|_| rng.next() as u8).collect()
}

fn temp_names(root: &Path) -> Vec<String> {
    common::temp_files(root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_killed_at_any_point_leaves_the_old_or_the_new_object_whole() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("store");
    // Two versions of different sizes and types; neither type is the one the key's
    // (missing) extension would suggest, so a version that lost its sidecar shows.
    let versions = [
        (version_bytes(0x9E37_79B9, 256 * 1024), "text/plain"),
        (version_bytes(0x7F4A_7C15, 384 * 1024 + 17), "image/png"),
    ];
    let mut args = vec![dir.display().to_string(), KEY.to_string()];
    for (i, (bytes, content_type)) in versions.iter().enumerate() {
        let file = work.path().join(format!("v{i}.bin"));
        std::fs::write(&file, bytes).unwrap();
        args.push(file.display().to_string());
        args.push(content_type.to_string());
    }
    let crcs = [crc64(&versions[0].0), crc64(&versions[1].0)];

    // The old object, in place before any writer runs.
    {
        let storage = DiskStorage::open(DiskSettings::new(&dir)).await.unwrap();
        storage
            .put(
                KEY,
                Bytes::from(versions[0].0.clone()).into(),
                PutOptions::content_type(versions[0].1).with_metadata("version", "0"),
            )
            .await
            .unwrap();
    }

    // How long the writer takes per upload here, so the kills can be spread over whole
    // uploads (streaming, syncing, both renames) and the moments between them. Only a
    // scale for the random points: nothing is asserted about time.
    let period = {
        let mut child = Command::new(env!("CARGO_BIN_EXE_disk-crash-writer"))
            .args(&args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the writer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next().unwrap().unwrap(), "ready");
        let start = std::time::Instant::now();
        for _ in 0..4 {
            lines.next().unwrap().unwrap();
        }
        let period = start.elapsed() / 4;
        child.kill().unwrap();
        child.wait().unwrap();
        period
    };
    let spread = (period * 3).as_micros().max(1) as u64;
    let mut stored: usize = DiskStorage::open(DiskSettings::new(&dir))
        .await
        .unwrap()
        .stat(KEY)
        .await
        .unwrap()
        .metadata["version"]
        .parse()
        .unwrap();

    let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ u64::from(std::process::id()));
    // Reads after a kill: [the version stored before the writer started, the other one].
    let (mut seen, mut commits_total, mut kills_with_temps, mut temps_swept) =
        ([0usize; 2], 0usize, 0usize, 0usize);
    for kill in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_disk-crash-writer"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the writer");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = lines.next().expect("a line").expect("readable");
        assert_eq!(ready, "ready");
        // A random point within the first three uploads.
        let wait = Duration::from_micros(rng.next() % spread);
        std::thread::sleep(wait);
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        commits_total += lines.map_while(Result::ok).count();

        // Before anyone opens the storage again: temp files of the dead writer may be
        // there, but never where keys are.
        let left = temp_names(&dir);
        if !left.is_empty() {
            kills_with_temps += 1;
            temps_swept += left.len();
        }

        let storage = DiskStorage::open(DiskSettings::new(&dir)).await.unwrap();
        assert!(
            temp_names(&dir).is_empty(),
            "kill {kill}: opening the storage did not sweep the dead writer's temp files {left:?}"
        );
        let listed: Vec<String> = storage
            .list_all("")
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(listed, vec![KEY.to_string()], "kill {kill}");

        let bytes = storage.download(KEY).await.unwrap_or_else(|e| {
            panic!("kill {kill}: the object cannot be read whole: {e}");
        });
        let crc = crc64(&bytes);
        let which = crcs
            .iter()
            .position(|c| *c == crc)
            .unwrap_or_else(|| panic!("kill {kill}: {} bytes, neither version", bytes.len()));
        assert_eq!(bytes.len(), versions[which].0.len(), "kill {kill}");
        seen[usize::from(which != stored)] += 1;
        stored = which;
        let info = storage.get_object(KEY).await.unwrap();
        assert_eq!(
            info.crc64,
            Some(crc),
            "kill {kill}: the sidecar lost the version"
        );
        assert_eq!(
            info.content_type.as_deref(),
            Some(versions[which].1),
            "kill {kill}"
        );
        assert_eq!(
            info.metadata.get("version").map(String::as_str),
            Some(which.to_string().as_str()),
            "kill {kill}"
        );
    }
    eprintln!(
        "{KILLS} kills: the old version read {} times, the new one {} times; {commits_total} uploads \
         completed in all before the kills; {kills_with_temps} kills left temp files \
         ({temps_swept} in all), each swept by the next open; one upload took about {period:?}",
        seen[0], seen[1]
    );
    assert_eq!(seen[0] + seen[1], KILLS);
}
