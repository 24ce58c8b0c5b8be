//! Attachments (home-visit photos, scanned slips): content-addressed by SHA-256 and kept
//! inside the encrypted database, so evidence is never a loose file on the laptop.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::now_iso;
use crate::error::{Error, Invalid, Result, Rule};
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

/// Larger files are refused: photos are resized by the app before they get here.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

impl Casebook {
    /// Stores the bytes once (the same bytes twice are one attachment); returns their hash.
    pub fn put_attachment(&mut self, session: &Session, mime: &str, bytes: &[u8]) -> Result<String> {
        session.require(Permission::EditCases)?;
        self.store_attachment(session, mime, bytes)
    }

    fn store_attachment(&mut self, session: &Session, mime: &str, bytes: &[u8]) -> Result<String> {
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(Invalid::new("attachment.size", Rule::TooLong).into());
        }
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

    /// The bytes and type of an attachment. A view is audited.
    pub fn attachment(&mut self, session: &Session, sha256: &str) -> Result<(String, Vec<u8>)> {
        session.require(Permission::ViewCases)?;
        let found: Option<(String, Vec<u8>)> = self
            .conn
            .query_row("SELECT mime, data FROM attachments WHERE sha256 = ?1", [sha256], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let found = found.ok_or(Error::NoSuchRecord("attachment"))?;
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
