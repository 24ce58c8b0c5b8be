//! The record of processing activities (PDPA s. 39): the unit's standing text from the
//! catalog with today's figures from the book. Reading the figures is audited.

use crate::catalog::th;
use crate::document::{Content, Document};
use casebook::dates::thai_long;
use casebook::dates::today;
use casebook::{Casebook, Session};

pub fn record_of_processing(book: &mut Casebook, s: &Session) -> casebook::Result<Document> {
    let unit = book.unit()?;
    let figures = book.processing_figures(s)?;
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
                th("statistics.unknown")
            } else {
                th(&format!("enum.legal_basis.{code}"))
            };
            format!("{name}: {n} ราย")
        })
        .collect();
    let recipients = figures
        .recipients
        .iter()
        .map(|(code, n)| format!("{}: {n} แห่ง", th(&format!("enum.agency_type.{code}"))))
        .collect();
    let report = letters::Report {
        title: th("ropa.title"),
        header: vec![
            format!("{} ({})", unit.name, unit.code),
            format!("ณ วันที่ {}", thai_long(today())),
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
        thai_digits: unit.thai_digits,
    };
    Ok(Document::new(
        "record-of-processing.pdf".into(),
        Content::Report(report),
    ))
}
