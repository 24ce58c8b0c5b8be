//! The referral letter (หนังสือภายนอก) and referral form from a case's referral: previewed
//! without a number, then issued with the next number of the letter register.

use crate::commands::{Result, typesetter, with_book};
use crate::exports;
use crate::state::AppState;
use casebook::partners::{Referral, Urgency};
use casebook::records::Stored;
use casebook::{Casebook, Session};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct LetterRequest {
    pub referral_id: String,
    pub subject: String,
    /// Paragraphs separated by blank lines, as edited in the preview.
    pub body: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IssuedLetter {
    pub number: String,
    pub letter_path: String,
    pub form_path: String,
}

/// The letter as the agency will read it. It names the agency, the unit and the reason, not
/// the client (the form does that).
fn letter_for(
    book: &Casebook,
    s: &Session,
    referral: &Stored<Referral>,
    request: &LetterRequest,
    number: String,
) -> casebook::Result<letters::OfficialLetter> {
    let unit = book.unit()?;
    let agency = book.agency(s, &referral.record.agency_id)?;
    Ok(letters::OfficialLetter {
        emblem: book
            .emblem()?
            .and_then(|png| letters::Image::from_png("Emblem", &png).ok()),
        urgency: match referral.record.urgency {
            Urgency::Normal => None,
            Urgency::Urgent => Some(letters::Urgency::Urgent),
            Urgency::VeryUrgent => Some(letters::Urgency::VeryUrgent),
            Urgency::MostUrgent => Some(letters::Urgency::MostUrgent),
        },
        number,
        unit_address: std::iter::once(unit.name.clone()).chain(unit.address.clone()).collect(),
        date: casebook::dates::thai_long(casebook::person::today(), false),
        subject: request.subject.clone(),
        to: format!("ผู้อำนวยการ{}", agency.record.name),
        reference: None,
        enclosures: vec!["แบบส่งต่อผู้รับบริการ จำนวน 1 ชุด".into()],
        body: request
            .body
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        closing: "ขอแสดงความนับถือ".into(),
        signer_name: book.users_display_name(s)?,
        signer_position: vec![unit.name.clone()],
        owner: unit.name,
        phone: unit.phone,
        fax: None,
        email: None,
        thai_digits: unit.thai_digits,
    })
}

/// The letter as it will look, before it takes a number: "ที่ CPN/……". Written to
/// `exports/preview-letter.pdf` to open in the viewer; audited as an export of the case.
#[tauri::command]
pub fn preview_referral_letter(state: State<'_, AppState>, request: LetterRequest) -> Result<String> {
    let letter = with_book(&state, |book, s| {
        let referral = book.referral(s, &request.referral_id)?;
        book.record_export(s, &referral.record.case_id, "referral_letter_preview")?;
        letter_for(book, s, &referral, &request, format!("{}/……", book.unit_code()))
    })?;
    exports::write(&state, "preview-letter.pdf", &typesetter()?.official_letter(&letter))
}

/// Issues a referral's letter and form: a register number, the referral marked sent, the
/// export audited, and both PDFs written to the data folder's `exports` (for printing).
#[tauri::command]
pub fn issue_referral_letter(state: State<'_, AppState>, request: LetterRequest) -> Result<IssuedLetter> {
    let (stem, letter, form) = with_book(&state, |book, s| {
        let (referral, entry) = book.issue_referral_letter(s, &request.referral_id, &request.subject)?;
        let number = referral.record.letter_number.clone().unwrap_or_default();
        let letter = letter_for(book, s, &referral, &request, number.clone())?;
        let unit = book.unit()?;
        let view = book.open_case(s, &referral.record.case_id)?;
        // The agency needs to know whom it receives: the form names the client, audited as a reveal.
        let client = book.reveal_person(s, &view.client.id, "ออกหนังสือส่งต่อ")?;
        let agency = book.agency(s, &referral.record.agency_id)?;
        let age = view.client.age.map(|a| format!("{a} ปี")).unwrap_or_else(|| "-".into());
        let form = letters::ReferralForm {
            from_unit: unit.name.clone(),
            from_phone: unit.phone.clone(),
            to_agency: agency.record.name.clone(),
            date: letter.date.clone(),
            case_number: view.case.case_number.clone(),
            letter_number: Some(number),
            urgency: letter.urgency,
            client: vec![
                (
                    "ชื่อ".into(),
                    client.name_th.clone().or(client.name_latin.clone()).unwrap_or_default(),
                ),
                ("อายุ".into(), age),
                ("ภาษาที่ใช้".into(), view.client.languages.join(", ")),
            ],
            reason: referral.record.reason.clone(),
            services: referral.record.services.clone(),
            contact: letter.signer_name.clone(),
            thai_digits: unit.thai_digits,
        };
        let stem = format!("{}-{}-{}", unit.code, entry.record.be_year, entry.record.number);
        Ok((stem, letter, form))
    })?;
    let typesetter = typesetter()?;
    let letter_path = exports::write(
        &state,
        &format!("{stem}-letter.pdf"),
        &typesetter.official_letter(&letter),
    )?;
    let form_path = exports::write(&state, &format!("{stem}-form.pdf"), &typesetter.referral_form(&form))?;
    Ok(IssuedLetter {
        number: letter.number,
        letter_path,
        form_path,
    })
}
