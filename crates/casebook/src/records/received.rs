//! The letters received (ทะเบียนหนังสือรับ): a returned reply slip or a partner's letter,
//! logged with its number and date, its sender (an agency of the directory, or typed), its
//! subject and its scan. One that answers a referral names it and the reply, and records the
//! reply on the referral in the same transaction (`update_referral`).
//!
//! Each laptop numbers the letters it logs per Buddhist year of receipt, shown with the laptop
//! (as each section of an office may keep its own book of letters received): two laptops
//! offline never give the same number, and the hub need not allot these (`records::numbers`
//! allots case and letter numbers only). A letter answering a referral lives in the referral's
//! case, and a letter about a case that answers no referral (a request from the police or a
//! court) in that case: those holding the case see it, and it is erased with the case
//! (`records::erasure`); one about no case is its unit's own (`Entity::case_optional`).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{be_year, parse_date, today};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use crate::records::agency::Agency;
use crate::records::case::trimmed;
use crate::records::referral::{Referral, ReferralStatus};
use crate::store::rows::Fields;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// A letter of the register of letters received, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReceivedLetter {
    /// The Buddhist year of `received_on`.
    #[ts(type = "number")]
    pub be_year: i64,
    /// The laptop's own number of the year (เลขรับ).
    #[ts(type = "number")]
    pub number: i64,
    /// The laptop that logged it, whose numbers these are.
    pub device_id: String,
    /// ISO date.
    pub received_on: String,
    /// The sender's number (ที่), when the letter has one (a reply slip often has none).
    pub their_number: Option<String>,
    /// The letter's own date (ISO), when it has one.
    pub their_date: Option<String>,
    /// The sender: an agency of the directory, or `sender` typed.
    pub sender_agency_id: Option<String>,
    pub sender: Option<String>,
    pub subject: String,
    /// The case of the referral it answers.
    pub case_id: Option<String>,
    pub referral_id: Option<String>,
    /// What the reply says of the referral, when it answers one.
    pub reply_status: Option<ReferralStatus>,
    pub reply: Option<String>,
    /// The scan (an attachment: a JPEG, PNG or PDF).
    pub scan_sha256: Option<String>,
    pub author_id: Option<String>,
    pub cancelled: bool,
    pub cancel_reason: Option<String>,
}

/// What the worker types to log a letter received (the book numbers it).
#[derive(Debug, Clone, PartialEq, Deserialize, TS)]
#[ts(export)]
pub struct ReceivedLetterInput {
    pub received_on: String,
    pub their_number: Option<String>,
    pub their_date: Option<String>,
    pub sender_agency_id: Option<String>,
    pub sender: Option<String>,
    pub subject: String,
    pub referral_id: Option<String>,
    pub reply_status: Option<ReferralStatus>,
    pub reply: Option<String>,
    /// The case a letter answering no referral is about (a request from the police or a
    /// court): it then lives in that case. One answering a referral takes the referral's case.
    #[serde(default)]
    pub case_id: Option<String>,
}

/// A date the letter carries, parsed (BE or CE), not after `latest`.
fn date_until(field: &str, typed: &str, latest: chrono::NaiveDate) -> Result<chrono::NaiveDate> {
    let date = parse_date(typed).ok_or(Invalid::new(field, Rule::NotADate))?;
    if date > latest {
        return Err(Invalid::new(field, Rule::InFuture).into());
    }
    Ok(date)
}

