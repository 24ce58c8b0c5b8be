//! A case's correspondence: the letters the unit sent about it (the register names the case by
//! its number) and those it received in it, for a later letter to refer to (อ้างถึง).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::Result;
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::received::ReceivedLetter;
use crate::records::register::RegisterEntry;

/// A case's letters: those the unit sent, and those it received.
#[derive(Debug, Clone, PartialEq)]
pub struct Correspondence {
    pub sent: Vec<Stored<RegisterEntry>>,
    pub received: Vec<Stored<ReceivedLetter>>,
}

impl Casebook {
    /// What the unit wrote and received about a case, for a later letter to refer to: the
    /// letters of the register naming the case's number, and the letters received in the
    /// case, none cancelled, oldest first.
    pub fn case_correspondence(&self, session: &Session, case_id: &str) -> Result<Correspondence> {
        session.require(Permission::ExportCases)?;
        let case = self.load_case(case_id)?;
        // This unit's letters, under the case's number now or one it had (a provisional number
        // given offline).
        let numbers =
            serde_json::to_string(&case.former_numbers).map_err(|e| crate::error::Error::Corrupt(e.to_string()))?;
        let sent = self.records(
            Entity::LetterRegister,
            "WHERE unit_code = ?1 AND NOT cancelled
               AND (case_number = ?2 OR case_number IN (SELECT value FROM json_each(?3)))
             ORDER BY created_at, id",
            &[&self.unit_code(), &case.case_number, &numbers],
        )?;
        let received = self.records(
            Entity::ReceivedLetter,
            "WHERE case_id = ?1 AND NOT cancelled ORDER BY received_on, created_at, id",
            &[&case_id],
        )?;
        Ok(Correspondence { sent, received })
    }
}
