//! Taking in other devices' events: they join the log and each record they touch is brought
//! up to date (log::merge), so any order of delivery, and any repeat, gives the same state.

use super::rights::{NOT_HELD, Rights, UNKNOWN_ORIGIN};
use crate::book::Casebook;
use crate::dates::now_iso;
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::log::events::{self, Event};
use crate::log::merge::take_in;
use crate::store::{self, checkpoint::Checkpointer};
use rusqlite::params;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use ts_rs::TS;

/// The reasons a set-aside event is tried again at the next sync: written by a newer version
/// (applied once an upgrade reads it), by a device this laptop did not know yet (approved
/// after it fetched the list of devices), with a value this version does not know (`bad_shape`:
/// a newer release may add a value), with a clock more than a day ahead (`clock_ahead`: taken
/// once that time is near), for a record whose creation has not come yet (`UNKNOWN_ORIGIN`),
/// or by a unit not holding the case (`NOT_HELD`: the transfer that gave it the case may come
/// later). Any other reason is a check the event failed for good.
pub const RETRIED: [&str; 6] = [
    "newer_version",
    "unknown_device",
    "bad_shape",
    "clock_ahead",
    UNKNOWN_ORIGIN,
    NOT_HELD,
];

/// Why a record taken in waits in `sync_pending`: a record it refers to (or its first event)
/// has not come yet; or it carries a number or code another record of the book has.
pub const MISSING: &str = "missing";
pub const DUPLICATE: &str = "duplicate";

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
        let own_device = self.device_id().to_owned();
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
        let mut rights = Rights::start(&tx)?;
        for item in incoming {
            match item {
                Incoming::Quarantine { event_id, raw, reason } => {
                    quarantine(&tx, event_id, raw, reason)?;
                    report.quarantined += 1;
                    quarantine_held = true;
                }
                Incoming::Event { event, writer } => {
                    // A purged record's events, and those of a purged case's new records, are
                    // dropped whole, before any check could keep one aside, text and all.
                    let purged = any_purged && {
                        let mut gone = tx.prepare_cached("SELECT 1 FROM purged WHERE entity_id = ?1")?;
                        let case = event.fields.get("case_id").and_then(serde_json::Value::as_str);
                        gone.exists([&event.entity_id])?
                            || match case {
                                Some(case) => gone.exists([case])?,
                                None => false,
                            }
                    };
                    if !purged
                        && let Some(writer) = writer
                        && let Some(why) = rights.judge(&tx, &self.catalog, event, writer, &own_device)?
                    {
                        // An event taken before comes again (judged now, after later events,
                        // it may fail): held already, it is a repeat, not a suspect.
                        if tx
                            .prepare_cached("SELECT 1 FROM events WHERE event_id = ?1")?
                            .exists([&event.event_id])?
                        {
                            report.duplicates += 1;
                            continue;
                        }
                        set_aside(&tx, event, writer, why)?;
                        report.quarantined += 1;
                        quarantine_held = true;
                        continue;
                    }
                    if quarantine_held {
                        // Kept in quarantine by an older build or an earlier check, taken now.
                        tx.prepare_cached("DELETE FROM quarantine WHERE event_id = ?1")?
                            .execute([&event.event_id])?;
                    }
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
        // Why each record still waits: `MISSING` or `DUPLICATE`.
        let mut why: BTreeMap<(Entity, String), &str> = BTreeMap::new();
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
                    // A missing creating event (NOT NULL) or referred-to record (foreign key),
                    // or a number or code another record has (UNIQUE).
                    Err(Error::Database(e)) => {
                        drop(sp);
                        let unique = matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::ConstraintViolation))
                            && e.to_string().contains("UNIQUE");
                        why.insert((entity, id.clone()), if unique { DUPLICATE } else { MISSING });
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
        // Erasures from the unit's other laptops: the same purge as theirs, once their rows are
        // written (the case's own events of this batch with it).
        let erasures: Vec<&Event> = fresh
            .iter()
            .filter(|((entity, _), _)| *entity == Entity::Erasure)
            .flat_map(|(_, events)| events.iter().copied())
            .collect();
        let erased = crate::records::erasure::apply_received(&tx, &erasures)?;
        let now = now_iso();
        for key in &touched {
            tx.execute(
                "INSERT INTO sync_pending (entity, entity_id, since, syncs, reason) VALUES (?1, ?2, ?3, 0, ?4)
                 ON CONFLICT (entity, entity_id) DO UPDATE SET reason = excluded.reason",
                params![key.0.name(), key.1, now, why.get(key).copied().unwrap_or(MISSING)],
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
        if erased {
            // The old pages of a purged case in the write-ahead log go too.
            self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
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
            "SELECT event_id, body FROM quarantine WHERE reason IN (?1, ?2, ?3, ?4, ?5, ?6) ORDER BY received_at, event_id",
        )?;
        let rows = stmt.query_map(RETRIED, |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
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
