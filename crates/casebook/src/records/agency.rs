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

/// How a letter addresses the agency's head: เรียน … ขอแสดงความนับถือ, or for the highest
/// offices กราบเรียน … ขอแสดงความนับถืออย่างยิ่ง.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Salutation {
    #[default]
    Respectful,
    Highest,
}

impl Salutation {
    /// The word before the addressee.
    pub fn opening(self) -> &'static str {
        match self {
            Salutation::Respectful => "เรียน",
            Salutation::Highest => "กราบเรียน",
        }
    }

    /// The line above the signature.
    pub fn closing(self) -> &'static str {
        match self {
            Salutation::Respectful => "ขอแสดงความนับถือ",
            Salutation::Highest => "ขอแสดงความนับถืออย่างยิ่ง",
        }
    }
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
    /// The title letters go to (ผู้กำกับการสถานีตำรวจภูธรเมืองชุมพร); none: the default for
    /// the agency's type (`addressed_to`).
    #[serde(default)]
    pub addressee: Option<String>,
    #[serde(default)]
    pub salutation: Salutation,
    /// No longer offered for new referrals; kept for the letters already sent.
    #[serde(default)]
    pub retired: bool,
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
            addressee: None,
            salutation: Salutation::default(),
            retired: false,
        }
    }

    /// Whom a letter goes to: the title set for the agency, else the head of an agency of its
    /// type as Thai official letters name them (the regulation on official correspondence):
    /// a police station's superintendent, the mayor of a subdistrict administrative
    /// organization or a municipality, a court's chief judge, the provincial prosecutor, a
    /// provincial office's head by the office's name, and a director elsewhere.
    pub fn addressed_to(&self) -> String {
        if let Some(addressee) = self.addressee.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            return addressee.to_owned();
        }
        let name = self.name.trim();
        let office = name.strip_prefix("สำนักงาน").unwrap_or(name);
        match self.agency_type {
            AgencyType::Police => format!("ผู้กำกับการ{name}"),
            AgencyType::LocalGovernment => match name.strip_prefix("เทศบาล") {
                Some(rest) => format!("นายกเทศมนตรี{rest}"),
                None => format!("นายก{name}"),
            },
            AgencyType::Court => format!("ผู้พิพากษาหัวหน้า{name}"),
            AgencyType::Prosecutor | AgencyType::LabourOffice | AgencyType::SocialDevelopment => office.to_owned(),
            AgencyType::Hospital | AgencyType::School | AgencyType::Shelter | AgencyType::Ngo | AgencyType::Other => {
                format!("ผู้อำนวยการ{name}")
            }
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

    /// The directory, retired agencies last.
    pub fn agencies(&self, session: &Session) -> Result<Vec<Stored<Agency>>> {
        session.require(Permission::ViewCases)?;
        self.records(Entity::Agency, "ORDER BY retired, name", &[])
    }

    /// The agency a referral goes to.
    pub fn agency(&self, session: &Session, id: &str) -> Result<Stored<Agency>> {
        session.require(Permission::ViewCases)?;
        self.record(Entity::Agency, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_goes_to_the_head_an_agency_of_its_type_has() {
        let to = |name: &str, kind: AgencyType| Agency::new(name, kind).addressed_to();
        assert_eq!(
            to("สถานีตำรวจภูธรเมืองชุมพร", AgencyType::Police),
            "ผู้กำกับการสถานีตำรวจภูธรเมืองชุมพร"
        );
        assert_eq!(
            to("องค์การบริหารส่วนตำบลท่าตะเภา", AgencyType::LocalGovernment),
            "นายกองค์การบริหารส่วนตำบลท่าตะเภา"
        );
        assert_eq!(to("เทศบาลเมืองชุมพร", AgencyType::LocalGovernment), "นายกเทศมนตรีเมืองชุมพร");
        assert_eq!(
            to("ศาลเยาวชนและครอบครัวจังหวัดชุมพร", AgencyType::Court),
            "ผู้พิพากษาหัวหน้าศาลเยาวชนและครอบครัวจังหวัดชุมพร"
        );
        assert_eq!(to("สำนักงานอัยการจังหวัดชุมพร", AgencyType::Prosecutor), "อัยการจังหวัดชุมพร");
        assert_eq!(
            to(
                "สำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร",
                AgencyType::SocialDevelopment
            ),
            "พัฒนาสังคมและความมั่นคงของมนุษย์จังหวัดชุมพร"
        );
        assert_eq!(
            to("โรงพยาบาลชุมพรเขตรอุดมศักดิ์", AgencyType::Hospital),
            "ผู้อำนวยการโรงพยาบาลชุมพรเขตรอุดมศักดิ์"
        );
        assert_eq!(to("โรงเรียนบ้านสมมุติ", AgencyType::School), "ผู้อำนวยการโรงเรียนบ้านสมมุติ");
        // The title the unit set wins; a blank one is none.
        let mut station = Agency::new("สถานีตำรวจภูธรท่าแซะ", AgencyType::Police);
        station.addressee = Some("ผู้กำกับการสถานีตำรวจภูธรท่าแซะ (ผ่านรองผู้กำกับการสอบสวน)".into());
        assert_eq!(
            station.addressed_to(),
            "ผู้กำกับการสถานีตำรวจภูธรท่าแซะ (ผ่านรองผู้กำกับการสอบสวน)"
        );
        station.addressee = Some("  ".into());
        assert_eq!(station.addressed_to(), "ผู้กำกับการสถานีตำรวจภูธรท่าแซะ");
        assert_eq!(
            (Salutation::Highest.opening(), Salutation::Highest.closing()),
            ("กราบเรียน", "ขอแสดงความนับถืออย่างยิ่ง")
        );
        assert_eq!(
            (Salutation::default().opening(), Salutation::default().closing()),
            ("เรียน", "ขอแสดงความนับถือ")
        );
    }
}
