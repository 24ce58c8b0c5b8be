//! The letter register: the unit's outgoing-letter numbers, sequential per Buddhist year,
//! never reused. A cancelled letter keeps its number, with the reason.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::be_year;
use crate::dates::today;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RegisterEntry {
    #[ts(type = "number")]
    pub be_year: i64,
    #[ts(type = "number")]
    pub number: i64,
    pub issued_by: String,
    pub subject: String,
    pub referral_id: Option<String>,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
}

impl Casebook {
    /// Takes the next number of this Buddhist year for a letter about `subject`.
    pub fn issue_letter_number(
        &mut self,
        session: &Session,
        subject: &str,
        referral_id: Option<&str>,
    ) -> Result<Stored<RegisterEntry>> {
        session.require(Permission::ExportCases)?;
        if subject.trim().is_empty() {
            return Err(Invalid::new("letter.subject", Rule::Required).into());
        }
        let year = i64::from(be_year(today()));
        let last: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(number), 0) FROM letter_register WHERE unit_code = ?1 AND be_year = ?2",
            rusqlite::params![self.unit_code(), year],
            |r| r.get(0),
        )?;
        let entry = RegisterEntry {
            be_year: year,
            number: last + 1,
            issued_by: session.user_id.clone(),
            subject: subject.trim().to_owned(),
            referral_id: referral_id.map(str::to_owned),
            cancelled: false,
            cancel_reason: None,
        };
        let id = self.insert_record(session, Entity::LetterRegister, &entry, "letter.issue_number")?;
        self.record(Entity::LetterRegister, &id)
    }

    pub fn cancel_letter(&mut self, session: &Session, id: &str, reason: &str) -> Result<()> {
        session.require(Permission::ExportCases)?;
        if reason.trim().is_empty() {
            return Err(Invalid::new("letter.cancel_reason", Rule::Required).into());
        }
        let mut entry: RegisterEntry = self.record(Entity::LetterRegister, id)?;
        entry.cancelled = true;
        entry.cancel_reason = Some(reason.trim().to_owned());
        self.update_record(session, Entity::LetterRegister, id, &entry, "letter.cancel")
    }

    pub fn letter_register(&self, session: &Session, be_year: i64) -> Result<Vec<Stored<RegisterEntry>>> {
        session.require(Permission::ExportCases)?;
        self.records(
            Entity::LetterRegister,
            "WHERE be_year = ?1 ORDER BY number",
            &[&be_year],
        )
    }
}
