//! Cases: numbered `UNIT-BE_YEAR-NNNN`, with source, categories, violence types, risk and a
//! status that moves intake → assessment → planning → in service → follow-up → closed.

use crate::book::{Casebook, new_id, now_iso};
use crate::dates::{be_year, parse_date};
use crate::entity::Entity;
use crate::error::{Error, Invalid, Result, Rule};
use crate::permissions::{Permission, Session};
use crate::person::{PersonMasked, Sex, today, years_between};
use crate::rows;
use crate::timeline::TimelineEntry;
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Risk {
    Red,
    Yellow,
    Green,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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
    pub next_due_date: Option<String>,
    /// The unit responsible for the case now; another unit's code once transferred.
    pub held_by: Option<String>,
}

/// A row of the case list: nothing that names or locates anyone.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseRow {
    pub id: String,
    pub case_number: String,
    pub age_band: Option<String>,
    pub sex: Sex,
    pub categories: Vec<Category>,
    pub risk: Risk,
    pub status: Status,
    pub case_manager_id: Option<String>,
    pub case_manager_name: Option<String>,
    pub next_due_date: Option<String>,
}

/// The case page: the case, its client masked, and its timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseView {
    pub case: Case,
    /// The case manager's name, when the manager is a user of this unit.
    pub case_manager_name: Option<String>,
    pub client: PersonMasked,
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseFilter {
    pub status: Option<Status>,
    pub risk: Option<Risk>,
    pub category: Option<Category>,
    pub mine: bool,
    /// Only cases whose next due date has passed.
    pub overdue: bool,
    #[ts(type = "number | null")]
    pub limit: Option<i64>,
    #[ts(type = "number | null")]
    pub offset: Option<i64>,
}

pub fn age_band(age: Option<i64>) -> Option<String> {
    let age = age?;
    Some(
        match age {
            0..=5 => "0-5",
            6..=11 => "6-11",
            12..=17 => "12-17",
            18..=24 => "18-24",
            25..=59 => "25-59",
            _ => "60+",
        }
        .to_owned(),
    )
}

fn validate(input: &CaseInput, now: DateTime<Utc>) -> Result<(), Invalid> {
    if input.client_id.trim().is_empty() {
        return Err(Invalid::new("case.client_id", Rule::Required));
    }
    if input.categories.is_empty() {
        return Err(Invalid::new("case.categories", Rule::Required));
    }
    if let Some(at) = input.incident_at.as_deref() {
        let at = DateTime::parse_from_rfc3339(at).map_err(|_| Invalid::new("case.incident_at", Rule::NotADate))?;
        if at > now {
            return Err(Invalid::new("case.incident_at", Rule::InFuture));
        }
    }
    Ok(())
}

