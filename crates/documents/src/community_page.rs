//! Data returned to the community as a page for a village or district forum: the unit's cases
//! by where the clients live, with every count below five shown only as "fewer than 5".

use crate::catalog::th;
use crate::document::{Content, Document};
use casebook::community::{AreaLevel, SMALLEST_SHOWN};
use casebook::dates::{BE_OFFSET, thai_long, thai_month, today};
use casebook::statistics::Period;
use casebook::{Casebook, Session};
use std::collections::HashMap;

pub fn community_page(
    book: &mut Casebook,
    s: &Session,
    period: Period,
    level: AreaLevel,
    within: Option<&str>,
) -> casebook::Result<Document> {
    let unit = book.unit()?;
    let counts = book.community_counts(s, period, level, within)?;
    let outcomes: HashMap<String, String> = book
        .lookups("closure_outcome")?
        .into_iter()
        .map(|l| (l.code, l.label_th))
        .collect();
    let label = |measure: &str| -> String {
        match measure.split_once('.') {
            Some(("category", code)) => th(&format!("enum.category.{code}")),
            Some(("outcome", code)) => format!(
                "ผลการปิด: {}",
                outcomes.get(code).cloned().unwrap_or_else(|| code.to_owned())
            ),
            _ if measure == "opened" => "รายกรณีที่เปิด".into(),
            _ if measure == "closed" => "ปิดรายกรณีแล้ว".into(),
            _ => measure.to_owned(),
        }
    };
    let sections = counts
        .areas
        .iter()
        .map(|area| letters::Section {
            heading: area.name_th.clone(),
            paragraphs: area
                .counts
                .iter()
                .map(|c| match c.cases {
                    Some(n) => format!("{}  {n} ราย", label(&c.measure)),
                    None => format!("{}  น้อยกว่า {SMALLEST_SHOWN}", label(&c.measure)),
                })
                .collect(),
        })
        .collect();
    let year = period.year + BE_OFFSET;
    let when = match period.month {
        Some(m) => format!("เดือน{} {year}", thai_month(m)),
        None => format!("ปี {year}"),
    };
    let report = letters::Report {
        title: format!("ข้อมูลคืนสู่ชุมชน {when}"),
        header: vec![
            format!("{} ({})", unit.name, unit.code),
            format!(
                "จำนวนรายกรณีตามที่อยู่ของผู้รับบริการ รายตำบล/อำเภอ/จังหวัด ไม่มีชื่อผู้ใด ตัวเลขที่น้อยกว่า {SMALLEST_SHOWN} ไม่แสดง เพื่อไม่ให้ระบุตัวบุคคลได้"
            ),
            format!("พิมพ์เมื่อ {}", thai_long(today())),
        ],
        sections,
        thai_digits: unit.thai_digits,
    };
    let level = casebook::error::serde_name(&level);
    Ok(Document::new(
        format!(
            "community-{}-{year}-{:02}-{level}.pdf",
            unit.code,
            period.month.unwrap_or(0)
        ),
        Content::Report(report),
    ))
}
