//! The minutes of a case conference: attendees, each case's pseudonymized summary, decisions
//! and the action items (who, what, by when), and room to sign. Audited as an export of each case.

use crate::document::{Content, Document};
use casebook::dates::{parse_date, thai_date_time, thai_long};
use casebook::{Casebook, Session};

pub fn conference_minutes(book: &mut Casebook, s: &Session, id: &str) -> casebook::Result<Document> {
    let unit = book.unit()?;
    let conference = book.conference(s, id)?.record;
    let attendees = book.attendees(s, id)?;
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
    for (n, agenda_case) in book.agenda(s, id)?.into_iter().enumerate() {
        book.record_export(s, &agenda_case.record.case_id, "conference_minutes")?;
        // The same blacked-out text the projector showed.
        let view = book.projector_view(s, &agenda_case.id, None)?;
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
                "{}.{} {}  ผู้ดำเนินการ: {}{}  กำหนดเสร็จ: {}",
                n + 1,
                i + 1,
                a.task,
                a.agency,
                if a.person.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", a.person)
                },
                a.due_date.as_deref().and_then(parse_date).map_or("-".into(), thai_long)
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
    let report = letters::Report {
        title: "รายงานการประชุมทีมสหวิชาชีพ".into(),
        header: vec![
            unit.name,
            format!(
                "วันที่ {}  ·  ณ {}",
                thai_date_time(&conference.held_at),
                conference.venue.as_deref().unwrap_or("-")
            ),
            "ปิดบังข้อมูลระบุตัวตนผู้รับบริการ".into(),
        ],
        sections,
        thai_digits: unit.thai_digits,
    };
    // The id is the book's, but only letters and digits go into a file name.
    let stamp: String = id.chars().filter(char::is_ascii_alphanumeric).take(12).collect();
    Ok(Document::new(format!("minutes-{stamp}.pdf"), Content::Report(report)))
}
