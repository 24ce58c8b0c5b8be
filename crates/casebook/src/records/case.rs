//! Cases: numbered `UNIT-BE_YEAR-NNNN`, with source, categories, violence types, risk and a
//! status that moves intake → assessment → planning → in service → follow-up → closed
//! (`records::status`); corrected and kept current after intake (`records::case_update`), and
//! shown on the case page (`records::case_page`).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::be_year;
use crate::dates::today;
use crate::error::{Error, Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::numbers::{NumberKind, case_number};
use crate::store::rows;
use crate::store::rows::new_id;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Source {
    Hotline1300,
    WalkIn,
    HospitalEr,
    Police,
    School,
    Community,
    Transfer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Category {
    ViolenceChild,
    ViolenceWoman,
    ViolenceElderly,
    ViolenceDisabled,
    TeenPregnancy,
    Trafficking,
    ChildLabour,
    DrugAffected,
    Homeless,
    Begging,
    MissingPerson,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ViolenceType {
    Physical,
    Sexual,
    Psychological,
    Neglect,
    Exploitation,
    Economic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Risk {
    Red,
    Yellow,
    Green,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Status {
    Intake,
    Assessment,
    Planning,
    InService,
    FollowUp,
    Closed,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseInput {
    pub client_id: String,
    pub source: Source,
    pub categories: Vec<Category>,
    pub violence_types: Vec<ViolenceType>,
    pub risk: Risk,
    pub case_manager_id: Option<String>,
    /// ISO-8601 instant of the incident, if known.
    pub incident_at: Option<String>,
    pub consent: Option<String>,
    pub legal_basis: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Case {
    pub id: String,
    pub unit_code: String,
    pub created_at: String,
    pub updated_at: String,
    pub case_number: String,
    pub client_id: String,
    pub source: Source,
    pub categories: Vec<Category>,
    pub violence_types: Vec<ViolenceType>,
    pub risk: Risk,
    pub status: Status,
    pub case_manager_id: Option<String>,
    pub incident_at: Option<String>,
    pub consent: Option<String>,
    pub legal_basis: Option<String>,
    pub retention_date: Option<String>,
    pub closure_reason: Option<String>,
    pub outcome: Option<String>,
    /// The unit responsible for the case now; another unit's code once transferred.
    pub held_by: Option<String>,
    /// The provisional number the case had before its final one (`records::numbers`).
    #[serde(default)]
    pub former_numbers: Vec<String>,
    /// Workers beside the case manager (`records::handover`).
    #[serde(default)]
    pub co_worker_ids: Vec<String>,
    /// The next planned contact (ISO date): the worker's follow-up.
    #[serde(default)]
    pub follow_up_on: Option<String>,
    /// When a supervisor last handed the case to its manager, and when the manager
    /// acknowledged it (`records::handover`).
    #[serde(default)]
    pub handover_at: Option<String>,
    #[serde(default)]
    pub handover_acknowledged_at: Option<String>,
}

fn validate(input: &CaseInput, now: DateTime<Utc>) -> Result<(), Invalid> {
    if input.client_id.trim().is_empty() {
        return Err(Invalid::new("case.client_id", Rule::Required));
    }
    validate_fields(&input.categories, input.incident_at.as_deref(), now)
}

/// What a case may not be, at intake or after: without a category, or with an incident in the
/// future.
pub(crate) fn validate_fields(
    categories: &[Category],
    incident_at: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Invalid> {
    if categories.is_empty() {
        return Err(Invalid::new("case.categories", Rule::Required));
    }
    if let Some(at) = incident_at {
        let at = DateTime::parse_from_rfc3339(at).map_err(|_| Invalid::new("case.incident_at", Rule::NotADate))?;
        if at > now {
            return Err(Invalid::new("case.incident_at", Rule::InFuture));
        }
    }
    Ok(())
}

/// A text field as stored: trimmed, and None when nothing is left.
pub(crate) fn trimmed(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

impl Casebook {
    /// Takes the next case number of this unit for the current Buddhist year
    /// (`records::numbers`); call inside the transaction that stores the case.
    fn take_case_number(&self) -> Result<String> {
        let year = i64::from(be_year(today()));
        let number = self.take_number(NumberKind::Case, year)?;
        Ok(case_number(self.unit_code(), year, &number))
    }

    pub fn create_case(&mut self, session: &Session, input: &CaseInput) -> Result<Case> {
        session.require(Permission::EditCases)?;
        validate(input, Utc::now())?;
        self.load_person(&input.client_id)?;
        let id = new_id();
        let mut fields = rows::encode(input)?;
        fields.insert(
            "status".into(),
            serde_json::to_value(Status::Intake).map_err(|e| Error::Corrupt(e.to_string()))?,
        );
        if input.case_manager_id.is_none() {
            fields.insert("case_manager_id".into(), session.user_id.clone().into());
        }
        fields.insert("held_by".into(), self.unit_code().into());
        self.batch(|book| {
            fields.insert("case_number".into(), book.take_case_number()?.into());
            book.write(session, Entity::Case, &id, fields, "case.create", None)
        })?;
        self.load_case(&id)
    }

    /// Whether this book's unit may write to the case, as the hub judges it: the unit that
    /// opened it, the one holding it now, or a partner it was referred to. A coordinator sees
    /// other units' cases, and a unit keeps seeing a case it transferred on; neither writes to
    /// them (the hub would refuse it).
    pub(crate) fn unit_writes_case(&self, case: &Case, case_id: &str) -> Result<bool> {
        let unit = self.unit_code();
        if case.unit_code == unit || case.held_by.as_deref() == Some(unit) {
            return Ok(true);
        }
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM referrals WHERE case_id = ?1 AND to_unit = ?2")?
            .exists([case_id, unit])?)
    }

    pub(crate) fn load_case(&self, id: &str) -> Result<Case> {
        let row = rows::get(&self.conn, &self.catalog, "cases", id)?.ok_or(Error::NoSuchRecord("case"))?;
        rows::decode(row)
    }

    /// The case's number alone: it identifies no one, so reading it is not an audited view.
    pub fn case_number(&self, session: &Session, id: &str) -> Result<String> {
        session.require(Permission::ViewCases)?;
        Ok(self.load_case(id)?.case_number)
    }

    /// The client of the case with this number (a data-subject request names the person by
    /// it): the case that has it now before one that had it before. Only an id comes back, so
    /// it is not an audited view.
    pub fn client_of_case_number(&self, session: &Session, number: &str) -> Result<Option<String>> {
        session.require(Permission::ViewCases)?;
        Ok(self
            .conn
            .query_row(
                "SELECT client_id FROM cases WHERE case_number = ?1
                 OR EXISTS (SELECT 1 FROM json_each(former_numbers) WHERE value = ?1)
                 ORDER BY case_number = ?1 DESC LIMIT 1",
                [number.trim()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records that a document about the case left the book (printed, saved as PDF, exported):
    /// who, when, and which document. Call it as the document is produced.
    pub fn record_export(&mut self, session: &Session, case_id: &str, document: &str) -> Result<()> {
        session.require(Permission::ExportCases)?;
        self.load_case(case_id)?;
        self.audit(
            session,
            "case.export",
            Some(Entity::Case),
            Some(case_id),
            Some(document),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_in_the_future_is_refused() {
        let input = CaseInput {
            client_id: "p".into(),
            source: Source::WalkIn,
            categories: vec![Category::ViolenceWoman],
            violence_types: vec![],
            risk: Risk::Yellow,
            case_manager_id: None,
            incident_at: Some("2999-01-01T00:00:00Z".into()),
            consent: None,
            legal_basis: None,
        };
        assert_eq!(
            validate(&input, Utc::now()).unwrap_err(),
            Invalid::new("case.incident_at", Rule::InFuture)
        );
        let no_category = CaseInput {
            categories: vec![],
            incident_at: None,
            ..input
        };
        assert_eq!(validate(&no_category, Utc::now()).unwrap_err().rule, Rule::Required);
    }
}
