//! The other letters a unit writes about a case, each from the unit's template of its kind: a
//! follow-up on a referral the agency has not answered, a reply to a request from the police
//! or a court, a request for information. อ้างถึง names an earlier letter of the case (sent
//! or received) and สิ่งที่ส่งมาด้วย what goes with it. The letter names the case by its
//! pseudonym only.

use crate::catalog::th_enum;
use crate::document::{Content, Document};
use crate::outgoing::{LetterDraft, Letterhead, Outgoing};
use casebook::dates::{day_in_thailand, parse_date, thai_date_and_time, thai_long, today};
use casebook::error::{Invalid, Rule};
use casebook::records::agency::Agency;
use casebook::records::correspondence::Correspondence;
use casebook::records::letter_template::LetterKind;
use casebook::{Casebook, Session};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CaseLetterRequest {
    /// A follow-up, a reply or a request for information (a referral and an invitation have
    /// their own letters).
    pub kind: LetterKind,
    pub case_id: String,
    pub agency_id: String,
    /// The referral a follow-up is about.
    #[serde(default)]
    pub referral_id: Option<String>,
    /// อ้างถึง, as chosen from `earlier_letters` (or typed).
    #[serde(default)]
    pub reference: Option<String>,
    /// สิ่งที่ส่งมาด้วย, one line each.
    #[serde(default)]
    pub enclosures: Vec<String>,
    pub subject: String,
    pub body: String,
    #[serde(default)]
    pub signer_id: Option<String>,
}

/// An earlier letter of a case, as a later letter refers to it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EarlierLetter {
    /// "หนังสือศูนย์พึ่งได้… ที่ CPN/3 ลงวันที่ 30 พฤศจิกายน 2569".
    pub reference: String,
    pub subject: String,
    /// The referral it was about, if any: a follow-up refers to the referral's letter.
    pub referral_id: Option<String>,
}

/// The case's letters sent and received, oldest first, worded as อ้างถึง writes them.
pub fn earlier_letters(book: &Casebook, s: &Session, case_id: &str) -> casebook::Result<Vec<EarlierLetter>> {
    let Correspondence { sent, received } = book.case_correspondence(s, case_id)?;
    let unit = book.unit()?;
    // In the order they were dated (the day in Thailand), then logged. An instant stored in
    // UTC compared as text with a day typed in Thailand put a letter received before the
    // letters sent earlier that day, from 7 a.m. to midnight in Thailand.
    let mut letters: Vec<(_, EarlierLetter)> = sent
        .into_iter()
        .map(|entry| {
            let number = entry.number();
            // The day it was issued in Thailand, as the letter itself is dated.
            let date = thai_date_and_time(&entry.created_at)
                .map(|(date, _)| date)
                .unwrap_or_default();
            let reference = format!("หนังสือ{} ที่ {number} ลงวันที่ {date}", unit.name);
            (
                (day_in_thailand(&entry.created_at), entry.created_at.clone()),
                EarlierLetter {
                    reference,
                    subject: entry.record.subject,
                    referral_id: entry.record.referral_id,
                },
            )
        })
        .collect();
    for letter in received {
        let sender = match &letter.record.sender_agency_id {
            Some(id) => book.agency(s, id)?.record.name,
            None => letter.record.sender.clone().unwrap_or_default(),
        };
        let mut reference = format!("หนังสือ{sender}");
        if let Some(number) = &letter.record.their_number {
            reference.push_str(&format!(" ที่ {number}"));
        }
        if let Some(date) = letter.record.their_date.as_deref().and_then(parse_date) {
            reference.push_str(&format!(" ลงวันที่ {}", thai_long(date)));
        }
        letters.push((
            (parse_date(&letter.record.received_on), letter.created_at.clone()),
            EarlierLetter {
                reference,
                subject: letter.record.subject,
                referral_id: letter.record.referral_id,
            },
        ));
    }
    letters.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(letters.into_iter().map(|(_, letter)| letter).collect())
}

