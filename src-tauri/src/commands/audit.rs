//! The unit's audit for supervisors and administrators: filtered, and its chains verified.

use crate::error::Result;
use crate::state::AppState;
use casebook::book::audit_view::{AuditCheck, AuditFilter, AuditRow};
use tauri::State;

/// The newest entries that match, from every laptop of the unit.
const SHOWN: i64 = 500;

#[tauri::command]
pub fn audit_log(state: State<'_, AppState>, filter: AuditFilter) -> Result<Vec<AuditRow>> {
    state.with_book(|book, s| book.audit_log(s, &filter, SHOWN))
}

/// Walks this laptop's chain and the other laptops' as kept here.
#[tauri::command]
pub fn verify_audit(state: State<'_, AppState>) -> Result<AuditCheck> {
    state.with_book(|book, s| book.verify_audit_chains(s))
}
