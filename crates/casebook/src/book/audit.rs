//! The audit log: append-only and hash-chained. Each entry's hash covers its content and the
//! previous entry's hash; the head (count and last hash) is kept in `meta` in the same
//! transaction, so `verify` finds an edited, deleted, inserted or reordered entry, and a cut
//! tail. Entries hold ids and actions, never names or ID numbers; a search keeps its query only
//! as a keyed hash (`query_hash`), which a supervisor can match against a query they suspect.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::now_iso;
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::store::keys::random_bytes;
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;
use zeroize::Zeroizing;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub user_id: Option<String>,
    pub action: String,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub detail: Option<String>,
}

/// An entry with the links of its chain, as it travels to the hub and the unit's other laptops.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedEntry {
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainedEntry {
    /// `entry` as the next link after `prev` (the hash of the entry before it).
    pub fn link(prev: &str, entry: AuditEntry) -> ChainedEntry {
        ChainedEntry {
            hash: entry_hash(prev, &entry),
            prev_hash: prev.to_owned(),
            entry,
        }
    }

    /// Whether the entry follows `prev` (the hash of the entry before it in its chain) and its
    /// hash is its content's.
    pub fn follows(&self, prev: &str) -> bool {
        self.prev_hash == prev && entry_hash(prev, &self.entry) == self.hash
    }
}

fn entry_hash(prev: &str, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &e.seq.to_string(),
        &e.at,
        e.user_id.as_deref().unwrap_or(""),
        &e.action,
        e.entity.as_deref().unwrap_or(""),
        e.entity_id.as_deref().unwrap_or(""),
        e.detail.as_deref().unwrap_or(""),
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The chain's head: how many entries, and the last one's hash.
pub(crate) fn head(conn: &Connection) -> Result<(i64, String)> {
    let text: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| r.get(0))
        .optional()?;
    Ok(text
        .and_then(|t| {
            t.split_once(':')
                .and_then(|(n, h)| Some((n.parse().ok()?, h.to_owned())))
        })
        .unwrap_or((0, GENESIS.to_owned())))
}

/// Appends an entry; call inside the transaction of the action it records.
pub fn append(
    conn: &Connection,
    at: &str,
    user_id: Option<&str>,
    action: &str,
    entity: Option<&str>,
    entity_id: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    let (count, prev) = head(conn)?;
    let entry = AuditEntry {
        seq: count + 1,
        at: at.to_owned(),
        user_id: user_id.map(str::to_owned),
        action: action.to_owned(),
        entity: entity.map(str::to_owned),
        entity_id: entity_id.map(str::to_owned),
        detail: detail.map(str::to_owned),
    };
    let ChainedEntry { entry, prev_hash, hash } = ChainedEntry::link(&prev, entry);
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        entry.seq,
        entry.at,
        entry.user_id,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.detail,
        prev_hash,
        hash
    ])?;
    conn.prepare_cached("INSERT INTO meta (key, value) VALUES ('audit_head', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
        .execute([format!("{}:{hash}", entry.seq)])?;
    Ok(())
}

/// The key of the search queries' hashes: 32 random bytes in `meta`, inside the encrypted book,
/// made on first use. Not derived from the master key, so rotating that key leaves every past
/// entry checkable.
fn search_key(conn: &Connection) -> Result<Zeroizing<Vec<u8>>> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'search_audit_key'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let stored = match stored {
        Some(stored) => Zeroizing::new(stored),
        None => {
            let fresh = Zeroizing::new(hex::encode(random_bytes::<32>()?));
            conn.prepare_cached("INSERT INTO meta (key, value) VALUES ('search_audit_key', ?1)")?
                .execute([fresh.as_str()])?;
            fresh
        }
    };
    hex::decode(stored.as_str())
        .ok()
        .filter(|key| key.len() == 32)
        .map(Zeroizing::new)
        .ok_or_else(|| Error::Corrupt("the search audit key".into()))
}

