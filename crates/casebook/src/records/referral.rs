//! Referrals to partner agencies, tracked until done even when the agency has no system of
//! its own: its reply comes back on the paper slip and is typed in.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, today};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::agency::Agency;
use crate::records::consent::{BasisGiven, Consent, Purpose};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
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
    /// When the agency's reply is expected (ISO date): given, or by the urgency.
    #[serde(default)]
    pub reply_by: Option<String>,
    /// The consent-ledger row the referral rests on (set when it is made).
    #[serde(default)]
    pub consent_id: Option<String>,
}

impl ReferralStatus {
    /// What an agency's reply can say; draft and sent are the referring unit's own steps.
    pub const REPLIES: [ReferralStatus; 4] = [
        ReferralStatus::Received,
        ReferralStatus::Accepted,
        ReferralStatus::Declined,
        ReferralStatus::Completed,
    ];
}

impl Referral {
    /// A draft referral of case `case_id` to agency `agency_id` for `reason`: no services named
    /// yet, urgent, its reply expected by its urgency.
    pub fn draft(case_id: &str, agency_id: &str, reason: &str) -> Referral {
        Referral {
            case_id: case_id.to_owned(),
            agency_id: agency_id.to_owned(),
            reason: reason.to_owned(),
            services: vec![],
            urgency: Urgency::Urgent,
            letter_number: None,
            status: ReferralStatus::Draft,
            reply: None,
            to_unit: None,
            reply_by: None,
            consent_id: None,
        }
    }
}

impl Urgency {
    /// Days within which an agency is expected to reply, unless the worker says otherwise.
    fn reply_days(self) -> i64 {
        match self {
            Urgency::MostUrgent => 1,
            Urgency::VeryUrgent => 3,
            Urgency::Urgent => 7,
            Urgency::Normal => 14,
        }
    }
}

impl Casebook {
    /// Makes a referral. It rests on a consent in force for a referral to this agency; without
    /// one, on the legal basis `basis` names (recorded in the ledger, audited), or is refused.
    pub fn create_referral(
        &mut self,
        session: &Session,
        referral: &Referral,
        basis: Option<&BasisGiven>,
    ) -> Result<String> {
        session.require(Permission::EditCases)?;
        if referral.reason.trim().is_empty() {
            return Err(Invalid::new("referral.reason", Rule::Required).into());
        }
        self.load_case(&referral.case_id)?;
        let agency = self.record::<Agency>(Entity::Agency, &referral.agency_id)?;
        let reply_by = match referral.reply_by.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(text) => parse_date(text).ok_or(Invalid::new("referral.reply_by", Rule::NotADate))?,
            None => today() + chrono::Duration::days(referral.urgency.reply_days()),
        };
        self.batch(|book| {
            let consent_id = book.require_basis(
                session,
                &referral.case_id,
                Purpose::Referral,
                Some(&referral.agency_id),
                None,
                basis,
            )?;
            let referral = Referral {
                to_unit: agency.hub_unit.filter(|unit| unit != book.unit_code()),
                reply_by: Some(reply_by.to_string()),
                consent_id: Some(consent_id),
                ..referral.clone()
            };
            book.insert_record(session, Entity::Referral, &referral, "referral.create")
        })
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
    ) -> Result<(Stored<Referral>, Stored<crate::records::register::RegisterEntry>)> {
        session.require(Permission::EditCases)?;
        self.batch(|book| {
            let mut referral: Referral = book.record(Entity::Referral, id)?;
            // The letter takes the data out: the consent it was made on must still stand.
            if let Some(consent) = &referral.consent_id
                && !book.record::<Consent>(Entity::Consent, consent)?.in_force()
            {
                return Err(Invalid::new("consent.basis", Rule::NoConsent).into());
            }
            let agency: crate::records::agency::Agency = book.record(Entity::Agency, &referral.agency_id)?;
            let case_number = book.load_case(&referral.case_id)?.case_number;
            let entry = book.issue_letter_number(session, subject, Some(&agency.name), Some(id), Some(&case_number))?;
            referral.letter_number = Some(entry.number());
            referral.status = ReferralStatus::Sent;
            book.update_record(session, Entity::Referral, id, &referral, "referral.sent")?;
            book.record_export(session, &referral.case_id, "referral_letter")?;
            Ok((book.record(Entity::Referral, id)?, entry))
        })
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
