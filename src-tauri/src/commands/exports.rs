//! The documents in `exports`: opened in the system's viewer, or copied where the user chooses.

use crate::error::{Failure, Result};
use crate::exports::exported;
use crate::state::AppState;
use tauri::State;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// Opens an exported document in the system's viewer (to read or print it).
#[tauri::command]
pub fn open_export(app: tauri::AppHandle, state: State<'_, AppState>, path: String) -> Result<()> {
    let file = exported(&state.data_dir, &path)?;
    app.opener()
        .open_path(file.display().to_string(), None::<&str>)
        .map_err(|_| Failure::OpenFailed.into())
}

/// Asks where to save a copy of an exported document and copies it there. Returns the chosen
/// path, or nothing when the user cancels. Async so the dialog never blocks the main thread.
#[tauri::command]
pub async fn save_export_as(app: tauri::AppHandle, state: State<'_, AppState>, path: String) -> Result<Option<String>> {
    let file = exported(&state.data_dir, &path)?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = file
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(chosen) = app
        .dialog()
        .file()
        .set_file_name(&name)
        .add_filter(extension.to_uppercase(), &[extension.as_str()])
        .blocking_save_file()
    else {
        return Ok(None);
    };
    let target = chosen.into_path().map_err(|_| Failure::Storage)?;
    std::fs::copy(&file, &target).map_err(|_| Failure::Storage)?;
    Ok(Some(target.display().to_string()))
}
