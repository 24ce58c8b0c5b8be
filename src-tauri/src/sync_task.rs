//! Sync with the provincial hub from the app: enrollment, a background task (at start, a few
//! seconds after changes, on a timer, backing off while the hub is unreachable), the status the
//! page shows, and the conflicts a person resolves. The book's lock is held only between network
//! calls, never across one.

use crate::commands::{CommandError, Result, with_book};
use crate::state::AppState;
use casebook::sync::{Conflict, SyncPosition};
use oscc_sync::{Client, Credentials, Replica, SyncError, SyncReport};
use serde::Serialize;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;

/// Quiet time after a change before syncing it, and the regular interval.
const AFTER_CHANGE: Duration = Duration::from_secs(5);
const EVERY: Duration = Duration::from_secs(60);
const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// What the sync task did last, for the status area.
#[derive(Debug, Clone, Default)]
pub struct SyncRun {
    pub last_ok: Option<String>,
    pub last_error: Option<String>,
    pub running: bool,
    pub failures: u32,
    pub wanted: bool,
    pub last_started: Option<Instant>,
    /// Events and attachments sent and taken in by the run going on (or the last one): the
    /// progress shown.
    pub pushed: u64,
    pub received: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub hub_url: Option<String>,
    /// The hub certificate's fingerprint this laptop trusts (compare with `oscc-hub`'s).
    pub hub_pin: Option<String>,
    pub position: SyncPosition,
    pub last_ok: Option<String>,
    /// A message key (`sync.error.*`) when the last run failed.
    pub last_error: Option<String>,
    pub running: bool,
    #[ts(type = "number")]
    pub pushed: u64,
    #[ts(type = "number")]
    pub received: u64,
}

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

fn error_key(err: &SyncError) -> &'static str {
    match err {
        SyncError::Network(_) => "sync.error.network",
        SyncError::Unauthorized => "sync.error.unauthorized",
        SyncError::Refused(_) | SyncError::Stalled => "sync.error.refused",
        SyncError::Book(_) => "sync.error.book",
        SyncError::PlainHttp | SyncError::BadAddress => "sync.error.address",
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
                run.last_ok = Some(casebook::now_iso());
                run.last_error = None;
                run.failures = 0;
            }
            Err(err) => {
                // The log says what kind of failure; never what was sent.
                eprintln!("sync failed: {}", error_key(&err));
                run.last_error = Some(error_key(&err).to_owned());
                run.failures = run.failures.saturating_add(1);
            }
        }
    }
    // What the sync took in is indexed for search now, a step at a time, after the status
    // says the sync is done: those records are found meanwhile too, by a slower scan.
    if synced && let Err(err) = oscc_sync::catch_up_search(&AppReplica(state)) {
        eprintln!("search indexing paused: {}", error_key(&err));
    }
    true
}

/// The background task: at start, after changes (debounced), on a timer; backing off
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
                .map(|last| started.is_none_or(|s| *last > s) && last.elapsed() >= AFTER_CHANGE)
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

/// Enrolls this laptop with the hub using the one-time code the hub's administrator gave.
#[tauri::command]
pub async fn enroll_device(state: State<'_, AppState>, hub_url: String, code: String) -> Result<()> {
    let (device_id, device_name) = with_book(&state, |book, _| Ok((book.device_id().to_owned(), book.unit()?.name)))?;
    let url = hub_url.trim().trim_end_matches('/').to_owned();
    let enrolled = Client::new(&url, None, None)
        .map_err(|e| CommandError::key(error_key(&e)))?
        .enroll(code.trim(), &device_id, &device_name)
        .await
        .map_err(|e| CommandError::key(error_key(&e)))?;
    let secret = enrolled.credentials.to_secret();
    with_book(&state, |book, s| {
        book.set_hub(s, &url, enrolled.pin.as_deref(), &secret)
    })?;
    request(&state);
    Ok(())
}

fn request(state: &AppState) {
    if let Ok(mut run) = state.sync.lock() {
        run.wanted = true;
    }
}

/// Asks the background task to sync now.
#[tauri::command]
pub fn sync_now(state: State<'_, AppState>) -> Result<()> {
    request(&state);
    Ok(())
}

/// The status area: enrolled or not, pending events, open conflicts, last sync or error.
#[tauri::command]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus> {
    let guard = state.book.lock().map_err(|_| CommandError::key("error.storage"))?;
    let unlocked = guard.as_ref().ok_or_else(|| CommandError::key("error.locked"))?;
    let hub = unlocked.book.hub().map_err(CommandError::from)?;
    let position = unlocked.book.sync_position().map_err(CommandError::from)?;
    let run = state.sync.lock().map(|r| r.clone()).unwrap_or_default();
    Ok(SyncStatus {
        enrolled: hub.is_some(),
        hub_url: hub.as_ref().map(|h| h.url.clone()),
        hub_pin: hub.and_then(|h| h.pin),
        position,
        last_ok: run.last_ok,
        last_error: run.last_error,
        running: run.running,
        pushed: run.pushed,
        received: run.received,
    })
}

/// Polled by the Sync screen, so it does not count as activity (the idle lock still comes).
#[tauri::command]
pub fn conflicts(state: State<'_, AppState>) -> Result<Vec<Conflict>> {
    let guard = state.book.lock().map_err(|_| CommandError::key("error.storage"))?;
    let unlocked = guard.as_ref().ok_or_else(|| CommandError::key("error.locked"))?;
    Ok(unlocked.book.conflicts(&unlocked.session)?)
}

/// A person's choice between the two values; it travels as a new event.
#[tauri::command]
pub fn resolve_conflict(state: State<'_, AppState>, id: String, take_other: bool) -> Result<()> {
    with_book(&state, |book, s| book.resolve_conflict(s, &id, take_other))?;
    request(&state);
    Ok(())
}
