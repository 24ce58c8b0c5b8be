//! The intake form: client, case, incident and the others in the case, stored in one
//! transaction.

use crate::error::Result;
use crate::state::AppState;
use casebook::Invalid;
use casebook::care::{CaseParty, Incident, PartyRole, Relationship};
use casebook::case::{Case, CaseInput, Risk, Source, ViolenceType};
use casebook::person::PersonInput;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

/// The case part of the intake form (the client is created with it).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct IntakeCase {
    pub source: Source,
    pub categories: Vec<casebook::case::Category>,
    pub violence_types: Vec<ViolenceType>,
    pub risk: Risk,
    pub incident_at: Option<String>,
    pub incident_description: Option<String>,
    pub consent: Option<String>,
    pub legal_basis: Option<String>,
    /// Others in the case: an alleged perpetrator, a guardian, the reporter …
    pub parties: Vec<IntakeParty>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct IntakeParty {
    pub name_th: String,
    pub role: PartyRole,
    pub relationship: Option<Relationship>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IntakeResult {
    pub case: Case,
    pub warnings: Vec<Invalid>,
}

/// Person, case and incident in one transaction: an intake is stored whole or not at all.
#[tauri::command]
pub fn intake(state: State<'_, AppState>, person: PersonInput, case: IntakeCase) -> Result<IntakeResult> {
    state.with_book(|book, s| {
        book.batch(|book| {
            let (client_id, warnings) = book.create_person(s, &person)?;
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
            let created = book.create_case(s, &input)?;
            if case.incident_at.is_some() || case.incident_description.is_some() {
                book.record_incident(
                    s,
                    &Incident {
                        case_id: created.id.clone(),
                        occurred_at: case.incident_at.clone(),
                        place_kind: None,
                        area_code: person.area_code.clone(),
                        description: case.incident_description.clone(),
                        violence_types: case.violence_types.clone(),
                    },
                )?;
            }
            for party in case.parties.iter().filter(|p| !p.name_th.trim().is_empty()) {
                let person = PersonInput {
                    name_th: Some(party.name_th.clone()),
                    ..PersonInput::default()
                };
                let (person_id, _) = book.create_person(s, &person)?;
                let link = CaseParty {
                    case_id: created.id.clone(),
                    person_id,
                    role: party.role,
                    relationship: party.relationship,
                };
                book.add_party(s, &link)?;
            }
            Ok(IntakeResult {
                case: created,
                warnings,
            })
        })
    })
}
