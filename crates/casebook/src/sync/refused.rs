//! This device's events the hub refused, with the hub's reason: the hub acknowledges past them
//! so the device's later events go on, and a supervisor sees here which record was refused
//! and why (a hub that trusts no device refuses, for example, a write to a case the unit does
//! not hold).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::now_iso;
use crate::error::Result;
use crate::log::entity::Entity;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use ts_rs::TS;

/// A refused event as the supervisor sees it: the record it wrote, and why it was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RefusedEntry {
    pub event_id: String,
    #[ts(type = "number")]
    pub device_seq: i64,
    /// The kind of record the event wrote (`Entity` name) and its id.
    pub entity: String,
    pub entity_id: String,
    /// The number of the case the record is (or belongs to), as workers know it.
    pub case_number: Option<String>,
    /// The hub's reason, a rule's code (`case_not_held`, `bad_shape` …).
    pub reason: String,
    /// What was wrong: a field's name or a kind of flaw, never a value.
    pub detail: String,
    pub refused_at: String,
}

impl Casebook {
    /// Notes events of this device that the hub refused: (event id, seq, reason, detail).
    /// Noting one twice changes nothing.
    pub fn mark_refused(&mut self, refused: &[(String, i64, String, String)]) -> Result<()> {
        if refused.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO sync_refused (event_id, device_seq, reason, detail, refused_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (event_id) DO NOTHING",
            )?;
            let now = now_iso();
            for (event_id, seq, reason, detail) in refused {
                insert.execute(params![event_id, seq, reason, detail, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The refused events, newest first, for the supervisor's Sync screen.
    pub fn refused_events(&self, session: &Session) -> Result<Vec<RefusedEntry>> {
        session.require(Permission::Supervise)?;
        let mut stmt = self.conn.prepare(
            "SELECT r.event_id, r.device_seq, e.entity, e.entity_id, r.reason, r.detail, r.refused_at
             FROM sync_refused r JOIN events e ON e.event_id = r.event_id
             ORDER BY r.device_seq DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RefusedEntry {
                event_id: r.get(0)?,
                device_seq: r.get(1)?,
                entity: r.get(2)?,
                entity_id: r.get(3)?,
                case_number: None,
                reason: r.get(4)?,
                detail: r.get(5)?,
                refused_at: r.get(6)?,
            })
        })?;
        let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        for entry in &mut entries {
            entry.case_number = self.case_number_of(&entry.entity, &entry.entity_id)?;
        }
        Ok(entries)
    }

    /// The number of the case a record is, or belongs to (its table's `case_id`).
    fn case_number_of(&self, entity: &str, id: &str) -> Result<Option<String>> {
        let Some(entity) = Entity::from_name(entity) else {
            return Ok(None);
        };
        let table = entity.table();
        let sql = if entity == Entity::Case {
            "SELECT case_number FROM cases WHERE id = ?1".to_owned()
        } else if self.catalog.kind(table, "case_id").is_some() {
            format!("SELECT c.case_number FROM {table} t JOIN cases c ON c.id = t.case_id WHERE t.id = ?1")
        } else {
            return Ok(None);
        };
        Ok(self.conn.query_row(&sql, [id], |r| r.get(0)).optional()?)
    }
}
