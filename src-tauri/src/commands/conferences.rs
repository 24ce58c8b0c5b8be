//! Multidisciplinary case conferences: planning, attendees, the agenda with its decisions and
//! promises, the promises still overdue, and the minutes as a PDF.

use crate::error::Result;
use crate::exports;
use crate::state::AppState;
use casebook::conference::{
    ActionItem, ActionStatus, AgendaCase, Attendee, Conference, ConferenceStatus, OverdueAction,
};
use casebook::records::Stored;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AgendaRow {
    pub item: Stored<AgendaCase>,
    pub case_number: String,
    pub actions: Vec<Stored<ActionItem>>,
    /// Open promises about this case from earlier conferences.
    pub carried: Vec<Stored<ActionItem>>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConferenceDetail {
    pub conference: Stored<Conference>,
    pub attendees: Vec<Stored<Attendee>>,
    pub agenda: Vec<AgendaRow>,
}

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
    state.with_book(|book, s| {
        let mut agenda = Vec::new();
        for item in book.agenda(s, &id)? {
            // Only the number: the page reloads after every change and must not log a case view each time.
            let case_number = book.case_number(s, &item.record.case_id)?;
            let carried = book
                .open_actions(s, &item.record.case_id)?
                .into_iter()
                .filter(|a| a.record.conference_case_id != item.id)
                .collect();
            agenda.push(AgendaRow {
                actions: book.agenda_actions(s, &item.id)?,
                case_number,
                carried,
                item,
            });
        }
        Ok(ConferenceDetail {
            conference: book.conference(s, &id)?,
            attendees: book.attendees(s, &id)?,
            agenda,
        })
    })
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
    agenda_id: String,
    summary: String,
    risk_assessment: String,
    decisions: String,
) -> Result<()> {
    state.with_book(|book, s| {
        book.record_decisions(s, &agenda_id, Some(&summary), Some(&risk_assessment), &decisions)
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
    state.with_book(|book, s| book.overdue_actions(s, casebook::person::today()))
}

/// The minutes as a PDF in `exports`, audited as an export of each case.
#[tauri::command]
pub fn conference_minutes(state: State<'_, AppState>, id: String) -> Result<String> {
    let minutes = state.with_book(|book, s| documents::conference_minutes(book, s, &id))?;
    exports::save(&state, &minutes)
}
