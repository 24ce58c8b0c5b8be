//! A Buddhist year's page of the letter register: every number of the unit, with the laptop
//! that issued it, the date, addressee, subject and who issued it; cancelled numbers with
//! their reason; and the numbers reserved for the unit's laptops that no letter carries.

use crate::document::{Content, Document};
use casebook::dates::thai_date_and_time;
use casebook::{Casebook, Session};

pub fn register_page(book: &Casebook, s: &Session, year: i64) -> casebook::Result<Document> {
    let unit = book.unit()?;
    let users = book.user_names(s)?;
    let page = book.letter_register(s, year)?;
    let entries = page
        .entries
        .into_iter()
        .map(|e| {
            let r = &e.record;
            let who = users.get(&r.issued_by).cloned().unwrap_or_default();
            let laptop = r
                .device_id
                .as_deref()
                .map(casebook::records::numbers::laptop_tag)
                .unwrap_or_default();
            // The letter's date as it carries it: the day in Thailand it was issued.
            let date = thai_date_and_time(&e.created_at)
                .map(|(date, _)| date)
                .unwrap_or_default();
            let mut line = format!(
                "{}/{}  {date}  เครื่อง {laptop}  ถึง {}  เรื่อง {}  ผู้ออก {who}",
                unit.code,
                r.label(),
                r.addressee.as_deref().unwrap_or("-"),
                r.subject,
            );
            if r.provisional.is_some() {
                line.push_str("  (เลขชั่วคราว รอเลขจริงเมื่อซิงค์)");
            }
            if !r.former_numbers.is_empty() {
                line.push_str(&format!("  (เดิม {})", r.former_numbers.join(", ")));
            }
            match (r.cancelled, &r.cancel_reason) {
                (true, Some(reason)) => line.push_str(&format!("  (ยกเลิก: {reason})")),
                (true, None) => line.push_str("  (ยกเลิก)"),
                _ => {}
            }
            line
        })
        .collect();
    let mut sections = vec![letters::Section {
        heading: "เลขที่  วันที่  เครื่อง  ถึง  เรื่อง  ผู้ออก".into(),
        paragraphs: entries,
    }];
    if !page.reserved.is_empty() {
        sections.push(letters::Section {
            heading: "เลขที่สำรองไว้ให้เครื่องต่าง ๆ ยังไม่ได้ใช้".into(),
            paragraphs: page
                .reserved
                .iter()
                .map(|n| format!("{}/{}  สำรองให้เครื่อง {}", unit.code, n.number, n.laptop))
                .collect(),
        });
    }
    let report = letters::Report {
        title: format!("ทะเบียนหนังสือส่ง ปี {year}"),
        header: vec![unit.name],
        sections,
        thai_digits: unit.thai_digits,
    };
    Ok(Document::new(format!("register-{year}.pdf"), Content::Report(report)))
}
