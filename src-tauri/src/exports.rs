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
    /// Where this run's folders go: the user's runtime folder on Linux (private to them), the
    /// temporary folder elsewhere.
    parent: PathBuf,
    /// This run's folder once made, with its identity (device, inode) to know it is still the
    /// one this run made and no other user's.
    made: Mutex<Option<Made>>,
    /// Files that could not be removed yet (on Windows, a viewer still has them open): tried
    /// again at every idle check, so they go once the viewer is closed.
    lingering: Mutex<Vec<PathBuf>>,
}

#[derive(Debug, Clone)]
struct Made {
    dir: PathBuf,
    #[cfg(unix)]
    identity: (u64, u64),
}

impl Exports {
    pub fn new() -> Exports {
        let runtime = std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|d| d.is_dir());
        Exports::in_folder(&runtime.unwrap_or_else(std::env::temp_dir))
    }

    fn in_folder(parent: &Path) -> Exports {
        Exports {
            parent: parent.to_owned(),
            made: Mutex::new(None),
            lingering: Mutex::new(Vec::new()),
        }
    }

    /// This run's folder (made on first use).
    #[cfg(test)]
    fn folder(&self) -> PathBuf {
        self.made
            .lock()
            .ok()
            .and_then(|m| m.as_ref().map(|m| m.dir.clone()))
            .unwrap_or_else(|| self.parent.join(format!("{PREFIX}…")))
    }

    /// Typesets a document read from the book and writes it; returns its full path for the
    /// page to show.
    pub fn save(&self, document: &Document) -> Result<String> {
        let bytes = document.render()?;
        self.save_bytes(document.file_name(), &bytes)
    }

    /// Writes `bytes` as `name` in the private folder; returns the full path. The file is made
    /// new (never through a link someone left there) and readable by its owner only.
    pub fn save_bytes(&self, name: &str, bytes: &[u8]) -> Result<String> {
        let dir = self.private_folder().map_err(|_| Failure::Storage)?;
        let path = dir.join(name);
        if path.parent() != Some(dir.as_path()) {
            return Err(Failure::BadRequest.into());
        }
        let written = remove_if_there(&path).and_then(|()| {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            std::io::Write::write_all(&mut options.open(&path)?, bytes)
        });
        written.map_err(|_| Failure::Storage)?;
        Ok(path.display().to_string())
    }

    /// The exported file `path` names, if it is one: a file directly inside this run's folder.
    pub fn exported(&self, path: &str) -> Result<PathBuf> {
        let made = self.made.lock().map_err(|_| Failure::Storage)?.clone();
        let made = made.ok_or(Failure::NotAnExport)?;
        let folder = made.dir.canonicalize().map_err(|_| Failure::NotAnExport)?;
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

    /// Removes every document of this run (at lock). The folder itself stays, so that no one
    /// else can put one of the same name in its place.
    pub fn clear(&self) {
        let Some(dir) = self.made.lock().ok().and_then(|m| m.as_ref().map(|m| m.dir.clone())) else {
            return;
        };
        if let Ok(entries) = std::fs::read_dir(&dir)
            && let Ok(mut lingering) = self.lingering.lock()
        {
            lingering.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()));
        }
        self.retry();
    }

    /// Removes the folder too (at exit).
    pub fn remove(&self) {
        self.clear();
        if let Ok(mut made) = self.made.lock()
            && let Some(m) = made.take()
        {
            let _ = std::fs::remove_dir_all(m.dir);
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
        let Ok(entries) = std::fs::read_dir(&self.parent) else {
            return;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            // Another user's folder is not ours to remove: the system refuses it.
            if entry.file_name().to_string_lossy().starts_with(PREFIX) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }

    /// This run's folder: made once, new (a name no one had), 0700; used only while it is still
    /// that very folder and still private. Otherwise (removed, replaced by someone else's) a new
    /// one is made.
    fn private_folder(&self) -> std::io::Result<PathBuf> {
        let mut made = self.made.lock().map_err(|_| std::io::Error::other("exports lock"))?;
        if let Some(m) = made.as_ref()
            && still_ours(m)
        {
            return Ok(m.dir.clone());
        }
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let dir = self.parent.join(format!("{PREFIX}{tag}"));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        // `create` fails if anything has the name: the folder is this run's own.
        builder.create(&dir)?;
        let m = Made {
            #[cfg(unix)]
            identity: {
                use std::os::unix::fs::MetadataExt;
                let meta = std::fs::symlink_metadata(&dir)?;
                (meta.dev(), meta.ino())
            },
            dir: dir.clone(),
        };
        *made = Some(m);
        Ok(dir)
    }
}

/// The folder is still the one made, a real folder (no link), closed to everyone else.
fn still_ours(made: &Made) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(&made.dir) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.is_dir() && (meta.dev(), meta.ino()) == made.identity && meta.mode() & 0o077 == 0
    }
    #[cfg(not(unix))]
    {
        // On Windows the temporary folder is the user's own (under the profile, closed to
        // other users).
        meta.is_dir()
    }
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
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
        let folder = exports.folder();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "only its owner may enter");
            let mode = std::fs::metadata(&letter).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only its owner may read");
        }
        assert!(exports.exported(&letter).is_ok());
        std::fs::write(temp.join("casebook.db"), b"secret").unwrap();
        for refused in [
            temp.join("casebook.db").display().to_string(),
            folder.join("../casebook.db").display().to_string(),
            folder.join("missing.pdf").display().to_string(),
            "/etc/passwd".to_owned(),
        ] {
            let err = exports.exported(&refused).unwrap_err();
            assert_eq!(err.key, "error.not_an_export", "{refused}");
        }
        exports.discard(&letter).unwrap();
        assert!(!std::path::Path::new(&letter).exists(), "closed, removed");
        assert!(std::path::Path::new(&summary).exists());
        exports.clear();
        assert!(!std::path::Path::new(&summary).exists(), "locked, all removed");
        assert!(folder.is_dir(), "the folder stays for the run: no one takes its name");
        exports.remove();
        assert!(!folder.exists(), "gone at exit");

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

    /// Someone who swaps the folder for one of theirs, or leaves a link where a document is
    /// written, gets neither the document nor a write through the link.
    #[cfg(unix)]
    #[test]
    fn a_folder_or_link_put_in_place_is_never_written_through() {
        let temp = std::env::temp_dir().join(format!("oscc-exports-swap-{}", std::process::id()));
        std::fs::create_dir_all(&temp).unwrap();
        let victim = temp.join("casebook.db");
        std::fs::write(&victim, b"the book").unwrap();
        let exports = Exports::in_folder(&temp);
        let first = exports.save_bytes("letter.pdf", b"%PDF-1").unwrap();
        let folder = exports.folder();
        // A link where the next document goes: replaced, never followed.
        std::os::unix::fs::symlink(&victim, folder.join("preview.pdf")).unwrap();
        exports.save_bytes("preview.pdf", b"%PDF-2").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"the book");
        // The folder replaced by an open one of the same name: a new private one is made.
        std::fs::remove_dir_all(&folder).unwrap();
        std::fs::create_dir(&folder).unwrap();
        std::fs::set_permissions(&folder, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        let second = exports.save_bytes("letter.pdf", b"%PDF-3").unwrap();
        assert_ne!(
            std::path::Path::new(&second).parent(),
            std::path::Path::new(&first).parent()
        );
        assert!(
            !folder.join("letter.pdf").exists(),
            "nothing written into the swapped folder"
        );
        std::fs::remove_dir_all(&temp).unwrap();
    }
}
