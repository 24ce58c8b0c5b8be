//! The case book's side of sync (docs/ARCHITECTURE.md, "Sync"): where this device syncs to, which of its events
//! the hub has not acknowledged, and (in `receive`) taking in other devices' events.

pub mod audit;
pub mod blobs;
pub mod conflicts;
mod device_id;
pub mod receive;
pub mod refused;
pub mod rights;
pub mod set_aside;
pub mod waiting;

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::Result;
use crate::log::events::{self, Event};
use crate::store::device;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SyncPosition {
    /// This device's highest seq the hub has acknowledged (no gap below it).
    #[ts(type = "number")]
    pub pushed_seq: i64,
    /// The hub's sequence number up to which this book has taken events in.
    #[ts(type = "number")]
    pub pull_cursor: i64,
    /// This device's events the hub has not acknowledged yet.
    #[ts(type = "number")]
    pub pending: i64,
    #[ts(type = "number")]
    pub conflicts: i64,
    /// This device's events the hub refused (`refused`): never applied anywhere else.
    #[ts(type = "number")]
    pub refused: i64,
    /// Events from elsewhere set aside because they failed this laptop's checks.
    #[ts(type = "number")]
    pub set_aside: i64,
    /// Records taken in that wait for a record they refer to (which comes with a later sync).
    #[ts(type = "number")]
    pub waiting: i64,
    /// What a supervisor must look at (`waiting::WaitingEntry`, set aside, refused): records
    /// refused or set aside, and records waiting longer than a sync or with a number another
    /// record has.
    #[ts(type = "number")]
    pub needs_attention: i64,
}

/// The `sync_state` key of the pinned province key.
const PROVINCE_KEY: &str = "hub_province_key";

/// Where this device syncs to.
pub struct HubLink {
    pub url: String,
    /// SHA-256 of the hub certificate seen at enrollment (none for plain HTTP on loopback).
    pub pin: Option<String>,
    /// The province's public key pinned at enrollment (hex): events are taken only from
    /// devices it approved.
    pub province_key: Option<String>,
    pub secret: zeroize::Zeroizing<String>,
}

impl Casebook {
    /// Records enrollment with a hub: its address, pinned certificate and the province's key
    /// in the book, the device's secret (token and signing key) in the OS keyring, never in the
    /// file. Administrators only.
    pub fn set_hub(
        &mut self,
        session: &Session,
        url: &str,
        pin: Option<&str>,
        province_key: &str,
        secret: &str,
    ) -> Result<()> {
        session.require(Permission::ManageUsers)?;
        device::store_hub_secret(&self.book_id, secret)?;
        let tx = self.conn.transaction()?;
        let settings = [
            ("hub_url", Some(url)),
            ("hub_pin", pin),
            (PROVINCE_KEY, Some(province_key)),
        ];
        for (key, value) in settings {
            match value {
                Some(value) => tx.execute(
                    "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [key, value],
                )?,
                None => tx.execute("DELETE FROM sync_state WHERE key = ?1", [key])?,
            };
        }
        tx.commit()?;
        self.audit(session, "sync.enroll", None, None, Some(url))
    }

    /// The hub this device is enrolled with: address, pinned certificate, and secret.
    pub fn hub(&self) -> Result<Option<HubLink>> {
        let state = |key: &str| -> Result<Option<String>> {
            Ok(self
                .conn
                .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
                .optional()?)
        };
        let Some(url) = state("hub_url")? else { return Ok(None) };
        let pin = state("hub_pin")?;
        let province_key = state(PROVINCE_KEY)?;
        Ok(device::load_hub_secret(&self.book_id)?.map(|secret| HubLink {
            url,
            pin,
            province_key,
            secret,
        }))
    }

    /// The province key this book trusts: the one pinned at enrollment, or `offered` when
    /// none is (a book enrolled before province keys existed pins the first one its hub names).
    pub fn pin_province_key(&mut self, offered: &str) -> Result<String> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            [PROVINCE_KEY, offered],
        )?;
        Ok(self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = ?1", [PROVINCE_KEY], |r| {
                r.get(0)
            })?)
    }

    /// Keeps the hub's list of unit codes (each sync fetches it): a transfer to a code the
    /// province does not have is then refused when it is typed, not by the hub at sync.
    pub fn set_hub_units(&mut self, units: &[String]) -> Result<()> {
        let list = serde_json::to_string(units).map_err(|e| crate::error::Error::Corrupt(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES ('hub_units', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [list],
        )?;
        Ok(())
    }

    /// The hub's unit codes as of the last sync; None before the first.
    pub(crate) fn hub_units(&self) -> Result<Option<Vec<String>>> {
        let list: Option<String> = self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = 'hub_units'", [], |r| r.get(0))
            .optional()?;
        Ok(list.and_then(|l| serde_json::from_str(&l).ok()))
    }

    pub fn sync_position(&self) -> Result<SyncPosition> {
        let pushed_seq = self.sync_number("pushed_seq")?;
        let last_seq: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(device_seq), 0) FROM events WHERE device_id = ?1",
            [self.device_id()],
            |r| r.get(0),
        )?;
        let conflicts: i64 =
            self.conn
                .query_row("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL", [], |r| {
                    r.get(0)
                })?;
        let refused: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sync_refused", [], |r| r.get(0))?;
        let set_aside: i64 = self.conn.query_row(
            "SELECT count(*) FROM quarantine WHERE reason <> 'newer_version'",
            [],
            |r| r.get(0),
        )?;
        let waiting: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sync_pending", [], |r| r.get(0))?;
        let needs_attention = refused + set_aside + self.waiting_too_long()?;
        Ok(SyncPosition {
            needs_attention,
            waiting,
            pushed_seq,
            pull_cursor: self.sync_number("pull_cursor")?,
            pending: last_seq - pushed_seq,
            conflicts,
            refused,
            set_aside,
        })
    }

    fn sync_number(&self, key: &str) -> Result<i64> {
        let value: Option<String> = self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// This device's events after the acknowledged point, in seq order: the next push.
    pub fn unpushed(&self, limit: usize) -> Result<Vec<Event>> {
        self.unpushed_after(self.sync_number("pushed_seq")?, limit)
    }

    /// This device's events after `seq`: the batch after one still on its way to the hub.
    pub fn unpushed_after(&self, seq: i64, limit: usize) -> Result<Vec<Event>> {
        events::read_where(
            &self.conn,
            "WHERE device_id = ?1 AND device_seq > ?2 ORDER BY device_seq LIMIT ?3",
            params![self.device_id(), seq, limit as i64],
        )
    }

    /// The hub holds this device's events up to `seq` with no gap: they count as synced.
    pub fn mark_pushed(&mut self, seq: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES ('pushed_seq', ?1)
             ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
            [seq.to_string()],
        )?;
        Ok(())
    }
}
