//! Interpreted sessions with a person who needs an interpreter: the language, who interpreted
//! and for which agency, and that they pledged to keep what they heard confidential (an
//! interpreter from the person's own community may know the family).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, today};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The languages units meet most, by their ISO 639-1 codes (as a person's languages are kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[ts(export)]
pub enum Language {
    #[serde(rename = "my")]
    Burmese,
    #[serde(rename = "km")]
    Khmer,
    #[serde(rename = "lo")]
    Lao,
    #[serde(rename = "vi")]
    Vietnamese,
    #[serde(rename = "zh")]
    Chinese,
    /// Malay, and Yawi as it is spoken in the southern border provinces.
    #[serde(rename = "ms")]
    Malay,
    #[serde(rename = "en")]
    English,
    #[serde(rename = "other")]
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InterpreterSession {
    pub case_id: String,
    /// ISO date (a BE year is accepted on input).
    pub held_on: String,
    pub language: Language,
    /// The language, when it is none of the list.
    pub language_other: Option<String>,
    pub interpreter: String,
    pub agency: Option<String>,
    /// The interpreter pledged confidentiality: a session is not recorded without it.
    pub pledged: bool,
    #[serde(default)]
    pub author_id: Option<String>,
}

impl Casebook {
    pub fn record_interpreter_session(&mut self, session: &Session, record: &InterpreterSession) -> Result<String> {
        session.require(Permission::EditCases)?;
        self.load_case(&record.case_id)?;
        let held_on = parse_date(record.held_on.trim()).ok_or(Invalid::new("interpreter.held_on", Rule::NotADate))?;
        if held_on > today() {
            return Err(Invalid::new("interpreter.held_on", Rule::InFuture).into());
        }
        let text = |v: &str| Some(v.trim().to_owned()).filter(|s| !s.is_empty());
        let interpreter = text(&record.interpreter).ok_or(Invalid::new("interpreter.interpreter", Rule::Required))?;
        let language_other = record.language_other.as_deref().and_then(text);
        if record.language == Language::Other && language_other.is_none() {
            return Err(Invalid::new("interpreter.language_other", Rule::Required).into());
        }
        if !record.pledged {
            return Err(Invalid::new("interpreter.pledged", Rule::Required).into());
        }
        let record = InterpreterSession {
            held_on: held_on.to_string(),
            language_other: language_other.filter(|_| record.language == Language::Other),
            interpreter,
            agency: record.agency.as_deref().and_then(text),
            author_id: Some(session.user_id.clone()),
            ..record.clone()
        };
        self.insert_record(session, Entity::InterpreterSession, &record, "interpreter.add")
    }

    pub fn interpreter_sessions(&self, session: &Session, case_id: &str) -> Result<Vec<Stored<InterpreterSession>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::InterpreterSession,
            "WHERE case_id = ?1 ORDER BY held_on, created_at",
            &[&case_id],
        )
    }
}
