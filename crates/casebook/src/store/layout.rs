//! The files of a case book in its folder and how they change together. The first run and a
//! change of the master key write new files beside the old ones and put them in place with
//! renames, in an order `settle` can finish or undo after a crash at any point: the folder
//! always holds either the old book or the new one, never a database without the key that
//! opens it. Nothing here ever deletes a database that a key file could open.

use crate::error::{Error, Result};
use crate::store::DB_FILE;
use crate::store::keys::{KEY_FILE, KeyFile, MasterKey, RECOVERY_FILE};
use rusqlite::Connection;
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// Present while the first run writes the book; removed once its key file is saved.
const FIRST_RUN: &str = "casebook.creating";
/// The suffix of the files a change of the master key writes before they replace the old.
const REKEY: &str = "rekey";
/// SQLite's companions of a database file (WAL mode).
const COMPANIONS: [&str; 2] = ["-wal", "-shm"];
/// Held locked (exclusively) while the app runs on a data folder: a second copy of the app on
/// the same folder would change files under the first (a key change under way, a lock).
const INSTANCE_LOCK: &str = "casebook.lock";

/// The data folder's instance lock, or None while another copy of the app holds it. The lock
/// goes with the file: dropped, or the process ended however it ended.
pub fn hold(dir: &Path) -> std::io::Result<Option<std::fs::File>> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(INSTANCE_LOCK))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// What a data folder holds, as the start screen needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BookState {
    /// No case book: the first run.
    New,
    Ready,
    /// A database whose key file is missing or damaged: the recovery code (through the
    /// recovery file) or a backup opens it again. Never the first run, which would lose it.
    KeysLost,
    /// A key file without its database: only a backup brings the cases back.
    DatabaseLost,
}

pub fn state(dir: &Path) -> BookState {
    let database = dir.join(DB_FILE).exists();
    let keys = dir.join(KEY_FILE).exists();
    match (database, keys) {
        (false, false) => BookState::New,
        (true, true) if KeyFile::load(dir).is_ok() => BookState::Ready,
        (true, _) => BookState::KeysLost,
        (false, true) => BookState::DatabaseLost,
    }
}

/// Finishes or undoes what a crash interrupted, before the folder is looked at.
pub fn settle(dir: &Path) -> Result<()> {
    // A first run that never saved its key file left a database nobody can open (its key
    // was only in memory, its recovery code never shown).
    if dir.join(FIRST_RUN).exists() {
        if !dir.join(KEY_FILE).exists() {
            for file in [DB_FILE, RECOVERY_FILE] {
                remove_with_companions(&dir.join(file))?;
            }
        }
        std::fs::remove_file(dir.join(FIRST_RUN))?;
    }
    // A key change: the database copy under the new key replaces the old one first. Until
    // then the change did not happen (its new files go); after, the new key files follow.
    if pending(dir, DB_FILE).exists() {
        abandon_key_change(dir)?;
    } else {
        for file in [KEY_FILE, RECOVERY_FILE] {
            if pending(dir, file).exists() {
                std::fs::rename(pending(dir, file), dir.join(file))?;
            }
        }
    }
    Ok(())
}

/// The first run begins: refused if anything of a book is here.
pub(crate) fn begin_first_run(dir: &Path) -> Result<()> {
    settle(dir)?;
    if state(dir) != BookState::New {
        return Err(Error::AlreadyExists);
    }
    std::fs::create_dir_all(dir)?;
    crate::store::files::write_atomic(&dir.join(FIRST_RUN), b"")
}

/// The first run's key file is saved: the book is complete.
pub(crate) fn end_first_run(dir: &Path) -> Result<()> {
    remove_if_there(&dir.join(FIRST_RUN))
}

/// Where a key change writes the new version of `file` before it takes its place.
pub(crate) fn pending(dir: &Path, file: &str) -> PathBuf {
    dir.join(format!("{file}.{REKEY}"))
}

/// Puts a key change's new files in place: the database first (the point after which the
/// change has happened), then the key files. The old database must be closed, its WAL gone.
pub(crate) fn commit_key_change(dir: &Path) -> Result<()> {
    if COMPANIONS.iter().any(|c| dir.join(format!("{DB_FILE}{c}")).exists()) {
        return Err(Error::Corrupt("the database is still open elsewhere".into()));
    }
    std::fs::rename(pending(dir, DB_FILE), dir.join(DB_FILE))?;
    settle(dir)
}

/// Removes what a key change that did not happen wrote (the database still under the old key).
pub(crate) fn abandon_key_change(dir: &Path) -> Result<()> {
    remove_with_companions(&pending(dir, DB_FILE))?;
    for file in [KEY_FILE, RECOVERY_FILE] {
        remove_if_there(&pending(dir, file))?;
    }
    Ok(())
}

/// Moves what is left of a lost book aside (into `damaged-<time>/`), never deleting it, so a
/// backup can be restored into the folder.
pub fn set_aside(dir: &Path) -> Result<Option<PathBuf>> {
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let aside = dir.join(format!("damaged-{stamp}"));
    let mut moved = false;
    for file in [DB_FILE, KEY_FILE, RECOVERY_FILE]
        .into_iter()
        .flat_map(|f| std::iter::once(f.to_owned()).chain(COMPANIONS.iter().map(move |c| format!("{f}{c}"))))
    {
        let path = dir.join(&file);
        if path.exists() {
            std::fs::create_dir_all(&aside)?;
            std::fs::rename(&path, aside.join(&file))?;
            moved = true;
        }
    }
    Ok(moved.then_some(aside))
}

/// Undoes `set_aside`.
pub fn put_back(aside: &Path, dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(aside)? {
        let entry = entry?;
        std::fs::rename(entry.path(), dir.join(entry.file_name()))?;
    }
    std::fs::remove_dir(aside)?;
    Ok(())
}

/// Copies the open database `from` into a new file at `to`, encrypted under `key`, page by
/// page (SQLite's online backup), telling `progress` the percentage done. The copy is never
/// in clear.
pub(crate) fn copy_keyed(from: &Connection, to: &Path, key: &MasterKey, mut progress: impl FnMut(u32)) -> Result<()> {
    /// Pages copied per step: small enough for a smooth progress bar, large enough to be quick.
    const PAGES_PER_STEP: std::ffi::c_int = 512;
    let mut copy = Connection::open(to)?;
    copy.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    copy.execute_batch(&zeroize::Zeroizing::new(format!(
        "PRAGMA key = {};",
        key.sql_literal().as_str()
    )))?;
    copy.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")?;
    {
        let backup = rusqlite::backup::Backup::new(from, &mut copy)?;
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
    copy.close().map_err(|(_, e)| Error::from(e))?;
    Ok(())
}

fn remove_with_companions(path: &Path) -> Result<()> {
    remove_if_there(path)?;
    for companion in COMPANIONS {
        let mut name = path.as_os_str().to_owned();
        name.push(companion);
        remove_if_there(Path::new(&name))?;
    }
    Ok(())
}

fn remove_if_there(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
