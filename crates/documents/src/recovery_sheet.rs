//! The recovery sheet, printed once at the first run for the unit head. The code comes from
//! the page that shows it; the app never stores it.

use crate::document::{Content, Document};
use casebook::Casebook;
use casebook::dates::thai_long;
use casebook::dates::today;

pub fn recovery_sheet(book: &Casebook, code: String) -> casebook::Result<Document> {
    let unit = book.unit()?;
    let sheet = letters::RecoverySheet {
        unit_name: unit.name,
        unit_code: unit.code,
        code,
        date: thai_long(today()),
        thai_digits: unit.thai_digits,
    };
    Ok(Document::new(
        "recovery-sheet.pdf".into(),
        Content::RecoverySheet(sheet),
    ))
}
