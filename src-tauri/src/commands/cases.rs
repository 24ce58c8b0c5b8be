//! Cases: the list and search, one case opened, corrected and updated, its client revealed,
//! its access history, its status, follow-up and clinical clocks, its transfer to another unit,
//! and its summary as a PDF.

use crate::error::Result;
use crate::state::AppState;
use casebook::Invalid;
use casebook::book::audit_view::AuditRow;
use casebook::records::case::Status;
use casebook::records::case_list::{CaseFilter, CaseRow};
use casebook::records::case_page::CaseView;
use casebook::records::case_update::CaseUpdate;
use casebook::records::clinical::{Clock, ClockMark};
use casebook::records::consent::BasisGiven;
use casebook::records::person::Person;
use casebook::records::status::{Closing, OpenWork};
use casebook::records::thai_id::{self, IdCheck};
use casebook::records::transfer::UnitChoice;
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
pub fn case_audit(state: State<'_, AppState>, case_id: String) -> Result<Vec<AuditRow>> {
    state.with_book(|book, s| book.case_audit(s, &case_id))
}

/// Corrects or updates the case after intake (a change of risk with its reason).
#[tauri::command]
pub fn update_case(state: State<'_, AppState>, case_id: String, update: CaseUpdate) -> Result<()> {
    state.with_book(|book, s| book.update_case(s, &case_id, &update))
}

#[tauri::command]
pub fn change_status(state: State<'_, AppState>, case_id: String, status: Status, reason: String) -> Result<()> {
    state.with_book(|book, s| book.change_status(s, &case_id, status, &reason))
}

#[tauri::command]
pub fn close_case(state: State<'_, AppState>, case_id: String, closing: Closing) -> Result<()> {
    state.with_book(|book, s| book.close_case(s, &case_id, &closing))
}

#[tauri::command]
pub fn reopen_case(state: State<'_, AppState>, case_id: String, reason: String) -> Result<()> {
    state.with_book(|book, s| book.reopen_case(s, &case_id, &reason))
}

/// What is still open in the case, shown before it is closed.
#[tauri::command]
pub fn open_work(state: State<'_, AppState>, case_id: String) -> Result<OpenWork> {
    state.with_book(|book, s| book.open_work(s, &case_id))
}

/// Sets or clears the case's next follow-up (an ISO date).
#[tauri::command]
pub fn set_follow_up(state: State<'_, AppState>, case_id: String, on: Option<String>) -> Result<()> {
    state.with_book(|book, s| book.set_follow_up(s, &case_id, on.as_deref()))
}

/// Marks a clinical clock of the case as given or not needed.
#[tauri::command]
pub fn mark_clock(state: State<'_, AppState>, case_id: String, clock: Clock, mark: ClockMark) -> Result<()> {
    state.with_book(|book, s| book.mark_clock(s, &case_id, clock, mark))
}

/// The units a case can be transferred to (the hub's list as of the last sync).
#[tauri::command]
pub fn transfer_units(state: State<'_, AppState>) -> Result<Vec<UnitChoice>> {
    state.with_book(|book, s| book.transfer_units(s))
}

/// Hands the case to another unit (the hub grants it the case with its history), on a
/// consent in force to share it with that unit or the legal basis `basis` names.
#[tauri::command]
pub fn transfer_case(
    state: State<'_, AppState>,
    case_id: String,
    to_unit: String,
    reason: String,
    basis: Option<BasisGiven>,
) -> Result<()> {
    state.with_book(|book, s| book.transfer_case(s, &case_id, &to_unit, &reason, basis.as_ref()))
}

/// The case summary for a partner or the court as a PDF in `exports`: masked, or in full.
#[tauri::command]
pub fn case_summary(state: State<'_, AppState>, case_id: String, full: bool) -> Result<String> {
    let summary = state.with_book(|book, s| documents::case_summary(book, s, &case_id, full))?;
    state.export(&summary)
}
