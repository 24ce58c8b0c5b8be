//! The unit's users: added, given a first sign-in or a new passphrase on this laptop, given
//! another role or disabled by the administrator.

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

/// Gives a user of the unit another role (on every laptop, with the next syncs).
#[tauri::command]
pub fn set_role(state: State<'_, AppState>, username: String, role: Role) -> Result<()> {
    state.with_book(|book, s| book.set_role(s, &username, role))
}

/// Disables a user of the unit: they sign in on no laptop any more, after the next syncs.
#[tauri::command]
pub fn disable_user(state: State<'_, AppState>, username: String) -> Result<()> {
    state.with_book(|book, s| book.remove_user(s, &username))
}

/// Enables a disabled user of the unit again (on every laptop, with the next syncs).
#[tauri::command]
pub fn enable_user(state: State<'_, AppState>, username: String) -> Result<()> {
    state.with_book(|book, s| book.enable_user(s, &username))
}

/// Users renamed at sync because their name was taken in the unit: (old, new).
#[tauri::command]
pub fn renamed_users(state: State<'_, AppState>) -> Result<Vec<(String, String)>> {
    state.with_book(|book, s| {
        s.require(casebook::Permission::ManageUsers)?;
        book.renamed_users()
    })
}
