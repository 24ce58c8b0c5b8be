//! The partner agencies cases are referred to.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::agency::Agency;
use tauri::State;

#[tauri::command]
pub fn agencies(state: State<'_, AppState>) -> Result<Vec<Stored<Agency>>> {
    state.with_book(|book, s| book.agencies(s))
}

#[tauri::command]
pub fn add_agency(state: State<'_, AppState>, agency: Agency) -> Result<String> {
    state.with_book(|book, s| book.add_agency(s, &agency))
}

/// Corrects an agency (its address, whom letters go to) or retires it (kept for old letters).
#[tauri::command]
pub fn update_agency(state: State<'_, AppState>, id: String, agency: Agency) -> Result<()> {
    state.with_book(|book, s| book.update_agency(s, &id, &agency))
}
