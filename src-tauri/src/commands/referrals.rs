//! A case's referrals to agencies, their replies, and the referral letter and form:
//! previewed without a number, then issued with the register's next number.

use crate::error::Result;
use crate::state::AppState;
use casebook::records::Stored;
use casebook::records::consent::BasisGiven;
use casebook::records::referral::{Referral, ReferralStatus};
use documents::LetterRequest;
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct IssuedLetter {
    pub letter_number: String,
    pub letter_path: String,
    pub form_path: String,
}

#[tauri::command]
pub fn referrals(state: State<'_, AppState>, case_id: String) -> Result<Vec<Stored<Referral>>> {
    state.with_book(|book, s| book.referrals(s, &case_id))
}

/// A referral rests on a consent in force, or on the legal basis `basis` names.
#[tauri::command]
pub fn create_referral(state: State<'_, AppState>, referral: Referral, basis: Option<BasisGiven>) -> Result<String> {
    state.with_book(|book, s| book.create_referral(s, &referral, basis.as_ref()))
}

#[tauri::command]
pub fn record_referral_reply(
    state: State<'_, AppState>,
    id: String,
    status: ReferralStatus,
    reply: String,
) -> Result<()> {
    state.with_book(|book, s| book.update_referral(s, &id, status, Some(&reply)))
}

/// The letter as it will look, before it takes a number, written to `exports` to open in
/// the viewer.
#[tauri::command]
pub fn preview_referral_letter(state: State<'_, AppState>, request: LetterRequest) -> Result<String> {
    let letter = state.with_book(|book, s| documents::preview_referral_letter(book, s, &request))?;
    state.export(&letter)
}

/// Issues the letter and form (the referral marked sent) and writes both to `exports` for
/// printing.
#[tauri::command]
pub fn issue_referral_letter(state: State<'_, AppState>, request: LetterRequest) -> Result<IssuedLetter> {
    let issued = state.with_book(|book, s| documents::issue_referral_letter(book, s, &request))?;
    Ok(IssuedLetter {
        letter_path: state.export(&issued.letter)?,
        form_path: state.export(&issued.form)?,
        letter_number: issued.letter_number,
    })
}
