//! The people in a case: the client's record corrected, the other parties added, corrected
//! and removed; returning clients found and duplicate records merged; volunteers.

use crate::error::Result;
use crate::state::AppState;
use casebook::Invalid;
use casebook::records::matching::{MatchQuery, PossibleMatch};
use casebook::records::party::PartyInput;
use casebook::records::person::{PersonInput, VolunteerRole};
use casebook::records::volunteer::Volunteer;
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

/// People already in the book who may be the one the intake form describes. Audited.
#[tauri::command]
pub fn possible_matches(state: State<'_, AppState>, query: MatchQuery) -> Result<Vec<PossibleMatch>> {
    state.with_book(|book, s| book.possible_matches(s, &query))
}

/// Merges two records of one person (supervisors); the kept record's id.
#[tauri::command]
pub fn merge_people(state: State<'_, AppState>, a: String, b: String, reason: String) -> Result<String> {
    state.with_book(|book, s| book.merge_people(s, &a, &b, &reason))
}

#[tauri::command]
pub fn set_volunteer(
    state: State<'_, AppState>,
    person_id: String,
    role: Option<VolunteerRole>,
    consent_on: Option<String>,
) -> Result<()> {
    state.with_book(|book, s| book.set_volunteer(s, &person_id, role, consent_on.as_deref()))
}

#[tauri::command]
pub fn add_volunteer(state: State<'_, AppState>, case_id: String, person_id: String) -> Result<String> {
    state.with_book(|book, s| book.add_volunteer(s, &case_id, &person_id))
}

#[tauri::command]
pub fn volunteers(state: State<'_, AppState>) -> Result<Vec<Volunteer>> {
    state.with_book(|book, s| book.volunteers(s))
}
