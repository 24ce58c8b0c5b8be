//! The case book itself: is there one (or what of it was lost), create it (first run), sign
//! in, change one's passphrase, lock, the recovery code and sheet, a new master key, and the
//! unit's emblem for letters.

use crate::error::{CommandError, Failure, Result};
use crate::settings::{self, Settings};
use crate::state::AppState;
use casebook::{BookState, Casebook, Invalid, KdfParams, KeyChanged, NewBook, Rule, Session, UnitInfo};
use serde::Serialize;
use std::sync::atomic::Ordering;
use tauri::{Manager, State};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BookStatus {
    /// What the data folder holds: nothing (first run), a book, or a book that lost its key
    /// file or database (the recovery screen).
    pub state: BookState,
    /// Who is signed in, if the book is unlocked.
    pub session: Option<Session>,
    /// Signed in with a passphrase an administrator set: it is changed before anything else.
    pub must_change_passphrase: bool,
    /// The unit, once unlocked.
    pub unit: Option<UnitInfo>,
    pub settings: Settings,
}

/// Does not count as activity: the UI polls it to notice the idle lock.
#[tauri::command]
pub fn book_status(state: State<'_, AppState>) -> Result<BookStatus> {
    state.lock_if_idle();
    let book_state = Casebook::peek_state(&state.data_dir);
    let guard = state.book.lock().map_err(|_| Failure::Storage)?;
    let session = guard.as_ref().map(|u| u.session.clone());
    let (unit, must_change_passphrase) = match guard.as_ref() {
        Some(unlocked) => (Some(unlocked.book.unit()?), unlocked.book.must_change_passphrase()),
        None => (None, false),
    };
    Ok(BookStatus {
        state: book_state,
        session,
        must_change_passphrase,
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

/// The signed-in user chooses a new passphrase (also the one forced after an administrator
/// set theirs).
#[tauri::command]
pub fn change_passphrase(state: State<'_, AppState>, old: String, new: String) -> Result<()> {
    state.with_book_as_is(|book, s| book.change_passphrase(s, &old, &new))
}

/// Locks the book, and removes the documents written for the viewer. Also the quick exit.
#[tauri::command]
pub fn lock(state: State<'_, AppState>) {
    state.lock();
}

/// A book whose key file was lost or damaged, opened with the recovery code (through the
/// recovery file beside it), as the recovery administrator.
#[tauri::command]
pub fn recover_book(state: State<'_, AppState>, recovery_code: String) -> Result<Session> {
    let (book, session) = Casebook::unlock_with_recovery(&state.data_dir, &recovery_code)?;
    state.open(book, session.clone())?;
    Ok(session)
}

/// The recovery sheet as a PDF in the private folder, to print, or save where the user
/// chooses; never left in the data folder. The code comes back from the page that shows it;
/// it is never stored by the app.
#[tauri::command]
pub fn recovery_sheet(state: State<'_, AppState>, code: String) -> Result<String> {
    let sheet = state.with_book(|book, _| documents::recovery_sheet(book, code))?;
    state.export(&sheet)
}

/// A new master key for this laptop's book (after a user left, or a copy of the folder was
/// lost). Runs off the main thread; `copy_progress` tells the page how far the copy is.
#[tauri::command]
pub async fn change_master_key(app: tauri::AppHandle) -> Result<KeyChanged> {
    tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        state.copy_percent.store(0, Ordering::Relaxed);
        state.with_book(|book, s| book.change_master_key(s, |p| state.copy_percent.store(p, Ordering::Relaxed)))
    })
    .await
    .map_err(|_| CommandError::from(Failure::Storage))?
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
