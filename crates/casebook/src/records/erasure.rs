//! An approved purge that travels (PDPA erasure). The laptop whose supervisor approves a purge
//! (`pdpa::purge`) writes an erasure: a record like any other, its event signed and synced,
//! naming the case, its number and why. The hub (`crates/hub/src/store/erasure.rs`) and every
//! laptop holding the case apply the same purge when it arrives (`apply_received`, from
//! `Casebook::receive`); the erasure's row stays as the tombstone, and the ids in `purged` keep
//! later events of the case out (an edit made offline elsewhere never brings it back).

use crate::book::audit;
use crate::dates::now_iso;
use crate::error::Result;
use crate::log::entity::Entity;
use crate::log::events::Event;
use rusqlite::{Connection, OptionalExtension, params};

/// The audit action of a purge's tombstone, on the laptop that approved it and on the others.
pub const PURGE_ACTION: &str = "case.purge";

/// What the tombstone says: which case number, and why.
pub(crate) fn tombstone(case_number: &str, reason: &str) -> String {
    format!("{case_number}: {reason}")
}

/// Purges case `case_id` from this book (`remove_case`), its freed pages overwritten; how many
/// records went.
pub(crate) fn erase(conn: &Connection, case_id: &str) -> Result<usize> {
    conn.pragma_update(None, "secure_delete", "ON")?;
    let removed = remove_case(conn, case_id);
    conn.pragma_update(None, "secure_delete", crate::store::SECURE_DELETE)?;
    removed
}

/// Applies erasures taken in from another laptop (`erasures`, already judged: written by a
/// unit that holds the case, in `tx`, after their rows were written): a case this book holds
/// is purged as it was where the purge was approved, with the same tombstone in this book's
/// audit, by the approving user; a case it never had is only kept out. Whether any case went.
pub(crate) fn apply_received(tx: &Connection, erasures: &[&Event]) -> Result<bool> {
    let mut any = false;
    for event in erasures {
        let row: Option<(String, String, String)> = tx
            .prepare_cached("SELECT case_id, case_number, reason FROM erasures WHERE id = ?1")?
            .query_row([&event.entity_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((case_id, case_number, reason)) = row else {
            continue;
        };
        let held = tx
            .prepare_cached("SELECT 1 FROM cases WHERE id = ?1")?
            .exists([&case_id])?;
        if held {
            erase(tx, &case_id)?;
            audit::append(
                tx,
                &now_iso(),
                event.user_id.as_deref(),
                PURGE_ACTION,
                Some(Entity::Erasure.name()),
                Some(&event.entity_id),
                Some(&tombstone(&case_number, &reason)),
            )?;
            any = true;
        } else {
            tx.execute(
                "INSERT INTO purged (entity_id, purged_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![case_id, now_iso()],
            )?;
        }
    }
    Ok(any)
}

/// Tables holding rows under a case, children before parents (foreign keys).
const CASE_CHILDREN: [(&str, Entity); 11] = [
    ("action_items", Entity::ActionItem),
    ("conference_cases", Entity::ConferenceCase),
    ("received_letters", Entity::ReceivedLetter),
    ("referrals", Entity::Referral),
    ("consents", Entity::Consent),
    ("assessments", Entity::Assessment),
    ("interpreter_sessions", Entity::InterpreterSession),
    ("care_plan_goals", Entity::CarePlanGoal),
    ("timeline_entries", Entity::TimelineEntry),
    ("incidents", Entity::Incident),
    ("case_parties", Entity::CaseParty),
];

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
        // The files of the case: photos and scans of its entries, signed consent forms, the
        // scans of letters received about it.
        let files = match table {
            "timeline_entries" => {
                "SELECT DISTINCT j.value FROM timeline_entries t, json_each(t.attachments) j WHERE t.case_id = ?1"
            }
            "consents" => "SELECT form_sha256 FROM consents WHERE case_id = ?1 AND form_sha256 IS NOT NULL",
            "received_letters" => {
                "SELECT scan_sha256 FROM received_letters WHERE case_id = ?1 AND scan_sha256 IS NOT NULL"
            }
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
               AND NOT EXISTS (SELECT 1 FROM consents WHERE form_sha256 = ?1)
               AND NOT EXISTS (SELECT 1 FROM received_letters WHERE scan_sha256 = ?1)",
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
