//! The supervisor's PDPA duties: data-subject requests (30 days), the breach register
//! (72 hours), retention and purge, and the record of processing as a PDF. Thin commands
//! over casebook's pdpa and purge.

use crate::commands::{Result, th, typesetter, with_book};
use crate::exports;
use crate::state::AppState;
use casebook::audit::AuditEntry;
use casebook::pdpa::{Breach, DataSubjectRequest, DutyStatus, RequestKind};
use casebook::purge::PurgeCandidate;
use casebook::records::Stored;
use tauri::State;

#[tauri::command]
pub fn data_subject_requests(state: State<'_, AppState>) -> Result<Vec<Stored<DataSubjectRequest>>> {
    with_book(&state, |book, s| book.data_subject_requests(s))
}

/// Logs a request; `case_number` (optional) names the person: that case's client.
#[tauri::command]
pub fn log_data_subject_request(
    state: State<'_, AppState>,
    case_number: Option<String>,
    kind: RequestKind,
    received_on: String,
    notes: Option<String>,
) -> Result<()> {
    with_book(&state, |book, s| {
        let person = match case_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(number) => Some(
                book.client_of_case_number(s, number)?
                    .ok_or_else(|| casebook::Invalid::new("dsr.case_number", casebook::Rule::UnknownCode))?,
            ),
            None => None,
        };
        book.log_data_subject_request(s, person.as_deref(), kind, &received_on, notes.as_deref())?;
        Ok(())
    })
}

#[tauri::command]
pub fn answer_data_subject_request(
    state: State<'_, AppState>,
    id: String,
    status: DutyStatus,
    notes: String,
) -> Result<()> {
    with_book(&state, |book, s| {
        book.answer_data_subject_request(s, &id, status, &notes)
    })
}

#[tauri::command]
pub fn breaches(state: State<'_, AppState>) -> Result<Vec<Stored<Breach>>> {
    with_book(&state, |book, s| book.breaches(s))
}

#[tauri::command]
pub fn record_breach(state: State<'_, AppState>, discovered_at: String, description: String) -> Result<()> {
    with_book(&state, |book, s| {
        book.record_breach(s, &discovered_at, &description).map(|_| ())
    })
}

#[tauri::command]
pub fn breach_notified(state: State<'_, AppState>, id: String) -> Result<()> {
    with_book(&state, |book, s| book.breach_notified(s, &id))
}

#[tauri::command]
pub fn set_retention_date(state: State<'_, AppState>, case_id: String, date: String) -> Result<()> {
    with_book(&state, |book, s| book.set_retention_date(s, &case_id, &date))
}

#[tauri::command]
pub fn due_for_purge(state: State<'_, AppState>) -> Result<Vec<PurgeCandidate>> {
    with_book(&state, |book, s| book.due_for_purge(s))
}

#[tauri::command]
pub fn purge_case(state: State<'_, AppState>, case_id: String, reason: String) -> Result<()> {
    with_book(&state, |book, s| book.purge_case(s, &case_id, &reason))
}

#[tauri::command]
pub fn purge_log(state: State<'_, AppState>) -> Result<Vec<AuditEntry>> {
    with_book(&state, |book, s| book.purge_log(s))
}

/// The record of processing activities (PDPA s. 39) as a PDF: the unit's standing text with
/// today's figures from the book. Audited.
#[tauri::command]
pub fn record_of_processing(state: State<'_, AppState>) -> Result<String> {
    let (unit, figures) = with_book(&state, |book, s| Ok((book.unit()?, book.processing_figures(s)?)))?;
    let section = |key: &str, paragraphs: Vec<String>| letters::Section {
        heading: th(&format!("ropa.{key}")),
        paragraphs,
    };
    let text = |key: &str| th(&format!("ropa.{key}_text"));
    let bases = figures
        .legal_bases
        .iter()
        .map(|(code, n)| {
            let name = if code == "none" {
                th("stats.unknown")
            } else {
                th(&format!("enum.legal_basis.{code}"))
            };
            format!("{name}: {n} ราย")
        })
        .collect();
    let recipients = figures
        .recipients
        .iter()
        .map(|(code, n)| format!("{}: {n} แห่ง", th(&format!("enum.agency.{code}"))))
        .collect();
    let report = letters::Report {
        title: th("ropa.title"),
        header: vec![
            format!("{} ({})", unit.name, unit.code),
            format!("ณ วันที่ {}", casebook::dates::thai_long(casebook::person::today(), false)),
        ],
        sections: vec![
            section(
                "controller",
                vec![unit.name.clone(), unit.address.clone().unwrap_or_default()],
            ),
            section("purpose", vec![text("purpose")]),
            section(
                "subjects",
                vec![
                    text("subjects"),
                    format!(
                        "บุคคล {} ราย · รายกรณีเปิดอยู่ {} · ปิดแล้ว {}",
                        figures.people, figures.open_cases, figures.closed_cases
                    ),
                ],
            ),
            section("data", vec![text("data")]),
            section("basis", bases),
            section("recipients", recipients),
            section(
                "retention",
                vec![
                    text("retention"),
                    format!(
                        "รายกรณีที่กำหนดวันครบกำหนดแล้ว {} · ลบแล้ว {}",
                        figures.cases_with_retention_date, figures.purged_cases
                    ),
                ],
            ),
            section("security", vec![text("security")]),
            section(
                "rights",
                vec![format!(
                    "คำขอที่ยังดำเนินการ {} · ตอบแล้ว {} · เหตุละเมิดที่บันทึก {}",
                    figures.requests_open, figures.requests_answered, figures.breaches
                )],
            ),
        ],
    };
    exports::write(&state, "record-of-processing.pdf", &typesetter()?.report(&report))
}
