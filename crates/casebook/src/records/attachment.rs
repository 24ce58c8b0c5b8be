//! Attachments (home-visit photos, scanned slips): content-addressed by SHA-256 and kept
//! inside the encrypted database, so evidence is never a loose file on the laptop.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::now_iso;
use crate::error::{Error, Invalid, Result, Rule};
use crate::records::evidence;
use rusqlite::OptionalExtension;
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// Larger files are refused before they are read: a phone photo is a few megabytes, a
/// scanned multi-page PDF rarely more than ten.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// What the case page lists of an attachment: no content.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AttachmentInfo {
    pub sha256: String,
    pub mime: String,
    #[ts(type = "number")]
    pub size: i64,
}

/// An `AttachmentInfo` from a row of `sha256, mime, size`.
fn info_row(r: &rusqlite::Row) -> rusqlite::Result<AttachmentInfo> {
    Ok(AttachmentInfo {
        sha256: r.get(0)?,
        mime: r.get(1)?,
        size: r.get(2)?,
    })
}

impl Casebook {
    /// Stores a photo or a scan, cleaned first (`records::evidence`: re-encoded without EXIF
    /// or GPS, at most 2048 px; a PDF as it is); the same file twice is one attachment.
    /// Returns its hash. The declared type is never trusted: the bytes say what they are.
    pub fn put_attachment(&mut self, session: &Session, bytes: &[u8]) -> Result<String> {
        session.require(Permission::EditCases)?;
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(Invalid::new("attachment.size", Rule::TooLong).into());
        }
        let cleaned = evidence::clean("attachment.file", bytes)?;
        self.store_attachment(session, cleaned.mime, &cleaned.bytes)
    }

    fn store_attachment(&mut self, session: &Session, mime: &str, bytes: &[u8]) -> Result<String> {
        let hash = hex::encode(Sha256::digest(bytes));
        self.batch(|book| {
            let inserted = book.conn.execute(
                "INSERT INTO attachments (sha256, mime, size, data, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (sha256) DO NOTHING",
                rusqlite::params![hash, mime, bytes.len() as i64, bytes, now_iso()],
            )?;
            if inserted > 0 {
                book.audit(session, "attachment.add", None, Some(&hash), Some(mime))?;
            }
            Ok(())
        })?;
        Ok(hash)
    }

    /// Refuses a hash no stored attachment has.
    pub(crate) fn require_attachment(&self, sha256: &str) -> Result<()> {
        let exists = self
            .conn
            .prepare_cached("SELECT 1 FROM attachments WHERE sha256 = ?1")?
            .exists([sha256])?;
        if exists {
            Ok(())
        } else {
            Err(Error::NoSuchRecord("attachment"))
        }
    }

    /// What is attached to the timeline entry, in the order attached.
    pub fn entry_attachments(&self, session: &Session, entry_id: &str) -> Result<Vec<AttachmentInfo>> {
        session.require(Permission::ViewCases)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.sha256, a.mime, a.size FROM timeline_entries e, json_each(e.attachments) j
             JOIN attachments a ON a.sha256 = j.value WHERE e.id = ?1 ORDER BY j.key",
        )?;
        let rows = stmt.query_map([entry_id], info_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What one attachment is (its type and size), to show it the way its type is shown, with
    /// one audited look. Its content stays unread: not audited, as `entry_attachments`.
    pub fn attachment_info(&self, session: &Session, sha256: &str) -> Result<AttachmentInfo> {
        session.require(Permission::ViewCases)?;
        self.conn
            .prepare_cached("SELECT sha256, mime, size FROM attachments WHERE sha256 = ?1")?
            .query_row([sha256], info_row)
            .optional()?
            .ok_or(Error::NoSuchRecord("attachment"))
    }

    /// A small JPEG of a stored photo (None for a PDF). Seeing it is seeing the photo: audited.
    pub fn attachment_thumbnail(&mut self, session: &Session, sha256: &str) -> Result<Option<Vec<u8>>> {
        session.require(Permission::ViewCases)?;
        let (_, data) = self.blob(sha256)?.ok_or(Error::NoSuchRecord("attachment"))?;
        let small = evidence::thumbnail(&data)?;
        self.audit(session, "attachment.thumbnail", None, Some(sha256), None)?;
        Ok(small)
    }

    /// The bytes and type of an attachment. A view is audited.
    pub fn attachment(&mut self, session: &Session, sha256: &str) -> Result<(String, Vec<u8>)> {
        session.require(Permission::ViewCases)?;
        let found = self.blob(sha256)?.ok_or(Error::NoSuchRecord("attachment"))?;
        self.audit(session, "attachment.view", None, Some(sha256), None)?;
        Ok(found)
    }

    /// The emblem printed at the top of the unit's letters (a PNG; `None` takes it away).
    /// The administrator's setting; audited.
    pub fn set_emblem(&mut self, session: &Session, png: Option<&[u8]>) -> Result<()> {
        session.require(Permission::ManageUsers)?;
        if png.is_some_and(|bytes| !bytes.starts_with(b"\x89PNG\r\n\x1a\n")) {
            return Err(Invalid::new("unit.emblem", Rule::NotPng).into());
        }
        self.batch(|book| {
            let mut unit = book.unit()?;
            unit.emblem_sha256 = match png {
                Some(bytes) => Some(book.store_attachment(session, "image/png", bytes)?),
                None => None,
            };
            let json = serde_json::to_string(&unit).map_err(|e| Error::Corrupt(e.to_string()))?;
            book.conn
                .execute("UPDATE meta SET value = ?1 WHERE key = 'unit'", [json])?;
            book.audit(session, "unit.emblem", None, unit.emblem_sha256.as_deref(), None)
        })
    }

    /// The unit's emblem PNG, if it has one. Not personal data: not audited.
    pub fn emblem(&self) -> Result<Option<Vec<u8>>> {
        let Some(hash) = self.unit()?.emblem_sha256 else {
            return Ok(None);
        };
        Ok(self
            .conn
            .query_row("SELECT data FROM attachments WHERE sha256 = ?1", [hash], |r| r.get(0))
            .optional()?)
    }
}
