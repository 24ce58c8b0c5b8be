//! The unit's statistics for the province: on screen, and as a PDF or a CSV file in
//! `exports` (counts only, never a name). Thin commands over casebook::stats.

use crate::commands::{Result, th, typesetter, with_book};
use crate::exports;
use crate::state::AppState;
use casebook::dates::{thai_long, thai_month};
use casebook::stats::{Dimension, Period, Statistics};
use tauri::State;

#[tauri::command]
pub fn statistics(state: State<'_, AppState>, period: Period) -> Result<Statistics> {
    with_book(&state, |book, s| book.statistics(s, period))
}

/// The catalog group that labels a dimension's values, shared with the page.
fn group(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Category => "category",
        Dimension::ViolenceType => "violence",
        Dimension::Sex => "sex",
        Dimension::Relationship => "relationship",
        Dimension::Source => "source",
        Dimension::Outcome => "status",
        Dimension::Month | Dimension::AgeBand => "",
    }
}

/// The Thai words for a counted value: "ความรุนแรงต่อเด็ก", "12-17 ปี", "พฤศจิกายน".
fn label(dimension: Dimension, value: &str) -> String {
    match dimension {
        Dimension::Month => thai_month(value.parse().unwrap_or(0)).to_owned(),
        _ if value == "unknown" && dimension != Dimension::Sex => th("stats.unknown"),
        Dimension::AgeBand => format!("{value} ปี"),
        _ => th(&format!("enum.{}.{value}", group(dimension))),
    }
}

/// "เดือนพฤศจิกายน 2569" or "ปี 2569".
fn period_text(period: Period) -> String {
    let year = period.year + casebook::dates::BE_OFFSET;
    match period.month {
        Some(m) => format!("เดือน{} {year}", thai_month(m)),
        None => format!("ปี {year}"),
    }
}

fn file_name(unit: &str, period: Period, extension: &str) -> String {
    let year = period.year + casebook::dates::BE_OFFSET;
    match period.month {
        Some(m) => format!("statistics-{unit}-{year}-{m:02}.{extension}"),
        None => format!("statistics-{unit}-{year}.{extension}"),
    }
}

/// The statistics as a PDF for the province: one section per dimension, each value with
/// its count and share of the period's cases.
#[tauri::command]
pub fn statistics_pdf(state: State<'_, AppState>, period: Period) -> Result<String> {
    let (unit, stats) = with_book(&state, |book, s| Ok((book.unit()?, book.statistics(s, period)?)))?;
    let mut sections: Vec<letters::Section> = Vec::new();
    for c in &stats.counts {
        let heading = th(&format!("stats.dim.{}", c.dimension.name()));
        if sections.last().is_none_or(|s| s.heading != heading) {
            sections.push(letters::Section {
                heading,
                paragraphs: Vec::new(),
            });
        }
        let share = if stats.cases > 0 {
            100.0 * c.cases as f64 / stats.cases as f64
        } else {
            0.0
        };
        if let Some(section) = sections.last_mut() {
            section.paragraphs.push(format!(
                "{}  {} ราย  ({share:.0}%)",
                label(c.dimension, &c.value),
                c.cases
            ));
        }
    }
    let report = letters::Report {
        title: format!("สถิติการให้บริการ {}", period_text(period)),
        header: vec![
            format!("{} ({})", unit.name, unit.code),
            format!("รายกรณีที่เปิดในช่วงนี้ทั้งหมด {} ราย", stats.cases),
            format!("พิมพ์เมื่อ {}", thai_long(casebook::person::today(), false)),
        ],
        sections,
    };
    exports::write(
        &state,
        &file_name(&unit.code, period, "pdf"),
        &typesetter()?.report(&report),
    )
}

/// The statistics as a CSV (codes and Thai labels) for the province's spreadsheet.
#[tauri::command]
pub fn statistics_csv(state: State<'_, AppState>, period: Period) -> Result<String> {
    let (unit, stats) = with_book(&state, |book, s| Ok((book.unit()?, book.statistics(s, period)?)))?;
    let csv = stats.to_csv(&th("stats.total"), label);
    exports::write(&state, &file_name(&unit.code, period, "csv"), csv.as_bytes())
}
