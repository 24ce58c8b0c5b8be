//! A new master key for this laptop's book, after a user is removed or a copy of the folder
//! is feared lost: the database is copied under the new key, every slot takes the new key
//! without its owner's passphrase (`KeyFile::rewrap`), and an old copy of the key file then
//! opens nothing. Each laptop of the unit has its own book and key; this changes this one's.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Error, Result};
use crate::store::keys::{KEY_FILE, KeyFile, MasterKey, RECOVERY_FILE, RecoveryCode, SlotOwner};
use crate::store::{self, DB_FILE, layout};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

/// What a change of the master key asks of the administrator afterwards.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeyChanged {
    /// A new recovery code when the old recovery slot could not take the new key (a key file
    /// of the first format): print a new recovery sheet, the old one opens nothing.
    pub recovery_code: Option<String>,
    /// Users whose slot here could not take the new key: they need a new passphrase from
    /// the administrator on this laptop.
    pub users_to_reset: Vec<String>,
}

impl Casebook {
    /// Changes the master key on this laptop. `progress` hears the percentage of the database
    /// copied. A crash at any point leaves the book under the old key or the new one
    /// (`layout::settle`). Administrators; audited.
    pub fn change_master_key(&mut self, admin: &Session, progress: impl FnMut(u32)) -> Result<KeyChanged> {
        admin.require(Permission::ManageUsers)?;
        let dir = self.dir().to_owned();
        let key = MasterKey::random()?;
        let mut keys = KeyFile::load(&dir)?;
        let dropped = keys.rewrap(&key)?;
        let mut recovery_code = None;
        if dropped.contains(&SlotOwner::Recovery) {
            let code = RecoveryCode::random()?;
            keys.put_slot(SlotOwner::Recovery, code.as_bytes(), None, self.kdf, &key, false)?;
            recovery_code = Some(code.display());
        }
        let users_to_reset = dropped
            .into_iter()
            .filter_map(|owner| match owner {
                SlotOwner::User { username, .. } => Some(username),
                SlotOwner::Recovery => None,
            })
            .collect();

        layout::copy_keyed(&self.conn, &layout::pending(&dir, DB_FILE), &key, progress)?;
        keys.save_to(&layout::pending(&dir, KEY_FILE))?;
        keys.save_recovery_to(&layout::pending(&dir, RECOVERY_FILE))?;
        // The old database is closed (its WAL checkpointed away) before the copy replaces it.
        self.checkpointer = None;
        let old = std::mem::replace(&mut self.conn, Connection::open_in_memory()?);
        let closed = old.close().map_err(|(_, e)| Error::from(e));
        if let Err(e) = closed.and_then(|()| layout::commit_key_change(&dir)) {
            // Which key opens the database decides whether the change happened, whatever
            // else touched the folder meanwhile.
            if store::connect(&dir, Some(&key)).is_err() {
                layout::abandon_key_change(&dir)?;
                self.conn = store::open(&dir, &self.key)?;
                return Err(e);
            }
            layout::settle(&dir)?;
        }
        self.conn = store::open(&dir, &key)?;
        self.key = key;
        self.audit(admin, "book.change_key", None, None, None)?;
        Ok(KeyChanged {
            recovery_code,
            users_to_reset,
        })
    }
}
