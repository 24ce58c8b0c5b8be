//! Intake: the first contact, recorded from one form. The client, the case, the incident and
//! the others in the case (an alleged perpetrator, a guardian, the reporter) are stored in one
//! transaction: an intake is kept whole or not at all.

use crate::book::Casebook;
use crate::book::permissions::Session;
use crate::error::{Invalid, Result};
use crate::records::care::{CaseParty, Incident, PartyRole, Relationship};
use crate::records::case::{Case, CaseInput, Category, Risk, Source, ViolenceType};
use crate::records::person::PersonInput;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The case part of the intake form (the client is created with it).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct IntakeCase {
    pub source: Source,
    pub categories: Vec<Category>,
    pub violence_types: Vec<ViolenceType>,
    pub risk: Risk,
    pub incident_at: Option<String>,
    pub incident_description: Option<String>,
    pub consent: Option<String>,
    pub legal_basis: Option<String>,
    /// Others in the case: an alleged perpetrator, a guardian, the reporter …
    pub parties: Vec<IntakeParty>,
    /// A person already in the book (a returning client, chosen among the possible matches):
    /// the new case is theirs, and the person part of the form is not stored.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Someone else in the case, known at intake by name only.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct IntakeParty {
    pub name_th: String,
    /// A reporter who gave no name: recorded as such, with no name.
    #[serde(default)]
    pub anonymous: bool,
    pub role: PartyRole,
    pub relationship: Option<Relationship>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IntakeResult {
    pub case: Case,
    /// What the user should see but that did not stop the intake (an ID check digit of a
    /// person without registration status, say).
    pub warnings: Vec<Invalid>,
}

impl Casebook {
    /// Stores an intake: the client, the case, its incident when one was described, and the
    /// named parties, each as its own record, all in one transaction. Parties left without a
    /// name are skipped (the form keeps empty rows), unless marked anonymous (a reporter).
    pub fn intake(&mut self, session: &Session, person: &PersonInput, case: &IntakeCase) -> Result<IntakeResult> {
        self.batch(|book| {
            let (client_id, area_code, warnings) = match &case.client_id {
                Some(id) => {
                    let known = book.load_person(id)?;
                    (known.id, known.area_code, Vec::new())
                }
                None => {
                    let (id, warnings) = book.create_person(session, person)?;
                    (id, person.area_code.clone(), warnings)
                }
            };
            let input = CaseInput {
                client_id,
                source: case.source,
                categories: case.categories.clone(),
                violence_types: case.violence_types.clone(),
                risk: case.risk,
                case_manager_id: None,
                incident_at: case.incident_at.clone(),
                consent: case.consent.clone(),
                legal_basis: case.legal_basis.clone(),
            };
            let created = book.create_case(session, &input)?;
            if case.incident_at.is_some() || case.incident_description.is_some() {
                let incident = Incident {
                    case_id: created.id.clone(),
                    occurred_at: case.incident_at.clone(),
                    place_kind: None,
                    area_code,
                    description: case.incident_description.clone(),
                    violence_types: case.violence_types.clone(),
                };
                book.record_incident(session, &incident)?;
            }
            for party in case
                .parties
                .iter()
                .filter(|p| p.anonymous || !p.name_th.trim().is_empty())
            {
                let named = PersonInput {
                    name_th: Some(party.name_th.clone()).filter(|n| !n.trim().is_empty()),
                    anonymous: party.anonymous,
                    ..PersonInput::default()
                };
                let (person_id, _) = book.create_person(session, &named)?;
                let link = CaseParty {
                    case_id: created.id.clone(),
                    person_id,
                    role: party.role,
                    relationship: party.relationship,
                };
                book.add_party(session, &link)?;
            }
            Ok(IntakeResult {
                case: created,
                warnings,
            })
        })
    }
}
