//! Retention and purge (PDPA): each case has a date after which it is no longer needed; a
//! supervisor then purges it (or earlier, on a data subject's erasure request). The purge
//! removes the case, everything recorded under it and its people (unless another case still
//! names them) from this book, blanks their values in the event log, and leaves only an
//! audit tombstone: the case number, who approved, and why. It also writes an erasure
//! (`records::erasure`), which takes the same purge to the hub and the unit's other laptops.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::parse_date;
use crate::error::{Error, Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::erasure::{PURGE_ACTION, erase, tombstone};
use crate::store::rows::new_id;
use serde::Serialize;
use ts_rs::TS;

/// A case whose retention date has passed, or whose client asked for erasure.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PurgeCandidate {
    pub case_id: String,
    pub case_number: String,
    pub retention_date: Option<String>,
    pub erasure_requested: bool,
}

const CANDIDATES: &str = "SELECT c.id, c.case_number, c.retention_date,
       EXISTS (SELECT 1 FROM data_subject_requests r WHERE r.person_id = c.client_id AND r.kind = 'erasure')
     FROM cases c";

impl Casebook {
    /// Sets the date after which the case may be purged ("YYYY-MM-DD", BE or CE).
    pub fn set_retention_date(&mut self, session: &Session, case_id: &str, date: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let date = parse_date(date).ok_or_else(|| Invalid::new("case.retention_date", Rule::NotADate))?;
        self.load_case(case_id)?;
        let mut fields = crate::store::rows::Fields::new();
        fields.insert("retention_date".into(), date.to_string().into());
        self.write(session, Entity::Case, case_id, fields, "case.retention", None)
    }

    /// Cases a supervisor may purge today.
    pub fn due_for_purge(&self, session: &Session) -> Result<Vec<PurgeCandidate>> {
        session.require(Permission::Supervise)?;
        let today = crate::dates::today().to_string();
        let sql = format!(
            "{CANDIDATES} WHERE c.retention_date <= ?1 OR EXISTS (SELECT 1 FROM data_subject_requests r WHERE r.person_id = c.client_id AND r.kind = 'erasure') ORDER BY c.retention_date"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([today], candidate)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Purges a case a supervisor approved, with the reason. Refused while the retention date
    /// is ahead and no erasure was requested.
    pub fn purge_case(&mut self, session: &Session, case_id: &str, reason: &str) -> Result<()> {
        session.require(Permission::Supervise)?;
        if reason.trim().is_empty() {
            return Err(Invalid::new("purge.reason", Rule::Required).into());
        }
        let found = self
            .conn
            .prepare(&format!("{CANDIDATES} WHERE c.id = ?1"))?
            .query_row([case_id], candidate)
            .map_err(|_| Error::NoSuchRecord("case"))?;
        let due = found
            .retention_date
            .as_deref()
            .is_some_and(|d| d <= crate::dates::today().to_string().as_str());
        if !due && !found.erasure_requested {
            return Err(Invalid::new("case.retention_date", Rule::NotYetDue).into());
        }
        let reason = reason.trim();
        let mut erasure = crate::store::rows::Fields::new();
        erasure.insert("case_id".into(), case_id.into());
        erasure.insert("case_number".into(), found.case_number.as_str().into());
        erasure.insert("reason".into(), reason.into());
        let detail = tombstone(&found.case_number, reason);
        // The erasure travels (the hub and the unit's other laptops purge the case too); its
        // audit entry is the tombstone.
        self.batch(|book| {
            book.write(
                session,
                Entity::Erasure,
                &new_id(),
                erasure,
                PURGE_ACTION,
                Some(&detail),
            )?;
            erase(&book.conn, case_id)
        })?;
        // The old pages in the write-ahead log go too.
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The tombstones: which case number was purged, when, by whom and why.
    pub fn purge_log(&self, session: &Session) -> Result<Vec<crate::book::audit::AuditEntry>> {
        session.require(Permission::Supervise)?;
        crate::book::audit::of_action(&self.conn, PURGE_ACTION, i64::MAX)
    }
}

fn candidate(r: &rusqlite::Row) -> rusqlite::Result<PurgeCandidate> {
    Ok(PurgeCandidate {
        case_id: r.get(0)?,
        case_number: r.get(1)?,
        retention_date: r.get(2)?,
        erasure_requested: r.get(3)?,
    })
}
