//! The letter register: the unit's outgoing-letter numbers, sequential per Buddhist year,
//! unique across the unit's laptops (`records::numbers`), never reused. A cancelled letter
//! keeps its number, with the reason.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::be_year;
use crate::dates::today;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::numbers::{Number, NumberKind, laptop_tag};
use crate::store::rows::Fields;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RegisterEntry {
    #[ts(type = "number")]
    pub be_year: i64,
    /// None while the letter has a provisional number.
    #[ts(type = "number | null")]
    pub number: Option<i64>,
    /// "P3F9A1C2B-01": given offline when this laptop had no numbers left; replaced at its
    /// next sync.
    pub provisional: Option<String>,
    /// The provisional number the letter had before its final one.
    #[serde(default)]
    pub former_numbers: Vec<String>,
    /// The laptop that issued it.
    pub device_id: Option<String>,
    pub issued_by: String,
    /// Whom the letter went to.
    pub addressee: Option<String>,
    pub subject: String,
    pub referral_id: Option<String>,
    /// The case the letter is about, by its number (none for an invitation to a conference).
    #[serde(default)]
    pub case_number: Option<String>,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
}

impl RegisterEntry {
    /// The number as the letter carries it after the unit's code: "12", or "P3F9A1C2B-01".
    pub fn label(&self) -> String {
        match (self.number, &self.provisional) {
            (Some(n), _) => n.to_string(),
            (None, Some(label)) => label.clone(),
            (None, None) => String::new(),
        }
    }
}

impl Stored<RegisterEntry> {
    /// The number as the letter carries it after ที่: "CPN/12".
    pub fn number(&self) -> String {
        format!("{}/{}", self.unit_code, self.record.label())
    }

    /// The start of the letter's file names: "CPN-2569-12".
    pub fn file_stem(&self) -> String {
        format!("{}-{}-{}", self.unit_code, self.record.be_year, self.record.label())
    }
}

/// A number of the unit's blocks that no letter carries: reserved for a laptop, not used.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ReservedNumber {
    #[ts(type = "number")]
    pub number: i64,
    /// The laptop it is reserved for (`laptop_tag`).
    pub laptop: String,
}

/// One Buddhist year of the register: every letter, and the numbers reserved and unused.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RegisterPage {
    #[ts(type = "number")]
    pub be_year: i64,
    pub entries: Vec<Stored<RegisterEntry>>,
    pub reserved: Vec<ReservedNumber>,
}

impl Casebook {
    /// Takes the next number of this Buddhist year for a letter about `subject` to
    /// `addressee`, about the case numbered `case_number`.
    pub fn issue_letter_number(
        &mut self,
        session: &Session,
        subject: &str,
        addressee: Option<&str>,
        referral_id: Option<&str>,
        case_number: Option<&str>,
    ) -> Result<Stored<RegisterEntry>> {
        session.require(Permission::ExportCases)?;
        if subject.trim().is_empty() {
            return Err(Invalid::new("letter.subject", Rule::Required).into());
        }
        let year = i64::from(be_year(today()));
        self.batch(|book| {
            let (number, provisional) = match book.take_number(NumberKind::Letter, year)? {
                Number::Final(n) => (Some(n), None),
                Number::Provisional(label) => (None, Some(label)),
            };
            let entry = RegisterEntry {
                be_year: year,
                number,
                provisional,
                former_numbers: Vec::new(),
                device_id: Some(book.device_id().to_owned()),
                issued_by: session.user_id.clone(),
                addressee: addressee.map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned),
                subject: subject.trim().to_owned(),
                referral_id: referral_id.map(str::to_owned),
                case_number: case_number.map(str::to_owned),
                cancelled: false,
                cancel_reason: None,
            };
            let id = book.insert_record(session, Entity::LetterRegister, &entry, "letter.issue_number")?;
            book.record(Entity::LetterRegister, &id)
        })
    }

    /// Cancels a number (a supervisor's decision); it stays in the register with the reason.
    /// Only the two fields change: a cancel made on one laptop never undoes the final number
    /// another gave the letter meanwhile.
    pub fn cancel_letter(&mut self, session: &Session, id: &str, reason: &str) -> Result<()> {
        session.require(Permission::Supervise)?;
        if reason.trim().is_empty() {
            return Err(Invalid::new("letter.cancel_reason", Rule::Required).into());
        }
        self.record::<RegisterEntry>(Entity::LetterRegister, id)?;
        let mut fields = Fields::new();
        fields.insert("cancelled".into(), json!(true));
        fields.insert("cancel_reason".into(), json!(reason.trim()));
        self.write(session, Entity::LetterRegister, id, fields, "letter.cancel", None)
    }

    /// The register of a Buddhist year: the unit's letters by number (provisional ones last),
    /// and the numbers reserved for its laptops that no letter carries.
    pub fn letter_register(&self, session: &Session, be_year: i64) -> Result<RegisterPage> {
        session.require(Permission::ExportCases)?;
        let entries = self.records(
            Entity::LetterRegister,
            "WHERE unit_code = ?1 AND be_year = ?2 ORDER BY number IS NULL, number, provisional",
            &[&self.unit_code(), &be_year],
        )?;
        let reserved = self
            .reserved(NumberKind::Letter, be_year)?
            .into_iter()
            .map(|(number, device)| ReservedNumber {
                number,
                laptop: laptop_tag(&device),
            })
            .collect();
        Ok(RegisterPage {
            be_year,
            entries,
            reserved,
        })
    }
}
