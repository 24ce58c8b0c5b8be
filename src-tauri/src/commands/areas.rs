//! Thailand's administrative areas (province, district, subdistrict) for addresses.

use crate::error::Result;
use crate::state::AppState;
use casebook::store::reference::Area;
use tauri::State;

/// The provinces, for the first run (no book is open yet).
#[tauri::command]
pub fn provinces() -> Result<Vec<Area>> {
    Ok(casebook::store::reference::provinces()?)
}

#[tauri::command]
pub fn areas(state: State<'_, AppState>, parent: Option<String>) -> Result<Vec<Area>> {
    state.with_book(|book, _| book.areas(parent.as_deref()))
}
