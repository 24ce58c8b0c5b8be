//! The supervisor's PDPA duties: data-subject requests (30 days), the breach register
//! (72 hours), retention and purge, and the record of processing as a PDF.

use crate::error::Result;
use crate::state::AppState;
use casebook::book::audit::AuditEntry;
use casebook::pdpa::purge::PurgeCandidate;
use casebook::pdpa::{Breach, DataSubjectRequest, DutyStatus, RequestKind};
use casebook::records::Stored;
use tauri::State;

#[tauri::command]
pub fn data_subject_requests(state: State<'_, AppState>) -> Result<Vec<Stored<DataSubjectRequest>>> {
    state.with_book(|book, s| book.data_subject_requests(s))
}

/// Logs a request; `case_number` (optional) names the person: that case's client.
#[tauri::command]
pub fn log_data_subject_request(
    state: State<'_, AppState>,
    case_number: Option<String>,
    kind: RequestKind,
    received_on: String,
    notes: Option<String>,
) -> Result<()> {
    state.with_book(|book, s| {
        let person = match case_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(number) => Some(
                book.client_of_case_number(s, number)?
                    .ok_or_else(|| casebook::Invalid::new("dsr.case_number", casebook::Rule::UnknownCode))?,
            ),
            None => None,
        };
        book.log_data_subject_request(s, person.as_deref(), kind, &received_on, notes.as_deref())?;
        Ok(())
    })
}

#[tauri::command]
pub fn answer_data_subject_request(
    state: State<'_, AppState>,
    id: String,
    status: DutyStatus,
    notes: String,
) -> Result<()> {
    state.with_book(|book, s| book.answer_data_subject_request(s, &id, status, &notes))
}

#[tauri::command]
pub fn breaches(state: State<'_, AppState>) -> Result<Vec<Stored<Breach>>> {
    state.with_book(|book, s| book.breaches(s))
}

#[tauri::command]
pub fn record_breach(state: State<'_, AppState>, discovered_at: String, description: String) -> Result<()> {
    state.with_book(|book, s| book.record_breach(s, &discovered_at, &description).map(|_| ()))
}

#[tauri::command]
pub fn breach_notified(state: State<'_, AppState>, id: String) -> Result<()> {
    state.with_book(|book, s| book.breach_notified(s, &id))
}

#[tauri::command]
pub fn set_retention_date(state: State<'_, AppState>, case_id: String, date: String) -> Result<()> {
    state.with_book(|book, s| book.set_retention_date(s, &case_id, &date))
}

#[tauri::command]
pub fn due_for_purge(state: State<'_, AppState>) -> Result<Vec<PurgeCandidate>> {
    state.with_book(|book, s| book.due_for_purge(s))
}

#[tauri::command]
pub fn purge_case(state: State<'_, AppState>, case_id: String, reason: String) -> Result<()> {
    state.with_book(|book, s| book.purge_case(s, &case_id, &reason))
}

#[tauri::command]
pub fn purge_log(state: State<'_, AppState>) -> Result<Vec<AuditEntry>> {
    state.with_book(|book, s| book.purge_log(s))
}

/// The record of processing activities (PDPA s. 39) as a PDF in `exports`. Audited.
#[tauri::command]
pub fn record_of_processing(state: State<'_, AppState>) -> Result<String> {
    let record = state.with_book(documents::record_of_processing)?;
    state.export(&record)
}
