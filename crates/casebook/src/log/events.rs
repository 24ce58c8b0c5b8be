//! The event log: each device's append-only log, keyed by (device id, seq) with seq
//! contiguous from 1 and a UUIDv7 event id. Every mutation writes one event, and the state
//! tables are what applying the log gives (`rebuild` proves it). Apply is last-writer-wins per
//! field by hybrid logical clock, so any order of delivery gives the same state.

use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::log::hlc::Hlc;
use crate::store::rows::{self, Fields};
use crate::store::{Catalog, ColumnKind};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Create the record or change the named fields of it.
    Upsert,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub event_id: String,
    pub device_id: String,
    pub device_seq: i64,
    pub hlc: String,
    pub user_id: Option<String>,
    pub schema_version: u32,
    pub entity: Entity,
    pub entity_id: String,
    pub op: Op,
    pub fields: Fields,
    /// For each field, the clock of the value the author saw (absent or null: none).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub bases: Map<String, Value>,
}

/// The column catalog of the schema this build writes, without a book: for checking events
/// from elsewhere where there is no book (the hub).
pub fn schema_catalog() -> Result<Catalog> {
    let conn = Connection::open_in_memory()?;
    crate::store::migrate(&conn)?;
    Catalog::read(&conn, &Entity::tables())
}

/// What makes an event from another device unusable, found before it touches a book or the
/// hub's routing. Names fields, never their values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Flaw {
    #[error("written by a newer schema ({0})")]
    NewerSchema(u32),
    #[error("a sequence number below 1")]
    BadSeq,
    #[error("a clock that is not this device's")]
    BadClock,
    #[error("no field {0} in this kind of record")]
    UnknownField(String),
    #[error("field {0} holds the wrong type of value")]
    WrongType(String),
    #[error("field {0}, which a record cannot be without, is missing or empty")]
    Missing(String),
}

/// Checks that `event`, a record's first, sets every field the record cannot be without (a
/// record missing one could never be written to a book: it would wait for good).
pub fn check_complete(catalog: &Catalog, event: &Event) -> Result<(), Flaw> {
    match catalog
        .required(event.entity.table())
        .iter()
        .find(|name| event.fields.get(*name).is_none_or(Value::is_null))
    {
        Some(name) => Err(Flaw::Missing(name.clone())),
        None => Ok(()),
    }
}

/// Checks an event's shape against the schema: a schema this build knows, a sequence number,
/// a clock in canonical form stamped by the event's own device, and only columns of its
/// record's table, each with a value of the column's type.
pub fn check_shape(catalog: &Catalog, event: &Event) -> Result<(), Flaw> {
    if event.schema_version > crate::store::schema_version() {
        return Err(Flaw::NewerSchema(event.schema_version));
    }
    if event.device_seq < 1 {
        return Err(Flaw::BadSeq);
    }
    // Clocks are compared as text: only the canonical form, with 13 digits of milliseconds and
    // 5 of counter, orders right.
    match Hlc::parse(&event.hlc) {
        Some(hlc)
            if hlc.device == event.device_id
                && hlc.millis < 10_000_000_000_000
                && hlc.counter < 100_000
                && hlc.to_string() == event.hlc => {}
        _ => return Err(Flaw::BadClock),
    }
    let table = event.entity.table();
    for (name, value) in &event.fields {
        let kind = catalog
            .kind(table, name)
            .filter(|_| name != "id")
            .ok_or_else(|| Flaw::UnknownField(name.clone()))?;
        let fits = match kind {
            _ if value.is_null() && catalog.required(table).contains(name) => {
                return Err(Flaw::Missing(name.clone()));
            }
            _ if value.is_null() => true,
            ColumnKind::Text => value.is_string(),
            ColumnKind::Integer => value.is_i64(),
            ColumnKind::Boolean => value.is_boolean(),
            // Lists and objects: a string here would break every reader of the column.
            ColumnKind::Json => value.is_array() || value.is_object(),
        };
        if !fits {
            return Err(Flaw::WrongType(name.clone()));
        }
    }
    // A base is the clock its author saw of a field the event writes, or nothing.
    for (name, base) in &event.bases {
        if !event.fields.contains_key(name) {
            return Err(Flaw::UnknownField(name.clone()));
        }
        if !(base.is_null() || base.is_string()) {
            return Err(Flaw::WrongType(name.clone()));
        }
    }
    Ok(())
}

/// How far ahead of the receiver's clock an event's clock may be: a laptop whose clock runs a
/// day fast is rare, and one far ahead would pull every clock it reaches with it (a clock never
/// goes back), and win every later edit for as long.
pub const MAX_CLOCK_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

