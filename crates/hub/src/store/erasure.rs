//! Erasures on the hub: an approved purge that travels (`casebook::records::erasure`). When
//! the hub admits an erasure (from a device of the unit holding the case, or its creator:
//! admission judges it like a transfer, so never a partner's), it
//!
//! - blanks every event of the case's records and of its people no other case names: the
//!   event keeps its ids and label (the sync bookkeeping: sequence numbers, deliveries, what a
//!   repeated push is compared with), its body and signature go;
//! - deletes the attachments those events named that no other record names (`blob_names`);
//! - notes each record in `erased`: its events are never delivered again (a laptop enrolled
//!   later receives the erasure alone), and admission refuses any later write to them
//!   (`Refusal::Erased`: an edit made offline elsewhere is dropped, never resurrecting the case).
//!
//! Bodies are read and written through `values`, the one path for them (sealed on PostgreSQL).

use super::sql::{Sql, StoreError};
use super::values::Values;
use casebook::log::events::Event;
use oscc_sync::WireEvent;

/// Whether record `record_id` (a case by its id, or one of its records or people) was erased.
pub(super) fn erased(sql: &mut dyn Sql, record_id: &str) -> Result<bool, StoreError> {
    Ok(!sql
        .rows("SELECT 1 FROM erased WHERE record_id = ?1", &[record_id.into()])?
        .is_empty())
}

/// Whether anything was ever erased: nearly never, so each push asks once.
pub(super) fn any_erased(sql: &mut dyn Sql) -> Result<bool, StoreError> {
    Ok(!sql.rows("SELECT 1 FROM erased LIMIT 1", &[])?.is_empty())
}

/// Notes the attachments `body`, an admitted event of `record_id`, names.
pub(super) fn note_blobs(sql: &mut dyn Sql, record_id: &str, body: &Event) -> Result<(), StoreError> {
    for sha256 in casebook::sync::blobs::named_by(body) {
        sql.exec(
            "INSERT INTO blob_names (sha256, record_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            &[sha256.into(), record_id.into()],
        )?;
    }
    Ok(())
}

/// Erases case `case_id` (above), once; `at`: when.
pub(super) fn erase(sql: &mut dyn Sql, values: &Values, case_id: &str, at: &str) -> Result<(), StoreError> {
    if erased(sql, case_id)? {
        return Ok(());
    }
    let text = |rows: Vec<Vec<super::sql::Val>>| rows.iter().map(|r| r[0].text()).collect::<Vec<_>>();
    // The case and its records (the erasures of it stay: they are the tombstone).
    let mut records = text(sql.rows(
        "SELECT record_id FROM records WHERE case_id = ?1 AND entity <> 'erasure'",
        &[case_id.into()],
    )?);
    // Its people, unless a case not erased links them too (the laptops keep them as well).
    records.extend(text(sql.rows(
        "SELECT l.record_id FROM links l JOIN records r ON r.record_id = l.record_id AND r.entity = 'person'
         WHERE l.case_id = ?1 AND NOT EXISTS (
           SELECT 1 FROM links o WHERE o.record_id = l.record_id AND o.case_id <> ?1
             AND NOT EXISTS (SELECT 1 FROM erased x WHERE x.record_id = o.case_id))",
        &[case_id.into()],
    )?));
    for record in &records {
        for row in sql.rows(
            "SELECT hub_seq, event_id, body FROM events WHERE record_id = ?1",
            &[record.as_str().into()],
        )? {
            let event_id = row[1].text();
            let mut event: WireEvent = serde_json::from_str(&values.read_body(&event_id, &row[2])?)
                .map_err(|e| StoreError::Db(e.to_string()))?;
            event.body.clear();
            event.sig.clear();
            let blank = serde_json::to_string(&event).map_err(|e| StoreError::Db(e.to_string()))?;
            sql.exec(
                "UPDATE events SET body = ?1 WHERE hub_seq = ?2",
                &[values.body(&event_id, &blank)?, row[0].clone()],
            )?;
        }
        sql.exec(
            "INSERT INTO erased (record_id, case_id, erased_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[record.as_str().into(), case_id.into(), at.into()],
        )?;
    }
    // The files only erased records named.
    sql.exec(
        "DELETE FROM blobs WHERE sha256 IN (
           SELECT n.sha256 FROM blob_names n JOIN erased x ON x.record_id = n.record_id WHERE x.case_id = ?1)
         AND NOT EXISTS (SELECT 1 FROM blob_names m WHERE m.sha256 = blobs.sha256
           AND NOT EXISTS (SELECT 1 FROM erased y WHERE y.record_id = m.record_id))",
        &[case_id.into()],
    )?;
    Ok(())
}

/// Whether the attachment `sha256` is named only by erased records: sent again by a laptop that
/// had not sent it before the erasure, it is not kept.
pub(super) fn only_erased_name(sql: &mut dyn Sql, sha256: &str) -> Result<bool, StoreError> {
    let names = sql.rows(
        "SELECT count(*), count(x.record_id) FROM blob_names n LEFT JOIN erased x ON x.record_id = n.record_id
         WHERE n.sha256 = ?1",
        &[sha256.into()],
    )?;
    Ok(names
        .first()
        .is_some_and(|r| r[0].int() > 0 && r[0].int() == r[1].int()))
}
