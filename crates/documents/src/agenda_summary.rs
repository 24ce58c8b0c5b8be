//! A case put on a conference agenda with a pseudonymized summary to start from, in the words
//! the minutes print: "ด.ญ. ก. อายุ 14 ปี · categories · ความเสี่ยง… · status". The
//! facilitator edits it before the conference.

use crate::catalog::th_enum;
use casebook::records::conference::AgendaCase;
use casebook::{Casebook, Session};

/// Returns the new agenda case's id.
pub fn add_agenda_case(
    book: &mut Casebook,
    s: &Session,
    conference_id: String,
    case_id: String,
) -> casebook::Result<String> {
    let position = book.agenda(s, &conference_id)?.len();
    let case = book.open_case(s, &case_id)?.case;
    let categories: Vec<String> = case.categories.iter().map(|c| th_enum("category", c)).collect();
    let summary = format!(
        "{} · {} · ความเสี่ยง{} · {}",
        book.agenda_pseudonym(s, &case_id, position)?,
        categories.join(", "),
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
}
