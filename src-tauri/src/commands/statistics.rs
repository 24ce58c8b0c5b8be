//! The unit's statistics for the province, and the counts returned to the community: on
//! screen, and as a PDF (or a CSV) in `exports`. Counts only, never a name.

use crate::error::Result;
use crate::state::AppState;
use casebook::community::{AreaLevel, CommunityCounts};
use casebook::statistics::{Period, Statistics};
use tauri::State;

#[tauri::command]
pub fn statistics(state: State<'_, AppState>, period: Period) -> Result<Statistics> {
    state.with_book(|book, s| book.statistics(s, period))
}

#[tauri::command]
pub fn statistics_pdf(state: State<'_, AppState>, period: Period) -> Result<String> {
    let report = state.with_book(|book, s| documents::statistics_pdf(book, s, period))?;
    state.export(&report)
}

#[tauri::command]
pub fn statistics_csv(state: State<'_, AppState>, period: Period) -> Result<String> {
    let table = state.with_book(|book, s| documents::statistics_csv(book, s, period))?;
    state.export(&table)
}

/// Counts for a village or district forum: the unit's cases by where the clients live.
#[tauri::command]
pub fn community_counts(
    state: State<'_, AppState>,
    period: Period,
    level: AreaLevel,
    within: Option<String>,
) -> Result<CommunityCounts> {
    state.with_book(|book, s| book.community_counts(s, period, level, within.as_deref()))
}

#[tauri::command]
pub fn community_pdf(
    state: State<'_, AppState>,
    period: Period,
    level: AreaLevel,
    within: Option<String>,
) -> Result<String> {
    let page = state.with_book(|book, s| documents::community_page(book, s, period, level, within.as_deref()))?;
    state.export(&page)
}
