//! Multidisciplinary case conferences (การประชุมทีมสหวิชาชีพ): who met, which cases, what was
//! decided, and who promised to do what by when. Open action items carry over until done.

use crate::book::Casebook;
use crate::entity::Entity;
use crate::error::{Invalid, Result, Rule};
use crate::permissions::{Permission, Session};
use crate::records::Stored;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConferenceStatus {
    Planned,
    InSession,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Conference {
    pub held_at: String,
    pub venue: Option<String>,
    pub chair: Option<String>,
    pub minute_taker: Option<String>,
    pub status: ConferenceStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attendee {
    pub conference_id: String,
    pub name: String,
    pub agency_id: Option<String>,
    pub agency_name: Option<String>,
    pub role: Option<String>,
    pub confidentiality_ack: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgendaCase {
    pub conference_id: String,
    pub case_id: String,
    #[ts(type = "number")]
    pub position: i64,
    /// Pseudonymized summary prepared for the room.
    pub summary: Option<String>,
    pub risk_assessment: Option<String>,
    pub decisions: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ActionStatus {
    Open,
    Done,
    Dropped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionItem {
    pub conference_case_id: String,
    pub case_id: String,
    pub task: String,
    pub agency_id: Option<String>,
    pub agency_name: Option<String>,
    pub person: Option<String>,
    pub due_date: Option<String>,
    pub status: ActionStatus,
}

impl Casebook {
    pub fn plan_conference(&mut self, session: &Session, conference: &Conference) -> Result<String> {
        session.require(Permission::RunConferences)?;
        if conference.held_at.trim().is_empty() {
            return Err(Invalid::new("conference.held_at", Rule::Required).into());
        }
        self.insert_record(session, Entity::Conference, conference, "conference.plan")
    }

    pub fn set_conference_status(&mut self, session: &Session, id: &str, status: ConferenceStatus) -> Result<()> {
        session.require(Permission::RunConferences)?;
        let conference: Conference = self.record(Entity::Conference, id)?;
        self.update_record(
            session,
            Entity::Conference,
            id,
            &Conference { status, ..conference },
            "conference.status",
        )
    }

    pub fn add_attendee(&mut self, session: &Session, attendee: &Attendee) -> Result<String> {
        session.require(Permission::RunConferences)?;
        if attendee.name.trim().is_empty() {
            return Err(Invalid::new("attendee.name", Rule::Required).into());
        }
        self.record::<Conference>(Entity::Conference, &attendee.conference_id)?;
        self.insert_record(session, Entity::ConferenceAttendee, attendee, "conference.attendee")
    }

    pub fn add_agenda_case(&mut self, session: &Session, item: &AgendaCase) -> Result<String> {
        session.require(Permission::RunConferences)?;
        self.record::<Conference>(Entity::Conference, &item.conference_id)?;
        self.load_case(&item.case_id)?;
        self.insert_record(session, Entity::ConferenceCase, item, "conference.agenda")
    }

    pub fn record_decisions(
        &mut self,
        session: &Session,
        agenda_id: &str,
        risk_assessment: Option<&str>,
        decisions: &str,
    ) -> Result<()> {
        session.require(Permission::RunConferences)?;
        let item: AgendaCase = self.record(Entity::ConferenceCase, agenda_id)?;
        let updated = AgendaCase {
            risk_assessment: risk_assessment.map(str::to_owned).or(item.risk_assessment.clone()),
            decisions: Some(decisions.to_owned()),
            ..item
        };
        self.update_record(
            session,
            Entity::ConferenceCase,
            agenda_id,
            &updated,
            "conference.decisions",
        )
    }

    pub fn add_action_item(&mut self, session: &Session, item: &ActionItem) -> Result<String> {
        session.require(Permission::RunConferences)?;
        if item.task.trim().is_empty() {
            return Err(Invalid::new("action.task", Rule::Required).into());
        }
        self.record::<AgendaCase>(Entity::ConferenceCase, &item.conference_case_id)?;
        self.insert_record(session, Entity::ActionItem, item, "conference.action")
    }

    pub fn set_action_status(&mut self, session: &Session, id: &str, status: ActionStatus) -> Result<()> {
        session.require(Permission::RunConferences)?;
        let item: ActionItem = self.record(Entity::ActionItem, id)?;
        self.update_record(
            session,
            Entity::ActionItem,
            id,
            &ActionItem { status, ..item },
            "conference.action_status",
        )
    }

    /// What is still open for a case, from every conference: carried to the next one.
    pub fn open_actions(&self, session: &Session, case_id: &str) -> Result<Vec<Stored<ActionItem>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::ActionItem,
            "WHERE case_id = ?1 AND status = 'open' ORDER BY due_date",
            &[&case_id],
        )
    }

    pub fn attendees(&self, session: &Session, conference_id: &str) -> Result<Vec<Stored<Attendee>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::ConferenceAttendee,
            "WHERE conference_id = ?1 ORDER BY created_at",
            &[&conference_id],
        )
    }

    pub fn agenda(&self, session: &Session, conference_id: &str) -> Result<Vec<Stored<AgendaCase>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::ConferenceCase,
            "WHERE conference_id = ?1 ORDER BY position",
            &[&conference_id],
        )
    }
}
