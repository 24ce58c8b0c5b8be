//! Taking in other devices' events: they join the log and each record they touch is brought
//! up to date (log::merge), so any order of delivery, and any repeat, gives the same state.

use crate::book::Casebook;
use crate::dates::now_iso;
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::log::events::{self, Event};
use crate::log::merge::take_in;
use crate::store::{self, checkpoint::Checkpointer};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use ts_rs::TS;

/// The reasons a set-aside event is tried again at the next sync: written by a newer version
/// (applied once an upgrade reads it), by a device this laptop did not know yet (approved
/// after it fetched the list of devices), with a value this version does not know (`bad_shape`:
/// a newer release may add a value), with a clock more than a day ahead (`clock_ahead`: taken
/// once that time is near), or for a record whose creation has not come yet (`UNKNOWN_ORIGIN`). Any other reason is a check the event failed for good.
pub const RETRIED: [&str; 5] = [
    "newer_version",
    "unknown_device",
    "bad_shape",
    "clock_ahead",
    UNKNOWN_ORIGIN,
];

/// The reason an event is set aside when its device's unit may not write the record.
pub const NOT_YOURS: &str = "not_yours";

/// The reason an event is set aside when it changes a record only its own unit writes before
/// the record's creation has come: which unit that is cannot be told yet.
pub const UNKNOWN_ORIGIN: &str = "unknown_origin";

/// The reason an event is set aside when the book holds another event under its device and
/// number: one of the two was forged.
pub const DIVERGED: &str = "diverged";

