//! A laptop's device id is the hub's to give: at enrollment the hub names it (so no device can
//! claim an id another laptop will use), and the book takes it over from the id it made when
//! it was created.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Error, Result};
use crate::log::events;
use crate::log::hlc::{Clock, Hlc};
use crate::store::rows::new_id;
use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};
use std::collections::HashMap;

impl Casebook {
    /// Takes the device id the hub gave this laptop at enrollment. The events the hub has not
    /// acknowledged move to it, numbered on from 1, each under a new event id (a hub may hold
    /// one whose answer was lost, under the old device: the two must not collide) and with its
    /// clock naming the new device (the clocks that refer to them follow); events the hub
    /// acknowledged under the old id stay as they are. Later events carry the new id.
    /// Administrators only.
    pub fn take_device_id(&mut self, session: &Session, id: &str) -> Result<()> {
        session.require(Permission::ManageUsers)?;
        // Clocks are "<ms>-<counter>-<device>": an id is letters, digits, dashes, underscores.
        let fit = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if id.is_empty() || id.len() > 64 || !id.chars().all(fit) {
            return Err(Error::Corrupt("the hub gave a device id that is not one".into()));
        }
        // From now on the hub allots this book's case and letter numbers (`records::numbers`).
        self.conn.execute(
            "INSERT INTO sync_state (key, value) VALUES ('numbered_by_hub', '1') ON CONFLICT (key) DO NOTHING",
            [],
        )?;
        self.move_to_device(id)
    }

    /// A book restored from a backup, or opened with the recovery code, is a new laptop to the
    /// hub: its events the hub has not acknowledged move to a new device id of its own making
    /// (so the old device's sequence numbers are never used again), it forgets the hub it was
    /// enrolled with and where its pull had come to, and keeps the old device's id for the
    /// administrator, who enrolls the laptop again and asks the province to revoke the old one.
    pub(crate) fn become_new_laptop(&mut self) -> Result<()> {
        let old = self.device_id().to_owned();
        let enrolled = self
            .conn
            .prepare("SELECT 1 FROM sync_state WHERE key = 'numbered_by_hub'")?
            .exists([])?;
        // The hub link goes first: a crash before the move leaves a book that syncs nowhere
        // until it is enrolled again (which moves its events), never one that sends the new
        // device's events with the old device's token.
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM sync_state WHERE key IN ('hub_url', 'hub_pin', 'pull_cursor', 'hub_units')",
            [],
        )?;
        if enrolled {
            tx.execute(
                "INSERT INTO sync_state (key, value) VALUES ('replaced_device', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&old],
            )?;
        }
        tx.commit()?;
        self.move_to_device(&new_id())
    }

    /// The device this book replaced (restored, or opened with the recovery code) while the
    /// province has not revoked it: the administrator is asked to have it revoked.
    pub fn replaced_device(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = 'replaced_device'", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The province revoked the device this book replaced: nothing more to ask.
    pub fn forget_replaced_device(&mut self) -> Result<()> {
        self.conn
            .execute("DELETE FROM sync_state WHERE key = 'replaced_device'", [])?;
        Ok(())
    }

    /// Moves the events the hub has not acknowledged to device `id` (see `take_device_id`).
    fn move_to_device(&mut self, id: &str) -> Result<()> {
        let old = self.device_id().to_owned();
        if id == old {
            return Ok(());
        }
        let pushed = self.sync_position()?.pushed_seq;
        let tx = self.conn.transaction()?;
        let taken: bool = tx.prepare("SELECT 1 FROM events WHERE device_id = ?1")?.exists([id])?;
        if taken {
            return Err(Error::Corrupt("the hub gave the id of another device".into()));
        }
        // The unsent events' clocks, old to new.
        let moved: HashMap<String, String> = {
            let mut stmt = tx.prepare("SELECT hlc FROM events WHERE device_id = ?1 AND device_seq > ?2")?;
            let rows = stmt.query_map(params![old, pushed], |r| r.get::<_, String>(0))?;
            let mut moved = HashMap::new();
            for hlc in rows {
                let hlc = hlc?;
                let mut renamed = Hlc::parse(&hlc).ok_or_else(|| Error::Corrupt("an event's clock".into()))?;
                renamed.device = id.to_owned();
                moved.insert(hlc, renamed.to_string());
            }
            moved
        };
        if !moved.is_empty() {
            let rename = |value: &mut Value| {
                if let Some(new) = value.as_str().and_then(|hlc| moved.get(hlc)) {
                    *value = Value::String(new.clone());
                }
            };
            // The moved events, and the bases that name their clocks (only this device's own
            // unsent events can: no one else has seen them).
            let rows: Vec<(i64, String, String)> = tx
                .prepare("SELECT rowid_, hlc, bases FROM events WHERE device_id = ?1 AND device_seq > ?2")?
                .query_map(params![old, pushed], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (rowid, hlc, bases) in rows {
                let mut bases: Map<String, Value> = serde_json::from_str(&bases).map_err(corrupt)?;
                bases.values_mut().for_each(rename);
                tx.execute(
                    "UPDATE events SET device_id = ?1, device_seq = device_seq - ?2, hlc = ?3, bases = ?4,
                       event_id = ?5
                     WHERE rowid_ = ?6",
                    params![
                        id,
                        pushed,
                        moved[&hlc],
                        serde_json::to_string(&bases).map_err(corrupt)?,
                        new_id(),
                        rowid
                    ],
                )?;
            }
            // The clocks each record's fields hold now, and the sides of open conflicts.
            let like = format!("%{old}%");
            let clocks: Vec<(String, String, String)> = tx
                .prepare("SELECT entity, entity_id, clocks FROM field_clocks WHERE clocks LIKE ?1")?
                .query_map([&like], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            for (entity, entity_id, clocks) in clocks {
                let clocks: Map<String, Value> = serde_json::from_str(&clocks).map_err(corrupt)?;
                let clocks: Map<String, Value> = clocks
                    .into_iter()
                    .map(|(hlc, fields)| (moved.get(&hlc).cloned().unwrap_or(hlc), fields))
                    .collect();
                tx.execute(
                    "UPDATE field_clocks SET clocks = ?1 WHERE entity = ?2 AND entity_id = ?3",
                    params![serde_json::to_string(&clocks).map_err(corrupt)?, entity, entity_id],
                )?;
            }
            for (old_hlc, new_hlc) in &moved {
                tx.execute(
                    "UPDATE conflicts SET kept_hlc = ?2 WHERE kept_hlc = ?1",
                    [old_hlc, new_hlc],
                )?;
                tx.execute(
                    "UPDATE conflicts SET other_hlc = ?2 WHERE other_hlc = ?1",
                    [old_hlc, new_hlc],
                )?;
            }
        }
        tx.execute("UPDATE meta SET value = ?1 WHERE key = 'device_id'", [id])?;
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('pushed_seq', '0')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [],
        )?;
        tx.commit()?;
        self.device_id = id.to_owned();
        self.clock = Clock::new(id, events::last_hlc(&self.conn)?);
        Ok(())
    }
}

fn corrupt(e: serde_json::Error) -> Error {
    Error::Corrupt(e.to_string())
}
