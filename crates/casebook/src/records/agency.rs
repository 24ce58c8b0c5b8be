//! Partner agencies: the directory letters and referrals are addressed from.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
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
    /// The agency's unit code on the provincial hub, when it keeps its cases in this app: a
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

    /// The agency a referral goes to.
    pub fn agency(&self, session: &Session, id: &str) -> Result<Stored<Agency>> {
        session.require(Permission::ViewCases)?;
        self.record(Entity::Agency, id)
    }
}
