//! Multidisciplinary case conferences: planning, the meeting itself, the projector window,
//! the minutes and the promises still overdue. Thin commands over crates/casebook.

use crate::commands::{CommandError, Result, th, th_enum, typesetter, with_book};
use crate::exports;
use crate::state::AppState;
use casebook::conference::{
    ActionItem, ActionStatus, AgendaCase, Attendee, Conference, ConferenceStatus, OverdueAction, ProjectorView,
};
use casebook::records::Stored;
use serde::Serialize;
use tauri::{Manager, State};
use ts_rs::TS;

/// The label of the second window; its capability allows it `projector_view` and nothing else.
pub const PROJECTOR: &str = "projector";

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AgendaRow {
    pub item: Stored<AgendaCase>,
    pub case_number: String,
    pub actions: Vec<Stored<ActionItem>>,
    /// Open promises about this case from earlier conferences.
    pub carried: Vec<Stored<ActionItem>>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ConferenceDetail {
    pub conference: Stored<Conference>,
    pub attendees: Vec<Stored<Attendee>>,
    pub agenda: Vec<AgendaRow>,
}

/// What the projector window draws: nothing (privacy screen, or no case yet), or a case.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ProjectorScreen {
    pub blank: bool,
    pub view: Option<ProjectorView>,
}

#[tauri::command]
pub fn conferences(state: State<'_, AppState>) -> Result<Vec<Stored<Conference>>> {
    with_book(&state, |book, s| book.conferences(s))
}

#[tauri::command]
pub fn plan_conference(state: State<'_, AppState>, conference: Conference) -> Result<String> {
    with_book(&state, |book, s| book.plan_conference(s, &conference))
}

#[tauri::command]
pub fn conference_detail(state: State<'_, AppState>, id: String) -> Result<ConferenceDetail> {
    with_book(&state, |book, s| {
        let mut agenda = Vec::new();
        for item in book.agenda(s, &id)? {
            // Only the number: the page reloads after every change and must not log a case view each time.
            let case_number = book.case_number(s, &item.record.case_id)?;
            let carried = book
                .open_actions(s, &item.record.case_id)?
                .into_iter()
                .filter(|a| a.record.conference_case_id != item.id)
                .collect();
            agenda.push(AgendaRow {
                actions: book.agenda_actions(s, &item.id)?,
                case_number,
                carried,
                item,
            });
        }
        Ok(ConferenceDetail {
            conference: book.conference(s, &id)?,
            attendees: book.attendees(s, &id)?,
            agenda,
        })
    })
}

#[tauri::command]
pub fn add_attendee(state: State<'_, AppState>, attendee: Attendee) -> Result<String> {
    with_book(&state, |book, s| book.add_attendee(s, &attendee))
}

/// Puts a case on the agenda with a pseudonymized summary to start from: "ด.ญ. ก. อายุ 14 ปี",
/// its issues, risk and status. The facilitator edits it before the meeting.
#[tauri::command]
pub fn add_agenda_case(state: State<'_, AppState>, conference_id: String, case_id: String) -> Result<String> {
    with_book(&state, |book, s| {
        let position = book.agenda(s, &conference_id)?.len();
        let case = book.open_case(s, &case_id)?.case;
        let issues: Vec<String> = case.categories.iter().map(|c| th_enum("category", c)).collect();
        let summary = format!(
            "{} · {} · ความเสี่ยง{} · {}",
            book.agenda_pseudonym(s, &case_id, position)?,
            issues.join(", "),
            th_enum("risk", &case.risk),
            th_enum("status", &case.status)
        );
        book.add_agenda_case(
            s,
            &AgendaCase {
                conference_id,
                case_id,
                position: position as i64 + 1,
                summary: Some(summary),
                risk_assessment: None,
                decisions: None,
            },
        )
    })
}

#[tauri::command]
pub fn save_agenda_case(
    state: State<'_, AppState>,
    agenda_id: String,
    summary: String,
    risk_assessment: String,
    decisions: String,
) -> Result<()> {
    with_book(&state, |book, s| {
        book.record_decisions(s, &agenda_id, Some(&summary), Some(&risk_assessment), &decisions)
    })?;
    // Saved: the projector shows the stored text from now on.
    if let Ok(mut projection) = state.projection.lock() {
        projection.draft = None;
    }
    Ok(())
}

#[tauri::command]
pub fn add_action_item(state: State<'_, AppState>, item: ActionItem) -> Result<String> {
    with_book(&state, |book, s| book.add_action_item(s, &item))
}

#[tauri::command]
pub fn set_action_status(state: State<'_, AppState>, id: String, status: ActionStatus) -> Result<()> {
    with_book(&state, |book, s| book.set_action_status(s, &id, status))
}

#[tauri::command]
pub fn set_conference_status(state: State<'_, AppState>, id: String, status: ConferenceStatus) -> Result<()> {
    with_book(&state, |book, s| book.set_conference_status(s, &id, status))
}

#[tauri::command]
pub fn overdue_actions(state: State<'_, AppState>) -> Result<Vec<OverdueAction>> {
    with_book(&state, |book, s| book.overdue_actions(s, casebook::person::today()))
}

/// Opens the projector window (or brings it forward) for the facilitator to drag onto the
/// projector's screen.
#[tauri::command]
pub fn open_projector(app: tauri::AppHandle) -> Result<()> {
    if let Some(window) = app.get_webview_window(PROJECTOR) {
        return window.set_focus().map_err(|_| CommandError::key("error.window"));
    }
    tauri::WebviewWindowBuilder::new(&app, PROJECTOR, tauri::WebviewUrl::App("index.html#projector".into()))
        .title(th("projector.window_title"))
        .inner_size(1024.0, 768.0)
        .build()
        .map(|_| ())
        .map_err(|_| CommandError::key("error.window"))
}

