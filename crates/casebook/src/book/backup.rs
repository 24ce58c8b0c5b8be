//! Backups: an encrypted copy of the case book (SQLite's online backup, page by page, under
//! the same key, so the copy is never in clear) and its key file, into a folder the user picks
//! (a USB drive). A backup opens on another laptop with the recovery code only.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Error, Result};
use crate::store::DB_FILE;
use crate::store::keys::{KEY_FILE, RECOVERY_FILE};
use crate::store::layout::{self, BookState};
use std::path::{Path, PathBuf};

impl Casebook {
    /// Writes `oscc-backup-<UNIT>-<yyyymmdd-hhmmss>/` inside `dest` and returns it. `progress`
    /// hears the percentage copied. Supervisors and administrators; audited.
    pub fn backup_to(&mut self, session: &Session, dest: &Path, mut progress: impl FnMut(u32)) -> Result<PathBuf> {
        session
            .require(Permission::Supervise)
            .or_else(|_| session.require(Permission::ManageUsers))?;
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let folder = dest.join(format!("oscc-backup-{}-{stamp}", self.unit_code()));
        std::fs::create_dir_all(&folder)?;
        crate::store::layout::copy_keyed(&self.conn, &folder.join(DB_FILE), &self.key, &mut progress)?;
        std::fs::copy(self.dir().join(KEY_FILE), folder.join(KEY_FILE))?;
        self.audit(session, "backup.create", None, None, None)?;
        progress(100);
        Ok(folder)
    }

    /// Restores a backup into an empty data folder and opens it with the recovery code, as
    /// the recovery administrator (who then gives the users new passphrases). A wrong code or
    /// a damaged backup leaves the data folder as empty as it was.
    ///
    /// Into a folder whose book lost its key file or database, what is left of it is first
    /// moved aside into `damaged-<time>/` (and back if the restore fails): never deleted.
    pub fn restore(backup: &Path, data_dir: &Path, recovery_code: &str) -> Result<(Casebook, Session)> {
        let aside = match Casebook::state(data_dir)? {
            BookState::New => None,
            BookState::Ready => return Err(Error::AlreadyExists),
            BookState::KeysLost | BookState::DatabaseLost => layout::set_aside(data_dir)?,
        };
        let restored = Casebook::restore_from(backup, data_dir)
            .and_then(|()| Casebook::unlock_with_recovery(data_dir, recovery_code));
        if restored.is_err() {
            for file in [DB_FILE, KEY_FILE, RECOVERY_FILE] {
                let _ = std::fs::remove_file(data_dir.join(file));
            }
            if let Some(aside) = aside {
                layout::put_back(&aside, data_dir)?;
            }
        }
        restored
    }

    /// Puts a backup folder's files into an empty data folder; then open it with
    /// `unlock_with_recovery`, which makes this laptop a new device of the unit.
    pub fn restore_from(backup: &Path, data_dir: &Path) -> Result<()> {
        if Casebook::exists(data_dir) {
            return Err(Error::AlreadyExists);
        }
        for file in [DB_FILE, KEY_FILE] {
            if !backup.join(file).exists() {
                return Err(Error::NotFound);
            }
        }
        std::fs::create_dir_all(data_dir)?;
        for file in [DB_FILE, KEY_FILE] {
            std::fs::copy(backup.join(file), data_dir.join(file))?;
        }
        Ok(())
    }
}
