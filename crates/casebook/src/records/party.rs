//! The others in a case (an alleged perpetrator, a guardian, the reporter …): added, corrected
//! and removed on the case page after intake. Each is a person of their own, linked to the case
//! with a role and their relationship to the client. A removed party stays in the log; it no
//! longer shows or leads a search to the case.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::today;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::care::{CaseParty, PartyRole, Relationship};
use crate::records::case::trimmed;
use crate::records::person::PersonInput;
use crate::store::rows;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// A party as the case page shows it: the name masked, like the client's.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PartyView {
    pub id: String,
    pub person_id: String,
    pub name: String,
    /// A reporter who gave no name (`name` is empty).
    pub anonymous: bool,
    pub role: PartyRole,
    pub relationship: Option<Relationship>,
}

/// What the party form sends. On a change, an empty name keeps the name the party has.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PartyInput {
    pub name_th: Option<String>,
    pub role: PartyRole,
    pub relationship: Option<Relationship>,
}

impl Casebook {
    pub fn add_party(&mut self, session: &Session, party: &CaseParty) -> Result<String> {
        session.require(Permission::EditCases)?;
        self.load_case(&party.case_id)?;
        self.load_person(&party.person_id)?;
        self.insert_record(session, Entity::CaseParty, party, "case_party.add")
    }

    /// Names a new party of the case: a person known by name only, and the link.
    pub fn add_named_party(&mut self, session: &Session, case_id: &str, input: &PartyInput) -> Result<String> {
        session.require(Permission::EditCases)?;
        let name = trimmed(input.name_th.as_deref()).ok_or(Invalid::new("party.name_th", Rule::Required))?;
        if input.role == PartyRole::Client {
            return Err(Invalid::new("party.role", Rule::OutOfRange).into());
        }
        self.load_case(case_id)?;
        self.batch(|book| {
            let named = PersonInput {
                name_th: Some(name),
                ..PersonInput::default()
            };
            let (person_id, _) = book.create_person(session, &named)?;
            let link = CaseParty {
                case_id: case_id.to_owned(),
                person_id,
                role: input.role,
                relationship: input.relationship,
            };
            book.add_party(session, &link)
        })
    }

    /// Corrects a party: role, relationship, and the name when one is given.
    pub fn update_party(&mut self, session: &Session, party_id: &str, input: &PartyInput) -> Result<()> {
        session.require(Permission::EditCases)?;
        if input.role == PartyRole::Client {
            return Err(Invalid::new("party.role", Rule::OutOfRange).into());
        }
        let party: CaseParty = self.record(Entity::CaseParty, party_id)?;
        let link = rows::encode(&json!({ "role": input.role, "relationship": input.relationship }))?;
        self.batch(|book| {
            book.write_changes(session, Entity::CaseParty, party_id, link, "case_party.update")?;
            if let Some(name) = trimmed(input.name_th.as_deref()) {
                book.load_person(&party.person_id)?;
                let fields = rows::encode(&json!({ "name_th": name }))?;
                book.write_changes(session, Entity::Person, &party.person_id, fields, "person.update")?;
            }
            Ok(())
        })
    }

    /// Takes a party off the case (named by mistake, or not part of it after all).
    pub fn remove_party(&mut self, session: &Session, party_id: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let party: CaseParty = self.record(Entity::CaseParty, party_id)?;
        if party.role == PartyRole::Client {
            return Err(Invalid::new("party.role", Rule::OutOfRange).into());
        }
        let fields = rows::encode(&json!({ "removed": true }))?;
        self.write_changes(session, Entity::CaseParty, party_id, fields, "case_party.remove")
            .map(|_| ())
    }

    /// The case's parties, names masked, in the order they were named.
    pub(crate) fn parties(&self, case_id: &str) -> Result<Vec<PartyView>> {
        let links: Vec<Stored<CaseParty>> = self.records(
            Entity::CaseParty,
            "WHERE case_id = ?1 AND removed = 0 ORDER BY created_at, id",
            &[&case_id],
        )?;
        let today = today();
        links
            .into_iter()
            .map(|link| {
                let person = self.load_person(&link.record.person_id)?.masked(today);
                Ok(PartyView {
                    id: link.id,
                    // The person as they stand now (after a merge, the kept record).
                    person_id: person.id,
                    name: person.name,
                    anonymous: person.anonymous,
                    role: link.record.role,
                    relationship: link.record.relationship,
                })
            })
            .collect()
    }
}
