//! Attachments in sync (docs/ARCHITECTURE.md, "Sync"): the events name a timeline entry's
//! files, a consent's signed form and a received letter's scan by SHA-256; the
//! bytes travel separately as content-addressed blobs, sent once and fetched by whichever
//! laptop holds an entry that names one it lacks.

use crate::book::Casebook;
use crate::dates::now_iso;
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::log::events::Event;
use rusqlite::OptionalExtension;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Hashes named by timeline entries, signed consent forms and received letters' scans, as rows
/// of `sha256`. Only entries with attachments are read, through their partial index (migration
/// 0005).
const NAMED: &str = "SELECT j.value AS sha256 FROM timeline_entries t, json_each(t.attachments) j
                     WHERE t.attachments <> '[]'
                     UNION SELECT form_sha256 FROM consents WHERE form_sha256 IS NOT NULL
                     UNION SELECT scan_sha256 FROM received_letters WHERE scan_sha256 IS NOT NULL";

/// The attachments an event names, as `NAMED` reads them from a book's rows: a timeline
/// entry's files, a consent's signed form and a received letter's scan (the hub reads them
/// from the events it holds).
pub fn named_by(event: &Event) -> Vec<String> {
    let field = |name: &str| event.fields.get(name);
    let names: Vec<&Value> = match event.entity {
        Entity::TimelineEntry => field("attachments")
            .and_then(Value::as_array)
            .map(|files| files.iter().collect())
            .unwrap_or_default(),
        Entity::Consent => field("form_sha256").into_iter().collect(),
        Entity::ReceivedLetter => field("scan_sha256").into_iter().collect(),
        _ => Vec::new(),
    };
    names.into_iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

impl Casebook {
    /// Attachments named by the timeline that the hub is not known to hold.
    pub fn unsent_blobs(&self, limit: usize) -> Result<Vec<String>> {
        self.hashes(
            &format!(
                "SELECT n.sha256 FROM ({NAMED}) n JOIN attachments a ON a.sha256 = n.sha256
             WHERE n.sha256 NOT IN (SELECT sha256 FROM blobs_at_hub) LIMIT ?1"
            ),
            limit,
        )
    }

    /// Attachments named by the timeline whose bytes this book lacks.
    pub fn missing_blobs(&self, limit: usize) -> Result<Vec<String>> {
        self.hashes(
            &format!(
                "SELECT n.sha256 FROM ({NAMED}) n WHERE n.sha256 NOT IN (SELECT sha256 FROM attachments) LIMIT ?1"
            ),
            limit,
        )
    }

    fn hashes(&self, sql: &str, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([limit as i64], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An attachment's type and bytes, for sending to the hub (not a person's view: not audited).
    pub fn blob(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>> {
        Ok(self
            .conn
            .query_row("SELECT mime, data FROM attachments WHERE sha256 = ?1", [sha256], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    }

    /// The hub holds the attachment now.
    pub fn mark_blob_sent(&mut self, sha256: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO blobs_at_hub (sha256) VALUES (?1) ON CONFLICT DO NOTHING",
            [sha256],
        )?;
        Ok(())
    }

    /// Stores an attachment fetched from the hub, after checking the bytes are the ones named;
    /// whether it was stored. A file that is not as cleaning leaves it (a photo with its EXIF,
    /// an unknown type: a device that skipped cleaning) is not stored: the entry shows no file.
    /// Its type is what the bytes are, never what the sending laptop declared.
    pub fn take_blob(&mut self, sha256: &str, bytes: &[u8]) -> Result<bool> {
        if hex::encode(Sha256::digest(bytes)) != sha256 {
            return Err(Error::Corrupt(
                "an attachment from the hub does not match its hash".into(),
            ));
        }
        let Some(mime) = crate::records::evidence::clean_type(bytes) else {
            return Ok(false);
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO attachments (sha256, mime, size, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (sha256) DO NOTHING",
            rusqlite::params![sha256, mime, bytes.len() as i64, bytes, now_iso()],
        )?;
        tx.execute(
            "INSERT INTO blobs_at_hub (sha256) VALUES (?1) ON CONFLICT DO NOTHING",
            [sha256],
        )?;
        tx.commit()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::NAMED;

    /// Every sync runs these lookups: they must not read each timeline entry of the book.
    #[test]
    fn named_attachments_are_found_through_the_partial_index() -> crate::error::Result<()> {
        let conn = rusqlite::Connection::open_in_memory()?;
        crate::store::migrate(&conn)?;
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {NAMED}"))?;
        let plan: Vec<String> = stmt.query_map([], |r| r.get(3))?.collect::<rusqlite::Result<_>>()?;
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX timeline_with_attachments")),
            "{plan:?}"
        );
        Ok(())
    }
}
