//! Multidisciplinary case conferences: planning, attendees, the agenda with its decisions and
//! action items, the action items still overdue, and the minutes as a PDF.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::conference::{
    ActionItem, ActionStatus, Attendee, Conference, ConferenceDetail, ConferenceStatus, OverdueAction,
};
use tauri::State;

#[tauri::command]
pub fn conferences(state: State<'_, AppState>) -> Result<Vec<Stored<Conference>>> {
    state.with_book(|book, s| book.conferences(s))
}

#[tauri::command]
pub fn plan_conference(state: State<'_, AppState>, conference: Conference) -> Result<String> {
    state.with_book(|book, s| book.plan_conference(s, &conference))
}

#[tauri::command]
pub fn conference_detail(state: State<'_, AppState>, id: String) -> Result<ConferenceDetail> {
    state.with_book(|book, s| book.conference_detail(s, &id))
}

#[tauri::command]
pub fn add_attendee(state: State<'_, AppState>, attendee: Attendee) -> Result<String> {
    state.with_book(|book, s| book.add_attendee(s, &attendee))
}

/// Puts a case on the agenda with a pseudonymized summary to start from.
#[tauri::command]
pub fn add_agenda_case(state: State<'_, AppState>, conference_id: String, case_id: String) -> Result<String> {
    state.with_book(|book, s| documents::add_agenda_case(book, s, conference_id, case_id))
}

#[tauri::command]
pub fn save_agenda_case(
    state: State<'_, AppState>,
    agenda_case_id: String,
    summary: String,
    risk_assessment: String,
    decisions: String,
) -> Result<()> {
    state.with_book(|book, s| {
        book.record_decisions(s, &agenda_case_id, Some(&summary), Some(&risk_assessment), &decisions)
    })?;
    // Saved: the projector shows the stored text from now on.
    if let Ok(mut projection) = state.projection.lock() {
        projection.draft = None;
    }
    Ok(())
}

#[tauri::command]
pub fn add_action_item(state: State<'_, AppState>, item: ActionItem) -> Result<String> {
    state.with_book(|book, s| book.add_action_item(s, &item))
}

#[tauri::command]
pub fn set_action_status(state: State<'_, AppState>, id: String, status: ActionStatus) -> Result<()> {
    state.with_book(|book, s| book.set_action_status(s, &id, status))
}

#[tauri::command]
pub fn set_conference_status(state: State<'_, AppState>, id: String, status: ConferenceStatus) -> Result<()> {
    state.with_book(|book, s| book.set_conference_status(s, &id, status))
}

#[tauri::command]
pub fn overdue_actions(state: State<'_, AppState>) -> Result<Vec<OverdueAction>> {
    state.with_book(|book, s| book.overdue_actions(s, casebook::dates::today()))
}

/// The minutes as a PDF in `exports`, audited as an export of each case.
#[tauri::command]
pub fn conference_minutes(state: State<'_, AppState>, id: String) -> Result<String> {
    let minutes = state.with_book(|book, s| documents::conference_minutes(book, s, &id))?;
    state.export(&minutes)
}
