//! Sync with the provincial hub in the background: at start, a few seconds after changes, on a
//! timer, backing off while the hub is unreachable. The book's lock is held only between
//! network calls, never across one.

use crate::error::Failure;
use crate::state::AppState;
use oscc_sync::{Client, Credentials, Replica, SyncReport};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager};

/// Quiet time after a change before syncing it, and the regular interval.
const AFTER_CHANGE: Duration = Duration::from_secs(5);
const EVERY: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// The unlocked book, as sync sees it: locked per call, an error when the app is locked.
struct AppReplica<'a>(&'a AppState);

impl Replica for AppReplica<'_> {
    fn with_book<T>(&self, work: impl FnOnce(&mut casebook::Casebook) -> casebook::Result<T>) -> casebook::Result<T> {
        let mut guard = self
            .0
            .book
            .lock()
            .map_err(|_| casebook::Error::Corrupt("lock poisoned".into()))?;
        let unlocked = guard.as_mut().ok_or(casebook::Error::Forbidden("locked"))?;
        work(&mut unlocked.book)
    }

    fn progress(&self, so_far: &SyncReport) {
        if let Ok(mut run) = self.0.sync.lock() {
            run.pushed = so_far.pushed + so_far.blobs_sent;
            run.received = so_far.received.applied + so_far.received.duplicates + so_far.blobs_received;
        }
    }
}

/// Runs one sync if the book is open and enrolled; records the outcome. False when there was
/// nothing to sync with (locked, or not enrolled).
async fn run_once(state: &AppState) -> bool {
    let hub = {
        let Ok(guard) = state.book.lock() else { return false };
        match guard.as_ref().map(|u| u.book.hub()) {
            Some(Ok(Some(link))) => Some(link),
            _ => None,
        }
    };
    let Some(link) = hub else { return false };
    if let Ok(mut run) = state.sync.lock() {
        run.running = true;
        run.wanted = false;
        run.last_started = Some(Instant::now());
        run.pushed = 0;
        run.received = 0;
    }
    let credentials = Credentials::from_secret(&link.secret);
    let outcome = match Client::new(&link.url, link.pin.as_deref(), credentials) {
        Ok(client) => oscc_sync::sync_once(&AppReplica(state), &client, casebook::store::schema_version()).await,
        Err(err) => Err(err),
    };
    let synced = outcome.is_ok();
    if let Ok(mut run) = state.sync.lock() {
        run.running = false;
        match outcome {
            Ok(_) => {
                run.last_ok = Some(casebook::dates::now_iso());
                run.last_error = None;
                run.failures = 0;
            }
            Err(err) => {
                // The log says what kind of failure; never what was sent.
                let key = Failure::from(&err).key();
                eprintln!("sync failed: {key}");
                run.last_error = Some(key.to_owned());
                run.failures = run.failures.saturating_add(1);
            }
        }
    }
    // What the sync took in is indexed for search now, a step at a time, after the status
    // says the sync is done: those records are found meanwhile too, by a slower scan.
    if synced && let Err(err) = oscc_sync::catch_up_search(&AppReplica(state)) {
        eprintln!("search indexing paused: {}", Failure::from(&err).key());
    }
    true
}

/// Starts the background task: at start, after changes (debounced), on a timer; backing off
/// exponentially while it fails.
pub fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut next = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let state = app.state::<AppState>();
            let (wanted, failures, started) = state
                .sync
                .lock()
                .map(|r| (r.wanted, r.failures, r.last_started))
                .unwrap_or((false, 0, None));
            // Work in the app since the last run, and then a quiet moment.
            let changed = state
                .last_activity
                .lock()
                .map(|last| started.is_none_or(|s| last.monotonic > s) && last.monotonic.elapsed() >= AFTER_CHANGE)
                .unwrap_or(false);
            if !(wanted || changed || Instant::now() >= next) {
                continue;
            }
            if !run_once(&state).await {
                // Locked or not enrolled: try again as soon as that changes.
                continue;
            }
            let backoff = if failures == 0 {
                EVERY
            } else {
                (AFTER_CHANGE * 2u32.saturating_pow(failures.min(10))).min(MAX_BACKOFF)
            };
            next = Instant::now() + backoff;
        }
    });
}

/// Asks the background task to sync as soon as it looks.
pub fn request(state: &AppState) {
    if let Ok(mut run) = state.sync.lock() {
        run.wanted = true;
    }
}
