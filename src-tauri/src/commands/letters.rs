//! The unit's letter templates, drafts filled from them, invitations to a case conference
//! issued in one batch, and the other letters about a case (follow-up, reply, request for
//! information).

use crate::error::{CommandError, Failure, Result};
use crate::state::AppState;
use casebook::records::letter_template::{LetterKind, LetterTemplate};
use documents::{CaseLetterRequest, EarlierLetter, InvitationRequest, LetterDraft};
use serde::Serialize;
use std::sync::atomic::Ordering;
use tauri::{Manager, State};
use ts_rs::TS;

#[tauri::command]
pub fn letter_template(state: State<'_, AppState>, kind: LetterKind) -> Result<LetterTemplate> {
    state.with_book(|book, s| book.letter_template(s, kind))
}

#[tauri::command]
pub fn save_letter_template(state: State<'_, AppState>, template: LetterTemplate) -> Result<()> {
    state.with_book(|book, s| book.save_letter_template(s, &template))
}

/// The built-in template of a kind again.
#[tauri::command]
pub fn reset_letter_template(state: State<'_, AppState>, kind: LetterKind) -> Result<LetterTemplate> {
    state.with_book(|book, s| {
        book.reset_letter_template(s, kind)?;
        book.letter_template(s, kind)
    })
}

#[tauri::command]
pub fn referral_letter_draft(state: State<'_, AppState>, referral_id: String) -> Result<LetterDraft> {
    state.with_book(|book, s| documents::referral_letter_draft(book, s, &referral_id))
}

#[tauri::command]
pub fn invitation_draft(state: State<'_, AppState>, conference_id: String) -> Result<LetterDraft> {
    state.with_book(|book, s| documents::invitation_draft(book, s, &conference_id))
}

/// The numbers the invitations took and the PDF of them all.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct IssuedInvitations {
    pub numbers: Vec<String>,
    pub path: String,
}

/// Issues one invitation to each agency and writes them into one PDF. Runs off the main
/// thread; `copy_progress` tells the page how many percent of the letters are typeset.
#[tauri::command]
pub async fn issue_invitations(app: tauri::AppHandle, request: InvitationRequest) -> Result<IssuedInvitations> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.copy_percent.store(0, Ordering::Relaxed);
        let issued = state.with_book(|book, s| documents::issue_invitations(book, s, &request))?;
        let bytes = issued.letters.render_counting(|done, total| {
            let percent = (done * 100).checked_div(total).unwrap_or(100);
            state.copy_percent.store(percent as u32, Ordering::Relaxed);
        })?;
        Ok(IssuedInvitations {
            numbers: issued.numbers,
            path: state.export_bytes(issued.letters.file_name(), &bytes)?,
        })
    })
    .await
    .map_err(|_| CommandError::from(Failure::Storage))?
}

/// The case's letters sent and received, as a later letter refers to them (อ้างถึง).
#[tauri::command]
pub fn earlier_letters(state: State<'_, AppState>, case_id: String) -> Result<Vec<EarlierLetter>> {
    state.with_book(|book, s| documents::earlier_letters(book, s, &case_id))
}

/// What may go with a letter about the case (สิ่งที่ส่งมาด้วย), to tick.
#[tauri::command]
pub fn enclosures(state: State<'_, AppState>, case_id: String) -> Result<Vec<String>> {
    state.with_book(|book, s| documents::enclosures(book, s, &case_id))
}

#[tauri::command]
pub fn case_letter_draft(state: State<'_, AppState>, request: CaseLetterRequest) -> Result<LetterDraft> {
    state.with_book(|book, s| documents::case_letter_draft(book, s, &request))
}

/// The letter as it will look, before it takes a number, written to open in the viewer.
#[tauri::command]
pub fn preview_case_letter(state: State<'_, AppState>, request: CaseLetterRequest) -> Result<String> {
    let letter = state.with_book(|book, s| documents::preview_case_letter(book, s, &request))?;
    state.export(&letter)
}

/// An issued letter's number and where its PDF was written.
#[derive(Debug, Serialize, TS)]
#[ts(export)]
pub struct IssuedCaseLetter {
    pub number: String,
    pub path: String,
}

#[tauri::command]
pub fn issue_case_letter(state: State<'_, AppState>, request: CaseLetterRequest) -> Result<IssuedCaseLetter> {
    let (number, letter) = state.with_book(|book, s| documents::issue_case_letter(book, s, &request))?;
    Ok(IssuedCaseLetter {
        number,
        path: state.export(&letter)?,
    })
}
