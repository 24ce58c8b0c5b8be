//! The letter register: this Buddhist year's page as a PDF.

use crate::error::Result;
use crate::exports;
use crate::state::AppState;
use tauri::State;

/// Every number issued this year, by whom, for what, and the cancelled ones with their reason.
#[tauri::command]
pub fn register_page(state: State<'_, AppState>) -> Result<String> {
    let page = state.with_book(|book, s| documents::register_page(book, s))?;
    exports::save(&state, &page)
}
