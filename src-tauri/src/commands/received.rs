//! The register of letters received: a Buddhist year's letters, logging one with its scan,
//! and cancelling one.

use crate::error::{Failure, Result};
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::received::{ReceivedLetter, ReceivedLetterInput};
use serde::Deserialize;
use tauri::State;
use tauri::ipc::{InvokeBody, Request};

/// The letter part of the request (see `log_received_letter`).
#[derive(Deserialize)]
struct NewLetter {
    letter: ReceivedLetterInput,
}

/// The unit's letters received in `year`, in the order received.
#[tauri::command]
pub fn received_letters(state: State<'_, AppState>, year: i64) -> Result<Vec<Stored<ReceivedLetter>>> {
    state.with_book(|book, s| book.received_letters(s, year))
}

/// A letter received and its scan (at most one file), in one raw body framed as a timeline
/// entry's (`timeline::split`), saved in one step: a scan that cannot be stored leaves
/// nothing logged. Returns the letter's id.
#[tauri::command]
pub fn log_received_letter(state: State<'_, AppState>, request: Request<'_>) -> Result<String> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::BadRequest.into());
    };
    let (new, files) = super::timeline::split::<NewLetter>(bytes).ok_or(Failure::BadRequest)?;
    let scan = match files.as_slice() {
        [] => None,
        [scan] => Some(scan.as_slice()),
        _ => return Err(Failure::BadRequest.into()),
    };
    state.with_book(|book, s| book.log_received_letter(s, &new.letter, scan))
}

/// Cancels a letter logged by mistake, with the reason (supervisors).
#[tauri::command]
pub fn cancel_received_letter(state: State<'_, AppState>, id: String, reason: String) -> Result<()> {
    state.with_book(|book, s| book.cancel_received_letter(s, &id, &reason))
}
