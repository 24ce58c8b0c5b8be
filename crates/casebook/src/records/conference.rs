//! Multidisciplinary case conferences (การประชุมทีมสหวิชาชีพ): who met, which cases, what was
//! decided, and the action items: who does what by when. Open action items carry over until
//! done.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, thai_date_time, thai_long};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::care::{CarePlanGoal, Domain, GoalStatus};
use crate::records::timeline::EntryKind;
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
    /// The agenda case it was given at (the SQL and wire name keeps `conference_case`).
    pub conference_case_id: String,
    pub case_id: String,
    pub task: String,
    pub agency_id: Option<String>,
    pub agency_name: Option<String>,
    pub person: Option<String>,
    pub due_date: Option<String>,
    pub status: ActionStatus,
    /// The care-plan domain the action item serves; the action becomes a goal of the case's plan.
    pub domain: Domain,
    /// That goal, set by the book.
    pub goal_id: Option<String>,
}

/// What the projector shows of the case being discussed: never a name, ID, phone or address.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProjectorView {
    /// 1-based place of the case on the agenda, and the agenda's length.
    #[ts(type = "number")]
    pub position: i64,
    #[ts(type = "number")]
    pub total: i64,
    pub summary: String,
    pub risk_assessment: String,
    pub decisions: String,
    pub actions: Vec<ProjectedAction>,
    /// Open action items from earlier conferences about this case.
    pub carried: Vec<ProjectedAction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProjectedAction {
    pub task: String,
    pub agency: String,
    pub person: String,
    pub due_date: Option<String>,
}