/// An event as it arrived: one this book can apply, or one set aside whole in quarantine with
/// the reason: one of `RETRIED`, or a check it failed (it stays set aside). Either way the
/// sync goes on.
#[derive(Debug, Clone)]
pub enum Incoming {
    /// `writer`: the unit of the device that signed it, as the province approved it; the book
    /// then checks that unit's right to write the record (`not_yours`). None: not checked
    /// (events of this book's own making, in tests).
    Event { event: Event, writer: Option<String> },
    Quarantine {
        event_id: String,
        raw: String,
        reason: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Received {
    #[ts(type = "number")]
    pub applied: u64,
    #[ts(type = "number")]
    pub duplicates: u64,
    #[ts(type = "number")]
    pub quarantined: u64,
}

impl Casebook {
    /// Takes in a pulled batch and moves the pull cursor to `cursor`, in one transaction: a
    /// crash at any point means the same batch comes again, and taking it twice changes nothing.
    pub fn receive(&mut self, incoming: Vec<Incoming>, cursor: i64) -> Result<Received> {
        // Batch after batch, the checkpoint thread copies the WAL back; the writer's own
        // checkpoint stays only as a far backstop (at 4,000 pages it still ran now and then:
        // 4 % of a first pull's processor time).
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 8 * store::AUTOCHECKPOINT)?;
        // Most batches are whole (each record's first event, and the records it refers to,
        // are in it or already here): taken in as one piece, with no savepoint, since under a
        // savepoint SQLite copies aside every page it changes (measured: 8 % of a first pull
        // in savepoint bookkeeping alone). A batch that refers to something not here yet fails
        // as a piece: it is rolled back and taken again record by record.
        let taken = match self.take_batch(&incoming, cursor, true) {
            Err(Error::Database(_)) => self.take_batch(&incoming, cursor, false),
            taken => taken,
        };
        self.conn
            .pragma_update(None, "wal_autocheckpoint", store::AUTOCHECKPOINT)?;
        taken
    }

    fn take_batch(&mut self, incoming: &[Incoming], cursor: i64, whole: bool) -> Result<Received> {
        let mut report = Received::default();
        let mut tx = self.conn.transaction()?;
        let mut touched: BTreeSet<(Entity, String)> = BTreeSet::new();
        // The new events of each record, for the fast path of `take_in`.
        let mut fresh: BTreeMap<(Entity, String), Vec<&Event>> = Default::default();
        // Quarantine and the purged list are nearly always empty: looked at once, not once
        // per event.
        let mut quarantine_held = tx.prepare_cached("SELECT 1 FROM quarantine")?.exists([])?;
        let any_purged = tx.prepare_cached("SELECT 1 FROM purged")?.exists([])?;
        // The records this batch materializes make their own conflicts; only ones open before
        // it can be settled by an event that saw them.
        let open_conflicts = tx
            .prepare_cached("SELECT 1 FROM conflicts WHERE resolved_at IS NULL")?
            .exists([])?;
        let mut newest: Option<&String> = None;
        // The unit each record of this batch was created by, as the batch goes.
        let mut origins: HashMap<String, String> = HashMap::new();
        for item in incoming {
            match item {
                Incoming::Quarantine { event_id, raw, reason } => {
                    quarantine(&tx, event_id, raw, reason)?;
                    report.quarantined += 1;
                    quarantine_held = true;
                }
                Incoming::Event { event, writer } => {
                    if let Some(writer) = writer
                        && let Some(why) = unit_may_write(&tx, &mut origins, event, writer)?
                    {
                        set_aside(&tx, event, writer, why)?;
                        report.quarantined += 1;
                        quarantine_held = true;
                        continue;
                    }
                    if quarantine_held {
                        // Kept in quarantine by an older build, readable now.
                        tx.prepare_cached("DELETE FROM quarantine WHERE event_id = ?1")?
                            .execute([&event.event_id])?;
                    }
                    let purged = any_purged
                        && tx
                            .prepare_cached("SELECT 1 FROM purged WHERE entity_id = ?1")?
                            .exists([&event.entity_id])?;
                    // Held already: not inserted again.
                    if purged || !events::insert(&tx, event)? {
                        let held = tx
                            .prepare_cached("SELECT 1 FROM events WHERE event_id = ?1")?
                            .exists([&event.event_id])?;
                        if purged || held {
                            report.duplicates += 1;
                        } else {
                            // Another event under the same device and number: kept aside.
                            set_aside(&tx, event, writer.as_deref().unwrap_or(""), DIVERGED)?;
                            report.quarantined += 1;
                            quarantine_held = true;
                        }
                        continue;
                    }
                    if newest.is_none_or(|n| n < &event.hlc) {
                        newest = Some(&event.hlc);
                    }
                    touched.insert((event.entity, event.entity_id.clone()));
                    fresh
                        .entry((event.entity, event.entity_id.clone()))
                        .or_default()
                        .push(event);
                    report.applied += 1;
                }
            }
        }
        // Records waiting for a record they refer to (a case whose person has not come yet)
        // are tried again with this batch, until a pass makes no progress.
        {
            let mut stmt = tx.prepare("SELECT entity, entity_id FROM sync_pending")?;
            let waiting = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in waiting {
                let (entity, id) = row?;
                if let Some(entity) = Entity::from_name(&entity) {
                    touched.insert((entity, id));
                }
            }
        }
        if whole {
            for (entity, id) in &touched {
                let new = fresh.get(&(*entity, id.clone())).map_or(&[][..], Vec::as_slice);
                take_in(&tx, &self.catalog, *entity, id, new, open_conflicts)?;
            }
            tx.execute("DELETE FROM sync_pending", [])?;
            touched.clear();
        }
        while !touched.is_empty() {
            let mut progress = false;
            let mut still = BTreeSet::new();
            for (entity, id) in touched {
                let sp = tx.savepoint()?;
                let new = fresh.get(&(entity, id.clone())).map_or(&[][..], Vec::as_slice);
                match take_in(&sp, &self.catalog, entity, &id, new, open_conflicts) {
                    Ok(()) => {
                        sp.execute(
                            "DELETE FROM sync_pending WHERE entity = ?1 AND entity_id = ?2",
                            params![entity.name(), id],
                        )?;
                        sp.commit()?;
                        progress = true;
                    }
                    // A missing creating event (NOT NULL) or referred-to record (foreign key).
                    Err(Error::Database(_)) => {
                        drop(sp);
                        still.insert((entity, id));
                    }
                    Err(e) => return Err(e),
                }
            }
            touched = still;
            if !progress {
                break;
            }
        }
        for (entity, id) in &touched {
            tx.execute(
                "INSERT INTO sync_pending (entity, entity_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![entity.name(), id],
            )?;
        }
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('pull_cursor', ?1)
             ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))",
            [cursor.to_string()],
        )?;
        if let Some(newest) = newest {
            events::raise_hlc(&tx, newest)?;
        }
        // The search queue is left as it is: moving it into the index here was about a third of
        // a first pull's time. Search reads the queue meanwhile; `catch_up_search` moves it after.
        tx.commit()?;
        self.checkpoint_in_background();
        if let Some(high) = events::last_hlc(&self.conn)? {
            self.clock.observe(&high);
        }
        Ok(report)
    }

    /// A sync takes in batch after batch: the WAL is copied back on another thread meanwhile.
    /// Without that thread (it could not start) the writer's own checkpoints do it.
    fn checkpoint_in_background(&mut self) {
        if self.checkpointer.is_none() {
            self.checkpointer = store::connect(self.dir(), Some(&self.key))
                .ok()
                .and_then(|conn| Checkpointer::start(conn).ok());
        }
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.nudge();
        }
    }

    /// Events kept whole to be tried again at the next sync (the reasons in `RETRIED`): (event
    /// id, raw text: the event as it came, or a `HeldEvent` when the book set it aside).
    /// Events that failed a check for good stay set aside.
    pub fn quarantined(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT event_id, body FROM quarantine WHERE reason IN (?1, ?2, ?3, ?4, ?5) ORDER BY received_at, event_id",
        )?;
        let rows = stmt.query_map(RETRIED, |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Why the unit `writer` may not write this event's record, by the hub's rules for what the
/// book can tell, or None: a record keeps the unit that created it (`unit_code`, never
/// rewritten), and a record outside any case but a person is written only by that unit (its
/// users, letter register, agencies, settings, conferences). Who holds a case is the hub's to
/// judge: the book does not keep the history of a case's holders. `origins` notes the records
/// this batch creates, whose rows are not written until the batch ends.
fn unit_may_write(
    tx: &rusqlite::Connection,
    origins: &mut HashMap<String, String>,
    event: &Event,
    writer: &str,
) -> Result<Option<&'static str>> {
    let claimed = event.fields.get("unit_code").and_then(Value::as_str);
    let own_unit_only = event.entity.own_unit_only();
    if claimed.is_none() && !own_unit_only {
        return Ok(None);
    }
    let origin = match origins.get(&event.entity_id) {
        Some(unit) => Some(unit.clone()),
        None => origin(tx, event)?,
    };
    let why = match (&origin, claimed) {
        (Some(origin), Some(claimed)) if claimed != origin => Some(NOT_YOURS),
        (Some(origin), _) if own_unit_only && origin != writer => Some(NOT_YOURS),
        (Some(_), _) => None,
        (None, Some(claimed)) if claimed != writer => Some(NOT_YOURS),
        (None, Some(claimed)) => {
            origins.insert(event.entity_id.clone(), claimed.to_owned());
            None
        }
        // A change to a unit's record before its creation: a hub delivers the creation first,
        // so this one waits (tried again at the next sync) rather than be taken unchecked.
        (None, None) => Some(UNKNOWN_ORIGIN),
    };
    Ok(why)
}

