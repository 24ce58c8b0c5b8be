//! What every letter the unit sends shares: the unit's heading and emblem, today's date in
//! the Buddhist era, the agency addressed as its type asks, the text in paragraphs, and the
//! signer's block.

use casebook::UnitInfo;
use casebook::dates::{thai_long, today};
use casebook::records::agency::Agency;
use casebook::records::signer::Signature;
use casebook::{Casebook, Session};
use serde::Serialize;
use ts_rs::TS;

/// A letter's subject and text from its template, filled, for the worker to edit.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct LetterDraft {
    pub subject: String,
    pub body: String,
}

/// What every letter of one issue shares: the unit's heading and emblem, and who signs. Made
/// before a letter takes its number, so a signer who may not sign costs no number; made once
/// for a batch of invitations.
pub(crate) struct Letterhead {
    unit: UnitInfo,
    emblem: Option<letters::Image>,
    signature: Signature,
}

impl Letterhead {
    pub(crate) fn of(book: &Casebook, s: &Session, signer_id: Option<&str>) -> casebook::Result<Letterhead> {
        Ok(Letterhead {
            unit: book.unit()?,
            // An emblem the letters crate cannot read is left off rather than failing the letter.
            emblem: book
                .emblem()?
                .and_then(|png| letters::Image::from_png("Emblem", &png).ok()),
            signature: book.signature(s, signer_id)?,
        })
    }

    pub(crate) fn letter(&self, out: Outgoing<'_>) -> letters::OfficialLetter {
        let unit = &self.unit;
        letters::OfficialLetter {
            emblem: self.emblem.clone(),
            urgency: out.urgency,
            number: out.number,
            unit_address: std::iter::once(unit.name.clone()).chain(unit.address.clone()).collect(),
            date: thai_long(today()),
            subject: out.subject.to_owned(),
            salutation: out.agency.salutation.opening().into(),
            to: out.agency.addressed_to(),
            reference: out.reference,
            enclosures: out.enclosures,
            body: out
                .body
                .split("\n\n")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            closing: out.agency.salutation.closing().into(),
            signer_name: self.signature.name.clone(),
            signer_position: self.signature.position.clone(),
            owner: unit.name.clone(),
            phone: unit.phone.clone(),
            fax: None,
            email: None,
            thai_digits: unit.thai_digits,
        }
    }
}

/// A letter to `agency` as the worker edited it, before it is worded on the page.
pub(crate) struct Outgoing<'a> {
    pub agency: &'a Agency,
    /// "CPN/12", or "CPN/……" in a preview.
    pub number: String,
    pub subject: &'a str,
    /// Paragraphs separated by blank lines.
    pub body: &'a str,
    pub urgency: Option<letters::Urgency>,
    /// อ้างถึง: an earlier letter of the case.
    pub reference: Option<String>,
    pub enclosures: Vec<String>,
}
