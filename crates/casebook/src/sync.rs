//! The case book's side of sync (DESIGN §5): which of this device's events the hub has not
//! acknowledged, and taking in other devices' events. Received events join the log and each
//! record they touch is materialized again from all of its events in clock order, so any order
//! of delivery, and any repeat, gives the same state. Two writes to one field that did not see
//! each other are kept as a conflict for a person to resolve.

use crate::book::{Casebook, now_iso};
use crate::checkpoint::Checkpointer;
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::events::{self, Event};
use crate::permissions::{Permission, Session};
use crate::rows::Fields;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use ts_rs::TS;

/// Fields every write sets; two devices touching one record both write them, which is not a
/// disagreement anyone needs to review.
const BOOKKEEPING: [&str; 3] = ["updated_at", "created_at", "unit_code"];

/// An event as it arrived: one this book can apply, or one of a newer schema or wire version,
/// kept whole in quarantine until an upgrade can apply it.
#[derive(Debug, Clone)]
pub enum Incoming {
    Event(Event),
    Quarantine { event_id: String, raw: String },
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
}

/// Where this device syncs to.
pub struct HubLink {
    pub url: String,
    /// SHA-256 of the hub certificate seen at enrollment (none for plain HTTP on loopback).
    pub pin: Option<String>,
    pub secret: zeroize::Zeroizing<String>,
}

/// Two values of one field written without seeing each other. `kept` is what every replica
/// shows meanwhile (the later clock); `other` is the one that lost.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Conflict {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    #[ts(type = "unknown")]
    pub kept_value: Value,
    #[ts(type = "unknown")]
    pub other_value: Value,
    pub detected_at: String,
}

