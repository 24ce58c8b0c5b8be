//! Partner agencies and referrals to them. A referral is tracked until done even when the
//! agency has no system of its own: its reply comes back on the paper slip and is typed in.

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
pub enum AgencyType {
    Police,
    Hospital,
    School,
    LocalGovernment,
    Shelter,
    Court,
    Prosecutor,
    LabourOffice,
    SocialDevelopment,
    Ngo,
    Other,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Contact {
    pub name: String,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Agency {
    pub name: String,
    pub agency_type: AgencyType,
    /// As it goes on a letter's address block.
    pub address: Option<String>,
    pub contacts: Vec<Contact>,
    pub services: Vec<String>,
    /// The partnership's written mission.
    pub mission: Option<String>,
    /// The partner's unit code on the province hub, when it keeps its cases in this app: a
    /// referral to it shares the case (with its history) with that unit.
    pub hub_unit: Option<String>,
}

impl Agency {
    /// An agency with a name and type only; address, contacts and mission added later.
    pub fn new(name: &str, agency_type: AgencyType) -> Agency {
        Agency {
            name: name.to_owned(),
            agency_type,
            address: None,
            contacts: Vec::new(),
            services: Vec::new(),
            mission: None,
            hub_unit: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Urgency {
    Normal,
    Urgent,
    VeryUrgent,
    MostUrgent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReferralStatus {
    Draft,
    Sent,
    Received,
    Accepted,
    Declined,
    Completed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Referral {
    pub case_id: String,
    pub agency_id: String,
    pub reason: String,
    pub services: Vec<String>,
    pub urgency: Urgency,
    /// "CPN/123" once a letter is issued.
    pub letter_number: Option<String>,
    pub status: ReferralStatus,
    /// The agency's reply, from the returned slip.
    pub reply: Option<String>,
    /// The unit the referral shares the case with: set from the agency's hub unit when the
    /// referral is made (what is given here is ignored).
    #[serde(default)]
    pub to_unit: Option<String>,
}

fn validate_agency(agency: &Agency) -> Result<()> {
    if agency.name.trim().is_empty() {
        return Err(Invalid::new("agency.name", Rule::Required).into());
    }
    if let Some(unit) = &agency.hub_unit {
        crate::book::validate_unit_code("agency.hub_unit", unit)?;
    }
    Ok(())
}

impl Casebook {
    pub fn add_agency(&mut self, session: &Session, agency: &Agency) -> Result<String> {
        session.require(Permission::EditCases)?;
        validate_agency(agency)?;
        self.insert_record(session, Entity::Agency, agency, "agency.add")
    }

    pub fn update_agency(&mut self, session: &Session, id: &str, agency: &Agency) -> Result<()> {
        session.require(Permission::EditCases)?;
        validate_agency(agency)?;
        self.update_record(session, Entity::Agency, id, agency, "agency.update")
    }

    pub fn agencies(&self, session: &Session) -> Result<Vec<Stored<Agency>>> {
        session.require(Permission::ViewCases)?;
        self.records(Entity::Agency, "ORDER BY name", &[])
    }

    pub fn create_referral(&mut self, session: &Session, referral: &Referral) -> Result<String> {
        session.require(Permission::EditCases)?;
        if referral.reason.trim().is_empty() {
            return Err(Invalid::new("referral.reason", Rule::Required).into());
        }
        self.load_case(&referral.case_id)?;
        let agency = self.record::<Agency>(Entity::Agency, &referral.agency_id)?;
        let referral = Referral {
            to_unit: agency.hub_unit.filter(|unit| unit != self.unit_code()),
            ..referral.clone()
        };
        self.insert_record(session, Entity::Referral, &referral, "referral.create")
    }

    /// Records a step of the referral (sent, the agency's reply, done).
    pub fn update_referral(
        &mut self,
        session: &Session,
        id: &str,
        status: ReferralStatus,
        reply: Option<&str>,
    ) -> Result<()> {
        session.require(Permission::EditCases)?;
        let mut referral: Referral = self.record(Entity::Referral, id)?;
        referral.status = status;
        if let Some(reply) = reply.map(str::trim).filter(|r| !r.is_empty()) {
            referral.reply = Some(reply.to_owned());
        }
        self.update_record(session, Entity::Referral, id, &referral, "referral.update")
    }

    /// Issues the referral's letter: takes the next register number, marks the referral sent
    /// with that number, and audits the export, all in one transaction. Returns the referral
    /// as it now stands and its register entry.
    pub fn issue_referral_letter(
        &mut self,
        session: &Session,
        id: &str,
        subject: &str,
    ) -> Result<(Stored<Referral>, Stored<crate::register::RegisterEntry>)> {
        session.require(Permission::EditCases)?;
        self.batch(|book| {
            let mut referral: Referral = book.record(Entity::Referral, id)?;
            let entry = book.issue_letter_number(session, subject, Some(id))?;
            referral.letter_number = Some(format!("{}/{}", book.unit_code(), entry.record.number));
            referral.status = ReferralStatus::Sent;
            book.update_record(session, Entity::Referral, id, &referral, "referral.sent")?;
            book.record_export(session, &referral.case_id, "referral_letter")?;
            Ok((book.record(Entity::Referral, id)?, entry))
        })
    }

    /// The agency a referral goes to.
    pub fn agency(&self, session: &Session, id: &str) -> Result<Stored<Agency>> {
        session.require(Permission::ViewCases)?;
        self.record(Entity::Agency, id)
    }

    pub fn referral(&self, session: &Session, id: &str) -> Result<Stored<Referral>> {
        session.require(Permission::ViewCases)?;
        self.record(Entity::Referral, id)
    }

    pub fn referrals(&self, session: &Session, case_id: &str) -> Result<Vec<Stored<Referral>>> {
        session.require(Permission::ViewCases)?;
        self.records(Entity::Referral, "WHERE case_id = ?1 ORDER BY created_at", &[&case_id])
    }
}
