//! Retention and purge (PDPA): each case has a date after which it is no longer needed; a
//! supervisor then purges it (or earlier, on a data subject's erasure request). The purge
//! removes the case, everything recorded under it and its people (unless another case still
//! names them) from this book, blanks their values in the event log, and leaves only an
//! audit tombstone: the case number, who approved, and why.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::parse_date;
use crate::error::{Error, Invalid, Result, Rule};
use crate::log::entity::Entity;
use rusqlite::{Connection, params};
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

/// Tables holding rows under a case, children before parents (foreign keys).
const CASE_CHILDREN: [(&str, Entity); 10] = [
    ("action_items", Entity::ActionItem),
    ("conference_cases", Entity::ConferenceCase),
    ("referrals", Entity::Referral),
    ("consents", Entity::Consent),
    ("assessments", Entity::Assessment),
    ("interpreter_sessions", Entity::InterpreterSession),
    ("care_plan_goals", Entity::CarePlanGoal),
    ("timeline_entries", Entity::TimelineEntry),
    ("incidents", Entity::Incident),
    ("case_parties", Entity::CaseParty),
];

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
        // Freed pages are overwritten, not left in the file.
        self.conn.pragma_update(None, "secure_delete", "ON")?;
        let detail = format!("{}: {}", found.case_number, reason.trim());
        let purged = self.batch(|book| {
            let ids = remove_case(&book.conn, case_id)?;
            book.audit(session, "case.purge", Some(Entity::Case), Some(case_id), Some(&detail))?;
            Ok(ids)
        });
        self.conn
            .pragma_update(None, "secure_delete", crate::store::SECURE_DELETE)?;
        purged?;
        // The old pages in the write-ahead log go too.
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The tombstones: which case number was purged, when, by whom and why.
    pub fn purge_log(&self, session: &Session) -> Result<Vec<crate::book::audit::AuditEntry>> {
        session.require(Permission::Supervise)?;
        crate::book::audit::of_action(&self.conn, "case.purge", i64::MAX)
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

/// Deletes the case's rows and its no-longer-named people; blanks their events and keeps
/// their ids in `purged` so that sync never brings them back. Returns how many records went.
fn remove_case(conn: &Connection, case_id: &str) -> Result<usize> {
    let mut records: Vec<(Entity, String)> = Vec::new();
    // The case's people, with the records merged into them (another spelling, phone or ID of
    // the same person).
    let mut people: Vec<String> = conn
        .prepare(
            "WITH p AS (SELECT client_id AS id FROM cases WHERE id = ?1 UNION SELECT person_id FROM case_parties WHERE case_id = ?1)
             SELECT id FROM p UNION SELECT id FROM persons WHERE merged_into IN (SELECT id FROM p)",
        )?
        .query_map([case_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut photos: Vec<String> = Vec::new();
    for (table, entity) in CASE_CHILDREN {
        let ids: Vec<String> = conn
            .prepare(&format!("SELECT id FROM {table} WHERE case_id = ?1"))?
            .query_map([case_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        // The files of the case: photos and scans of its entries, signed consent forms.
        let files = match table {
            "timeline_entries" => {
                "SELECT DISTINCT j.value FROM timeline_entries t, json_each(t.attachments) j WHERE t.case_id = ?1"
            }
            "consents" => "SELECT form_sha256 FROM consents WHERE case_id = ?1 AND form_sha256 IS NOT NULL",
            _ => "",
        };
        if !files.is_empty() {
            let found: Vec<String> = conn
                .prepare(files)?
                .query_map([case_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            photos.extend(found);
        }
        conn.execute(&format!("DELETE FROM {table} WHERE case_id = ?1"), [case_id])?;
        records.extend(ids.into_iter().map(|id| (entity, id)));
    }
    conn.execute("DELETE FROM cases WHERE id = ?1", [case_id])?;
    // A form of the case left typed when the book locked ("case_edit:<id>" …).
    conn.execute("DELETE FROM drafts WHERE form LIKE '%:' || ?1", [case_id])?;
    records.push((Entity::Case, case_id.to_owned()));
    // People another case still names stay; requests about a purged person lose the link.
    people.retain(|p| {
        !conn
            .prepare_cached(
                "SELECT 1 FROM cases WHERE client_id = ?1 UNION ALL SELECT 1 FROM case_parties WHERE person_id = ?1",
            )
            .and_then(|mut s| s.exists([p]))
            .unwrap_or(true)
    });
    for person in &people {
        conn.execute(
            "UPDATE data_subject_requests SET person_id = NULL WHERE person_id = ?1",
            [person],
        )?;
        conn.execute("DELETE FROM persons WHERE id = ?1", [person])?;
        records.push((Entity::Person, person.clone()));
    }
    for sha in &photos {
        conn.execute(
            "DELETE FROM attachments WHERE sha256 = ?1
               AND NOT EXISTS (SELECT 1 FROM timeline_entries t, json_each(t.attachments) j WHERE j.value = ?1)
               AND NOT EXISTS (SELECT 1 FROM consents WHERE form_sha256 = ?1)",
            [sha],
        )?;
    }
    let now = crate::dates::now_iso();
    for (entity, id) in &records {
        let kind = entity.name();
        conn.execute("DELETE FROM search_index WHERE entity_id = ?1", [id])?;
        conn.execute("DELETE FROM search_queue WHERE entity_id = ?1", [id])?;
        // Sync's bookkeeping about the record.
        for table in ["field_clocks", "conflicts", "sync_pending"] {
            conn.execute(
                &format!("DELETE FROM {table} WHERE entity = ?1 AND entity_id = ?2"),
                params![kind, id],
            )?;
        }
        // The log keeps its sequence (sync acknowledges it gap-free) but not the values.
        conn.execute(
            "UPDATE events SET fields = '{}', bases = '{}' WHERE entity = ?1 AND entity_id = ?2",
            params![kind, id],
        )?;
        conn.execute(
            "INSERT INTO purged (entity_id, purged_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![id, now],
        )?;
    }
    Ok(records.len())
}
