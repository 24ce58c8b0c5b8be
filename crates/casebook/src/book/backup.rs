//! Backups: an encrypted copy of the case book (SQLite's online backup, page by page, under
//! the same key, so the copy is never in clear) and its key file, into a folder the user picks
//! (a USB drive). A backup opens on another laptop with the recovery code only.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Error, Result};
use crate::store::DB_FILE;
use crate::store::keys::KEY_FILE;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// Pages copied per step: small enough for a smooth progress bar, large enough to be quick.
const PAGES_PER_STEP: std::ffi::c_int = 512;

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
        {
            let mut copy = Connection::open(folder.join(DB_FILE))?;
            copy.execute_batch("PRAGMA cipher_log_level = NONE;")?;
            copy.execute_batch(&format!("PRAGMA key = {};", self.key.sql_literal().as_str()))?;
            copy.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy)?;
            loop {
                let step = backup.step(PAGES_PER_STEP)?;
                let p = backup.progress();
                if p.pagecount > 0 {
                    progress((100 * (p.pagecount - p.remaining) / p.pagecount) as u32);
                }
                match step {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => {}
                    // Another writer held the database for a moment: go on.
                    _ => std::thread::sleep(std::time::Duration::from_millis(10)),
                }
            }
        }
        std::fs::copy(self.dir().join(KEY_FILE), folder.join(KEY_FILE))?;
        self.audit(session, "backup.create", None, None, None)?;
        progress(100);
        Ok(folder)
    }

    /// Restores a backup into an empty data folder and opens it with the recovery code, as
    /// the recovery administrator (who then gives the users new passphrases). A wrong code or
    /// a damaged backup leaves the data folder as empty as it was.
    pub fn restore(backup: &Path, data_dir: &Path, recovery_code: &str) -> Result<(Casebook, Session)> {
        Casebook::restore_from(backup, data_dir)?;
        Casebook::unlock_with_recovery(data_dir, recovery_code).inspect_err(|_| {
            for file in [DB_FILE, KEY_FILE] {
                let _ = std::fs::remove_file(data_dir.join(file));
            }
        })
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
