//! The people in a case: the client's record corrected, and the other parties added, corrected
//! and removed.

use crate::error::Result;
use crate::state::AppState;
use casebook::Invalid;
use casebook::records::party::PartyInput;
use casebook::records::person::PersonInput;
use tauri::State;

/// Corrects a person's record; returns warnings the form shows (an ID check digit …).
#[tauri::command]
pub fn update_person(state: State<'_, AppState>, id: String, person: PersonInput) -> Result<Vec<Invalid>> {
    state.with_book(|book, s| book.update_person(s, &id, &person))
}

#[tauri::command]
pub fn add_party(state: State<'_, AppState>, case_id: String, party: PartyInput) -> Result<String> {
    state.with_book(|book, s| book.add_named_party(s, &case_id, &party))
}

#[tauri::command]
pub fn update_party(state: State<'_, AppState>, party_id: String, party: PartyInput) -> Result<()> {
    state.with_book(|book, s| book.update_party(s, &party_id, &party))
}

#[tauri::command]
pub fn remove_party(state: State<'_, AppState>, party_id: String) -> Result<()> {
    state.with_book(|book, s| book.remove_party(s, &party_id))
}