/// The main window says what the room sees: which agenda case, the privacy screen, and the
/// decisions being typed. A new case on screen is audited.
#[tauri::command]
pub fn project(
    state: State<'_, AppState>,
    agenda_id: Option<String>,
    blank: bool,
    draft: Option<String>,
) -> Result<()> {
    let changed = {
        let projection = state
            .projection
            .lock()
            .map_err(|_| CommandError::key("error.storage"))?;
        projection.agenda_id != agenda_id
    };
    if changed && let Some(id) = &agenda_id {
        with_book(&state, |book, s| book.project_case(s, id))?;
    }
    let mut projection = state
        .projection
        .lock()
        .map_err(|_| CommandError::key("error.storage"))?;
    projection.agenda_id = agenda_id;
    projection.blank = blank;
    projection.draft = draft;
    Ok(())
}

/// What the projector window polls. It does not count as activity (the projector must not
/// keep the laptop from locking), and a locked book shows a blank screen.
#[tauri::command]
pub fn projector_view(state: State<'_, AppState>) -> Result<ProjectorScreen> {
    let projection = state
        .projection
        .lock()
        .map_err(|_| CommandError::key("error.storage"))?
        .clone();
    let blank = ProjectorScreen {
        blank: true,
        view: None,
    };
    let Some(agenda_id) = projection.agenda_id.filter(|_| !projection.blank) else {
        return Ok(blank);
    };
    let guard = state.book.lock().map_err(|_| CommandError::key("error.storage"))?;
    let Some(unlocked) = guard.as_ref() else {
        return Ok(blank);
    };
    let view = unlocked
        .book
        .projector_view(&unlocked.session, &agenda_id, projection.draft.as_deref())
        .map_err(CommandError::from)?;
    Ok(ProjectorScreen {
        blank: false,
        view: Some(view),
    })
}

/// The minutes as a PDF: attendees, each case's pseudonymized summary, decisions and the
/// promises (who, what, by when), and room to sign. Audited as an export of each case.
#[tauri::command]
pub fn conference_minutes(state: State<'_, AppState>, id: String) -> Result<String> {
    let report = with_book(&state, |book, s| {
        let unit = book.unit()?;
        let conference = book.conference(s, &id)?.record;
        let attendees = book.attendees(s, &id)?;
        let mut sections = vec![letters::Section {
            heading: "ผู้เข้าประชุม".into(),
            paragraphs: attendees
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    format!(
                        "{}. {}  {}  {}{}",
                        i + 1,
                        a.record.name,
                        a.record.agency_name.as_deref().unwrap_or(""),
                        a.record.role.as_deref().unwrap_or(""),
                        if a.record.confidentiality_ack {
                            "  (รับทราบการรักษาความลับแล้ว)"
                        } else {
                            ""
                        }
                    )
                })
                .collect(),
        }];
        for (n, item) in book.agenda(s, &id)?.into_iter().enumerate() {
            book.record_export(s, &item.record.case_id, "conference_minutes")?;
            // The same blacked-out text the projector showed.
            let view = book.projector_view(s, &item.id, None)?;
            let mut paragraphs = vec![view.summary];
            if !view.risk_assessment.is_empty() {
                paragraphs.push(format!("การประเมินความเสี่ยง: {}", view.risk_assessment));
            }
            paragraphs.push(format!(
                "มติที่ประชุม: {}",
                if view.decisions.is_empty() {
                    "-".into()
                } else {
                    view.decisions
                }
            ));
            for (i, a) in view.actions.iter().enumerate() {
                paragraphs.push(format!(
                    "{}.{} {}  ผู้รับผิดชอบ: {}{}  กำหนดเสร็จ: {}",
                    n + 1,
                    i + 1,
                    a.task,
                    a.agency,
                    if a.person.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", a.person)
                    },
                    a.due_date
                        .as_deref()
                        .and_then(casebook::dates::parse_date)
                        .map_or("-".into(), |d| { casebook::dates::thai_long(d, false) })
                ));
            }
            sections.push(letters::Section {
                heading: format!("รายกรณีที่ {}", n + 1),
                paragraphs,
            });
        }
        sections.push(letters::Section {
            heading: "ลงชื่อ".into(),
            paragraphs: vec![
                format!(
                    "ประธานการประชุม ...................................... ({})",
                    conference.chair.as_deref().unwrap_or("                    ")
                ),
                format!(
                    "ผู้บันทึกการประชุม .................................... ({})",
                    conference.minute_taker.as_deref().unwrap_or("                    ")
                ),
            ],
        });
        Ok(letters::Report {
            title: "รายงานการประชุมทีมสหวิชาชีพ".into(),
            header: vec![
                unit.name,
                format!(
                    "วันที่ {}  ·  ณ {}",
                    casebook::dates::thai_date_time(&conference.held_at),
                    conference.venue.as_deref().unwrap_or("-")
                ),
                "ปิดบังข้อมูลระบุตัวตนผู้รับบริการ".into(),
            ],
            sections,
        })
    })?;
    let stamp: String = id.chars().filter(char::is_ascii_alphanumeric).take(12).collect();
    exports::write(&state, &format!("minutes-{stamp}.pdf"), &typesetter()?.report(&report))
}
