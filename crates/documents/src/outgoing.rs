//! What every letter the unit sends shares: the unit's heading and emblem, today's date in
//! the Buddhist era, the agency addressed as its type asks, the text in paragraphs, and the
//! signer's block.

use casebook::dates::{thai_long, today};
use casebook::records::agency::Agency;
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

/// A letter to `agency` as the worker edited it, before it is worded on the page.
pub(crate) struct Outgoing<'a> {
    pub agency: &'a Agency,
    /// "CPN/12", or "CPN/……" in a preview.
    pub number: String,
    pub subject: &'a str,
    /// Paragraphs separated by blank lines.
    pub body: &'a str,
    pub signer_id: Option<&'a str>,
    pub urgency: Option<letters::Urgency>,
    /// อ้างถึง: an earlier letter of the case.
    pub reference: Option<String>,
    pub enclosures: Vec<String>,
}

pub(crate) fn official_letter(
    book: &Casebook,
    s: &Session,
    out: Outgoing<'_>,
) -> casebook::Result<letters::OfficialLetter> {
    let unit = book.unit()?;
    let signature = book.signature(s, out.signer_id)?;
    Ok(letters::OfficialLetter {
        // An emblem the letters crate cannot read is left off rather than failing the letter.
        emblem: book
            .emblem()?
            .and_then(|png| letters::Image::from_png("Emblem", &png).ok()),
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
        signer_name: signature.name,
        signer_position: signature.position,
        owner: unit.name,
        phone: unit.phone,
        fax: None,
        email: None,
        thai_digits: unit.thai_digits,
    })
}
