//! Documents the app writes (letters, forms, summaries, register pages, the recovery sheet):
//! into the data folder's `exports`, then opened in the system's PDF viewer to print, or
//! copied where the user chooses in a save dialog. Statistics also go out as CSV. The page only ever names files inside
//! `exports`; anything else is refused.

use crate::commands::{CommandError, Result};
use crate::state::AppState;
use std::path::{Path, PathBuf};
use tauri::State;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// Writes a document into `exports`; returns its full path for the page to show.
pub fn write(state: &AppState, name: &str, bytes: &[u8]) -> Result<String> {
    let exports = state.data_dir.join("exports");
    let path = exports.join(name);
    std::fs::create_dir_all(&exports)
        .and_then(|()| std::fs::write(&path, bytes))
        .map_err(|_| CommandError::key("error.storage"))?;
    Ok(path.display().to_string())
}

/// The exported file `path` names, if it is one: a file directly inside `exports`.
fn exported(data_dir: &Path, path: &str) -> Result<PathBuf> {
    let not_ours = || CommandError::key("error.not_an_export");
    let exports = data_dir.join("exports").canonicalize().map_err(|_| not_ours())?;
    let file = Path::new(path).canonicalize().map_err(|_| not_ours())?;
    if file.parent() == Some(exports.as_path()) && file.is_file() {
        Ok(file)
    } else {
        Err(not_ours())
    }
}

/// Opens an exported document in the system's viewer (to read or print it).
#[tauri::command]
pub fn open_export(app: tauri::AppHandle, state: State<'_, AppState>, path: String) -> Result<()> {
    let file = exported(&state.data_dir, &path)?;
    app.opener()
        .open_path(file.display().to_string(), None::<&str>)
        .map_err(|_| CommandError::key("error.open_failed"))
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
    let target = chosen.into_path().map_err(|_| CommandError::key("error.storage"))?;
    std::fs::copy(&file, &target).map_err(|_| CommandError::key("error.storage"))?;
    Ok(Some(target.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::exported;

    #[test]
    fn only_files_inside_exports_are_opened_or_copied() {
        let data = std::env::temp_dir().join(format!("oscc-exports-{}", std::process::id()));
        let exports = data.join("exports");
        std::fs::create_dir_all(exports.join("sub")).unwrap();
        std::fs::write(exports.join("letter.pdf"), b"%PDF").unwrap();
        std::fs::write(data.join("casebook.db"), b"secret").unwrap();
        let ok = exports.join("letter.pdf").display().to_string();
        assert!(exported(&data, &ok).is_ok());
        for refused in [
            data.join("casebook.db").display().to_string(),
            exports.join("../casebook.db").display().to_string(),
            exports.join("sub").display().to_string(),
            exports.join("missing.pdf").display().to_string(),
            "/etc/passwd".to_owned(),
        ] {
            let err = exported(&data, &refused).unwrap_err();
            assert_eq!(err.key, "error.not_an_export", "{refused}");
        }
        std::fs::remove_dir_all(&data).unwrap();
    }
}
