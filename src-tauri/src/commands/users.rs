//! The unit's users: added and given new passphrases by the administrator.

use crate::error::Result;
use crate::state::AppState;
use casebook::{Role, UserSummary};
use tauri::State;

#[tauri::command]
pub fn add_user(
    state: State<'_, AppState>,
    username: String,
    display_name: String,
    role: Role,
    passphrase: String,
) -> Result<String> {
    state.with_book(|book, s| book.add_user(s, username.trim(), &display_name, role, &passphrase))
}

/// The administrator sets a user's new passphrase (forgotten, or after a restore).
#[tauri::command]
pub fn reset_passphrase(state: State<'_, AppState>, username: String, passphrase: String) -> Result<()> {
    state.with_book(|book, s| book.reset_passphrase(s, username.trim(), &passphrase))
}

#[tauri::command]
pub fn users(state: State<'_, AppState>) -> Result<Vec<UserSummary>> {
    state.with_book(|book, s| book.users(s))
}
