//! This Buddhist year's page of the letter register: every number issued, by whom, for what,
//! and the cancelled ones with their reason.

use crate::document::{Content, Document};
use casebook::dates::be_year;
use casebook::dates::today;
use casebook::{Casebook, Session};

pub fn register_page(book: &Casebook, s: &Session) -> casebook::Result<Document> {
    let year = i64::from(be_year(today()));
    let unit = book.unit()?;
    let users = book.user_names(s)?;
    let entries = book
        .letter_register(s, year)?
        .into_iter()
        .map(|e| {
            let who = users.get(&e.record.issued_by).cloned().unwrap_or_default();
            let cancelled = match (&e.record.cancelled, &e.record.cancel_reason) {
                (true, Some(reason)) => format!("  (ยกเลิก: {reason})"),
                (true, None) => "  (ยกเลิก)".into(),
                _ => String::new(),
            };
            format!(
                "{}/{}  {}  {}  ผู้ออก {who}{cancelled}",
                unit.code,
                e.record.number,
                e.created_at.get(..10).unwrap_or_default(),
                e.record.subject
            )
        })
        .collect();
    let report = letters::Report {
        title: format!("ทะเบียนหนังสือส่ง ปี {year}"),
        header: vec![unit.name],
        sections: vec![letters::Section {
            heading: "เลขที่  วันที่  เรื่อง  ผู้ออก".into(),
            paragraphs: entries,
        }],
    };
    Ok(Document::new(format!("register-{year}.pdf"), Content::Report(report)))
}
