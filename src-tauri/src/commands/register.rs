//! The letter register: a Buddhist year's numbers on screen and as a PDF, and cancelling a
//! number.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::register::RegisterPage;
use tauri::State;

/// Every number of the unit in `year`: by whom, on which laptop, to whom, for what; the
/// cancelled ones with their reason, and the reserved ones not used.
#[tauri::command]
pub fn letter_register(state: State<'_, AppState>, year: i64) -> Result<RegisterPage> {
    state.with_book(|book, s| book.letter_register(s, year))
}

/// The register page of `year` as a PDF.
#[tauri::command]
pub fn register_page(state: State<'_, AppState>, year: i64) -> Result<String> {
    let page = state.with_book(|book, s| documents::register_page(book, s, year))?;
    state.export(&page)
}

/// Cancels a number with the reason (supervisors).
#[tauri::command]
pub fn cancel_letter(state: State<'_, AppState>, id: String, reason: String) -> Result<()> {
    state.with_book(|book, s| book.cancel_letter(s, &id, &reason))
}
