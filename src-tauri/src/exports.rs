//! Documents the app writes (letters, forms, summaries, register pages, the recovery sheet,
//! statistics) go into a private folder of this run in the system's temporary folder (only
//! its user may enter it), never into the data folder: they are opened from there in the
//! system's viewer, leave only by *Save a copy as…* (audited), and are removed when closed on
//! the page, at lock and at exit. A copied data folder so never carries a document in clear.
//! The page only ever names files inside that folder; anything else is refused.

use crate::error::{Failure, Result};
use documents::Document;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The folders of this app's runs in the temporary folder: `oscc-casebook-<random>`.
const PREFIX: &str = "oscc-casebook-";

pub struct Exports {
    dir: PathBuf,
    /// Files that could not be removed yet (on Windows, a viewer still has them open): tried
    /// again at every idle check, so they go once the viewer is closed.
    lingering: Mutex<Vec<PathBuf>>,
}

impl Exports {
    pub fn new() -> Exports {
        Exports::in_folder(&std::env::temp_dir())
    }

    fn in_folder(temp: &Path) -> Exports {
        let mut random = [0u8; 8];
        // Without randomness the process id keeps runs apart; the folder is private anyway.
        let tag = match getrandom::fill(&mut random) {
            Ok(()) => random.iter().map(|b| format!("{b:02x}")).collect(),
            Err(_) => std::process::id().to_string(),
        };
        Exports {
            dir: temp.join(format!("{PREFIX}{tag}")),
            lingering: Mutex::new(Vec::new()),
        }
    }

    /// This run's folder, for the end-to-end tests to look into.
    pub fn folder(&self) -> &Path {
        &self.dir
    }

    /// Typesets a document read from the book and writes it; returns its full path for the
    /// page to show.
    pub fn save(&self, document: &Document) -> Result<String> {
        let bytes = document.render()?;
        self.save_bytes(document.file_name(), &bytes)
    }

    /// Writes `bytes` as `name` in the private folder (made on first use); returns the full path.
    pub fn save_bytes(&self, name: &str, bytes: &[u8]) -> Result<String> {
        let path = self.dir.join(name);
        private_folder(&self.dir)
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|_| Failure::Storage)?;
        Ok(path.display().to_string())
    }

    /// The exported file `path` names, if it is one: a file directly inside the folder.
    pub fn exported(&self, path: &str) -> Result<PathBuf> {
        let folder = self.dir.canonicalize().map_err(|_| Failure::NotAnExport)?;
        let file = Path::new(path).canonicalize().map_err(|_| Failure::NotAnExport)?;
        if file.parent() == Some(folder.as_path()) && file.is_file() {
            Ok(file)
        } else {
            Err(Failure::NotAnExport.into())
        }
    }

    /// Removes a document the page closed (or keeps trying, while a viewer holds it).
    pub fn discard(&self, path: &str) -> Result<()> {
        let file = self.exported(path)?;
        if std::fs::remove_file(&file).is_err()
            && let Ok(mut lingering) = self.lingering.lock()
        {
            lingering.push(file);
        }
        Ok(())
    }

    /// Removes every document of this run (at lock and at exit).
    pub fn clear(&self) {
        if self.dir.exists() && std::fs::remove_dir_all(&self.dir).is_err() {
            // Some file is held open: remove what can be, the rest at the next idle check.
            if let Ok(entries) = std::fs::read_dir(&self.dir)
                && let Ok(mut lingering) = self.lingering.lock()
            {
                lingering.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
            }
            self.retry();
        }
    }

    /// Tries again to remove what a viewer held open.
    pub fn retry(&self) {
        if let Ok(mut lingering) = self.lingering.lock() {
            lingering.retain(|file| std::fs::remove_file(file).is_err() && file.exists());
        }
    }

    /// At start: the folders a run that crashed left behind, and the `exports` folder that
    /// earlier versions kept in clear inside the data folder.
    pub fn remove_leftovers(&self, data_dir: &Path) {
        let _ = std::fs::remove_dir_all(data_dir.join("exports"));
        let Some(temp) = self.dir.parent() else { return };
        let Ok(entries) = std::fs::read_dir(temp) else { return };
        for entry in entries.filter_map(|e| e.ok()) {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with(PREFIX) && entry.path() != self.dir {
                // Another user's folder is not ours to remove: the system refuses it.
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Makes the folder only its owner may enter (0700). On Windows the temporary folder is
/// already the user's own (under the profile, closed to other users).
fn private_folder(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::Exports;

    #[test]
    fn documents_live_in_a_private_folder_until_closed_or_cleared() {
        let temp = std::env::temp_dir().join(format!("oscc-exports-test-{}", std::process::id()));
        std::fs::create_dir_all(&temp).unwrap();
        let exports = Exports::in_folder(&temp);
        let letter = exports.save_bytes("letter.pdf", b"%PDF").unwrap();
        let summary = exports.save_bytes("summary.pdf", b"%PDF").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(exports.folder()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "only its owner may enter");
        }
        assert!(exports.exported(&letter).is_ok());
        std::fs::write(temp.join("casebook.db"), b"secret").unwrap();
        for refused in [
            temp.join("casebook.db").display().to_string(),
            exports.folder().join("../casebook.db").display().to_string(),
            exports.folder().join("missing.pdf").display().to_string(),
            "/etc/passwd".to_owned(),
        ] {
            let err = exports.exported(&refused).unwrap_err();
            assert_eq!(err.key, "error.not_an_export", "{refused}");
        }
        exports.discard(&letter).unwrap();
        assert!(!std::path::Path::new(&letter).exists(), "closed, removed");
        assert!(std::path::Path::new(&summary).exists());
        exports.clear();
        assert!(!exports.folder().exists(), "locked, all removed");

        // A crashed run's folder goes at the next start; the old exports folder too.
        let crashed = Exports::in_folder(&temp);
        crashed.save_bytes("minutes.pdf", b"%PDF").unwrap();
        let data = temp.join("data");
        std::fs::create_dir_all(data.join("exports")).unwrap();
        std::fs::write(data.join("exports/old-letter.pdf"), b"%PDF").unwrap();
        Exports::in_folder(&temp).remove_leftovers(&data);
        assert!(!crashed.folder().exists());
        assert!(!data.join("exports").exists());
        std::fs::remove_dir_all(&temp).unwrap();
    }
}
