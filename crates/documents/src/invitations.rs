//! Invitations to a case conference: one letter to each agency invited, each with its own
//! register number, printed together (each on its own sheet) to sign and send at once. The
//! agenda names the cases by pseudonym only: the letters leave the unit.

use crate::document::{Content, Document};
use crate::outgoing::{LetterDraft, Letterhead, Outgoing};
use casebook::dates::{thai_date_and_time, thai_long, today};
use casebook::error::{Invalid, Rule};
use casebook::records::letter_template::LetterKind;
use casebook::{Casebook, Session};
use serde::Deserialize;
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct InvitationRequest {
    pub conference_id: String,
    /// The agencies invited, one letter each.
    pub agency_ids: Vec<String>,
    pub subject: String,
    /// As edited: {หน่วยงานผู้รับ} is filled with each agency's name.
    pub body: String,
    #[serde(default)]
    pub signer_id: Option<String>,
}

/// More agencies than any conference invites: a batch this size is a mistake.
const MAX_INVITED: usize = 60;

/// The numbers the letters took ("CPN/12", one per agency, in order) and the letters.
#[derive(Debug, Clone)]
pub struct IssuedInvitations {
    pub numbers: Vec<String>,
    pub letters: Document,
}

/// The invitation's subject and text from the unit's template, filled with the unit, the
/// conference's date, time and place and its agenda; {หน่วยงานผู้รับ} stays, for each letter.
pub fn invitation_draft(book: &Casebook, s: &Session, conference_id: &str) -> casebook::Result<LetterDraft> {
    let conference = book.conference(s, conference_id)?.record;
    let (date, time) = match thai_date_and_time(&conference.held_at) {
        Some((date, time)) => (date, format!("{time} น.")),
        None => (conference.held_at.clone(), String::new()),
    };
    let agenda: Vec<String> = book
        .agenda(s, conference_id)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            book.agenda_pseudonym(s, &item.record.case_id, i)
                .map(|who| format!("({}) พิจารณาแผนการช่วยเหลือ {who}", i + 1))
        })
        .collect::<casebook::Result<_>>()?;
    let agenda = if agenda.is_empty() {
        "พิจารณาแผนการช่วยเหลือผู้รับบริการ".to_owned()
    } else {
        agenda.join(" ")
    };
    let template = book.letter_template(s, LetterKind::Invitation)?;
    let (subject, body) = template.fill(&[
        ("{หน่วยของเรา}", book.unit()?.name),
        ("{วันที่}", thai_long(today())),
        ("{วันประชุม}", date),
        ("{เวลา}", time),
        ("{สถานที่}", conference.venue.unwrap_or_else(|| "-".into())),
        ("{วาระ}", agenda),
    ]);
    Ok(LetterDraft { subject, body })
}

/// Issues one invitation to each agency: a register number each (addressed to the agency),
/// the letters in one PDF. Every agency is read before the first number is taken, so a wrong
/// one takes none.
pub fn issue_invitations(
    book: &mut Casebook,
    s: &Session,
    request: &InvitationRequest,
) -> casebook::Result<IssuedInvitations> {
    if request.agency_ids.is_empty() {
        return Err(Invalid::new("invitation.agencies", Rule::Required).into());
    }
    if request.agency_ids.len() > MAX_INVITED {
        return Err(Invalid::new("invitation.agencies", Rule::TooLong).into());
    }
    book.conference(s, &request.conference_id)?;
    let head = Letterhead::of(book, s, request.signer_id.as_deref())?;
    // An agency ticked twice gets one letter, in the order ticked.
    let mut seen = std::collections::HashSet::new();
    let agencies = request
        .agency_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .map(|id| book.agency(s, id))
        .collect::<casebook::Result<Vec<_>>>()?;
    let mut numbers = Vec::new();
    let mut letters = Vec::new();
    for agency in &agencies {
        let entry = book.issue_letter_number(s, &request.subject, Some(&agency.record.name), None, None)?;
        let number = entry.number();
        let body = request.body.replace("{หน่วยงานผู้รับ}", &agency.record.name);
        letters.push(head.letter(Outgoing {
            agency: &agency.record,
            number: number.clone(),
            subject: &request.subject,
            body: &body,
            urgency: None,
            reference: None,
            enclosures: Vec::new(),
        }));
        numbers.push(number);
    }
    // The id is the book's, but only letters and digits go into a file name.
    let stamp: String = request
        .conference_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    Ok(IssuedInvitations {
        numbers,
        letters: Document::new(format!("invitations-{stamp}.pdf"), Content::Letters(letters)),
    })
}