impl Casebook {
    /// Records enrollment with a hub: its address and pinned certificate in the book, the
    /// device's secret (token and signing key) in the OS keyring, never in the file.
    /// Administrators only.
    pub fn set_hub(&mut self, session: &Session, url: &str, pin: Option<&str>, secret: &str) -> Result<()> {
        session.require(Permission::ManageUsers)?;
        crate::device::store_hub_secret(&self.book_id, secret)?;
        let tx = self.conn.transaction()?;
        for (key, value) in [("hub_url", Some(url)), ("hub_pin", pin)] {
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
        Ok(crate::device::load_hub_secret(&self.book_id)?.map(|secret| HubLink { url, pin, secret }))
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
        Ok(SyncPosition {
            pushed_seq,
            pull_cursor: self.sync_number("pull_cursor")?,
            pending: last_seq - pushed_seq,
            conflicts,
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

    /// Takes in a pulled batch and moves the pull cursor to `cursor`, in one transaction: a
    /// crash at any point means the same batch comes again, and taking it twice changes nothing.
    pub fn receive(&mut self, incoming: Vec<Incoming>, cursor: i64) -> Result<Received> {
        // Batch after batch, the checkpoint thread copies the WAL back; the writer's own
        // checkpoint stays only as a far backstop (at 4,000 pages it still ran now and then:
        // 4 % of a first pull's processor time).
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 8 * crate::store::AUTOCHECKPOINT)?;
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
            .pragma_update(None, "wal_autocheckpoint", crate::store::AUTOCHECKPOINT)?;
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
        for item in incoming {
            match item {
                Incoming::Quarantine { event_id, raw } => {
                    tx.execute(
                        "INSERT INTO quarantine (event_id, body, received_at) VALUES (?1, ?2, ?3)
                         ON CONFLICT (event_id) DO NOTHING",
                        params![event_id, raw, now_iso()],
                    )?;
                    report.quarantined += 1;
                    quarantine_held = true;
                }
                Incoming::Event(event) => {
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
                        report.duplicates += 1;
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
            self.checkpointer = crate::store::connect(self.dir(), Some(&self.key))
                .ok()
                .and_then(|conn| Checkpointer::start(conn).ok());
        }
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.nudge();
        }
    }

    /// Events kept whole because an older build could not read them: (event id, raw text).
    pub fn quarantined(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT event_id, body FROM quarantine ORDER BY received_at, event_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn conflicts(&self, session: &Session) -> Result<Vec<Conflict>> {
        session.require(Permission::ViewCases)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, entity, entity_id, field, kept_value, other_value, detected_at FROM conflicts
             WHERE resolved_at IS NULL ORDER BY detected_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let parse = |v: Option<String>| v.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
        let mut out = Vec::new();
        for row in rows {
            let (id, entity, entity_id, field, kept, other, detected_at) = row?;
            out.push(Conflict {
                id,
                entity,
                entity_id,
                field,
                kept_value: parse(kept),
                other_value: parse(other),
                detected_at,
            });
        }
        Ok(out)
    }

    /// A person chooses between the two values: the choice is a new event (which saw both), so
    /// every replica ends with it and the conflict goes away everywhere.
    pub fn resolve_conflict(&mut self, session: &Session, id: &str, take_other: bool) -> Result<()> {
        session.require(Permission::EditCases)?;
        let conflict = self
            .conflicts(session)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(Error::NoSuchRecord("conflict"))?;
        let entity = Entity::from_name(&conflict.entity).ok_or(Error::NoSuchRecord("conflict"))?;
        let chosen = if take_other {
            conflict.other_value
        } else {
            conflict.kept_value
        };
        let mut fields = Fields::new();
        fields.insert(conflict.field.clone(), chosen);
        // The write settles the conflict (see `settle_conflicts`); the audit keeps who chose.
        self.write(
            session,
            entity,
            &conflict.entity_id,
            fields,
            "conflict.resolve",
            Some(&conflict.field),
        )
    }
}

/// Drops the open conflicts of the fields a local write sets: the writer saw the value every
/// replica keeps, so its write supersedes both (the same result `materialize` reaches).
pub(crate) fn settle_conflicts<'a>(
    conn: &rusqlite::Connection,
    entity: Entity,
    id: &str,
    fields: impl Iterator<Item = &'a String>,
) -> Result<()> {
    // A record seldom has an open conflict: one look instead of one statement per field.
    let open = conn
        .prepare_cached("SELECT 1 FROM conflicts WHERE entity = ?1 AND entity_id = ?2 AND resolved_at IS NULL")?
        .exists(params![entity.name(), id])?;
    if !open {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(
        "DELETE FROM conflicts WHERE entity = ?1 AND entity_id = ?2 AND field = ?3 AND resolved_at IS NULL",
    )?;
    for field in fields {
        stmt.execute(params![entity.name(), id, field])?;
    }
    Ok(())
}

/// Brings a record up to date with its new events. When each of them saw the value it
/// replaces (its base is the field's clock at that point) they simply apply in clock order,
/// which is the usual case (a first sync, edits made one after another); otherwise the whole
/// record is materialized from its log. `open_conflicts`: the book may hold conflicts these
/// events settle.
fn take_in(
    conn: &rusqlite::Connection,
    catalog: &crate::store::Catalog,
    entity: Entity,
    id: &str,
    new: &[&Event],
    open_conflicts: bool,
) -> Result<()> {
    let mut new = new.to_vec();
    new.sort_by(|a, b| a.hlc.cmp(&b.hlc));
    let mut held = events::clocks(conn, entity, id)?;
    // The clocks as each new event in turn would find them (lent, not copied: a first sync
    // looks at every field of a million events).
    let mut seen: BTreeMap<&str, &str> = held
        .iter()
        .filter_map(|(f, clock)| Some((f.as_str(), clock.as_str()?)))
        .collect();
    let linear = !new.is_empty()
        && new.iter().all(|event| {
            let saw_current = event.fields.keys().all(|f| {
                let base = event.bases.get(f).and_then(Value::as_str);
                seen.get(f.as_str()).copied() == base || BOOKKEEPING.contains(&f.as_str())
            });
            for f in event.fields.keys() {
                seen.insert(f, &event.hlc);
            }
            saw_current
        });
    if !linear {
        return materialize(conn, catalog, entity, id);
    }
    for event in new {
        events::apply_over(conn, catalog, event, &mut held)?;
        // Having seen the value every replica shows, it settles any open conflict on its fields.
        if open_conflicts {
            settle_conflicts(conn, entity, id, event.fields.keys())?;
        }
    }
    Ok(())
}

/// Writes a record as its whole log says: every field takes the value of the event with the
/// latest clock. A field whose latest writer did not see another writer's different value
/// gets a conflict record; one that has since been settled loses its open conflict.
fn materialize(conn: &rusqlite::Connection, catalog: &crate::store::Catalog, entity: Entity, id: &str) -> Result<()> {
    let mut log = events::read_where(conn, "WHERE entity = ?1 AND entity_id = ?2", params![entity.name(), id])?;
    log.sort_by(|a, b| a.hlc.cmp(&b.hlc));
    conn.execute(
        "DELETE FROM field_clocks WHERE entity = ?1 AND entity_id = ?2",
        params![entity.name(), id],
    )?;
    let mut held = serde_json::Map::new();
    for event in &log {
        events::apply_over(conn, catalog, event, &mut held)?;
    }
    conn.execute(
        "DELETE FROM conflicts WHERE entity = ?1 AND entity_id = ?2 AND resolved_at IS NULL",
        params![entity.name(), id],
    )?;
    let fields: BTreeSet<&String> = log.iter().flat_map(|e| e.fields.keys()).collect();
    for field in fields.into_iter().filter(|f| !BOOKKEEPING.contains(&f.as_str())) {
        let writers: Vec<&Event> = log.iter().filter(|e| e.fields.contains_key(field)).collect();
        let Some(winner) = writers.last() else { continue };
        let seen = winner.bases.get(field).and_then(Value::as_str).unwrap_or("");
        for other in &writers[..writers.len() - 1] {
            let unseen = other.hlc.as_str() > seen;
            if unseen && other.fields[field] != winner.fields[field] {
                let conflict_id = format!("{}:{}:{}:{}", entity.name(), id, field, other.event_id);
                conn.execute(
                    "INSERT INTO conflicts (id, entity, entity_id, field, kept_value, kept_hlc, other_value, other_hlc, detected_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (id) DO NOTHING",
                    params![
                        conflict_id,
                        entity.name(),
                        id,
                        field,
                        winner.fields[field].to_string(),
                        winner.hlc,
                        other.fields[field].to_string(),
                        other.hlc,
                        now_iso()
                    ],
                )?;
            }
        }
    }
    Ok(())
}
