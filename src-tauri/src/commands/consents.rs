//! A case's consent ledger: consents recorded, revoked, their signed forms attached, and the
//! blank form printed for signing.

use crate::error::{Failure, Result};
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::consent::Consent;
use tauri::State;
use tauri::ipc::{InvokeBody, Request};

#[tauri::command]
pub fn consents(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<Consent>>> {
    state.with_book(|book, s| book.consents(s, &case_id))
}

#[tauri::command]
pub fn record_consent(state: State<'_, AppState>, consent: Consent) -> Result<String> {
    state.with_book(|book, s| book.record_consent(s, &consent))
}

#[tauri::command]
pub fn revoke_consent(state: State<'_, AppState>, id: String, reason: String) -> Result<()> {
    state.with_book(|book, s| book.revoke_consent(s, &id, &reason))
}

/// The signed form's scan (a photo or a PDF) as the raw body, the ledger row in a header.
#[tauri::command]
pub fn attach_consent_form(state: State<'_, AppState>, request: Request<'_>) -> Result<()> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::BadRequest.into());
    };
    let id = request
        .headers()
        .get("consent-id")
        .and_then(|v| v.to_str().ok())
        .ok_or(Failure::BadRequest)?
        .to_owned();
    state.with_book(|book, s| {
        book.batch(|book| {
            let sha256 = book.put_attachment(s, bytes)?;
            book.attach_consent_form(s, &id, &sha256)
        })
    })
}

/// The consent form in Thai, blank, for the client or guardian to sign.
#[tauri::command]
pub fn consent_form(state: State<'_, AppState>, case_id: String) -> Result<String> {
    let form = state.with_book(|book, s| documents::consent_form(book, s, &case_id))?;
    state.export(&form)
}
