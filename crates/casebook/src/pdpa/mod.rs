//! Duties under the Personal Data Protection Act 2562: data-subject requests answered within
//! 30 days, and a breach register with its 72-hour notification clock.

pub mod purge;

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::parse_date;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const REQUEST_DAYS: i64 = 30;
pub const BREACH_NOTICE_HOURS: i64 = 72;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RequestKind {
    Access,
    Correction,
    Erasure,
    Objection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DutyStatus {
    Open,
    Done,
    Refused,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DataSubjectRequest {
    pub person_id: Option<String>,
    pub kind: RequestKind,
    pub received_on: String,
    /// Received + 30 days; set by the book.
    pub due_on: String,
    pub status: DutyStatus,
    pub answered_on: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Breach {
    pub discovered_at: String,
    /// Discovered + 72 hours; set by the book.
    pub notify_by: String,
    pub description: String,
    pub status: DutyStatus,
    pub notified_at: Option<String>,
}

impl Casebook {
    pub fn log_data_subject_request(
        &mut self,
        session: &Session,
        person_id: Option<&str>,
        kind: RequestKind,
        received_on: &str,
        notes: Option<&str>,
    ) -> Result<Stored<DataSubjectRequest>> {
        session.require(Permission::Supervise)?;
        let received = parse_date(received_on).ok_or_else(|| Invalid::new("dsr.received_on", Rule::NotADate))?;
        if received > crate::dates::today() {
            return Err(Invalid::new("dsr.received_on", Rule::InFuture).into());
        }
        let request = DataSubjectRequest {
            person_id: person_id.map(str::to_owned),
            kind,
            received_on: received.to_string(),
            due_on: (received + Duration::days(REQUEST_DAYS)).to_string(),
            status: DutyStatus::Open,
            answered_on: None,
            notes: notes.map(str::to_owned),
        };
        let id = self.insert_record(session, Entity::DataSubjectRequest, &request, "pdpa.request")?;
        self.record(Entity::DataSubjectRequest, &id)
    }

    pub fn data_subject_requests(&self, session: &Session) -> Result<Vec<Stored<DataSubjectRequest>>> {
        session.require(Permission::Supervise)?;
        self.records(Entity::DataSubjectRequest, "ORDER BY due_on", &[])
    }

    pub fn record_breach(
        &mut self,
        session: &Session,
        discovered_at: &str,
        description: &str,
    ) -> Result<Stored<Breach>> {
        session.require(Permission::Supervise)?;
        let at = DateTime::parse_from_rfc3339(discovered_at)
            .map_err(|_| Invalid::new("breach.discovered_at", Rule::NotADate))?
            .with_timezone(&Utc);
        if description.trim().is_empty() {
            return Err(Invalid::new("breach.description", Rule::Required).into());
        }
        let breach = Breach {
            discovered_at: at.to_rfc3339(),
            notify_by: (at + Duration::hours(BREACH_NOTICE_HOURS)).to_rfc3339(),
            description: description.trim().to_owned(),
            status: DutyStatus::Open,
            notified_at: None,
        };
        let id = self.insert_record(session, Entity::Breach, &breach, "pdpa.breach")?;
        self.record(Entity::Breach, &id)
    }
}

impl Casebook {
    /// Answers a data-subject request (done or refused, with what was done or why not).
    pub fn answer_data_subject_request(
        &mut self,
        session: &Session,
        id: &str,
        status: DutyStatus,
        notes: &str,
    ) -> Result<()> {
        session.require(Permission::Supervise)?;
        if notes.trim().is_empty() {
            return Err(Invalid::new("dsr.notes", Rule::Required).into());
        }
        self.record::<DataSubjectRequest>(Entity::DataSubjectRequest, id)?;
        let mut fields = crate::store::rows::Fields::new();
        fields.insert(
            "status".into(),
            serde_json::to_value(status).map_err(|e| crate::Error::Corrupt(e.to_string()))?,
        );
        fields.insert("answered_on".into(), crate::dates::today().to_string().into());
        fields.insert("notes".into(), notes.trim().into());
        self.write(
            session,
            Entity::DataSubjectRequest,
            id,
            fields,
            "pdpa.request.answer",
            None,
        )
    }

    pub fn breaches(&self, session: &Session) -> Result<Vec<Stored<Breach>>> {
        session.require(Permission::Supervise)?;
        self.records(Entity::Breach, "ORDER BY discovered_at DESC", &[])
    }

    /// The Office of the PDPC (and, where the risk is high, the people concerned) was told.
    pub fn breach_notified(&mut self, session: &Session, id: &str) -> Result<()> {
        session.require(Permission::Supervise)?;
        self.record::<Breach>(Entity::Breach, id)?;
        let mut fields = crate::store::rows::Fields::new();
        fields.insert("status".into(), "done".into());
        fields.insert("notified_at".into(), crate::dates::now_iso().into());
        self.write(session, Entity::Breach, id, fields, "pdpa.breach.notified", None)
    }
}

/// The figures of the record of processing activities (PDPA section 39) that the book knows;
/// the app sets them in the unit's standing text (purposes, security measures).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProcessingFigures {
    #[ts(type = "number")]
    pub people: i64,
    #[ts(type = "number")]
    pub open_cases: i64,
    #[ts(type = "number")]
    pub closed_cases: i64,
    /// (legal basis code or "none", cases)
    pub legal_bases: Vec<(String, i64)>,
    /// (agency type code, agencies) that may receive referrals.
    pub recipients: Vec<(String, i64)>,
    #[ts(type = "number")]
    pub cases_with_retention_date: i64,
    #[ts(type = "number")]
    pub requests_open: i64,
    #[ts(type = "number")]
    pub requests_answered: i64,
    #[ts(type = "number")]
    pub breaches: i64,
    #[ts(type = "number")]
    pub purged_cases: i64,
}

impl Casebook {
    pub fn processing_figures(&mut self, session: &Session) -> Result<ProcessingFigures> {
        session.require(Permission::Supervise)?;
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        let pairs = |sql: &str| -> Result<Vec<(String, i64)>> {
            let mut stmt = self.conn.prepare(sql)?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        let figures = ProcessingFigures {
            people: count("SELECT count(*) FROM persons")?,
            open_cases: count("SELECT count(*) FROM cases WHERE status <> 'closed'")?,
            closed_cases: count("SELECT count(*) FROM cases WHERE status = 'closed'")?,
            legal_bases: pairs("SELECT coalesce(legal_basis, 'none'), count(*) FROM cases GROUP BY 1 ORDER BY 2 DESC")?,
            recipients: pairs("SELECT agency_type, count(*) FROM agencies GROUP BY 1 ORDER BY 2 DESC")?,
            cases_with_retention_date: count("SELECT count(*) FROM cases WHERE retention_date IS NOT NULL")?,
            requests_open: count("SELECT count(*) FROM data_subject_requests WHERE status = 'open'")?,
            requests_answered: count("SELECT count(*) FROM data_subject_requests WHERE status <> 'open'")?,
            breaches: count("SELECT count(*) FROM breaches")?,
            purged_cases: count("SELECT count(*) FROM audit_log WHERE action = 'case.purge'")?,
        };
        self.audit(session, "pdpa.record_of_processing", None, None, None)?;
        Ok(figures)
    }
}
