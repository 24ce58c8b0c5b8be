//! Survivors who become volunteers: a person may, with their own consent, be recorded as a
//! peer volunteer or a mentor and linked to the cases they support, as a party of the role
//! `volunteer`. The supported case shows the volunteer by name and role only: nothing leads
//! from it to the volunteer's own case.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, today};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::care::{CaseParty, PartyRole};
use crate::records::person::{PersonMasked, VolunteerRole};
use crate::store::rows::Fields;
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

/// A volunteer as the volunteers screen lists them: masked, with how many cases they support,
/// never the cases they were a client in.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Volunteer {
    pub person: PersonMasked,
    pub role: VolunteerRole,
    pub consent_on: Option<String>,
    #[ts(type = "number")]
    pub supporting: i64,
}

impl Casebook {
    /// Records the person (as they stand now) as a volunteer, on their own consent given on
    /// `consent_on`; `None` ends it.
    pub fn set_volunteer(
        &mut self,
        session: &Session,
        person_id: &str,
        role: Option<VolunteerRole>,
        consent_on: Option<&str>,
    ) -> Result<()> {
        session.require(Permission::EditCases)?;
        let person = self.load_person(person_id)?;
        let mut fields = Fields::new();
        match role {
            Some(role) => {
                let on = consent_on
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .ok_or(Invalid::new("volunteer.consent_on", Rule::Required))?;
                let on = parse_date(on).ok_or(Invalid::new("volunteer.consent_on", Rule::NotADate))?;
                if on > today() {
                    return Err(Invalid::new("volunteer.consent_on", Rule::InFuture).into());
                }
                fields.insert("volunteer".into(), json!(role));
                fields.insert("volunteer_consent_on".into(), json!(on.to_string()));
            }
            None => {
                fields.insert("volunteer".into(), json!(null));
                fields.insert("volunteer_consent_on".into(), json!(null));
            }
        }
        self.write_changes(session, Entity::Person, &person.id, fields, "person.volunteer")
            .map(|_| ())
    }

    /// Links a volunteer to a case they support. Not to a case they are in already.
    pub fn add_volunteer(&mut self, session: &Session, case_id: &str, person_id: &str) -> Result<String> {
        session.require(Permission::EditCases)?;
        let person = self.load_person(person_id)?;
        if person.volunteer.is_none() {
            return Err(Invalid::new("volunteer.person_id", Rule::NotAVolunteer).into());
        }
        if self.cases_of_person(&person.id)?.iter().any(|c| c.id == case_id) {
            return Err(Invalid::new("volunteer.person_id", Rule::AlreadyInCase).into());
        }
        let link = CaseParty {
            case_id: case_id.to_owned(),
            person_id: person.id,
            role: PartyRole::Volunteer,
            relationship: None,
        };
        self.add_party(session, &link)
    }

    /// The unit's volunteers, by when they consented.
    pub fn volunteers(&self, session: &Session) -> Result<Vec<Volunteer>> {
        session.require(Permission::ViewCases)?;
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT id FROM persons WHERE volunteer IS NOT NULL AND merged_into IS NULL
                 ORDER BY volunteer_consent_on, id",
            )?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        let today = today();
        let mut out = Vec::new();
        for id in ids {
            let person = self.load_person(&id)?;
            let supporting = self
                .cases_of_person(&person.id)?
                .iter()
                .filter(|c| c.role == PartyRole::Volunteer)
                .count() as i64;
            let Some(role) = person.volunteer else { continue };
            out.push(Volunteer {
                role,
                consent_on: person.volunteer_consent_on.clone(),
                supporting,
                person: person.masked(today),
            });
        }
        Ok(out)
    }
}
