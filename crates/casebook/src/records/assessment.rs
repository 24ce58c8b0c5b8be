//! Outcomes measured on the person: each domain of basic rights and the four necessities
//! (food, shelter, clothing, medicine), with safety, health, education, income and documents
//! and legal status, rated from 1 (in crisis) to 4 (secure). Rated at intake (the baseline),
//! at reviews and at closure; what changed between the baseline and the closure is what the
//! unit achieved for the person (`statistics`, by domain).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, today};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::care::Domain;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// The domains an assessment rates, in the order the form shows them.
pub const ASSESSED: [Domain; 9] = [
    Domain::Food,
    Domain::Shelter,
    Domain::Clothing,
    Domain::Medicine,
    Domain::Safety,
    Domain::Health,
    Domain::Education,
    Domain::Income,
    Domain::DocumentsAndRights,
];

/// 1 in crisis, 2 at risk, 3 stable, 4 secure.
pub const LEVELS: std::ops::RangeInclusive<u8> = 1..=4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Stage {
    Baseline,
    Review,
    Closure,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Assessment {
    pub case_id: String,
    pub stage: Stage,
    /// ISO date (a BE year is accepted on input).
    pub assessed_on: String,
    /// The domains rated; a domain left out was not assessed.
    pub levels: BTreeMap<Domain, u8>,
    pub note: Option<String>,
    #[serde(default)]
    pub author_id: Option<String>,
}

/// Whether `levels` rates only assessed domains, each within `LEVELS`.
pub fn levels_fit(levels: &BTreeMap<Domain, u8>) -> bool {
    levels
        .iter()
        .all(|(domain, level)| ASSESSED.contains(domain) && LEVELS.contains(level))
}

impl Casebook {
    /// Records an assessment of the case's client; its id.
    pub fn record_assessment(&mut self, session: &Session, assessment: &Assessment) -> Result<String> {
        session.require(Permission::EditCases)?;
        let assessment = self.validate_assessment(session, assessment)?;
        self.insert_record(session, Entity::Assessment, &assessment, "assessment.add")
    }

    /// Corrects an assessment (only the fields that changed are written).
    pub fn update_assessment(&mut self, session: &Session, id: &str, assessment: &Assessment) -> Result<()> {
        session.require(Permission::EditCases)?;
        let stored: Assessment = self.record(Entity::Assessment, id)?;
        let assessment = Assessment {
            case_id: stored.case_id,
            author_id: stored.author_id,
            ..self.validate_assessment(session, assessment)?
        };
        self.update_record(session, Entity::Assessment, id, &assessment, "assessment.update")
    }

    fn validate_assessment(&self, session: &Session, assessment: &Assessment) -> Result<Assessment> {
        self.load_case(&assessment.case_id)?;
        let on =
            parse_date(assessment.assessed_on.trim()).ok_or(Invalid::new("assessment.assessed_on", Rule::NotADate))?;
        if on > today() {
            return Err(Invalid::new("assessment.assessed_on", Rule::InFuture).into());
        }
        if assessment.levels.is_empty() {
            return Err(Invalid::new("assessment.levels", Rule::Required).into());
        }
        if !levels_fit(&assessment.levels) {
            return Err(Invalid::new("assessment.levels", Rule::OutOfRange).into());
        }
        Ok(Assessment {
            assessed_on: on.to_string(),
            note: assessment
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            author_id: Some(session.user_id.clone()),
            ..assessment.clone()
        })
    }

    /// The case's assessments, oldest first.
    pub fn assessments(&self, session: &Session, case_id: &str) -> Result<Vec<Stored<Assessment>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::Assessment,
            "WHERE case_id = ?1 ORDER BY assessed_on, created_at",
            &[&case_id],
        )
    }
}
