//! Search over names (Thai and Latin), ID numbers, phones, case numbers and notes. One FTS5
//! index with the trigram tokenizer, because Thai writes words without spaces: "สมศรี" is
//! found inside "นางสมศรีใจดี". Trigrams need three characters; shorter queries scan the same
//! index with LIKE.

use crate::book::Casebook;
use crate::case::{CaseFilter, CaseRow};
use crate::error::Result;
use crate::permissions::{Permission, Session};
use rusqlite::Connection;

/// Rows wait in the queue (migration 0003) until this many, then move into the index together.
/// FTS5 writes a new index segment, and from time to time merges segments, in every
/// transaction that touches it: half the pages a single note wrote. Search reads the queue too,
/// so a record is found from the transaction that wrote it.
const QUEUE_LIMIT: usize = 256;

/// Moves every queued row into the index: one index segment for all of them. Bulk writes
/// (batch, sync, rebuild) and idle-time housekeeping call it before they commit.
pub(crate) fn flush(conn: &Connection) -> Result<()> {
    if !conn.prepare_cached("SELECT 1 FROM search_queue")?.exists([])? {
        return Ok(());
    }
    let replaces = conn
        .prepare_cached("SELECT 1 FROM search_queue WHERE NOT fresh")?
        .exists([])?;
    if replaces {
        // UNINDEXED columns are scanned: done once for all the queue's changed records.
        conn.prepare_cached(
            "DELETE FROM search_index WHERE rowid IN (SELECT s.rowid FROM search_index s
               JOIN search_queue q ON q.entity = s.entity AND q.entity_id = s.entity_id AND NOT q.fresh)",
        )?
        .execute([])?;
    }
    conn.prepare_cached(
        "INSERT INTO search_index (entity, entity_id, body)
         SELECT entity, entity_id, body FROM search_queue q
         WHERE seq = (SELECT max(seq) FROM search_queue r WHERE r.entity = q.entity AND r.entity_id = q.entity_id)",
    )?
    .execute([])?;
    conn.prepare_cached("DELETE FROM search_queue")?.execute([])?;
    Ok(())
}

/// After a single write: moves the queue into the index once it holds `QUEUE_LIMIT` rows.
pub(crate) fn flush_when_full(conn: &Connection) -> Result<()> {
    let full = conn
        .prepare_cached("SELECT 1 FROM search_queue LIMIT 1 OFFSET ?1")?
        .exists([QUEUE_LIMIT as i64 - 1])?;
    if full { flush(conn) } else { Ok(()) }
}

/// `query` as a LIKE pattern: the user's text matched as it is anywhere in the body.
fn like_pattern(query: &str) -> String {
    format!(
        "%{}%",
        query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
    )
}

impl Casebook {
    /// Cases whose client, case number or notes match `query`; masked rows, as the list shows.
    pub fn search_cases(&mut self, session: &Session, query: &str, limit: i64) -> Result<Vec<CaseRow>> {
        session.require(Permission::ViewCases)?;
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let like = like_pattern(query);
        let (matcher, pattern) = if query.chars().count() >= 3 {
            // A phrase query: the user's text is data, never FTS syntax.
            ("search_index MATCH ?1", format!("\"{}\"", query.replace('"', "\"\"")))
        } else {
            // Too short for trigrams: the same index scanned with LIKE.
            ("body LIKE ?1 ESCAPE '\\'", like.clone())
        };
        // Queued rows first (the newest), then the index, where a record that has a newer
        // version waiting in the queue no longer counts.
        let hits: Vec<(String, String)> = {
            let sql = format!(
                "SELECT entity, entity_id FROM search_queue q
                   WHERE body LIKE ?3 ESCAPE '\\'
                     AND seq = (SELECT max(seq) FROM search_queue r WHERE r.entity = q.entity AND r.entity_id = q.entity_id)
                 UNION ALL
                 SELECT entity, entity_id FROM search_index s WHERE {matcher}
                   AND NOT EXISTS (SELECT 1 FROM search_queue q WHERE q.entity = s.entity AND q.entity_id = s.entity_id)
                 LIMIT ?2"
            );
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params![pattern, limit * 4, like], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        // Each hit leads to the cases it belongs to.
        let mut ids: Vec<String> = Vec::new();
        for (entity, entity_id) in hits {
            let sql = match entity.as_str() {
                "case" => "SELECT id FROM cases WHERE id = ?1",
                "person" => {
                    "SELECT id FROM cases WHERE client_id = ?1 UNION SELECT case_id FROM case_parties WHERE person_id = ?1"
                }
                "timeline" => "SELECT case_id FROM timeline_entries WHERE id = ?1",
                _ => continue,
            };
            let mut stmt = self.conn.prepare_cached(sql)?;
            for id in stmt.query_map([&entity_id], |r| r.get::<_, String>(0))? {
                let id = id?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        let filter = CaseFilter {
            limit: Some(limit),
            ..CaseFilter::default()
        };
        self.case_rows(session, &filter, Some(&ids))
    }
}
