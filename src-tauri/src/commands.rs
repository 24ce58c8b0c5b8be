//! Tauri commands: parse, call a core crate, map errors to message keys. No logic of their own.

use crate::state::AppState;
use serde::Serialize;
use ts_rs::TS;

/// What the UI shows in its footer about this installation.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
}

#[tauri::command]
pub fn app_info(state: tauri::State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir.display().to_string(),
    }
}
