//! Who works on what: the workers of the unit, handovers and co-workers, the inbox, and Today.

use crate::error::Result;
use crate::settings;
use crate::state::AppState;
use casebook::records::handover::Worker;
use casebook::records::inbox::InboxItem;
use casebook::records::today::Today;
use tauri::State;

#[tauri::command]
pub fn workers(state: State<'_, AppState>) -> Result<Vec<Worker>> {
    state.with_book(|book, s| book.workers(s))
}

/// A supervisor gives cases to another worker with a note. How many changed hands.
#[tauri::command]
pub fn hand_over(state: State<'_, AppState>, case_ids: Vec<String>, to_user: String, note: String) -> Result<usize> {
    state.with_book(|book, s| book.hand_over(s, &case_ids, &to_user, &note))
}

/// A supervisor gives all open cases of one worker to another.
#[tauri::command]
pub fn hand_over_all(state: State<'_, AppState>, from_user: String, to_user: String, note: String) -> Result<usize> {
    state.with_book(|book, s| book.hand_over_all(s, &from_user, &to_user, &note))
}

#[tauri::command]
pub fn acknowledge_handover(state: State<'_, AppState>, case_id: String) -> Result<()> {
    state.with_book(|book, s| book.acknowledge_handover(s, &case_id))
}

/// The signed-in worker becomes the manager of a case that has none here.
#[tauri::command]
pub fn take_case(state: State<'_, AppState>, case_id: String) -> Result<()> {
    state.with_book(|book, s| book.take_case(s, &case_id))
}

#[tauri::command]
pub fn set_co_workers(state: State<'_, AppState>, case_id: String, user_ids: Vec<String>) -> Result<()> {
    state.with_book(|book, s| book.set_co_workers(s, &case_id, &user_ids))
}

#[tauri::command]
pub fn inbox(state: State<'_, AppState>) -> Result<Vec<InboxItem>> {
    state.with_book(|book, s| book.inbox(s))
}

/// How many items wait in the inbox: the navigation's badge. Polled, so not activity.
#[tauri::command]
pub fn inbox_count(state: State<'_, AppState>) -> Result<usize> {
    state.look(|book, s| book.inbox(s).map(|items| items.len()))
}

#[tauri::command]
pub fn acknowledge_referral(state: State<'_, AppState>, referral_id: String) -> Result<()> {
    state.with_book(|book, s| book.acknowledge_referral(s, &referral_id))
}

#[tauri::command]
pub fn today(state: State<'_, AppState>) -> Result<Today> {
    let quiet_days = settings::load(&state.data_dir).quiet_days;
    state.with_book(|book, s| book.today(s, quiet_days))
}
