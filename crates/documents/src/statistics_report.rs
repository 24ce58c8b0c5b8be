//! The unit's statistics for the province as a PDF and as a CSV for its spreadsheet: counts
//! only, never a name.

use crate::catalog::th;
use crate::document::{Content, Document};
use casebook::dates::today;
use casebook::dates::{BE_OFFSET, thai_long, thai_month};
use casebook::statistics::{Dimension, Period};
use casebook::{Casebook, Session};

/// One section per dimension, each value with its count and share of the period's cases.
pub fn statistics_pdf(book: &mut Casebook, s: &Session, period: Period) -> casebook::Result<Document> {
    let unit = book.unit()?;
    let statistics = book.statistics(s, period)?;
    let mut sections: Vec<letters::Section> = Vec::new();
    for c in &statistics.counts {
        let heading = th(&format!("statistics.dim.{}", c.dimension.name()));
        if sections.last().is_none_or(|s| s.heading != heading) {
            sections.push(letters::Section {
                heading,
                paragraphs: Vec::new(),
            });
        }
        let share = if statistics.cases > 0 {
            100.0 * c.cases as f64 / statistics.cases as f64
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
            format!("รายกรณีที่เปิดในช่วงนี้ทั้งหมด {} ราย", statistics.cases),
            format!("พิมพ์เมื่อ {}", thai_long(today())),
        ],
        sections,
        thai_digits: unit.thai_digits,
    };
    Ok(Document::new(
        file_name(&unit.code, period, "pdf"),
        Content::Report(report),
    ))
}

/// Codes and Thai labels, one row per counted value.
pub fn statistics_csv(book: &mut Casebook, s: &Session, period: Period) -> casebook::Result<Document> {
    let unit = book.unit()?;
    let csv = book.statistics(s, period)?.to_csv(&th("statistics.total"), label);
    Ok(Document::new(file_name(&unit.code, period, "csv"), Content::Csv(csv)))
}

/// The Thai words for a counted value: "ความรุนแรงต่อเด็ก", "12-17 ปี", "พฤศจิกายน". A
/// dimension's values are labelled by the catalog group of the same name, as on the page.
fn label(dimension: Dimension, value: &str) -> String {
    match dimension {
        Dimension::Month => thai_month(value.parse().unwrap_or(0)).to_owned(),
        _ if value == "unknown" && dimension != Dimension::Sex => th("statistics.unknown"),
        Dimension::AgeBand => format!("{value} ปี"),
        // "food.improved": the domain, then how it changed.
        Dimension::DomainChange => match value.split_once('.') {
            Some((domain, change)) => format!(
                "{} {}",
                th(&format!("enum.domain.{domain}")),
                th(&format!("enum.change.{change}"))
            ),
            None => value.to_owned(),
        },
        _ => th(&format!("enum.{}.{value}", dimension.name())),
    }
}

/// "เดือนพฤศจิกายน 2569" or "ปี 2569".
fn period_text(period: Period) -> String {
    let year = period.year + BE_OFFSET;
    match period.month {
        Some(m) => format!("เดือน{} {year}", thai_month(m)),
        None => format!("ปี {year}"),
    }
}

fn file_name(unit: &str, period: Period, extension: &str) -> String {
    let year = period.year + BE_OFFSET;
    match period.month {
        Some(m) => format!("statistics-{unit}-{year}-{m:02}.{extension}"),
        None => format!("statistics-{unit}-{year}.{extension}"),
    }
}
