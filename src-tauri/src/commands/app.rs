//! This installation: its version and data folder, and the settings kept beside the book.

use crate::error::{Failure, Result};
use crate::settings::{self, Settings};
use crate::state::AppState;
use casebook::{Invalid, Rule};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

/// What the UI shows in its footer about this installation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
}

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
    }
}

#[tauri::command]
pub fn save_settings(state: State<'_, AppState>, settings: Settings) -> Result<()> {
    if !(1..=240).contains(&settings.idle_minutes) {
        return Err(casebook::Error::from(Invalid::new("settings.idle_minutes", Rule::OutOfRange)).into());
    }
    if !(1..=90).contains(&settings.quiet_days) {
        return Err(casebook::Error::from(Invalid::new("settings.quiet_days", Rule::OutOfRange)).into());
    }
    *state.idle_minutes.lock().map_err(|_| Failure::Storage)? = settings.idle_minutes;
    settings::save(&state.data_dir, &settings).map_err(|_| Failure::Storage.into())
}

/// Typing, scrolling and pointing in the window: activity for the idle lock, like a command.
/// Nothing to do while the book is locked.
#[tauri::command]
pub fn touch(state: State<'_, AppState>) {
    if state.book.lock().is_ok_and(|book| book.is_some()) {
        state.touch();
    }
}