impl Casebook {
    /// Logs a letter received with its scan (`put_attachment`: a JPEG, PNG or PDF), numbered on
    /// from this laptop's last of the year. One answering a referral takes the referral's case,
    /// and the referral takes its status and reply, in the same transaction; one about a case
    /// (`case_id`) without a referral lives in that case. Returns the id.
    pub fn log_received_letter(
        &mut self,
        session: &Session,
        input: &ReceivedLetterInput,
        scan: Option<&[u8]>,
    ) -> Result<String> {
        session.require(Permission::EditCases)?;
        let received_on = date_until("received_letter.received_on", &input.received_on, today())?;
        let their_date = trimmed(input.their_date.as_deref())
            .map(|typed| date_until("received_letter.their_date", &typed, received_on))
            .transpose()?;
        let sender_agency_id = trimmed(input.sender_agency_id.as_deref());
        let sender = trimmed(input.sender.as_deref());
        match &sender_agency_id {
            Some(id) => {
                self.record::<Agency>(Entity::Agency, id)?;
            }
            None if sender.is_none() => return Err(Invalid::new("received_letter.sender", Rule::Required).into()),
            None => {}
        }
        let subject = input.subject.trim();
        if subject.is_empty() {
            return Err(Invalid::new("received_letter.subject", Rule::Required).into());
        }
        let referral_id = trimmed(input.referral_id.as_deref());
        let (case_id, reply_status, reply) = match &referral_id {
            Some(id) => {
                let referral: Referral = self.record(Entity::Referral, id)?;
                let status = input
                    .reply_status
                    .ok_or(Invalid::new("received_letter.reply_status", Rule::Required))?;
                if !ReferralStatus::REPLIES.contains(&status) {
                    return Err(Invalid::new("received_letter.reply_status", Rule::OutOfRange).into());
                }
                (Some(referral.case_id), Some(status), trimmed(input.reply.as_deref()))
            }
            None => match trimmed(input.case_id.as_deref()) {
                Some(case_id) => {
                    self.load_case(&case_id)?;
                    (Some(case_id), None, None)
                }
                None => (None, None, None),
            },
        };
        let year = i64::from(be_year(received_on));
        self.batch(|book| {
            let scan_sha256 = scan.map(|bytes| book.put_attachment(session, bytes)).transpose()?;
            let number: i64 = book.conn.query_row(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM received_letters
                 WHERE unit_code = ?1 AND be_year = ?2 AND device_id = ?3",
                rusqlite::params![book.unit_code(), year, book.device_id()],
                |r| r.get(0),
            )?;
            let letter = ReceivedLetter {
                be_year: year,
                number,
                device_id: book.device_id().to_owned(),
                received_on: received_on.to_string(),
                their_number: trimmed(input.their_number.as_deref()),
                their_date: their_date.map(|d| d.to_string()),
                sender_agency_id: sender_agency_id.clone(),
                sender: sender.clone().filter(|_| sender_agency_id.is_none()),
                subject: subject.to_owned(),
                case_id: case_id.clone(),
                referral_id: referral_id.clone(),
                reply_status,
                reply: reply.clone(),
                scan_sha256,
                author_id: Some(session.user_id.clone()),
                cancelled: false,
                cancel_reason: None,
            };
            let id = book.insert_record(session, Entity::ReceivedLetter, &letter, "received_letter.log")?;
            if let (Some(referral), Some(status)) = (&referral_id, reply_status) {
                book.update_referral(session, referral, status, reply.as_deref())?;
            }
            Ok(id)
        })
    }

    /// Cancels a letter logged by mistake (a supervisor's decision): it stays in the register
    /// with the reason, its number never given again. A referral it answered keeps the reply
    /// (corrected on the case page).
    pub fn cancel_received_letter(&mut self, session: &Session, id: &str, reason: &str) -> Result<()> {
        session.require(Permission::Supervise)?;
        if reason.trim().is_empty() {
            return Err(Invalid::new("received_letter.cancel_reason", Rule::Required).into());
        }
        self.record::<ReceivedLetter>(Entity::ReceivedLetter, id)?;
        let mut fields = Fields::new();
        fields.insert("cancelled".into(), json!(true));
        fields.insert("cancel_reason".into(), json!(reason.trim()));
        self.write(
            session,
            Entity::ReceivedLetter,
            id,
            fields,
            "received_letter.cancel",
            None,
        )
    }

    /// The unit's letters received in a Buddhist year, in the order received.
    pub fn received_letters(&self, session: &Session, be_year: i64) -> Result<Vec<Stored<ReceivedLetter>>> {
        session.require(Permission::ExportCases)?;
        self.records(
            Entity::ReceivedLetter,
            "WHERE unit_code = ?1 AND be_year = ?2 ORDER BY received_on, created_at, id",
            &[&self.unit_code(), &be_year],
        )
    }
}
