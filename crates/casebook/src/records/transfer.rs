//! Moving a case to another unit; the receiving unit takes it from its inbox
//! (`records::inbox`, `records::handover`).
//!
//! A transfer is a write to the case (`held_by` = the receiving unit, no case manager) plus a
//! timeline entry with the reason. The hub sees `held_by` change and grants the receiving unit
//! the case with its whole history (docs/ARCHITECTURE.md, "Sync": visibility); a province coordinator routes a
//! hotline 1300 report the same way, from a case opened in the province's own book.

use crate::book::permissions::{Permission, Session};
use crate::book::{Casebook, validate_unit_code};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::consent::{BasisGiven, Purpose};
use crate::records::timeline::{Change, EntryKind};
use crate::store::rows::Fields;
use chrono::Utc;
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

impl Casebook {
    /// Hands the case to the unit `to_unit` (its hub unit code). The case stays readable here;
    /// the receiving unit assigns its own case manager.
    /// The case's data goes with it: a consent in force to share it with that unit, or the
    /// legal basis `basis` names (recorded in the ledger, audited); else refused.
    pub fn transfer_case(
        &mut self,
        session: &Session,
        case_id: &str,
        to_unit: &str,
        reason: &str,
        basis: Option<&BasisGiven>,
    ) -> Result<()> {
        session.require(Permission::EditCases)?;
        let to_unit = to_unit.trim().to_uppercase();
        validate_unit_code("transfer.to_unit", &to_unit)?;
        let reason = reason.trim();
        if reason.is_empty() {
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
        let change = Change {
            field: "held_by".into(),
            from: Some(case.held_by.clone().unwrap_or(case.unit_code.clone())),
            to: to_unit.clone(),
        };
        // The note first: once the case is handed over, a unit that is not its creator no
        // longer writes to it (the hub judges a device's events in their order).
        self.batch(|book| {
            book.require_basis(session, case_id, Purpose::Sharing, None, Some(&to_unit), basis)?;
            book.append_entry(session, case_id, EntryKind::Transfer, reason, Utc::now(), Some(change))?;
            book.write(session, Entity::Case, case_id, fields, "case.transfer", Some(&to_unit))
        })
    }

    /// The units a case can be transferred to, from the hub's list as of the last sync (empty
    /// before the first), each named by the agency of this book that is that unit, if any.
    pub fn transfer_units(&self, session: &Session) -> Result<Vec<UnitChoice>> {
        session.require(Permission::ViewCases)?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name FROM agencies WHERE hub_unit = ?1 ORDER BY created_at LIMIT 1")?;
        let mut out = Vec::new();
        for code in self.hub_units()?.unwrap_or_default() {
            if code == self.unit_code() {
                continue;
            }
            let name = stmt.query_row([&code], |r| r.get(0)).optional()?;
            out.push(UnitChoice { code, name });
        }
        Ok(out)
    }
}

/// A unit a case can go to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct UnitChoice {
    pub code: String,
    pub name: Option<String>,
}
