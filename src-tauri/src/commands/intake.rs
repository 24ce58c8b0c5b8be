//! The intake form: client, case, incident and the others in the case, in one transaction
//! (`Casebook::intake`).

use crate::error::Result;
use crate::state::AppState;
use casebook::records::intake::{IntakeCase, IntakeResult};
use casebook::records::person::PersonInput;
use tauri::State;

#[tauri::command]
pub fn intake(state: State<'_, AppState>, person: PersonInput, case: IntakeCase) -> Result<IntakeResult> {
    state.with_book(|book, s| book.intake(s, &person, &case))
}