/// What may go with a letter about the case (สิ่งที่ส่งมาด้วย), worded for the list: a copy
/// of each referral form issued, of each consent form signed and kept, and the masked case
/// summary.
pub fn enclosures(book: &Casebook, s: &Session, case_id: &str) -> casebook::Result<Vec<String>> {
    let mut lines: Vec<String> = book
        .referrals(s, case_id)?
        .into_iter()
        .filter_map(|r| r.record.letter_number)
        .map(|number| format!("สำเนาแบบส่งต่อผู้รับบริการ (หนังสือที่ {number}) จำนวน 1 ชุด"))
        .collect();
    for consent in book.consents(s, case_id)? {
        let consent = consent.record;
        if consent.form_sha256.is_none() {
            continue;
        }
        let on = parse_date(&consent.given_on).map(thai_long).unwrap_or(consent.given_on);
        lines.push(format!(
            "สำเนาหนังสือแสดงความยินยอม ({}) ลงวันที่ {on} จำนวน 1 ฉบับ",
            th_enum("purpose", &consent.purpose)
        ));
    }
    lines.push("สรุปข้อมูลรายกรณี (ปิดบังข้อมูลระบุตัวตน) จำนวน 1 ชุด".to_owned());
    Ok(lines)
}

/// The letter's subject and text from the unit's template of `kind`, filled with the agency,
/// the unit, the case's pseudonym, the letter referred to and, for a follow-up, the date the
/// reply was due.
pub fn case_letter_draft(book: &Casebook, s: &Session, request: &CaseLetterRequest) -> casebook::Result<LetterDraft> {
    kind_of_case_letter(request.kind)?;
    let agency = book.agency(s, &request.agency_id)?;
    let reply_by = match &request.referral_id {
        Some(id) => book
            .referral(s, id)?
            .record
            .reply_by
            .as_deref()
            .and_then(parse_date)
            .map(thai_long),
        None => None,
    };
    let template = book.letter_template(s, request.kind)?;
    let (subject, body) = template.fill(&[
        ("{หน่วยงานผู้รับ}", agency.record.name),
        ("{หน่วยของเรา}", book.unit()?.name),
        ("{วันที่}", thai_long(today())),
        ("{นามสมมุติ}", book.agenda_pseudonym(s, &request.case_id, 0)?),
        ("{หนังสือเดิม}", request.reference.clone().unwrap_or_default()),
        ("{กำหนดตอบ}", reply_by.unwrap_or_default()),
    ]);
    Ok(LetterDraft { subject, body })
}

/// The letter as it will look, before it takes a number. Audited as an export of the case.
pub fn preview_case_letter(
    book: &mut Casebook,
    s: &Session,
    request: &CaseLetterRequest,
) -> casebook::Result<Document> {
    kind_of_case_letter(request.kind)?;
    book.record_export(s, &request.case_id, "case_letter_preview")?;
    let head = Letterhead::of(book, s, request.signer_id.as_deref())?;
    let agency = book.agency(s, &request.agency_id)?.record;
    let letter = letter_for(&head, &agency, request, format!("{}/……", book.unit_code()));
    Ok(Document::new(
        "preview-letter.pdf".into(),
        Content::Letter(Box::new(letter)),
    ))
}

/// Issues the letter: the next register number (naming the case's number and the agency),
/// the export audited. Returns the number and the letter.
pub fn issue_case_letter(
    book: &mut Casebook,
    s: &Session,
    request: &CaseLetterRequest,
) -> casebook::Result<(String, Document)> {
    kind_of_case_letter(request.kind)?;
    let head = Letterhead::of(book, s, request.signer_id.as_deref())?;
    let case_number = book.case_number(s, &request.case_id)?;
    let agency = book.agency(s, &request.agency_id)?.record;
    let entry = book.issue_letter_number(
        s,
        &request.subject,
        Some(&agency.name),
        request.referral_id.as_deref(),
        Some(&case_number),
    )?;
    book.record_export(s, &request.case_id, "case_letter")?;
    let number = entry.number();
    let letter = letter_for(&head, &agency, request, number.clone());
    let stem = entry.file_stem();
    Ok((
        number,
        Document::new(format!("{stem}-letter.pdf"), Content::Letter(Box::new(letter))),
    ))
}

fn kind_of_case_letter(kind: LetterKind) -> casebook::Result<()> {
    match kind {
        LetterKind::FollowUp | LetterKind::Reply | LetterKind::InformationRequest => Ok(()),
        LetterKind::Referral | LetterKind::Invitation => Err(Invalid::new("letter.kind", Rule::UnknownCode).into()),
    }
}

fn letter_for(
    head: &Letterhead,
    agency: &Agency,
    request: &CaseLetterRequest,
    number: String,
) -> letters::OfficialLetter {
    let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    head.letter(Outgoing {
        agency,
        number,
        subject: &request.subject,
        body: &request.body,
        urgency: None,
        reference: request.reference.as_deref().and_then(text),
        enclosures: request.enclosures.iter().filter_map(|e| text(e)).collect(),
    })
}
