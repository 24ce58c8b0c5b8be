//! The merge rules: how a record takes in events from other devices. Field by field, the
//! value with the latest clock wins everywhere; two writes that did not see each other are
//! kept as a conflict for a person to resolve, and a write that saw both settles it.

use crate::dates::now_iso;
use crate::error::Result;
use crate::log::entity::Entity;
use crate::log::events::{self, Event};
use crate::store::Catalog;
use rusqlite::{Connection, params};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Fields every write sets; two devices touching one record both write them, which is not a
/// disagreement anyone needs to review.
const BOOKKEEPING: [&str; 3] = ["updated_at", "created_at", "unit_code"];

/// Drops the open conflicts of the fields a local write sets: the writer saw the value every
/// replica keeps, so its write supersedes both (the same result `materialize` reaches).
pub(crate) fn settle_conflicts<'a>(
    conn: &Connection,
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
pub(crate) fn take_in(
    conn: &Connection,
    catalog: &Catalog,
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
fn materialize(conn: &Connection, catalog: &Catalog, entity: Entity, id: &str) -> Result<()> {
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
