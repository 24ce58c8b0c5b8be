//! Moving a case to another unit, and taking on a case that has no case manager here.
//!
//! A transfer is a write to the case (`held_by` = the receiving unit, no case manager) plus a
//! timeline entry with the reason. The hub sees `held_by` change and grants the receiving unit
//! the case with its whole history (docs/ARCHITECTURE.md, "Sync": visibility); a province coordinator routes a
//! hotline 1300 report the same way, from a case opened in the province's own book.

use crate::book::permissions::{Permission, Session};
use crate::book::{Casebook, validate_unit_code};
use crate::dates::now_iso;
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::timeline::EntryKind;
use crate::store::rows::Fields;
use serde_json::Value;

impl Casebook {
    /// Hands the case to the unit `to_unit` (its hub unit code). The case stays readable here;
    /// the receiving unit assigns its own case manager.
    pub fn transfer_case(&mut self, session: &Session, case_id: &str, to_unit: &str, reason: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let to_unit = to_unit.trim().to_uppercase();
        validate_unit_code("transfer.to_unit", &to_unit)?;
        if reason.trim().is_empty() {
            return Err(Invalid::new("transfer.reason", Rule::Required).into());
        }
        let case = self.load_case(case_id)?;
        if case.held_by.as_deref().unwrap_or(&case.unit_code) == to_unit {
            return Err(Invalid::new("transfer.to_unit", Rule::SameUnit).into());
        }
        // Checked against the hub's units when a sync has brought the list (the hub refuses an
        // unknown one anyway, out of the worker's sight).
        if self.hub_units()?.is_some_and(|units| !units.contains(&to_unit)) {
            return Err(Invalid::new("transfer.to_unit", Rule::UnknownCode).into());
        }
        let mut fields = Fields::new();
        fields.insert("held_by".into(), to_unit.clone().into());
        fields.insert("case_manager_id".into(), Value::Null);
        let note = format!("{} → {to_unit}: {}", self.unit_code(), reason.trim());
        // The note first: once the case is handed over, a unit that is not its creator no
        // longer writes to it (the hub judges a device's events in their order).
        self.batch(|book| {
            book.add_timeline_entry(session, case_id, EntryKind::Transfer, &note, &now_iso())?;
            book.write(session, Entity::Case, case_id, fields, "case.transfer", Some(&to_unit))
        })
    }

    /// The signed-in worker becomes the case's manager (a case transferred in arrives with none).
    pub fn take_case(&mut self, session: &Session, case_id: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        self.load_case(case_id)?;
        let mut fields = Fields::new();
        fields.insert("case_manager_id".into(), session.user_id.clone().into());
        self.write(session, Entity::Case, case_id, fields, "case.take", None)
    }
}
