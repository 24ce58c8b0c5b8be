//! Forms kept as they are typed, inside the encrypted book, so a lock loses nothing. Saving a
//! draft is not activity: the keystrokes are (`app::touch`).

use crate::error::Result;
use crate::state::AppState;
use tauri::State;

#[tauri::command]
pub fn save_draft(state: State<'_, AppState>, form: String, body: String) -> Result<()> {
    state.keep(|book, s| book.save_draft(s, &form, &body))
}

#[tauri::command]
pub fn draft(state: State<'_, AppState>, form: String) -> Result<Option<String>> {
    state.keep(|book, s| book.draft(s, &form))
}

/// The forms the signed-in user left typed: where to go back to after sign-in.
#[tauri::command]
pub fn drafts(state: State<'_, AppState>) -> Result<Vec<String>> {
    state.keep(|book, s| book.drafts(s))
}

#[tauri::command]
pub fn drop_draft(state: State<'_, AppState>, form: String) -> Result<()> {
    state.keep(|book, s| book.drop_draft(s, &form))
}
