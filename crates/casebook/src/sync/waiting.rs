//! Records taken in that cannot be written yet (`sync_pending`): one waits for a record it
//! refers to, which normally comes with the same or the next sync; one that still waits after a
//! whole sync more, or that carries a number or code another record of the book has, needs a
//! supervisor: it is listed with its reason, and the Sync screen counts it.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::Result;
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// Which waiting records need a supervisor: a duplicate at once, any other after one whole
/// sync more than the one that brought it.
const NEEDS_ATTENTION: &str = "reason = 'duplicate' OR syncs >= 2";

/// A waiting record as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WaitingEntry {
    /// The kind of record (`Entity` name) and its id.
    pub entity: String,
    pub entity_id: String,
    /// The number of the case it is, or belongs to, as its events say.
    pub case_number: Option<String>,
    /// `missing`: a record it refers to has not come; `duplicate`: another record of this book
    /// has its number or code.
    pub reason: String,
    /// When it first waited, and through how many syncs since.
    pub since: String,
    #[ts(type = "number")]
    pub syncs: i64,
}

impl Casebook {
    /// A sync has taken in everything the hub had: every record still waiting has waited
    /// through one more.
    pub fn count_sync_for_waiting(&mut self) -> Result<()> {
        self.conn.execute("UPDATE sync_pending SET syncs = syncs + 1", [])?;
        Ok(())
    }

    /// How many waiting records need a supervisor.
    pub(crate) fn waiting_too_long(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            &format!("SELECT count(*) FROM sync_pending WHERE {NEEDS_ATTENTION}"),
            [],
            |r| r.get(0),
        )?)
    }

    /// The waiting records that need a supervisor, longest waiting first.
    pub fn waiting_records(&self, session: &Session) -> Result<Vec<WaitingEntry>> {
        session.require(Permission::Supervise)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT entity, entity_id, reason, since, syncs FROM sync_pending WHERE {NEEDS_ATTENTION}
             ORDER BY since, entity, entity_id"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok(WaitingEntry {
                entity: r.get(0)?,
                entity_id: r.get(1)?,
                case_number: None,
                reason: r.get(2)?,
                since: r.get(3)?,
                syncs: r.get(4)?,
            })
        })?;
        let mut entries = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        for entry in &mut entries {
            entry.case_number = self.case_number_in_events(&entry.entity, &entry.entity_id)?;
        }
        Ok(entries)
    }

    /// The case number a waiting record's events name: its own (a case), or its case's.
    fn case_number_in_events(&self, entity: &str, id: &str) -> Result<Option<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT fields FROM events WHERE entity = ?1 AND entity_id = ?2 ORDER BY hlc DESC")?;
        let rows = stmt.query_map([entity, id], |r| r.get::<_, String>(0))?;
        for fields in rows {
            let fields: Value = serde_json::from_str(&fields?).unwrap_or(Value::Null);
            if let Some(number) = fields.get("case_number").and_then(Value::as_str) {
                return Ok(Some(number.to_owned()));
            }
            if let Some(case) = fields.get("case_id").and_then(Value::as_str) {
                return Ok(self
                    .conn
                    .query_row("SELECT case_number FROM cases WHERE id = ?1", [case], |r| r.get(0))
                    .optional()?);
            }
        }
        Ok(None)
    }
}
