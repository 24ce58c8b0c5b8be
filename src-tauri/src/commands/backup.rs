//! Backup to a folder or USB drive the user picks, with progress; restore on a new laptop
//! from the first-run screen with the recovery code.

use crate::error::{CommandError, Failure, Result};
use crate::state::AppState;
use casebook::{Casebook, Session};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use tauri::{Manager, State};
use tauri_plugin_dialog::DialogExt;

/// Asks for a folder (a USB drive); nothing when the user cancels. Async so the dialog never
/// blocks the main thread.
#[tauri::command]
pub async fn choose_folder(app: tauri::AppHandle) -> Result<Option<String>> {
    let chosen = app.dialog().file().blocking_pick_folder();
    chosen
        .map(|f| f.into_path().map(|p| p.display().to_string()))
        .transpose()
        .map_err(|_| Failure::Storage.into())
}

/// Writes the backup folder inside `dest` and returns its path. Runs off the main thread;
/// `copy_progress` tells the page how far it is.
#[tauri::command]
pub async fn backup(app: tauri::AppHandle, dest: String) -> Result<String> {
    let dest = PathBuf::from(dest.trim());
    if dest.as_os_str().is_empty() || !dest.is_dir() {
        return Err(CommandError {
            field: Some("backup.dest".into()),
            ..Failure::NoSuchFolder.into()
        });
    }
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.copy_percent.store(0, Ordering::Relaxed);
        let folder =
            state.with_book(|book, s| book.backup_to(s, &dest, |p| state.copy_percent.store(p, Ordering::Relaxed)))?;
        Ok(folder.display().to_string())
    })
    .await
    .map_err(|_| CommandError::from(Failure::Storage))?
}

#[tauri::command]
pub fn copy_progress(state: State<'_, AppState>) -> u32 {
    state.copy_percent.load(Ordering::Relaxed)
}

/// On a laptop without a book: copies the backup in and opens it with the recovery code.
/// The session is the recovery administrator's, who gives the users new passphrases.
#[tauri::command]
pub fn restore_backup(state: State<'_, AppState>, folder: String, recovery_code: String) -> Result<Session> {
    let (book, session) = Casebook::restore(&PathBuf::from(folder.trim()), &state.data_dir, &recovery_code)?;
    state.open(book, session.clone())?;
    Ok(session)
}
