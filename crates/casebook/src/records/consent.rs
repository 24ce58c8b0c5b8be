//! The consent ledger of a case: on what ground each use of the case's data rests, one row per
//! purpose (services, a referral to a named agency, sharing with another unit, photos, a case
//! conference). A row is the consent of the client, or for a child under 18 of the guardian
//! with the child's own assent, given verbally or on a signed form; or, where no consent was
//! given, a legal basis (PDPA sections 24 and 26, the Child Protection Act) with the reason
//! for relying on it. Consent can be revoked; the row stays, marked.
//!
//! A referral or a transfer looks here first (`basis_for`): without a row in force it goes
//! ahead only when the worker names a legal basis and a reason, which are recorded here and
//! audited.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, today};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::person::Vulnerability;
use crate::store::rows::Fields;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Purpose {
    Services,
    /// A referral to the agency the row names.
    Referral,
    /// Sharing the case with the unit the row names (a transfer).
    Sharing,
    Photos,
    Conference,
}

/// The ground a use rests on: consent, or a legal basis that stands without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Basis {
    Consent,
    /// To prevent danger to life, body or health (PDPA s.24(2), s.26(1)).
    VitalInterest,
    /// A duty under law (PDPA s.24(6), s.26(5)).
    LegalObligation,
    /// The Child Protection Act B.E. 2546: a child in danger is protected without waiting.
    ChildProtection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum GivenBy {
    Client,
    Guardian,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConsentMethod {
    Verbal,
    SignedForm,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Consent {
    pub case_id: String,
    pub purpose: Purpose,
    /// The agency of a referral consent.
    pub agency_id: Option<String>,
    /// The unit of a sharing consent.
    pub to_unit: Option<String>,
    pub basis: Basis,
    pub given_by: Option<GivenBy>,
    pub guardian_name: Option<String>,
    /// A child's own assent beside the guardian's consent.
    pub child_assent: Option<bool>,
    pub method: Option<ConsentMethod>,
    /// ISO date (a BE year is accepted on input).
    pub given_on: String,
    /// Why a legal basis is relied on instead of consent.
    pub reason: Option<String>,
    #[serde(default)]
    pub revoked_on: Option<String>,
    #[serde(default)]
    pub revoke_reason: Option<String>,
    /// The signed form's scan (an attachment).
    #[serde(default)]
    pub form_sha256: Option<String>,
    #[serde(default)]
    pub author_id: Option<String>,
}

impl Consent {
    /// Whether the row lets the data be used now: not revoked, and a child's consent only
    /// with the child's assent.
    pub fn in_force(&self) -> bool {
        self.revoked_on.is_none() && self.child_assent != Some(false)
    }
}

/// A legal basis the worker names when a referral or transfer has no consent to rest on.
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct BasisGiven {
    pub basis: Basis,
    pub reason: String,
}

impl Casebook {
    /// Adds a row to the case's ledger; its id.
    pub fn record_consent(&mut self, session: &Session, consent: &Consent) -> Result<String> {
        session.require(Permission::EditCases)?;
        let consent = self.validate_consent(consent)?;
        let consent = Consent {
            author_id: Some(session.user_id.clone()),
            revoked_on: None,
            revoke_reason: None,
            ..consent
        };
        self.insert_record(session, Entity::Consent, &consent, "consent.add")
    }

    fn validate_consent(&self, consent: &Consent) -> Result<Consent> {
        let case = self.load_case(&consent.case_id)?;
        let given_on = parse_date(consent.given_on.trim()).ok_or(Invalid::new("consent.given_on", Rule::NotADate))?;
        if given_on > today() {
            return Err(Invalid::new("consent.given_on", Rule::InFuture).into());
        }
        let text = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let mut out = Consent {
            given_on: given_on.to_string(),
            guardian_name: text(&consent.guardian_name),
            reason: text(&consent.reason),
            agency_id: text(&consent.agency_id),
            to_unit: text(&consent.to_unit).map(|u| u.to_uppercase()),
            ..consent.clone()
        };
        match out.purpose {
            Purpose::Referral => {
                let agency = out
                    .agency_id
                    .clone()
                    .ok_or(Invalid::new("consent.agency_id", Rule::Required))?;
                self.record::<crate::records::agency::Agency>(Entity::Agency, &agency)?;
                out.to_unit = None;
            }
            Purpose::Sharing => {
                let unit = out
                    .to_unit
                    .clone()
                    .ok_or(Invalid::new("consent.to_unit", Rule::Required))?;
                crate::book::validate_unit_code("consent.to_unit", &unit)?;
                out.agency_id = None;
            }
            _ => {
                out.agency_id = None;
                out.to_unit = None;
            }
        }
        if out.basis == Basis::Consent {
            let given_by = out.given_by.ok_or(Invalid::new("consent.given_by", Rule::Required))?;
            out.method.ok_or(Invalid::new("consent.method", Rule::Required))?;
            let child = self.load_person(&case.client_id)?.flags.contains(&Vulnerability::Child);
            if child {
                // A child's own word is not enough in law, and not nothing either.
                if given_by != GivenBy::Guardian {
                    return Err(Invalid::new("consent.given_by", Rule::GuardianNeeded).into());
                }
                out.child_assent
                    .ok_or(Invalid::new("consent.child_assent", Rule::Required))?;
            } else {
                out.child_assent = None;
            }
            if given_by == GivenBy::Guardian && out.guardian_name.is_none() {
                return Err(Invalid::new("consent.guardian_name", Rule::Required).into());
            }
            out.reason = None;
        } else {
            if out.reason.is_none() {
                return Err(Invalid::new("consent.reason", Rule::Required).into());
            }
            out.given_by = None;
            out.guardian_name = None;
            out.child_assent = None;
            out.method = None;
        }
        if let Some(hash) = &out.form_sha256 {
            self.require_attachment(hash)?;
        }
        Ok(out)
    }

    /// Marks a row revoked today, with the reason. Uses made before stay as they were.
    pub fn revoke_consent(&mut self, session: &Session, id: &str, reason: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Invalid::new("consent.revoke_reason", Rule::Required).into());
        }
        let consent: Consent = self.record(Entity::Consent, id)?;
        if consent.revoked_on.is_some() {
            return Ok(());
        }
        let mut fields = Fields::new();
        fields.insert("revoked_on".into(), json!(today().to_string()));
        fields.insert("revoke_reason".into(), json!(reason));
        self.write(session, Entity::Consent, id, fields, "consent.revoke", None)
    }

    /// Attaches the scan of the signed form (stored with `put_attachment`) to a row.
    pub fn attach_consent_form(&mut self, session: &Session, id: &str, sha256: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        self.record::<Consent>(Entity::Consent, id)?;
        self.require_attachment(sha256)?;
        let mut fields = Fields::new();
        fields.insert("form_sha256".into(), json!(sha256));
        fields.insert("method".into(), json!(ConsentMethod::SignedForm));
        self.write_changes(session, Entity::Consent, id, fields, "consent.form")
            .map(|_| ())
    }

    /// The case's ledger, oldest first.
    pub fn consents(&self, session: &Session, case_id: &str) -> Result<Vec<Stored<Consent>>> {
        session.require(Permission::ViewCases)?;
        self.records(
            Entity::Consent,
            "WHERE case_id = ?1 ORDER BY given_on, created_at",
            &[&case_id],
        )
    }

    /// The consent in force that lets the case's data be used for `purpose` (with the agency
    /// or unit it names), if any. A legal basis is not looked up: each use without consent
    /// names its own, with its reason, and is audited on its own.
    pub(crate) fn basis_for(
        &self,
        case_id: &str,
        purpose: Purpose,
        agency_id: Option<&str>,
        to_unit: Option<&str>,
    ) -> Result<Option<String>> {
        let rows: Vec<Stored<Consent>> = self.records(
            Entity::Consent,
            "WHERE case_id = ?1 AND purpose = ?2 AND revoked_on IS NULL ORDER BY given_on DESC, created_at DESC",
            &[&case_id, &crate::error::serde_name(&purpose)],
        )?;
        Ok(rows
            .into_iter()
            .find(|row| {
                row.record.basis == Basis::Consent
                    && row.record.in_force()
                    && row.record.agency_id.as_deref() == agency_id
                    && row.record.to_unit.as_deref() == to_unit
            })
            .map(|row| row.id))
    }

    /// The ledger row a use rests on: one in force, or else a row made now from the legal
    /// basis the worker gave (audited as a use without consent). Without either, refused.
    pub(crate) fn require_basis(
        &mut self,
        session: &Session,
        case_id: &str,
        purpose: Purpose,
        agency_id: Option<&str>,
        to_unit: Option<&str>,
        given: Option<&BasisGiven>,
    ) -> Result<String> {
        if let Some(id) = self.basis_for(case_id, purpose, agency_id, to_unit)? {
            return Ok(id);
        }
        let given = given
            .filter(|g| g.basis != Basis::Consent)
            .ok_or(Invalid::new("consent.basis", Rule::NoConsent))?;
        let row = Consent {
            case_id: case_id.to_owned(),
            purpose,
            agency_id: agency_id.map(str::to_owned),
            to_unit: to_unit.map(str::to_owned),
            basis: given.basis,
            given_by: None,
            guardian_name: None,
            child_assent: None,
            method: None,
            given_on: today().to_string(),
            reason: Some(given.reason.clone()),
            revoked_on: None,
            revoke_reason: None,
            form_sha256: None,
            author_id: None,
        };
        let id = self.record_consent(session, &row)?;
        let detail = format!("{}: {}", crate::error::serde_name(&given.basis), given.reason.trim());
        self.audit(
            session,
            "consent.without",
            Some(Entity::Consent),
            Some(&id),
            Some(&detail),
        )?;
        Ok(id)
    }
}
