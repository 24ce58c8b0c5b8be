//! The referral letter (หนังสือภายนอก) and referral form from a case's referral: previewed
//! without a number, then issued with the next number of the letter register.

use crate::catalog::th;
use crate::document::{Content, Document};
use crate::outgoing::{LetterDraft, Letterhead, Outgoing};
use casebook::dates::thai_long;
use casebook::dates::today;
use casebook::records::Stored;
use casebook::records::letter_template::LetterKind;
use casebook::records::referral::{Referral, Urgency};
use casebook::{Casebook, Session};
use serde::Deserialize;
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct LetterRequest {
    pub referral_id: String,
    pub subject: String,
    /// Paragraphs separated by blank lines, as edited in the preview.
    pub body: String,
    /// Who signs (one of the unit's signers); none: the signed-in user, under their own
    /// position.
    #[serde(default)]
    pub signer_id: Option<String>,
}

/// An issued letter's number ("CPN/12"), the letter and the form that goes with it.
#[derive(Debug, Clone)]
pub struct IssuedReferral {
    pub letter_number: String,
    pub letter: Document,
    pub form: Document,
}

/// The letter as it will look, before it takes a number: "ที่ CPN/……". Audited as an export
/// of the case.
pub fn preview_referral_letter(
    book: &mut Casebook,
    s: &Session,
    request: &LetterRequest,
) -> casebook::Result<Document> {
    let referral = book.referral(s, &request.referral_id)?;
    book.record_export(s, &referral.record.case_id, "referral_letter_preview")?;
    let head = Letterhead::of(book, s, request.signer_id.as_deref())?;
    let letter = letter_for(book, s, &head, &referral, request, format!("{}/……", book.unit_code()))?;
    Ok(Document::new(
        "preview-letter.pdf".into(),
        Content::Letter(Box::new(letter)),
    ))
}

/// Issues a referral's letter and form: a register number, the referral marked sent, the
/// export audited. The form names the client for the agency, audited as a reveal.
pub fn issue_referral_letter(
    book: &mut Casebook,
    s: &Session,
    request: &LetterRequest,
) -> casebook::Result<IssuedReferral> {
    let head = Letterhead::of(book, s, request.signer_id.as_deref())?;
    let (referral, entry) = book.issue_referral_letter(s, &request.referral_id, &request.subject)?;
    let letter_number = referral.record.letter_number.clone().unwrap_or_default();
    let letter = letter_for(book, s, &head, &referral, request, letter_number.clone())?;
    let unit = book.unit()?;
    let view = book.open_case(s, &referral.record.case_id)?;
    let client = book.reveal_person(s, &view.client.id, "ออกหนังสือส่งต่อ")?;
    let agency = book.agency(s, &referral.record.agency_id)?;
    let age = view.client.age.map(|a| format!("{a} ปี")).unwrap_or_else(|| "-".into());
    let form = letters::ReferralForm {
        unit_name: unit.name.clone(),
        unit_phone: unit.phone.clone(),
        to_agency: agency.record.name.clone(),
        date: letter.date.clone(),
        case_number: view.case.case_number.clone(),
        letter_number: Some(letter_number.clone()),
        urgency: letter.urgency,
        client: vec![
            (
                "ชื่อ".into(),
                client.name_th.clone().or(client.name_latin.clone()).unwrap_or_default(),
            ),
            ("อายุ".into(), age),
            (
                "ภาษาที่ใช้".into(),
                view.client
                    .languages
                    .iter()
                    .map(|code| th(&format!("enum.language.{code}")))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ],
        reason: referral.record.reason.clone(),
        services: referral.record.services.clone(),
        contact: contact(book, s)?,
        thai_digits: unit.thai_digits,
    };
    let stem = entry.file_stem();
    Ok(IssuedReferral {
        letter_number,
        letter: Document::new(format!("{stem}-letter.pdf"), Content::Letter(Box::new(letter))),
        form: Document::new(format!("{stem}-form.pdf"), Content::Form(form)),
    })
}

/// The letter as the agency will read it. It names the agency, the unit and the reason, not
/// the client (the form does that).
fn letter_for(
    book: &Casebook,
    s: &Session,
    head: &Letterhead,
    referral: &Stored<Referral>,
    request: &LetterRequest,
    letter_number: String,
) -> casebook::Result<letters::OfficialLetter> {
    let agency = book.agency(s, &referral.record.agency_id)?;
    Ok(head.letter(Outgoing {
        agency: &agency.record,
        number: letter_number,
        subject: &request.subject,
        body: &request.body,
        urgency: match referral.record.urgency {
            Urgency::Normal => None,
            Urgency::Urgent => Some(letters::Urgency::Urgent),
            Urgency::VeryUrgent => Some(letters::Urgency::VeryUrgent),
            Urgency::MostUrgent => Some(letters::Urgency::MostUrgent),
        },
        reference: None,
        enclosures: vec!["แบบส่งต่อผู้รับบริการ จำนวน 1 ชุด".into()],
    }))
}

/// The referral letter's subject and text from the unit's template, filled with the agency,
/// the unit, the case's pseudonym and the referral's reason.
pub fn referral_letter_draft(book: &Casebook, s: &Session, referral_id: &str) -> casebook::Result<LetterDraft> {
    let referral = book.referral(s, referral_id)?;
    let agency = book.agency(s, &referral.record.agency_id)?;
    let template = book.letter_template(s, LetterKind::Referral)?;
    let (subject, body) = template.fill(&[
        ("{หน่วยงานผู้รับ}", agency.record.name),
        ("{หน่วยของเรา}", book.unit()?.name),
        ("{วันที่}", thai_long(today())),
        ("{นามสมมุติ}", book.agenda_pseudonym(s, &referral.record.case_id, 0)?),
        ("{เหตุผล}", referral.record.reason),
    ]);
    Ok(LetterDraft { subject, body })
}

/// The worker the agency calls about the referral: the signed-in user, with their position.
fn contact(book: &Casebook, s: &Session) -> casebook::Result<String> {
    Ok(match book.users_name_and_position(s)? {
        (name, Some(position)) => format!("{name} ({position})"),
        (name, None) => name,
    })
}
