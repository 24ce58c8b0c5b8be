//! The case book: one encrypted database and its key file in a folder. Creating, unlocking
//! (by passphrase on this device, or by the recovery code anywhere), users, and the one write
//! path every mutation takes: row + audit entry + event, in one transaction.

pub mod audit;
pub mod audit_view;
mod backup;
mod drafts;
pub mod key_change;
mod open;
pub mod permissions;
pub mod users;
pub mod write;

use crate::error::{Error, Invalid, Result, Rule};
use crate::log::events::{self, Event};
use crate::log::hlc::Clock;
use crate::store::checkpoint::Checkpointer;
use crate::store::keys::{KdfParams, MasterKey};
use crate::store::{Catalog, search_index};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

pub struct Casebook {
    /// Started by the first sync that takes events in. Declared first so that it closes
    /// before the main connection, which then removes the WAL as the last one out.
    pub(crate) checkpointer: Option<Checkpointer>,
    pub(crate) conn: Connection,
    pub(crate) catalog: Catalog,
    dir: PathBuf,
    pub(crate) clock: Clock,
    pub(crate) device_id: String,
    unit_code: String,
    pub(crate) book_id: String,
    pub(crate) kdf: KdfParams,
    /// Kept while unlocked to wrap new key slots; zeroized when the book is dropped (locked).
    pub(crate) key: MasterKey,
    /// The user signed in with a passphrase an administrator set: nothing else until they
    /// choose their own (the app holds every other command back).
    must_change_passphrase: bool,
}

/// What the first run asks for.
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewBook {
    pub unit_code: String,
    pub unit_name: String,
    pub org_type: OrgType,
    pub province_code: Option<String>,
    /// For the letterhead of letters.
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Thai digits (๐–๙) in letters, or Arabic.
    #[serde(default = "yes")]
    pub thai_digits: bool,
    pub admin_username: String,
    pub admin_display_name: String,
    pub admin_passphrase: String,
}

/// The kind of unit: hospital units see the clinical deadline rail.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS, strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrgType {
    #[default]
    HospitalOscc,
    Shelter,
    ProvincialSocialDevelopment,
    Other,
}

/// The unit as letters and screens show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UnitInfo {
    pub code: String,
    pub name: String,
    pub org_type: OrgType,
    pub province_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Thai digits (๐–๙) in letters, or Arabic: the unit's choice.
    #[serde(default = "yes")]
    pub thai_digits: bool,
    /// The letters' emblem, an attachment.
    #[serde(default)]
    pub emblem_sha256: Option<String>,
}

fn yes() -> bool {
    true
}

pub(crate) fn validate_unit_code(field: &str, code: &str) -> Result<(), Invalid> {
    let ok = (2..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(field, Rule::UnitCodeFormat))
    }
}

fn required(field: &str, value: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        Err(Invalid::new(field, Rule::Required))
    } else {
        Ok(())
    }
}

impl Casebook {
    /// Uses a cheaper key derivation for slots written from now on (tests, benchmarks).
    pub fn set_kdf(&mut self, kdf: KdfParams) {
        self.kdf = kdf;
    }

    /// The unit's details, as entered at the first run.
    pub fn unit(&self) -> Result<UnitInfo> {
        let text: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'unit'", [], |r| r.get(0))?;
        serde_json::from_str(&text).map_err(|e| Error::Corrupt(e.to_string()))
    }

    pub fn unit_code(&self) -> &str {
        &self.unit_code
    }

    /// The columns of every kind of record: what events from elsewhere are checked against.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn events(&self) -> Result<Vec<Event>> {
        events::read_all(&self.conn)
    }

    /// A digest of all state tables (equal digests, equal case books).
    pub fn state_hash(&self) -> Result<String> {
        events::state_hash(&self.conn, &self.catalog)
    }

    /// Housekeeping for idle moments: moves queued search rows into the index, copies the WAL
    /// back into the database and merges index segments, so none lands on an interactive write.
    pub fn maintain(&self) -> Result<()> {
        self.catch_up_search()?;
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        self.conn
            .execute("INSERT INTO search_index (search_index, rank) VALUES ('merge', 64)", [])?;
        Ok(())
    }

    /// One step of moving queued search rows into the index, in its own transaction: true
    /// when rows may remain. A sync leaves what it took in queued (searchable, by a slower scan);
    /// calling this until it says false, between other work, indexes it.
    pub fn catch_up_search(&self) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let more = search_index::flush(&tx, search_index::CATCH_UP_ROWS)?;
        tx.commit()?;
        Ok(more)
    }

    /// SQLite's own consistency check of the whole file.
    pub fn integrity_ok(&self) -> Result<bool> {
        let result: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(result == "ok")
    }

    /// Throws the state tables away and replays the event log into them.
    pub fn rebuild_from_log(&mut self) -> Result<()> {
        events::rebuild(&mut self.conn, &self.catalog)
    }
}
