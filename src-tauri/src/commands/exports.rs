//! The documents written for the viewer: opened in the system's viewer, printed from the page,
//! copied where the user chooses (the only way a document leaves the app, audited), or closed
//! (removed).

use crate::error::{Failure, Result};
use crate::state::AppState;
use tauri::State;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// Opens an exported document in the system's viewer (to read or print it).
#[tauri::command]
pub fn open_export(app: tauri::AppHandle, state: State<'_, AppState>, path: String) -> Result<()> {
    let file = state.exports.exported(&path)?;
    app.opener()
        .open_path(file.display().to_string(), None::<&str>)
        .map_err(|_| Failure::OpenFailed.into())
}

/// The bytes of an exported document, for the page to draw it for printing: only a file of the
/// private folder, as *Open* (neither is audited: the document stays on the laptop; issuing it
/// was). Raw bytes, not JSON numbers.
#[tauri::command]
pub fn read_export(state: State<'_, AppState>, path: String) -> Result<tauri::ipc::Response> {
    let file = state.exports.exported(&path)?;
    let bytes = std::fs::read(file).map_err(|_| Failure::Storage)?;
    Ok(tauri::ipc::Response::new(bytes))
}

/// Asks where to save a copy of an exported document and copies it there. Returns the chosen
/// path, or nothing when the user cancels. Async so the dialog never blocks the main thread.
#[tauri::command]
pub async fn save_export_as(app: tauri::AppHandle, state: State<'_, AppState>, path: String) -> Result<Option<String>> {
    let file = state.exports.exported(&path)?;
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
    // Audited first: a copy the log cannot record is not made.
    state.with_book(|book, s| book.audit_saved_copy(s, &name))?;
    std::fs::copy(&file, &target).map_err(|_| Failure::Storage)?;
    Ok(Some(target.display().to_string()))
}

/// The page closed the document: it is removed (once the viewer lets go of it, on Windows).
#[tauri::command]
pub fn discard_export(state: State<'_, AppState>, path: String) -> Result<()> {
    state.exports.discard(&path)
}
