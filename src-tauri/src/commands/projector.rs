//! The projector window of a case conference: opened from the main window, told what the
//! room sees, and polled by the window itself.

use crate::error::{Failure, Result};
use crate::state::AppState;
use casebook::records::conference::ProjectorView;
use serde::Serialize;
use tauri::{Manager, State};
use ts_rs::TS;

/// The label of the second window; its capability allows it `projector_view` and nothing else.
const PROJECTOR: &str = "projector";

/// What the projector window draws: nothing (privacy screen, or no case yet), or a case.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProjectorScreen {
    pub blank: bool,
    pub view: Option<ProjectorView>,
}

/// Opens the projector window (or brings it forward) for the facilitator to drag onto the
/// projector's screen.
#[tauri::command]
pub fn open_projector(app: tauri::AppHandle) -> Result<()> {
    if let Some(window) = app.get_webview_window(PROJECTOR) {
        return window.set_focus().map_err(|_| Failure::Window.into());
    }
    tauri::WebviewWindowBuilder::new(&app, PROJECTOR, tauri::WebviewUrl::App("index.html#projector".into()))
        .title(documents::th("projector.window_title"))
        .inner_size(1024.0, 768.0)
        .build()
        .map(|_| ())
        .map_err(|_| Failure::Window.into())
}

/// The main window says what the room sees: which agenda case, the privacy screen, and the
/// decisions being typed. A new case on screen is audited.
#[tauri::command]
pub fn project(
    state: State<'_, AppState>,
    agenda_case_id: Option<String>,
    blank: bool,
    draft: Option<String>,
) -> Result<()> {
    let changed = state.projection.lock().map_err(|_| Failure::Storage)?.agenda_case_id != agenda_case_id;
    if changed && let Some(id) = &agenda_case_id {
        state.with_book(|book, s| book.project_case(s, id))?;
    }
    let mut projection = state.projection.lock().map_err(|_| Failure::Storage)?;
    projection.agenda_case_id = agenda_case_id;
    projection.blank = blank;
    projection.draft = draft;
    Ok(())
}

/// What the projector window polls. It does not count as activity (the projector must not
/// keep the laptop from locking), and a locked book shows a blank screen.
#[tauri::command]
pub fn projector_view(state: State<'_, AppState>) -> Result<ProjectorScreen> {
    let projection = state.projection.lock().map_err(|_| Failure::Storage)?.clone();
    let blank = ProjectorScreen {
        blank: true,
        view: None,
    };
    let Some(agenda_case_id) = projection.agenda_case_id.filter(|_| !projection.blank) else {
        return Ok(blank);
    };
    let guard = state.book.lock().map_err(|_| Failure::Storage)?;
    let Some(unlocked) = guard.as_ref() else {
        return Ok(blank);
    };
    let view = unlocked
        .book
        .projector_view(&unlocked.session, &agenda_case_id, projection.draft.as_deref())?;
    Ok(ProjectorScreen {
        blank: false,
        view: Some(view),
    })
}
