//! Access to recorded files and their end: `record` (an expired file is deleted when
//! accessed and is then NotFound), `delete`, the sweep of expired files and the task
//! that runs it.

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::error::{SvcError, SvcErrorKind, SvcResult};
use crate::record::FileRecord;
use crate::records::FileRow;
use crate::service::core::{check_name, records_error, storage_error, StorageService, Target};

/// How many expired records a sweep reads at a time.
const SWEEP_BATCH: i64 = 100;

impl StorageService {
    /// The record of a recorded, unexpired file whose object is in the storage (an
    /// expired one is deleted: NotFound; one whose object is missing, e.g. a signed
    /// upload not made yet: NotFound).
    pub async fn record(&self, file: &str, storage: Option<&str>) -> SvcResult<FileRecord> {
        let (target, row) = self.access("record", file, storage).await?;
        target
            .storage
            .stat(file)
            .await
            .map_err(|e| storage_error("record", &target.name, file, e))?;
        Ok(self.file_record(row))
    }

    /// delete: the file, its thumbnails and its record.
    pub async fn delete(&self, file: &str, storage: Option<&str>) -> SvcResult<()> {
        let (target, row) = self.access("delete", file, storage).await?;
        self.remove("delete", &target, &row).await
    }

    /// Deletes every expired file (object, thumbnails, record); returns how many. A file
    /// whose storage fails is left (and logged) for the next sweep.
    pub async fn sweep_expired(&self) -> SvcResult<usize> {
        let now = self.now_ms();
        let mut after_id = 0;
        let mut removed = 0;
        loop {
            let batch = self
                .records
                .list_expired(now, after_id, SWEEP_BATCH)
                .await
                .map_err(|e| records_error("sweepExpired", "", e))?;
            let full = batch.len() as i64 == SWEEP_BATCH;
            for row in batch {
                after_id = row.id;
                let result = match self
                    .target("sweepExpired", Some(&row.store_full_name))
                    .await
                {
                    Ok(target) => self.remove("sweepExpired", &target, &row).await,
                    Err(e) => Err(e),
                };
                match result {
                    Ok(()) => removed += 1,
                    Err(e) => tracing::warn!(error = %e, "an expired file could not be deleted"),
                }
            }
            if !full {
                return Ok(removed);
            }
        }
    }

    /// Runs [`StorageService::sweep_expired`] every `every` until the service is dropped
    /// (or the task aborted).
    pub fn spawn_sweeper(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let service: Weak<StorageService> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(service) = service.upgrade() else {
                    return;
                };
                match service.sweep_expired().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(files = n, "expired files deleted"),
                    Err(e) => tracing::warn!(error = %e, "the sweep of expired files failed"),
                }
            }
        })
    }

    /// The storage and record of a recorded file; NotFound when it is not recorded, and
    /// when it expired (after deleting it).
    pub(crate) async fn access(
        &self,
        method: &'static str,
        file: &str,
        storage: Option<&str>,
    ) -> SvcResult<(Target, FileRow)> {
        check_name(method, "file", file)?;
        let target = self.target(method, storage).await?;
        let row = self
            .records
            .get(&target.name, file)
            .await
            .map_err(|e| records_error(method, file, e))?
            .ok_or_else(|| {
                SvcError::new(SvcErrorKind::NotFound, method, "no such recorded file")
                    .with_file(file)
                    .with_storage(&target.name)
            })?;
        if row.expires_at.is_some_and(|at| at <= self.now_ms()) {
            self.remove(method, &target, &row).await?;
            return Err(
                SvcError::new(SvcErrorKind::NotFound, method, "the file expired")
                    .with_file(file)
                    .with_storage(&target.name),
            );
        }
        Ok((target, row))
    }

    /// Deletes a file's object, its cached thumbnails and its record.
    pub(crate) async fn remove(
        &self,
        method: &'static str,
        target: &Target,
        row: &FileRow,
    ) -> SvcResult<()> {
        let file = row.file_name.as_str();
        let thumbnails = self
            .records
            .thumbnails(&target.name, file)
            .await
            .map_err(|e| records_error(method, file, e))?;
        // A thumbnail name later taken by a recorded upload is the user's file now.
        let mut objects = Vec::with_capacity(thumbnails.len() + 1);
        for thumb in thumbnails {
            let taken = self
                .records
                .get(&target.name, &thumb)
                .await
                .map_err(|e| records_error(method, file, e))?;
            if taken.is_none() {
                objects.push(thumb);
            }
        }
        objects.push(file.to_string());
        target
            .storage
            .delete_many(&objects)
            .await
            .map_err(|e| storage_error(method, &target.name, file, e))?;
        self.records
            .delete(row.id, &target.name, file)
            .await
            .map_err(|e| records_error(method, file, e))?;
        Ok(())
    }
}
