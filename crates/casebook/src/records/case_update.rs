//! Correcting and updating a case after intake: the case form's fields, written only where
//! they changed, a change of risk with its reason in the risk history, and the incident's time,
//! place and description.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::care::{Incident, PlaceKind};
use crate::records::case::{Category, Risk, Source, ViolenceType, trimmed, validate_fields};
use crate::records::timeline::{Change, EntryKind};
use crate::store::rows;
use chrono::Utc;
use serde::Deserialize;
use ts_rs::TS;

/// What the case form changes after intake. A change of risk needs `risk_reason`, kept in the
/// risk history.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CaseUpdate {
    pub source: Source,
    pub categories: Vec<Category>,
    pub violence_types: Vec<ViolenceType>,
    pub risk: Risk,
    pub risk_reason: Option<String>,
    /// ISO-8601 instant of the incident, if known.
    pub incident_at: Option<String>,
    pub place_kind: Option<PlaceKind>,
    pub incident_description: Option<String>,
    pub consent: Option<String>,
    pub legal_basis: Option<String>,
}

impl Casebook {
    /// Corrects or updates the case after intake: only the fields that changed are written (two
    /// laptops' edits of different fields merge). A change of risk needs a reason and goes into
    /// the risk history; the incident's time, place and description are the incident record's.
    pub fn update_case(&mut self, session: &Session, id: &str, update: &CaseUpdate) -> Result<()> {
        session.require(Permission::EditCases)?;
        let incident_at = trimmed(update.incident_at.as_deref());
        validate_fields(&update.categories, incident_at.as_deref(), Utc::now())?;
        let case = self.load_case(id)?;
        let risk_reason = trimmed(update.risk_reason.as_deref());
        if update.risk != case.risk && risk_reason.is_none() {
            return Err(Invalid::new("case.risk_reason", Rule::Required).into());
        }
        let fields = rows::encode(&serde_json::json!({
            "source": update.source,
            "categories": update.categories,
            "violence_types": update.violence_types,
            "risk": update.risk,
            "incident_at": incident_at,
            "consent": trimmed(update.consent.as_deref()),
            "legal_basis": trimmed(update.legal_basis.as_deref()),
        }))?;
        let incident = Incident {
            case_id: id.to_owned(),
            occurred_at: incident_at,
            place_kind: update.place_kind,
            area_code: None,
            description: trimmed(update.incident_description.as_deref()),
            violence_types: update.violence_types.clone(),
        };
        self.batch(|book| {
            book.write_changes(session, Entity::Case, id, fields, "case.update")?;
            if update.risk != case.risk {
                let change = Change::new("risk", Some(&case.risk), &update.risk);
                let reason = risk_reason.as_deref().unwrap_or_default();
                book.append_entry(session, id, EntryKind::RiskChange, reason, Utc::now(), Some(change))?;
            }
            book.keep_incident(session, incident)
        })
    }
}
