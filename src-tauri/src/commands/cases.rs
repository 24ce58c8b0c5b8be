//! Cases: the list and search, one case opened, its client revealed, its access history, its
//! status and manager, its transfer to another unit, and its summary as a PDF.

use crate::error::Result;
use crate::exports;
use crate::state::AppState;
use casebook::Invalid;
use casebook::audit::AuditEntry;
use casebook::case::{CaseFilter, CaseRow, CaseView, Status};
use casebook::person::Person;
use casebook::thai_id::{self, IdCheck};
use tauri::State;

#[tauri::command]
pub fn list_cases(state: State<'_, AppState>, filter: CaseFilter) -> Result<Vec<CaseRow>> {
    state.with_book(|book, s| book.list_cases(s, &filter))
}

#[tauri::command]
pub fn count_cases(state: State<'_, AppState>, filter: CaseFilter) -> Result<i64> {
    state.with_book(|book, s| book.count_cases(s, &filter))
}

#[tauri::command]
pub fn search_cases(state: State<'_, AppState>, query: String) -> Result<Vec<CaseRow>> {
    state.with_book(|book, s| book.search_cases(s, &query, 200))
}

/// As-you-type feedback on a Thai ID number: None when it is fine.
#[tauri::command]
pub fn check_thai_id(raw: String) -> Option<Invalid> {
    match thai_id::validate("person.id_number", &raw) {
        Ok((_, IdCheck::Valid)) => None,
        Ok((_, IdCheck::Warning(rule))) => Some(Invalid::new("person.id_number", rule)),
        Err(invalid) => Some(invalid),
    }
}

#[tauri::command]
pub fn open_case(state: State<'_, AppState>, id: String) -> Result<CaseView> {
    state.with_book(|book, s| book.open_case(s, &id))
}

#[tauri::command]
pub fn reveal_person(state: State<'_, AppState>, id: String, reason: String) -> Result<Person> {
    state.with_book(|book, s| book.reveal_person(s, &id, &reason))
}

#[tauri::command]
pub fn case_audit(state: State<'_, AppState>, case_id: String) -> Result<Vec<AuditEntry>> {
    state.with_book(|book, s| book.case_audit(s, &case_id))
}

#[tauri::command]
pub fn change_status(state: State<'_, AppState>, case_id: String, status: Status, reason: String) -> Result<()> {
    state.with_book(|book, s| book.change_status(s, &case_id, status, &reason))
}

/// Hands the case to another unit (the hub grants it the case with its history).
#[tauri::command]
pub fn transfer_case(state: State<'_, AppState>, case_id: String, to_unit: String, reason: String) -> Result<()> {
    state.with_book(|book, s| book.transfer_case(s, &case_id, &to_unit, &reason))
}

/// The signed-in worker becomes the case's manager.
#[tauri::command]
pub fn take_case(state: State<'_, AppState>, case_id: String) -> Result<()> {
    state.with_book(|book, s| book.take_case(s, &case_id))
}

/// The case summary for a partner or the court as a PDF in `exports`: masked, or in full.
#[tauri::command]
pub fn case_summary(state: State<'_, AppState>, case_id: String, full: bool) -> Result<String> {
    let summary = state.with_book(|book, s| documents::case_summary(book, s, &case_id, full))?;
    exports::save(&state, &summary)
}
