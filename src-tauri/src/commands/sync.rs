//! Sync with the provincial hub: enrollment, a sync now, the status the page shows, the
//! conflicts a person resolves, and the events the hub refused. The syncing itself is the background task (sync_task.rs).

use crate::error::{Failure, Result};
use crate::state::AppState;
use crate::sync_task;
use casebook::sync::SyncPosition;
use casebook::sync::conflicts::Conflict;
use casebook::sync::refused::RefusedEntry;
use casebook::sync::set_aside::SetAsideEntry;
use oscc_sync::Client;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub hub_url: Option<String>,
    /// The hub certificate's fingerprint this laptop trusts (compare with `oscc-hub`'s).
    pub hub_pin: Option<String>,
    /// The fingerprint of the province key this laptop pinned (compare with `oscc-hub`'s).
    pub province_key: Option<String>,
    /// The fingerprint of this laptop's own key: the province administrator compares it with
    /// what `oscc-hub approve` lists before approving.
    pub device_key: Option<String>,
    pub position: SyncPosition,
    pub last_ok: Option<String>,
    /// A message key (`sync.error.*`) when the last run failed.
    pub last_error: Option<String>,
    pub running: bool,
    #[ts(type = "number")]
    pub pushed: u64,
    #[ts(type = "number")]
    pub received: u64,
    /// This laptop's short name on paper and screen (`laptop_tag`): in provisional numbers
    /// and the letter register.
    pub laptop: String,
    /// The device this book replaced (restored from a backup, or opened with the recovery
    /// code) while the province has not revoked it: enroll again, and ask for it to be revoked.
    pub replaced_device: Option<String>,
}

/// Enrolls this laptop with the hub using the one-time code, the certificate fingerprint and
/// the province key's fingerprint the province's administrator gave: the code is sent only to
/// a hub showing that certificate (over plain HTTP, allowed on this machine only, there is none
/// to check), and the enrollment is kept only if the hub names that province key.
#[tauri::command]
pub async fn enroll_device(
    state: State<'_, AppState>,
    hub_url: String,
    code: String,
    fingerprint: String,
    province_key: String,
) -> Result<()> {
    let unit = state.with_book(|book, _| book.unit())?;
    let url = hub_url.trim().trim_end_matches('/').to_owned();
    let expected = if url.starts_with("https://") {
        Some(oscc_sync::typed_fingerprint(&fingerprint).ok_or(Failure::SyncFingerprint)?)
    } else {
        None
    };
    let enrolled = Client::new(&url, expected.as_deref(), None)?
        .enroll(code.trim(), &unit.name)
        .await?;
    // The province key the hub names must be the one the province gave on paper, and the code
    // one for this book's unit; else nothing is kept (the hub holds an unapproved device).
    if !oscc_sync::attestation::fingerprint_matches(&enrolled.province_key, &province_key) {
        return Err(Failure::SyncProvinceKeyTyped.into());
    }
    if enrolled.unit_code != unit.code {
        return Err(Failure::SyncOtherUnit.into());
    }
    let secret = enrolled.credentials.to_secret();
    // From now on this laptop's events carry the id the hub gave it.
    state.with_book(|book, s| {
        book.take_device_id(s, &enrolled.device_id)?;
        book.set_hub(s, &url, enrolled.pin.as_deref(), &enrolled.province_key, &secret)
    })?;
    sync_task::request(&state);
    Ok(())
}

/// Asks the background task to sync now.
#[tauri::command]
pub fn sync_now(state: State<'_, AppState>) -> Result<()> {
    sync_task::request(&state);
    Ok(())
}

/// The status area: enrolled or not, pending events, open conflicts, last sync or error.
/// Polled, so it does not count as activity.
#[tauri::command]
pub fn sync_status(state: State<'_, AppState>) -> Result<SyncStatus> {
    let (hub, position, laptop, replaced_device) = state.look(|book, _| {
        Ok((
            book.hub()?,
            book.sync_position()?,
            casebook::records::numbers::laptop_tag(book.device_id()),
            book.replaced_device()?,
        ))
    })?;
    let run = state.sync.lock().map(|r| r.clone()).unwrap_or_default();
    Ok(SyncStatus {
        enrolled: hub.is_some(),
        hub_url: hub.as_ref().map(|h| h.url.clone()),
        province_key: hub
            .as_ref()
            .and_then(|h| h.province_key.as_deref())
            .map(oscc_sync::attestation::key_fingerprint),
        device_key: hub
            .as_ref()
            .and_then(|h| oscc_sync::Credentials::from_secret(&h.secret))
            .map(|c| oscc_sync::attestation::key_fingerprint(&c.public_key())),
        hub_pin: hub.and_then(|h| h.pin),
        position,
        last_ok: run.last_ok,
        last_error: run.last_error,
        running: run.running,
        pushed: run.pushed,
        received: run.received,
        laptop,
        replaced_device,
    })
}

/// Polled by the Sync screen, so it does not count as activity (the idle lock still comes).
#[tauri::command]
pub fn conflicts(state: State<'_, AppState>) -> Result<Vec<Conflict>> {
    state.look(|book, s| book.conflicts(s))
}

/// One conflict with a person's identity in full, for a reason that goes into the audit log.
#[tauri::command]
pub fn reveal_conflict(state: State<'_, AppState>, id: String, reason: String) -> Result<Conflict> {
    state.with_book(|book, s| book.reveal_conflict(s, &id, &reason))
}

/// A person's choice between the two values; it travels as a new event.
#[tauri::command]
pub fn resolve_conflict(state: State<'_, AppState>, id: String, take_other: bool) -> Result<()> {
    state.with_book(|book, s| book.resolve_conflict(s, &id, take_other))?;
    sync_task::request(&state);
    Ok(())
}

/// Events from elsewhere this laptop set aside, with why: for the supervisor.
#[tauri::command]
pub fn set_aside_events(state: State<'_, AppState>) -> Result<Vec<SetAsideEntry>> {
    state.with_book(|book, s| book.set_aside_events(s))
}

/// Records taken in that wait longer than a sync, or carry a number another record has, with
/// why: for the supervisor.
#[tauri::command]
pub fn waiting_records(state: State<'_, AppState>) -> Result<Vec<casebook::sync::waiting::WaitingEntry>> {
    state.with_book(|book, s| book.waiting_records(s))
}

/// This laptop's events the hub refused, with why: for the supervisor.
#[tauri::command]
pub fn refused_events(state: State<'_, AppState>) -> Result<Vec<RefusedEntry>> {
    state.with_book(|book, s| book.refused_events(s))
}