impl Casebook {
    /// Takes the next case number of this unit for the current Buddhist year; call inside
    /// the transaction that stores the case, so a number is never lost or given twice.
    fn take_case_number(&self) -> Result<String> {
        let year = be_year(today());
        let next: i64 = self.conn.query_row(
            "INSERT INTO case_counters (unit_code, be_year, last) VALUES (?1, ?2, 1)
             ON CONFLICT (unit_code, be_year) DO UPDATE SET last = last + 1 RETURNING last",
            rusqlite::params![self.unit_code(), year],
            |r| r.get(0),
        )?;
        Ok(format!("{}-{year}-{next:04}", self.unit_code()))
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

    pub(crate) fn load_case(&self, id: &str) -> Result<Case> {
        let row = rows::get(&self.conn, &self.catalog, "cases", id)?.ok_or(Error::NoSuchRecord("case"))?;
        rows::decode(row)
    }

    /// Moves the case to another status; the reason is kept in the timeline.
    pub fn change_status(&mut self, session: &Session, id: &str, status: Status, reason: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        if reason.trim().is_empty() {
            return Err(Invalid::new("case.status_reason", Rule::Required).into());
        }
        let case = self.load_case(id)?;
        let mut fields = rows::Fields::new();
        fields.insert(
            "status".into(),
            serde_json::to_value(status).map_err(|e| Error::Corrupt(e.to_string()))?,
        );
        if status == Status::Closed {
            fields.insert("closure_reason".into(), reason.trim().into());
        }
        self.write(session, Entity::Case, id, fields, "case.status", None)?;
        let note = format!("{:?} → {:?}: {}", case.status, status, reason.trim());
        self.add_timeline_entry(session, id, crate::timeline::EntryKind::StatusChange, &note, &now_iso())?;
        Ok(())
    }

    /// Opens the case page. A view is audited.
    pub fn open_case(&mut self, session: &Session, id: &str) -> Result<CaseView> {
        session.require(Permission::ViewCases)?;
        let case = self.load_case(id)?;
        let client = self.load_person(&case.client_id)?.masked(today());
        let timeline = self.timeline(id)?;
        let case_manager_name = match &case.case_manager_id {
            Some(user) => self
                .conn
                .query_row("SELECT display_name FROM users WHERE id = ?1", [user], |r| r.get(0))
                .optional()?,
            None => None,
        };
        self.audit(session, "case.view", Some(Entity::Case), Some(id), None)?;
        Ok(CaseView {
            case,
            case_manager_name,
            client,
            timeline,
        })
    }

    /// The case's number alone: it identifies no one, so reading it is not an audited view.
    pub fn case_number(&self, session: &Session, id: &str) -> Result<String> {
        session.require(Permission::ViewCases)?;
        Ok(self.load_case(id)?.case_number)
    }

    /// The client of the case with this number (a data-subject request names the person by
    /// it). Only an id comes back, so it is not an audited view.
    pub fn client_of_case_number(&self, session: &Session, number: &str) -> Result<Option<String>> {
        session.require(Permission::ViewCases)?;
        Ok(self
            .conn
            .query_row(
                "SELECT client_id FROM cases WHERE case_number = ?1",
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

    /// Who did what with this case and its client: the case page's access history.
    pub fn case_audit(&self, session: &Session, case_id: &str) -> Result<Vec<crate::audit::AuditEntry>> {
        session.require(Permission::ViewCases)?;
        let case = self.load_case(case_id)?;
        let mut entries = crate::audit::recent(&self.conn, Some(case_id), 200)?;
        entries.extend(crate::audit::recent(&self.conn, Some(&case.client_id), 200)?);
        entries.sort_by_key(|e| std::cmp::Reverse(e.seq));
        Ok(entries)
    }

    pub fn list_cases(&self, session: &Session, filter: &CaseFilter) -> Result<Vec<CaseRow>> {
        session.require(Permission::ViewCases)?;
        self.case_rows(session, filter, None)
    }

    /// How many cases the filter matches (for the list's scroll height).
    pub fn count_cases(&self, session: &Session, filter: &CaseFilter) -> Result<i64> {
        session.require(Permission::ViewCases)?;
        let (where_sql, args) = filter_sql(session, filter, None)?;
        let sql = format!("SELECT count(*) FROM cases c WHERE 1 = 1{where_sql}");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?)
    }

    /// Case rows, optionally only the given ids (search results), newest first.
    pub(crate) fn case_rows(
        &self,
        session: &Session,
        filter: &CaseFilter,
        ids: Option<&[String]>,
    ) -> Result<Vec<CaseRow>> {
        let (where_sql, args) = filter_sql(session, filter, ids)?;
        let mut sql = String::from(
            "SELECT c.id, c.case_number, p.birth_date, p.estimated_age, p.sex, c.categories, c.risk, c.status,
                    c.case_manager_id, c.next_due_date, u.display_name
             FROM cases c JOIN persons p ON p.id = c.client_id LEFT JOIN users u ON u.id = c.case_manager_id
             WHERE 1 = 1",
        );
        sql.push_str(&where_sql);
        sql.push_str(&format!(
            " ORDER BY c.created_at DESC, c.id DESC LIMIT {} OFFSET {}",
            filter.limit.unwrap_or(200).clamp(1, 10_000),
            filter.offset.unwrap_or(0).max(0)
        ));
        let today = today();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, case_number, birth, estimated, sex, categories, risk, status, manager, due, manager_name) = row?;
            let age = birth.as_deref().and_then(parse_date).map(|b| years_between(b, today));
            out.push(CaseRow {
                id,
                case_number,
                age_band: age_band(age.or(estimated)),
                sex: from_name(sex)?,
                categories: serde_json::from_str(&categories).map_err(|e| Error::Corrupt(e.to_string()))?,
                risk: from_name(risk)?,
                status: from_name(status)?,
                case_manager_id: manager,
                case_manager_name: manager_name,
                next_due_date: due,
            });
        }
        Ok(out)
    }
}

/// The WHERE clauses (each starting " AND") and their arguments for a case filter.
fn filter_sql(session: &Session, filter: &CaseFilter, ids: Option<&[String]>) -> Result<(String, Vec<String>)> {
    let mut sql = String::new();
    let mut args: Vec<String> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, value: String| {
        args.push(value);
        sql.push_str(&clause.replace('?', &format!("?{}", args.len())));
    };
    if let Some(status) = filter.status {
        bind(&mut sql, " AND c.status = ?", rows::serde_name(&status));
    }
    if let Some(risk) = filter.risk {
        bind(&mut sql, " AND c.risk = ?", rows::serde_name(&risk));
    }
    if let Some(category) = filter.category {
        bind(
            &mut sql,
            " AND EXISTS (SELECT 1 FROM json_each(c.categories) WHERE value = ?)",
            rows::serde_name(&category),
        );
    }
    if filter.mine {
        bind(&mut sql, " AND c.case_manager_id = ?", session.user_id.clone());
    }
    if filter.overdue {
        bind(&mut sql, " AND c.next_due_date < ?", today().to_string());
    }
    if let Some(ids) = ids {
        let list = serde_json::to_string(ids).map_err(|e| Error::Corrupt(e.to_string()))?;
        bind(&mut sql, " AND c.id IN (SELECT value FROM json_each(?))", list);
    }
    Ok((sql, args))
}

fn from_name<T: serde::de::DeserializeOwned>(name: String) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(name)).map_err(|e| Error::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_bands_split_children_from_adults() {
        assert_eq!(age_band(Some(17)).as_deref(), Some("12-17"));
        assert_eq!(age_band(Some(18)).as_deref(), Some("18-24"));
        assert_eq!(age_band(None), None);
    }

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
