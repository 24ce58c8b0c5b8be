//! The hub's storage: enrolled devices (token hashes only), one-time enrollment codes, every
//! unit's events in one sequence, and which units may see which case. Behind one trait so the
//! same tests can run against every backend; SQLite is the one built so far.

use oscc_sync::WireEvent;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Db(#[from] rusqlite::Error),
    /// Same (device, seq) or event id with different content: a laptop restored from an old
    /// backup. It must enrol again as a new device.
    #[error("event {0} was already received with different content")]
    Diverged(String),
    #[error("unknown, used or revoked enrollment code")]
    BadCode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub unit_code: String,
    pub name: String,
    pub active: bool,
}

pub trait Store: Send + Sync {
    fn new_enroll_code(&self, unit_code: &str) -> Result<String, StoreError>;
    /// Enrols the laptop under its own device id (the one its events carry).
    fn enroll(&self, code: &str, device_id: &str, device_name: &str) -> Result<(Device, String), StoreError>;
    fn device_by_token(&self, token: &str) -> Result<Option<Device>, StoreError>;
    fn devices(&self) -> Result<Vec<Device>, StoreError>;
    fn revoke(&self, device_id: &str) -> Result<bool, StoreError>;
    /// Stores a batch in one transaction; returns the device's highest seq with no gap below.
    fn push(&self, device: &Device, events: &[WireEvent]) -> Result<i64, StoreError>;
    /// Events after `after` that `device`'s unit may see, not its own, in hub order.
    fn pull(&self, device: &Device, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError>;
}

pub struct Sqlite {
    conn: Mutex<Connection>,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A random secret as text (tokens, codes).
pub fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The OS generator failing is not recoverable for a security token.
    if getrandom::fill(&mut buf).is_err() {
        return String::new();
    }
    hex::encode(buf)
}

impl Sqlite {
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
             CREATE TABLE IF NOT EXISTS enroll_codes (code_hash TEXT PRIMARY KEY, unit_code TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, name TEXT NOT NULL,
               token_hash TEXT NOT NULL UNIQUE, active INTEGER NOT NULL DEFAULT 1);
             CREATE TABLE IF NOT EXISTS events (hub_seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
               device_id TEXT NOT NULL, device_seq INTEGER NOT NULL, unit_code TEXT NOT NULL, case_id TEXT,
               body TEXT NOT NULL, UNIQUE (device_id, device_seq));
             CREATE INDEX IF NOT EXISTS events_case ON events(case_id);
             CREATE TABLE IF NOT EXISTS grants (case_id TEXT NOT NULL, unit_code TEXT NOT NULL, PRIMARY KEY (case_id, unit_code));",
        )?;
        Ok(Sqlite { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll back).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn device_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        unit_code: r.get(1)?,
        name: r.get(2)?,
        active: r.get::<_, i64>(3)? != 0,
    })
}

impl Store for Sqlite {
    fn new_enroll_code(&self, unit_code: &str) -> Result<String, StoreError> {
        let code = random_secret(6);
        self.conn().execute(
            "INSERT INTO enroll_codes (code_hash, unit_code) VALUES (?1, ?2)",
            params![hash(&code), unit_code],
        )?;
        Ok(code)
    }

    fn enroll(&self, code: &str, device_id: &str, device_name: &str) -> Result<(Device, String), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let unit: Option<String> = tx
            .query_row(
                "UPDATE enroll_codes SET used = 1 WHERE code_hash = ?1 AND used = 0 RETURNING unit_code",
                [hash(code.trim())],
                |r| r.get(0),
            )
            .optional()?;
        let unit_code = unit.ok_or(StoreError::BadCode)?;
        let token = random_secret(32);
        let device = Device {
            id: device_id.to_owned(),
            unit_code,
            name: device_name.to_owned(),
            active: true,
        };
        tx.execute(
            "INSERT INTO devices (id, unit_code, name, token_hash) VALUES (?1, ?2, ?3, ?4)",
            params![device.id, device.unit_code, device.name, hash(&token)],
        )?;
        tx.commit()?;
        Ok((device, token))
    }

    fn device_by_token(&self, token: &str) -> Result<Option<Device>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT id, unit_code, name, active FROM devices WHERE token_hash = ?1 AND active = 1",
                [hash(token)],
                device_row,
            )
            .optional()?)
    }

    fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, unit_code, name, active FROM devices ORDER BY unit_code, id")?;
        let rows = stmt.query_map([], device_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn revoke(&self, device_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn()
            .execute("UPDATE devices SET active = 0 WHERE id = ?1", [device_id])?
            > 0)
    }

    fn push(&self, device: &Device, events: &[WireEvent]) -> Result<i64, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for event in events {
            let body = serde_json::to_string(event).unwrap_or_default();
            let held: Option<String> = tx
                .query_row(
                    "SELECT body FROM events WHERE event_id = ?1 OR (device_id = ?2 AND device_seq = ?3)",
                    params![event.event_id, event.device_id, event.device_seq],
                    |r| r.get(0),
                )
                .optional()?;
            match held {
                Some(held) if held == body => continue,
                Some(_) => return Err(StoreError::Diverged(event.event_id.clone())),
                None => {}
            }
            tx.execute(
                "INSERT INTO events (event_id, device_id, device_seq, unit_code, case_id, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![event.event_id, device.id, event.device_seq, device.unit_code, event.case_id, body],
            )?;
            if let Some(case_id) = &event.case_id {
                // Creating or writing a case grants its own unit.
                tx.execute(
                    "INSERT INTO grants (case_id, unit_code) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    params![case_id, device.unit_code],
                )?;
            }
        }
        // The longest run 1..n with no gap.
        let acked: i64 = tx.query_row(
            "SELECT COALESCE(MAX(device_seq), 0) FROM events e WHERE device_id = ?1 AND device_seq =
               (SELECT COUNT(*) FROM events WHERE device_id = ?1 AND device_seq <= e.device_seq)",
            [&device.id],
            |r| r.get(0),
        )?;
        tx.commit()?;
        Ok(acked)
    }

    fn pull(&self, device: &Device, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT hub_seq, body FROM events
             WHERE hub_seq > ?1 AND device_id <> ?2
               AND (unit_code = ?3 OR case_id IN (SELECT case_id FROM grants WHERE unit_code = ?3))
             ORDER BY hub_seq LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![after, device.id, device.unit_code, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, body) = row?;
            if let Ok(event) = serde_json::from_str(&body) {
                out.push((seq, event));
            }
        }
        Ok(out)
    }
}
