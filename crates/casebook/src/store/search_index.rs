//! The search index: one FTS5 table with the trigram tokenizer (Thai writes words without
//! spaces: "สมศรี" is found inside "นางสมศรีใจดี"), fed from a queue that every write adds to.
//! Searching it is `records::case_list`; this file only keeps it current.

use crate::error::Result;
use rusqlite::Connection;

/// Rows wait in the queue (migration 0003) until this many, then move into the index together.
/// FTS5 writes a new index segment, and from time to time merges segments, in every
/// transaction that touches it: half the pages a single note wrote. Search reads the queue too,
/// so a record is found from the transaction that wrote it.
const QUEUE_LIMIT: usize = 256;

/// The most rows one catch-up step, or the flush at the end of a bulk write, moves: about a
/// quarter of a second of holding the book (measured on a 2-core machine), so a person's save
/// waits no longer than that behind it.
pub(crate) const CATCH_UP_ROWS: usize = 20_000;

/// Moves the `limit` oldest queued rows into the index (a record's newest of them; its older
/// version in the index goes): one index segment for all of them. True when it moved
/// `limit` rows, so more may remain.
pub(crate) fn flush(conn: &Connection, limit: usize) -> Result<bool> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let (last, taken) = conn
        .prepare_cached("SELECT max(seq), count(*) FROM (SELECT seq FROM search_queue ORDER BY seq LIMIT ?1)")?
        .query_row([limit], |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)?)))?;
    let Some(last) = last else {
        return Ok(false);
    };
    let replaces = conn
        .prepare_cached("SELECT 1 FROM search_queue WHERE seq <= ?1 AND NOT fresh")?
        .exists([last])?;
    if replaces {
        // UNINDEXED columns are scanned: done once for all the queue's changed records.
        conn.prepare_cached(
            "DELETE FROM search_index WHERE rowid IN (SELECT s.rowid FROM search_index s
               JOIN search_queue q ON q.entity = s.entity AND q.entity_id = s.entity_id
               WHERE q.seq <= ?1 AND NOT q.fresh)",
        )?
        .execute([last])?;
    }
    conn.prepare_cached(
        "INSERT INTO search_index (entity, entity_id, body)
         SELECT entity, entity_id, body FROM search_queue q
         WHERE seq <= ?1 AND seq = (SELECT max(seq) FROM search_queue r
           WHERE r.entity = q.entity AND r.entity_id = q.entity_id AND r.seq <= ?1)",
    )?
    .execute([last])?;
    conn.prepare_cached("DELETE FROM search_queue WHERE seq <= ?1")?
        .execute([last])?;
    Ok(taken == limit)
}

/// After a single write: moves `QUEUE_LIMIT` rows into the index once the queue holds that many.
pub(crate) fn flush_when_full(conn: &Connection) -> Result<()> {
    let full = conn
        .prepare_cached("SELECT 1 FROM search_queue LIMIT 1 OFFSET ?1")?
        .exists([QUEUE_LIMIT as i64 - 1])?;
    if full {
        flush(conn, QUEUE_LIMIT)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indexed(conn: &Connection) -> Vec<(String, String)> {
        let mut stmt = conn
            .prepare("SELECT entity_id, body FROM search_index ORDER BY entity_id, body")
            .unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    }

    /// A catch-up step can end between two versions of a record: the older one is indexed
    /// first and replaced by the newer one in the next step, never both kept.
    #[test]
    fn a_step_that_ends_between_two_versions_of_a_record_keeps_only_the_newest() -> Result<()> {
        let conn = Connection::open_in_memory()?;
        crate::store::migrate(&conn)?;
        conn.execute_batch(
            "INSERT INTO search_queue (entity, entity_id, body, fresh) VALUES
               ('person', 'p1', 'กุหลาบ', 1), ('person', 'p2', 'มะลิ', 1),
               ('person', 'p1', 'พิกุล', 0), ('person', 'p1', 'ลำดวน', 0), ('person', 'p3', 'ชบา', 1);",
        )?;
        assert!(flush(&conn, 2)?, "three rows remain queued");
        assert_eq!(
            indexed(&conn),
            [("p1".into(), "กุหลาบ".into()), ("p2".into(), "มะลิ".into())]
        );
        assert!(flush(&conn, 2)?, "one row remains queued");
        assert_eq!(
            indexed(&conn),
            [("p1".into(), "ลำดวน".into()), ("p2".into(), "มะลิ".into())]
        );
        assert!(!flush(&conn, 2)?, "the queue is empty: fewer rows than asked for");
        assert_eq!(indexed(&conn).len(), 3);
        assert!(!flush(&conn, 2)?, "nothing to move");
        Ok(())
    }
}
