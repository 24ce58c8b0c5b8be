//! Around a case: the people in it and how they relate to the client, the incident, and the
//! individual care plan.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::parse_date;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::case::ViolenceType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PartyRole {
    Client,
    AllegedPerpetrator,
    Guardian,
    Reporter,
    Relative,
    Witness,
    /// A survivor who supports the client as a peer volunteer or mentor (`records::volunteer`).
    Volunteer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Relationship {
    Spouse,
    Partner,
    FormerPartner,
    Parent,
    StepParent,
    Child,
    Sibling,
    Relative,
    Teacher,
    Employer,
    Neighbour,
    Friend,
    Acquaintance,
    Stranger,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CaseParty {
    pub case_id: String,
    pub person_id: String,
    pub role: PartyRole,
    /// To the client.
    pub relationship: Option<Relationship>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PlaceKind {
    Home,
    School,
    Workplace,
    Public,
    Online,
    Institution,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Incident {
    pub case_id: String,
    /// ISO-8601 instant.
    pub occurred_at: Option<String>,
    pub place_kind: Option<PlaceKind>,
    pub area_code: Option<String>,
    pub description: Option<String>,
    pub violence_types: Vec<ViolenceType>,
}

/// What a care-plan goal or an assessment is about: basic rights, the four necessities (food,
/// shelter, clothing, medicine) and the rest of a person's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Domain {
    Food,
    Clothing,
    Medicine,
    Safety,
    Health,
    Shelter,
    Legal,
    Education,
    Income,
    DocumentsAndRights,
    Psychosocial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum GoalStatus {
    Open,
    InProgress,
    Achieved,
    NotAchieved,
    Dropped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CarePlanGoal {
    pub case_id: String,
    pub domain: Domain,
    pub goal: String,
    pub agency_id: Option<String>,
    /// ISO date (a BE year is accepted on input).
    pub due_date: Option<String>,
    pub status: GoalStatus,
    /// Measured on the person: were basic rights and the four necessities reached?
    pub outcome: Option<String>,
    /// When the goal is next reviewed (ISO date).
    #[serde(default)]
    pub review_on: Option<String>,
}

impl Casebook {
    pub fn record_incident(&mut self, session: &Session, incident: &Incident) -> Result<String> {
        session.require(Permission::EditCases)?;
        if let Some(at) = incident.occurred_at.as_deref() {
            let at =
                DateTime::parse_from_rfc3339(at).map_err(|_| Invalid::new("incident.occurred_at", Rule::NotADate))?;
            if at > Utc::now() {
                return Err(Invalid::new("incident.occurred_at", Rule::InFuture).into());
            }
        }
        self.load_case(&incident.case_id)?;
        self.insert_record(session, Entity::Incident, incident, "incident.add")
    }

    /// The case's incident: the first one recorded (intake records one).
    pub(crate) fn case_incident(&self, case_id: &str) -> Result<Option<Stored<Incident>>> {
        Ok(self
            .records(
                Entity::Incident,
                "WHERE case_id = ?1 ORDER BY created_at, id LIMIT 1",
                &[&case_id],
            )?
            .into_iter()
            .next())
    }

    /// Keeps the case's incident as the case form says: its changed fields written, or a new
    /// one recorded when the case has none and the form describes one. The area stays as it is.
    pub(crate) fn keep_incident(&mut self, session: &Session, incident: Incident) -> Result<()> {
        match self.case_incident(&incident.case_id)? {
            Some(stored) => {
                let mut fields = crate::store::rows::encode(&incident)?;
                fields.remove("area_code");
                fields.remove("case_id");
                self.write_changes(session, Entity::Incident, &stored.id, fields, "incident.update")?;
            }
            None if incident.occurred_at.is_some()
                || incident.description.is_some()
                || incident.place_kind.is_some() =>
            {
                self.record_incident(session, &incident)?;
            }
            None => {}
        }
        Ok(())
    }

    pub fn incidents(&self, session: &Session, case_id: &str) -> Result<Vec<Stored<Incident>>> {
        session.require(Permission::ViewCases)?;
        self.records(Entity::Incident, "WHERE case_id = ?1 ORDER BY occurred_at", &[&case_id])
    }

    pub fn add_goal(&mut self, session: &Session, goal: &CarePlanGoal) -> Result<String> {
        session.require(Permission::EditCases)?;
        let goal = validate_goal(goal)?;
        self.load_case(&goal.case_id)?;
        self.insert_record(session, Entity::CarePlanGoal, &goal, "care_plan.add")
    }

    pub fn update_goal(&mut self, session: &Session, id: &str, goal: &CarePlanGoal) -> Result<()> {
        session.require(Permission::EditCases)?;
        let goal = validate_goal(goal)?;
        self.update_record(session, Entity::CarePlanGoal, id, &goal, "care_plan.update")
    }

    pub fn care_plan(&self, session: &Session, case_id: &str) -> Result<Vec<Stored<CarePlanGoal>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::CarePlanGoal,
            "WHERE case_id = ?1 ORDER BY domain, due_date",
            &[&case_id],
        )
    }
}

fn validate_goal(goal: &CarePlanGoal) -> Result<CarePlanGoal, Invalid> {
    if goal.goal.trim().is_empty() {
        return Err(Invalid::new("goal.goal", Rule::Required));
    }
    let date = |value: &Option<String>, field: &str| -> Result<Option<String>, Invalid> {
        match value.as_deref().filter(|d| !d.trim().is_empty()) {
            Some(text) => Ok(Some(
                parse_date(text)
                    .ok_or_else(|| Invalid::new(field, Rule::NotADate))?
                    .to_string(),
            )),
            None => Ok(None),
        }
    };
    Ok(CarePlanGoal {
        goal: goal.goal.trim().to_owned(),
        due_date: date(&goal.due_date, "goal.due_date")?,
        review_on: date(&goal.review_on, "goal.review_on")?,
        outcome: goal
            .outcome
            .as_deref()
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned),
        ..goal.clone()
    })
}
