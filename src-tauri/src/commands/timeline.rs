//! A case's timeline: entries, and photos attached to them.

use crate::error::{Failure, Result};
use crate::state::AppState;
use casebook::records::timeline::EntryKind;
use tauri::State;

#[tauri::command]
pub fn add_timeline_entry(
    state: State<'_, AppState>,
    case_id: String,
    kind: EntryKind,
    body: String,
    occurred_at: String,
) -> Result<String> {
    state.with_book(|book, s| book.add_timeline_entry(s, &case_id, kind, &body, &occurred_at))
}

/// A photo for a timeline entry: the bytes come as the raw request body, the entry id and
/// type in headers, so a large photo is not inflated into JSON.
#[tauri::command]
pub fn add_photo(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<String> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::BadRequest.into());
    };
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let entry_id = header("entry-id").ok_or(Failure::BadRequest)?;
    let mime = header("content-type").unwrap_or_else(|| "application/octet-stream".into());
    state.with_book(|book, s| {
        book.batch(|book| {
            let hash = book.put_attachment(s, &mime, bytes)?;
            book.attach_to_entry(s, &entry_id, &hash)?;
            Ok(hash)
        })
    })
}