/// Whether `event`'s clock is more than `MAX_CLOCK_AHEAD_MS` ahead of `now_ms`.
pub fn clock_ahead(event: &Event, now_ms: u64) -> bool {
    Hlc::parse(&event.hlc).is_some_and(|hlc| hlc.millis > now_ms + MAX_CLOCK_AHEAD_MS)
}

/// The clock of every field of a record. Stored grouped by clock (`{"hlc": ["field", …]}`,
/// migration 0004): a record's fields mostly share the clock of the event that created it,
/// and a field → clock map made this the largest table of a book (1.5 KB a record).
pub(crate) fn clocks(conn: &Connection, entity: Entity, id: &str) -> Result<Map<String, Value>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT clocks FROM field_clocks WHERE entity = ?1 AND entity_id = ?2")?
        .query_row(params![entity.name(), id], |r| r.get(0))
        .optional()?;
    let Some(text) = text else {
        return Ok(Map::new());
    };
    let grouped: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&text).map_err(|e| Error::Corrupt(e.to_string()))?;
    Ok(grouped
        .into_iter()
        .flat_map(|(hlc, fields)| fields.into_iter().map(move |f| (f, Value::String(hlc.clone()))))
        .collect())
}

fn store_clocks(conn: &Connection, entity: Entity, id: &str, held: &Map<String, Value>) -> Result<()> {
    let mut grouped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (field, clock) in held {
        if let Some(clock) = clock.as_str() {
            grouped.entry(clock).or_default().push(field);
        }
    }
    let text = serde_json::to_string(&grouped).map_err(|e| Error::Corrupt(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO field_clocks (entity, entity_id, clocks) VALUES (?1, ?2, ?3)
         ON CONFLICT (entity, entity_id) DO UPDATE SET clocks = excluded.clocks",
    )?
    .execute(params![entity.name(), id, text])?;
    Ok(())
}

/// The clocks of the values the named fields hold now: the bases of a new event. A field
/// that holds no value yet has no base (absent means none, which keeps creations short).
pub fn bases(conn: &Connection, entity: Entity, id: &str, fields: &Fields) -> Result<Map<String, Value>> {
    let mut held = clocks(conn, entity, id)?;
    Ok(fields
        .keys()
        .filter_map(|f| held.remove(f).map(|clock| (f.clone(), clock)))
        .collect())
}

pub fn next_seq(conn: &Connection, device_id: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(device_seq), 0) + 1 FROM events WHERE device_id = ?1",
        [device_id],
        |r| r.get(0),
    )?)
}

pub fn append(conn: &Connection, event: &Event) -> Result<()> {
    raise_hlc(conn, &event.hlc)?;
    if insert(conn, event)? {
        Ok(())
    } else {
        Err(Error::Corrupt("an event id written twice".into()))
    }
}

/// `append` without raising the newest clock: a caller taking in many events raises it once.
/// False when the book holds the event already (its id is known), which is left as it is, or
/// holds another event under its device and sequence number (which only a forger makes: the
/// caller tells the two apart).
pub(crate) fn insert(conn: &Connection, event: &Event) -> Result<bool> {
    let json = |v: &Map<String, Value>| serde_json::to_string(v).map_err(|e| Error::Corrupt(e.to_string()));
    let inserted = conn
        .prepare_cached(
            "INSERT INTO events (event_id, device_id, device_seq, hlc, user_id, schema_version, entity, entity_id, op, fields, bases)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'upsert', ?9, ?10) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            event.event_id,
            event.device_id,
            event.device_seq,
            event.hlc,
            event.user_id,
            event.schema_version,
            event.entity.name(),
            event.entity_id,
            json(&event.fields)?,
            json(&event.bases)?,
        ])?;
    Ok(inserted == 1)
}

/// Applies an event to the state tables: each field takes the incoming value only if its
/// clock is newer than the one the field holds.
pub fn apply(conn: &Connection, catalog: &Catalog, event: &Event) -> Result<()> {
    let mut held = clocks(conn, event.entity, &event.entity_id)?;
    apply_over(conn, catalog, event, &mut held)
}

