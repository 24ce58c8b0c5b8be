//! What was typed in an open form when the book locked: kept inside the encrypted book (never
//! in a file or the WebView's storage), given back to the same user after sign-in, and gone
//! once the form is saved or discarded. This laptop's own: never an event, never synced.

use crate::book::Casebook;
use crate::book::permissions::Session;
use crate::dates::now_iso;
use crate::error::{Invalid, Result, Rule};
use rusqlite::OptionalExtension;

/// The most a draft holds (the forms' text boxes stop well below).
const MAX_DRAFT_BYTES: usize = 512 * 1024;

impl Casebook {
    /// Keeps what is typed in `form` (the page's name for it: "intake", "case_edit:<id>" …).
    pub fn save_draft(&mut self, session: &Session, form: &str, body: &str) -> Result<()> {
        if body.len() > MAX_DRAFT_BYTES {
            return Err(Invalid::new("draft.body", Rule::TooLong).into());
        }
        self.conn.execute(
            "INSERT INTO drafts (user_id, form, body, saved_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, form) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
            rusqlite::params![session.user_id, form, body, now_iso()],
        )?;
        Ok(())
    }

    /// The signed-in user's draft of `form`, if one was kept.
    pub fn draft(&self, session: &Session, form: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT body FROM drafts WHERE user_id = ?1 AND form = ?2")?
            .query_row([&session.user_id, form], |r| r.get(0))
            .optional()?)
    }

    /// The forms the signed-in user has drafts of: where to go back to after sign-in.
    pub fn drafts(&self, session: &Session) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT form FROM drafts WHERE user_id = ?1 ORDER BY saved_at DESC")?;
        let rows = stmt.query_map([&session.user_id], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Forgets the draft: the form was saved or discarded.
    pub fn drop_draft(&mut self, session: &Session, form: &str) -> Result<()> {
        self.conn.execute(
            "DELETE FROM drafts WHERE user_id = ?1 AND form = ?2",
            [&session.user_id, form],
        )?;
        Ok(())
    }
}
