//! Documents the app writes (letters, forms, summaries, register pages, the recovery sheet,
//! statistics): into the data folder's `exports`, to open in the system's PDF viewer or copy
//! where the user chooses. The page only ever names files inside `exports`; anything else is
//! refused.

use crate::error::{Failure, Result};
use crate::state::AppState;
use documents::Document;
use std::path::{Path, PathBuf};

/// Typesets a document read from the book and writes it into `exports`; returns its full path
/// for the page to show.
pub fn save(state: &AppState, document: &Document) -> Result<String> {
    let bytes = document.render()?;
    save_bytes(state, document.file_name(), &bytes)
}

/// Writes `bytes` as `exports/<name>`; returns the full path.
pub fn save_bytes(state: &AppState, name: &str, bytes: &[u8]) -> Result<String> {
    let exports = state.data_dir.join("exports");
    let path = exports.join(name);
    std::fs::create_dir_all(&exports)
        .and_then(|()| std::fs::write(&path, bytes))
        .map_err(|_| Failure::Storage)?;
    Ok(path.display().to_string())
}

/// The exported file `path` names, if it is one: a file directly inside `exports`.
pub fn exported(data_dir: &Path, path: &str) -> Result<PathBuf> {
    let exports = data_dir
        .join("exports")
        .canonicalize()
        .map_err(|_| Failure::NotAnExport)?;
    let file = Path::new(path).canonicalize().map_err(|_| Failure::NotAnExport)?;
    if file.parent() == Some(exports.as_path()) && file.is_file() {
        Ok(file)
    } else {
        Err(Failure::NotAnExport.into())
    }
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