/// An open action item past its due date, for the overdue view.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OverdueAction {
    pub action: Stored<ActionItem>,
    pub case_number: String,
    pub conference_held_at: String,
    #[ts(type = "number")]
    pub days_overdue: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AgendaRow {
    pub agenda_case: Stored<AgendaCase>,
    pub case_number: String,
    pub actions: Vec<Stored<ActionItem>>,
    /// Open action items about this case from earlier conferences.
    pub carried: Vec<Stored<ActionItem>>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConferenceDetail {
    pub conference: Stored<Conference>,
    pub attendees: Vec<Stored<Attendee>>,
    pub agenda: Vec<AgendaRow>,
}

impl Casebook {
    pub fn plan_conference(&mut self, session: &Session, conference: &Conference) -> Result<String> {
        session.require(Permission::RunConferences)?;
        if conference.held_at.trim().is_empty() {
            return Err(Invalid::new("conference.held_at", Rule::Required).into());
        }
        self.insert_record(session, Entity::Conference, conference, "conference.plan")
    }

    /// Opens or closes the conference. Closing writes each discussed case's decisions and the
    /// action items given into that case's timeline, for the cases this unit writes to (a
    /// coordinator's conference on a unit's case keeps them in its minutes, which the unit
    /// receives).
    pub fn set_conference_status(&mut self, session: &Session, id: &str, status: ConferenceStatus) -> Result<()> {
        session.require(Permission::RunConferences)?;
        let conference: Conference = self.record(Entity::Conference, id)?;
        let closing = status == ConferenceStatus::Closed && conference.status != ConferenceStatus::Closed;
        self.batch(|book| {
            if closing {
                for agenda_case in book.agenda(session, id)? {
                    // Dates as the timeline and the printed summary show them: Buddhist era.
                    let mut body = format!("ประชุมทีมสหวิชาชีพ {}", thai_date_time(&conference.held_at));
                    if let Some(decisions) = agenda_case.record.decisions.as_deref().filter(|d| !d.trim().is_empty()) {
                        body.push_str(&format!("\nมติ: {}", decisions.trim()));
                    }
                    for action in book.agenda_case_actions(session, &agenda_case.id)? {
                        let a = action.record;
                        body.push_str(&format!(
                            "\nมอบหมาย: {} ({}{}){}",
                            a.task,
                            a.agency_name.as_deref().unwrap_or("-"),
                            a.person.map(|p| format!(", {p}")).unwrap_or_default(),
                            a.due_date
                                .map(|d| format!(" ภายใน {}", parse_date(&d).map_or(d, thai_long)))
                                .unwrap_or_default()
                        ));
                    }
                    let case_id = &agenda_case.record.case_id;
                    if book.unit_writes_case(&book.load_case(case_id)?, case_id)? {
                        book.append_entry(
                            session,
                            case_id,
                            EntryKind::ConferenceDecision,
                            &body,
                            chrono::Utc::now(),
                            None,
                        )?;
                    }
                }
            }
            book.update_record(
                session,
                Entity::Conference,
                id,
                &Conference { status, ..conference },
                "conference.status",
            )
        })
    }

    pub fn conferences(&self, session: &Session) -> Result<Vec<Stored<Conference>>> {
        session.require(Permission::RunConferences)?;
        self.records(Entity::Conference, "ORDER BY held_at DESC", &[])
    }

    pub fn conference(&self, session: &Session, id: &str) -> Result<Stored<Conference>> {
        session.require(Permission::RunConferences)?;
        self.record(Entity::Conference, id)
    }

    /// The summary a case starts with on the agenda: its pseudonym, the rest added by the app.
    pub fn agenda_pseudonym(&self, session: &Session, case_id: &str, position: usize) -> Result<String> {
        session.require(Permission::RunConferences)?;
        self.case_pseudonym(case_id, position)
    }

    pub fn agenda_case_actions(&self, session: &Session, agenda_case_id: &str) -> Result<Vec<Stored<ActionItem>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::ActionItem,
            "WHERE conference_case_id = ?1 ORDER BY created_at",
            &[&agenda_case_id],
        )
    }

    /// Puts an agenda case on the projector; audited, since the room sees it.
    pub fn project_case(&mut self, session: &Session, agenda_case_id: &str) -> Result<()> {
        session.require(Permission::RunConferences)?;
        let agenda_case: AgendaCase = self.record(Entity::ConferenceCase, agenda_case_id)?;
        self.audit(
            session,
            "conference.project",
            Some(Entity::Case),
            Some(&agenda_case.case_id),
            Some(agenda_case_id),
        )
    }

    /// The projector's screen for an agenda case. `draft` is the decisions text as it is being
    /// typed (not yet saved). Every text is passed through `redact` with the case's identifiers
    /// (`Redactor`).
    pub fn projector_view(
        &self,
        session: &Session,
        agenda_case_id: &str,
        draft: Option<&str>,
    ) -> Result<ProjectorView> {
        session.require(Permission::RunConferences)?;
        let agenda_case: Stored<AgendaCase> = self.record(Entity::ConferenceCase, agenda_case_id)?;
        let agenda = self.agenda(session, &agenda_case.record.conference_id)?;
        let redactor = self.case_redactor(&agenda_case.record.case_id)?;
        let clean = |text: Option<&str>| redactor.redact(text.unwrap_or_default());
        let project = |a: &ActionItem| ProjectedAction {
            task: clean(Some(&a.task)),
            agency: clean(a.agency_name.as_deref()),
            person: clean(a.person.as_deref()),
            due_date: a.due_date.clone(),
        };
        let actions: Vec<Stored<ActionItem>> = self.agenda_case_actions(session, agenda_case_id)?;
        let carried = self
            .open_actions(session, &agenda_case.record.case_id)?
            .into_iter()
            .filter(|a| a.record.conference_case_id != agenda_case_id)
            .map(|a| project(&a.record))
            .collect();
        Ok(ProjectorView {
            position: agenda
                .iter()
                .position(|a| a.id == agenda_case_id)
                .map_or(0, |p| p as i64 + 1),
            total: agenda.len() as i64,
            summary: clean(agenda_case.record.summary.as_deref()),
            risk_assessment: clean(agenda_case.record.risk_assessment.as_deref()),
            decisions: clean(draft.or(agenda_case.record.decisions.as_deref())),
            actions: actions.iter().map(|a| project(&a.record)).collect(),
            carried,
        })
    }

    /// Open action items past their due date, across all conferences, most overdue first.
    pub fn overdue_actions(&self, session: &Session, today: chrono::NaiveDate) -> Result<Vec<OverdueAction>> {
        session.require(Permission::ViewCases)?;
        let open: Vec<Stored<ActionItem>> = self.records(
            Entity::ActionItem,
            "WHERE status = 'open' AND due_date IS NOT NULL AND due_date < ?1 ORDER BY due_date",
            &[&today.to_string()],
        )?;
        let mut overdue = Vec::with_capacity(open.len());
        for action in open {
            let case = self.load_case(&action.record.case_id)?;
            let agenda_case: AgendaCase = self.record(Entity::ConferenceCase, &action.record.conference_case_id)?;
            let conference: Conference = self.record(Entity::Conference, &agenda_case.conference_id)?;
            let due = action
                .record
                .due_date
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            overdue.push(OverdueAction {
                days_overdue: due.map_or(0, |d| (today - d).num_days()),
                case_number: case.case_number,
                conference_held_at: conference.held_at,
                action,
            });
        }
        Ok(overdue)
    }

    pub fn add_attendee(&mut self, session: &Session, attendee: &Attendee) -> Result<String> {
        session.require(Permission::RunConferences)?;
        if attendee.name.trim().is_empty() {
            return Err(Invalid::new("attendee.name", Rule::Required).into());
        }
        self.record::<Conference>(Entity::Conference, &attendee.conference_id)?;
        self.insert_record(session, Entity::ConferenceAttendee, attendee, "conference.attendee")
    }

    pub fn add_agenda_case(&mut self, session: &Session, agenda_case: &AgendaCase) -> Result<String> {
        session.require(Permission::RunConferences)?;
        self.record::<Conference>(Entity::Conference, &agenda_case.conference_id)?;
        self.load_case(&agenda_case.case_id)?;
        self.insert_record(session, Entity::ConferenceCase, agenda_case, "conference.agenda")
    }

    /// Saves what the room said about an agenda case: the summary as edited (`None` keeps
    /// it), the risk assessment (`None` keeps it) and the decisions.
    pub fn record_decisions(
        &mut self,
        session: &Session,
        agenda_case_id: &str,
        summary: Option<&str>,
        risk_assessment: Option<&str>,
        decisions: &str,
    ) -> Result<()> {
        session.require(Permission::RunConferences)?;
        let agenda_case: AgendaCase = self.record(Entity::ConferenceCase, agenda_case_id)?;
        let updated = AgendaCase {
            summary: summary.map(str::to_owned).or(agenda_case.summary.clone()),
            risk_assessment: risk_assessment
                .map(str::to_owned)
                .or(agenda_case.risk_assessment.clone()),
            decisions: Some(decisions.to_owned()),
            ..agenda_case
        };
        self.update_record(
            session,
            Entity::ConferenceCase,
            agenda_case_id,
            &updated,
            "conference.decisions",
        )
    }

    /// Records an action item; it also becomes a goal of the case's care plan (same task,
    /// agency and due date), which follows the action item's status, when this unit writes to
    /// the case (`unit_writes_case`).
    pub fn add_action_item(&mut self, session: &Session, item: &ActionItem) -> Result<String> {
        session.require(Permission::RunConferences)?;
        if item.task.trim().is_empty() {
            return Err(Invalid::new("action.task", Rule::Required).into());
        }
        let agenda_case: AgendaCase = self.record(Entity::ConferenceCase, &item.conference_case_id)?;
        let due_date = item
            .due_date
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| crate::dates::parse_date(d).ok_or_else(|| Invalid::new("action.due_date", Rule::NotADate)))
            .transpose()?
            .map(|d| d.to_string());
        let writes_case = self.unit_writes_case(&self.load_case(&agenda_case.case_id)?, &agenda_case.case_id)?;
        self.batch(|book| {
            let goal_id = if writes_case {
                let goal = CarePlanGoal {
                    case_id: agenda_case.case_id.clone(),
                    domain: item.domain,
                    goal: item.task.trim().to_owned(),
                    agency_id: item.agency_id.clone(),
                    due_date: due_date.clone(),
                    status: GoalStatus::Open,
                    outcome: None,
                    review_on: None,
                };
                Some(book.insert_record(session, Entity::CarePlanGoal, &goal, "care_plan.add")?)
            } else {
                None
            };
            let action = ActionItem {
                case_id: agenda_case.case_id.clone(),
                due_date: due_date.clone(),
                goal_id,
                ..item.clone()
            };
            book.insert_record(session, Entity::ActionItem, &action, "conference.action")
        })
    }

    pub fn set_action_status(&mut self, session: &Session, id: &str, status: ActionStatus) -> Result<()> {
        session.require(Permission::RunConferences)?;
        let item: ActionItem = self.record(Entity::ActionItem, id)?;
        self.batch(|book| {
            if let Some(goal_id) = &item.goal_id {
                let goal: CarePlanGoal = book.record(Entity::CarePlanGoal, goal_id)?;
                let goal_status = match status {
                    ActionStatus::Open => GoalStatus::InProgress,
                    ActionStatus::Done => GoalStatus::Achieved,
                    ActionStatus::Dropped => GoalStatus::Dropped,
                };
                book.update_record(
                    session,
                    Entity::CarePlanGoal,
                    goal_id,
                    &CarePlanGoal {
                        status: goal_status,
                        ..goal
                    },
                    "care_plan.update",
                )?;
            }
            book.update_record(
                session,
                Entity::ActionItem,
                id,
                &ActionItem { status, ..item },
                "conference.action_status",
            )
        })
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

    /// The conference page: the conference, its attendees, and each case on the agenda with
    /// its number, its action items, and the open ones carried from earlier conferences.
    pub fn conference_detail(&self, session: &Session, id: &str) -> Result<ConferenceDetail> {
        let mut agenda = Vec::new();
        for agenda_case in self.agenda(session, id)? {
            // Only the number: the page reloads after every change and must not log a case view each time.
            let case_number = self.case_number(session, &agenda_case.record.case_id)?;
            let carried = self
                .open_actions(session, &agenda_case.record.case_id)?
                .into_iter()
                .filter(|a| a.record.conference_case_id != agenda_case.id)
                .collect();
            agenda.push(AgendaRow {
                actions: self.agenda_case_actions(session, &agenda_case.id)?,
                case_number,
                carried,
                agenda_case,
            });
        }
        Ok(ConferenceDetail {
            conference: self.conference(session, id)?,
            attendees: self.attendees(session, id)?,
            agenda,
        })
    }
}
