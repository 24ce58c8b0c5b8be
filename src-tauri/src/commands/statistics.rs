//! The unit's statistics for the province: on screen, and as a PDF or a CSV in `exports`
//! (counts only, never a name).

use crate::error::Result;
use crate::exports;
use crate::state::AppState;
use casebook::statistics::{Period, Statistics};
use tauri::State;

#[tauri::command]
pub fn statistics(state: State<'_, AppState>, period: Period) -> Result<Statistics> {
    state.with_book(|book, s| book.statistics(s, period))
}

#[tauri::command]
pub fn statistics_pdf(state: State<'_, AppState>, period: Period) -> Result<String> {
    let report = state.with_book(|book, s| documents::statistics_pdf(book, s, period))?;
    exports::save(&state, &report)
}

#[tauri::command]
pub fn statistics_csv(state: State<'_, AppState>, period: Period) -> Result<String> {
    let table = state.with_book(|book, s| documents::statistics_csv(book, s, period))?;
    exports::save(&state, &table)
}
