//! The case book itself: is there one, create it (first run), sign in, lock, the recovery
//! sheet, and the unit's emblem for letters.

use crate::error::{Failure, Result};
use crate::exports;
use crate::settings::{self, Settings};
use crate::state::AppState;
use casebook::{Casebook, Invalid, KdfParams, NewBook, Rule, Session, UnitInfo};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BookStatus {
    /// A case book exists in the data folder (else: first run).
    pub exists: bool,
    /// Who is signed in, if the book is unlocked.
    pub session: Option<Session>,
    /// The unit, once unlocked.
    pub unit: Option<UnitInfo>,
    pub settings: Settings,
}

/// Does not count as activity: the UI polls it to notice the idle lock.
#[tauri::command]
pub fn book_status(state: State<'_, AppState>) -> Result<BookStatus> {
    state.lock_if_idle();
    let guard = state.book.lock().map_err(|_| Failure::Storage)?;
    let session = guard.as_ref().map(|u| u.session.clone());
    let unit = match guard.as_ref() {
        Some(unlocked) => Some(unlocked.book.unit()?),
        None => None,
    };
    Ok(BookStatus {
        exists: Casebook::exists(&state.data_dir),
        session,
        unit,
        settings: settings::load(&state.data_dir),
    })
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Created {
    pub session: Session,
    /// Shown once, for the recovery sheet; never stored in clear.
    pub recovery_code: String,
}

#[tauri::command]
pub fn create_book(state: State<'_, AppState>, input: NewBook) -> Result<Created> {
    let new = NewBook {
        unit_code: input.unit_code.trim().to_uppercase(),
        admin_username: input.admin_username.trim().to_owned(),
        ..input
    };
    let (book, session, recovery) = Casebook::create(&state.data_dir, &new, KdfParams::default())?;
    state.open(book, session.clone())?;
    Ok(Created {
        session,
        recovery_code: recovery.display(),
    })
}

#[tauri::command]
pub fn sign_in(state: State<'_, AppState>, username: String, passphrase: String) -> Result<Session> {
    let (book, session) = Casebook::unlock(&state.data_dir, username.trim(), &passphrase)?;
    state.open(book, session.clone())?;
    Ok(session)
}

#[tauri::command]
pub fn lock(state: State<'_, AppState>) -> Result<()> {
    *state.book.lock().map_err(|_| Failure::Storage)? = None;
    Ok(())
}

/// The recovery sheet as a PDF in `exports`, to print at the first run. The code comes back
/// from the page that shows it; it is never stored by the app.
#[tauri::command]
pub fn recovery_sheet(state: State<'_, AppState>, code: String) -> Result<String> {
    let sheet = state.with_book(|book, _| documents::recovery_sheet(book, code))?;
    exports::save(&state, &sheet)
}

/// The administrator's emblem for letters: the PNG as the raw body; an empty body removes it.
/// Returns whether the unit now has one.
#[tauri::command]
pub fn set_emblem(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<bool> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(Failure::BadRequest.into());
    };
    let png = (!bytes.is_empty()).then_some(bytes.as_slice());
    // Refused now rather than when a letter is printed: the book only checks the signature.
    if png.is_some_and(|png| letters::Image::from_png("Emblem", png).is_err()) {
        return Err(casebook::Error::from(Invalid::new("unit.emblem", Rule::NotPng)).into());
    }
    state.with_book(|book, s| book.set_emblem(s, png))?;
    Ok(png.is_some())
}

#[tauri::command]
pub fn has_emblem(state: State<'_, AppState>) -> Result<bool> {
    state.with_book(|book, _| Ok(book.emblem()?.is_some()))
}