/// An event the book itself set aside, kept with the unit of the device that signed it (its
/// signature was checked when it came), to be judged again.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct HeldEvent {
    pub writer: String,
    pub event: Event,
}

/// Keeps `event` (signed by a device of `writer`) whole in quarantine, set aside for `reason`.
fn set_aside(tx: &rusqlite::Connection, event: &Event, writer: &str, reason: &str) -> Result<()> {
    let held = HeldEvent {
        writer: writer.to_owned(),
        event: event.clone(),
    };
    let raw = serde_json::to_string(&held).map_err(|e| Error::Corrupt(e.to_string()))?;
    quarantine(tx, &event.event_id, &raw, reason)
}

/// Keeps `raw` whole in quarantine for `reason`. Kept again, the same text may change its
/// reason (a retry judged it anew); other text under the event's id changes nothing.
fn quarantine(tx: &rusqlite::Connection, event_id: &str, raw: &str, reason: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO quarantine (event_id, body, received_at, reason) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (event_id) DO UPDATE SET reason = excluded.reason WHERE quarantine.body = excluded.body",
        params![event_id, raw, now_iso(), reason],
    )?;
    Ok(())
}

/// The unit a record was created by: its row's `unit_code`, or, while it waits for a record
/// it refers to, the one its events name.
fn origin(tx: &rusqlite::Connection, event: &Event) -> Result<Option<String>> {
    let row = tx
        .prepare_cached(&format!("SELECT unit_code FROM {} WHERE id = ?1", event.entity.table()))?
        .query_row([&event.entity_id], |r| r.get(0))
        .optional()?;
    if row.is_some() {
        return Ok(row);
    }
    Ok(tx
        .prepare_cached(
            "SELECT json_extract(fields, '$.unit_code') FROM events
             WHERE entity = ?1 AND entity_id = ?2 AND json_extract(fields, '$.unit_code') IS NOT NULL LIMIT 1",
        )?
        .query_row(params![event.entity.name(), event.entity_id], |r| r.get(0))
        .optional()?)
}
