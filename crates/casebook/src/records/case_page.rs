//! The case page: the case, its client masked, the incident and the other parties, the
//! timeline and the clinical clocks, put together from their records. Opening it is an audited
//! view.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::today;
use crate::error::Result;
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::care::Incident;
use crate::records::case::{Case, Status};
use crate::records::clinical::ClockState;
use crate::records::party::PartyView;
use crate::records::person::PersonMasked;
use crate::records::timeline::TimelineEntry;
use serde::Serialize;
use ts_rs::TS;

/// The case page: the case, its client masked, the incident and the other parties, and its
/// timeline.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CaseView {
    pub case: Case,
    /// The case manager's name, when the manager is a user of this unit.
    pub case_manager_name: Option<String>,
    /// The co-workers' names, those who are users of this unit.
    pub co_worker_names: Vec<String>,
    pub client: PersonMasked,
    pub incident: Option<Stored<Incident>>,
    pub parties: Vec<PartyView>,
    pub timeline: Vec<TimelineEntry>,
    /// The clinical clocks, when the case records sexual violence with the incident's time.
    pub clocks: Vec<ClockState>,
    /// The statuses `change_status` may move the case to.
    pub next_statuses: Vec<Status>,
}

impl Casebook {
    /// Opens the case page. A view is audited.
    pub fn open_case(&mut self, session: &Session, id: &str) -> Result<CaseView> {
        session.require(Permission::ViewCases)?;
        let case = self.load_case(id)?;
        let client = self.load_person(&case.client_id)?.masked(today());
        let timeline = self.timeline(id)?;
        let case_manager_name = match &case.case_manager_id {
            Some(user) => self.user_name(user)?,
            None => None,
        };
        let mut co_worker_names = Vec::new();
        for user in &case.co_worker_ids {
            co_worker_names.extend(self.user_name(user)?);
        }
        let incident = self.case_incident(id)?;
        let parties = self.parties(id)?;
        let clocks = self.clocks(&case)?;
        self.audit(session, "case.view", Some(Entity::Case), Some(id), None)?;
        Ok(CaseView {
            next_statuses: case.status.next_statuses(),
            clocks,
            case,
            case_manager_name,
            co_worker_names,
            client,
            incident,
            parties,
            timeline,
        })
    }
}
