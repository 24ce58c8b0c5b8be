//! Who signs the unit's letters, kept by a supervisor, and each user's own position for what
//! they sign themselves.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::signer::Signer;
use tauri::State;

#[tauri::command]
pub fn signers(state: State<'_, AppState>) -> Result<Vec<Stored<Signer>>> {
    state.with_book(|book, s| book.signers(s))
}

#[tauri::command]
pub fn add_signer(state: State<'_, AppState>, signer: Signer) -> Result<String> {
    state.with_book(|book, s| book.add_signer(s, &signer))
}

/// Corrects a signer, or retires one who no longer signs (kept for the letters they signed).
#[tauri::command]
pub fn update_signer(state: State<'_, AppState>, id: String, signer: Signer) -> Result<()> {
    state.with_book(|book, s| book.update_signer(s, &id, &signer))
}

/// The signed-in user's own position, or none given.
#[tauri::command]
pub fn own_position(state: State<'_, AppState>) -> Result<Option<String>> {
    state.with_book(|book, s| Ok(book.users_name_and_position(s)?.1))
}

#[tauri::command]
pub fn set_own_position(state: State<'_, AppState>, position: String) -> Result<()> {
    state.with_book(|book, s| book.set_own_position(s, &position))
}