/// HMAC-SHA256 of a search query (without the spaces around it), in hex: what the audit log
/// keeps of the query.
pub fn query_hash(conn: &Connection, query: &str) -> Result<String> {
    let key = search_key(conn)?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).map_err(|e| Error::Corrupt(e.to_string()))?;
    mac.update(query.trim().as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// This laptop's entries after `after`, with their links, oldest first.
pub(crate) fn chained_after(conn: &Connection, after: i64, limit: usize) -> Result<Vec<ChainedEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash FROM audit_log
         WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![after, limit as i64], chained_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A row of `audit_log` or `unit_audit` read as (seq, at, user_id, action, entity, entity_id,
/// detail, prev_hash, hash).
pub(crate) fn chained_row(r: &rusqlite::Row) -> rusqlite::Result<ChainedEntry> {
    Ok(ChainedEntry {
        entry: AuditEntry {
            seq: r.get(0)?,
            at: r.get(1)?,
            user_id: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            detail: r.get(6)?,
        },
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// The hash before the first entry of every chain.
pub fn genesis() -> &'static str {
    GENESIS
}

/// Where the chain breaks, if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditBreak {
    /// The entry at this position does not hash to what is stored, or does not follow the one before.
    Entry { seq: i64 },
    /// Entries are missing at the end.
    Truncated { expected: i64, found: i64 },
}

/// Walks the whole chain. `Ok(n)` is the number of entries verified.
pub fn verify(conn: &Connection) -> Result<Result<i64, AuditBreak>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash FROM audit_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    while let Some(row) = rows.next()? {
        let entry = chained_row(row)?;
        if entry.entry.seq != expected_seq || !entry.follows(&prev) {
            return Ok(Err(AuditBreak::Entry { seq: expected_seq }));
        }
        prev = entry.hash;
        expected_seq += 1;
    }
    let found = expected_seq - 1;
    let (count, head_hash) = head(conn)?;
    if count != found || (found > 0 && head_hash != prev) {
        return Ok(Err(AuditBreak::Truncated { expected: count, found }));
    }
    Ok(Ok(found))
}

/// The newest entries first, for an audit screen.
pub fn recent(conn: &Connection, entity_id: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>> {
    newest(conn, "?1 IS NULL OR entity_id = ?1", params![entity_id, limit])
}

/// The newest entries of one action (e.g. every purge's tombstone).
pub fn of_action(conn: &Connection, action: &str, limit: i64) -> Result<Vec<AuditEntry>> {
    newest(conn, "action = ?1", params![action, limit])
}

/// Entries matching `filter` (its parameter ?1; ?2 is the limit), newest first.
fn newest(conn: &Connection, filter: &str, args: impl rusqlite::Params) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash FROM audit_log
         WHERE {filter} ORDER BY seq DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(args, |r| chained_row(r).map(|c| c.entry))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

impl Casebook {
    /// Records a view, export, print or login: audited, not an event.
    pub(crate) fn audit(
        &mut self,
        session: &Session,
        action: &str,
        entity: Option<Entity>,
        id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        let tx = self.conn.savepoint()?;
        append(
            &tx,
            &now_iso(),
            Some(&session.user_id),
            action,
            entity.map(Entity::name),
            id,
            detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Audits a search (`case.search`): the query as its keyed hash and the number of cases
    /// found, or that it was refused (`None`). Never the query itself.
    pub(crate) fn audit_search(&mut self, session: &Session, query: &str, found: Option<usize>) -> Result<()> {
        let detail = match found {
            Some(found) => serde_json::json!({ "query_hmac": query_hash(&self.conn, query)?, "results": found }),
            None => serde_json::json!({ "query_hmac": query_hash(&self.conn, query)?, "refused": true }),
        };
        self.audit(session, "case.search", None, None, Some(&detail.to_string()))
    }

    /// The keyed hash a search for `query` left in the audit log (`query_hmac` of `case.search`),
    /// for a supervisor who suspects someone searched for a person: hash the name or number as
    /// it would have been typed and look for it.
    pub fn search_query_hash(&self, session: &Session, query: &str) -> Result<String> {
        session.require(Permission::Supervise)?;
        query_hash(&self.conn, query)
    }

    /// Audits a document leaving the app by *Save a copy as…* (`document.save_copy`), with its
    /// file name (a case number, never a person's name).
    pub fn audit_saved_copy(&mut self, session: &Session, file_name: &str) -> Result<()> {
        self.audit(session, "document.save_copy", None, None, Some(file_name))
    }

    pub fn verify_audit(&self) -> Result<Result<i64, AuditBreak>> {
        verify(&self.conn)
    }

    pub fn audit_trail(&self, session: &Session, entity_id: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>> {
        session
            .require(Permission::Supervise)
            .or_else(|_| session.require(Permission::ManageUsers))?;
        recent(&self.conn, entity_id, limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../../migrations/0001_init.sql"))
            .unwrap();
        for i in 1..=n {
            append(
                &conn,
                &format!("2026-11-22T00:00:{i:02}Z"),
                Some("u1"),
                "case.view",
                Some("case"),
                Some(&format!("c{i}")),
                None,
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)).unwrap(), Ok(5));
    }

    #[test]
    fn an_edited_entry_is_found() {
        let conn = chain(5);
        conn.execute("UPDATE audit_log SET action = 'case.export' WHERE seq = 3", [])
            .unwrap();
        assert_eq!(verify(&conn).unwrap(), Err(AuditBreak::Entry { seq: 3 }));
    }

    #[test]
    fn a_deleted_entry_is_found() {
        let conn = chain(5);
        conn.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
        assert_eq!(verify(&conn).unwrap(), Err(AuditBreak::Entry { seq: 2 }));
    }

    #[test]
    fn reordered_entries_are_found() {
        let conn = chain(5);
        conn.execute_batch(
            "UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3;
             UPDATE audit_log SET seq = 3 WHERE seq = 100;",
        )
        .unwrap();
        assert_eq!(verify(&conn).unwrap(), Err(AuditBreak::Entry { seq: 2 }));
    }

    #[test]
    fn a_cut_tail_is_found() {
        let conn = chain(5);
        conn.execute("DELETE FROM audit_log WHERE seq = 5", []).unwrap();
        assert_eq!(
            verify(&conn).unwrap(),
            Err(AuditBreak::Truncated { expected: 5, found: 4 })
        );
    }
}