/// `apply` for a caller that holds the record's clocks already (`held`, kept up to date):
/// several events of one record then read them once.
pub(crate) fn apply_over(
    conn: &Connection,
    catalog: &Catalog,
    event: &Event,
    held: &mut Map<String, Value>,
) -> Result<()> {
    let newer = |field: &String| {
        held.get(field)
            .and_then(Value::as_str)
            .is_none_or(|clock| clock < event.hlc.as_str())
    };
    let winning: Vec<&String> = event.fields.keys().filter(|f| newer(f)).collect();
    if winning.is_empty() {
        return Ok(());
    }
    for field in &winning {
        held.insert((*field).clone(), Value::String(event.hlc.clone()));
    }
    store_clocks(conn, event.entity, &event.entity_id, held)?;
    let table = event.entity.table();
    if winning.len() == event.fields.len() {
        // Every field wins (a new record, edits in order): written as the event has them.
        return rows::write(conn, catalog, table, &event.entity_id, &event.fields);
    }
    let winning: Fields = winning
        .into_iter()
        .map(|f| (f.clone(), event.fields[f].clone()))
        .collect();
    rows::write(conn, catalog, table, &event.entity_id, &winning)
}

pub fn read_all(conn: &Connection) -> Result<Vec<Event>> {
    read_where(conn, "ORDER BY rowid_", [])
}

/// The events a `WHERE …`/`ORDER BY …` clause selects.
pub fn read_where(conn: &Connection, clause: &str, args: impl rusqlite::Params) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT event_id, device_id, device_seq, hlc, user_id, schema_version, entity, entity_id, fields, bases
         FROM events {clause}"
    ))?;
    let rows = stmt.query_map(args, |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, u32>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, String>(9)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (event_id, device_id, device_seq, hlc, user_id, schema_version, entity, entity_id, fields, bases) = row?;
        let parse = |text: &str| -> Result<Map<String, Value>> {
            serde_json::from_str(text).map_err(|e| Error::Corrupt(e.to_string()))
        };
        out.push(Event {
            event_id,
            device_id,
            device_seq,
            hlc,
            user_id,
            schema_version,
            entity: Entity::from_name(&entity).ok_or_else(|| Error::Corrupt(format!("entity {entity}")))?,
            entity_id,
            op: Op::Upsert,
            fields: parse(&fields)?,
            bases: parse(&bases)?,
        });
    }
    Ok(out)
}

/// The newest clock this book has written or applied, kept in `meta` by every write so that
/// opening a book never scans the log.
pub fn last_hlc(conn: &Connection) -> Result<Option<Hlc>> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'hlc_high'", [], |r| r.get(0))
        .optional()?;
    Ok(text.as_deref().and_then(Hlc::parse))
}

/// Records `hlc` as the newest clock if it is.
pub fn raise_hlc(conn: &Connection, hlc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('hlc_high', ?1)
         ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
    )?
    .execute([hlc])?;
    Ok(())
}

/// Empties the state tables and applies the whole log again, in one transaction.
pub fn rebuild(conn: &mut Connection, catalog: &Catalog) -> Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch("PRAGMA defer_foreign_keys = ON; DELETE FROM field_clocks;")?;
    for entity in Entity::ALL.iter().rev() {
        tx.execute(&format!("DELETE FROM {}", entity.table()), [])?;
    }
    for event in read_all(&tx)? {
        apply(&tx, catalog, &event)?;
    }
    crate::store::search_index::flush(&tx, usize::MAX)?;
    tx.commit()?;
    Ok(())
}

/// A digest of every state table, row by row in id order: equal digests, equal state.
pub fn state_hash(conn: &Connection, catalog: &Catalog) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for entity in Entity::ALL {
        for row in rows::select(conn, catalog, entity.table(), "ORDER BY id", &[])? {
            hasher.update(entity.name().as_bytes());
            hasher.update(Value::Object(row).to_string().as_bytes());
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MIGRATIONS, migrate};

    /// A book written before migration 0004 keeps every field's clock through it.
    #[test]
    fn field_clocks_keep_their_values_when_grouped() -> Result<()> {
        let conn = Connection::open_in_memory()?;
        for (version, sql) in &MIGRATIONS[..3] {
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", version)?;
        }
        conn.execute_batch(
            r#"INSERT INTO field_clocks VALUES
                 ('case', 'c1', '{"risk":"H2","source":"H1","status":"H1"}'),
                 ('person', 'p1', '{}');"#,
        )?;
        migrate(&conn)?;
        let stored: String = conn.query_row("SELECT clocks FROM field_clocks WHERE entity_id = 'c1'", [], |r| {
            r.get(0)
        })?;
        assert_eq!(stored, r#"{"H1":["source","status"],"H2":["risk"]}"#);
        let held = clocks(&conn, Entity::Case, "c1")?;
        assert_eq!(held.len(), 3);
        assert_eq!(held["risk"], "H2");
        assert_eq!(held["source"], "H1");
        assert_eq!(held["status"], "H1");
        assert!(clocks(&conn, Entity::Person, "p1")?.is_empty());
        Ok(())
    }
}
