//! The unit's lists (closure reasons, outcomes): read by everyone, edited by the administrator.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::lookup::{KINDS, Lookup};
use tauri::State;

/// The active entries of a list, for a picker.
#[tauri::command]
pub fn lookups(state: State<'_, AppState>, kind: String) -> Result<Vec<Lookup>> {
    state.with_book(|book, _| book.lookups(&kind))
}

/// Every list the app uses, inactive entries included, for the administrator to edit.
#[tauri::command]
pub fn lookup_lists(state: State<'_, AppState>) -> Result<Vec<Lookup>> {
    state.with_book(|book, s| {
        let mut all = Vec::new();
        for kind in KINDS {
            all.extend(book.lookup_list(s, kind)?);
        }
        Ok(all)
    })
}

/// Adds an entry, or renames or (de)activates one.
#[tauri::command]
pub fn set_lookup(state: State<'_, AppState>, lookup: Lookup) -> Result<()> {
    state.with_book(|book, s| book.set_lookup(s, &lookup))
}
