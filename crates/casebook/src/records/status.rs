//! The status workflow: a case moves on through intake → assessment → planning → in service →
//! follow-up, or back one step; it is closed with a reason and an outcome from the unit's lists
//! (`records::lookup`), and reopened with a reason. Each move is a timeline entry that records
//! the statuses as codes, so every screen shows them in its own language.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::case::{Status, trimmed};
use crate::records::timeline::{Change, EntryKind};
use crate::store::rows;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;

/// The open statuses, in the order a case moves through them.
const STEPS: [Status; 5] = [
    Status::Intake,
    Status::Assessment,
    Status::Planning,
    Status::InService,
    Status::FollowUp,
];

/// The status a reopened case takes: it is assessed again.
const REOPENED: Status = Status::Assessment;

impl Status {
    /// Where `change_status` may take a case from this status: any later step, or back one
    /// step. Closing and reopening are steps of their own (`close_case`, `reopen_case`).
    pub fn next_statuses(self) -> Vec<Status> {
        let Some(at) = STEPS.iter().position(|s| *s == self) else {
            return Vec::new();
        };
        STEPS
            .iter()
            .enumerate()
            .filter(|(i, _)| *i > at || *i + 1 == at)
            .map(|(_, s)| *s)
            .collect()
    }
}

/// How a case is closed: a reason and an outcome, codes of the unit's lists, and a note.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct Closing {
    pub reason: String,
    pub outcome: String,
    pub note: Option<String>,
}

/// What is still open in a case: the case page shows it before the case is closed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OpenWork {
    /// Referrals not yet completed or declined: the agency's name each.
    pub referrals: Vec<String>,
    /// Conference action items still open: the task each.
    pub action_items: Vec<String>,
}

impl Casebook {
    /// Moves an open case on (or back one step); the reason is kept in the timeline.
    pub fn change_status(&mut self, session: &Session, id: &str, status: Status, reason: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let reason = trimmed(Some(reason)).ok_or(Invalid::new("case.status_reason", Rule::Required))?;
        let case = self.load_case(id)?;
        if !case.status.next_statuses().contains(&status) {
            return Err(Invalid::new("case.status", Rule::NotAStep).into());
        }
        self.move_status(session, id, case.status, status, json!({}), &reason)
    }

    /// Closes the case with a reason and an outcome from the unit's lists.
    pub fn close_case(&mut self, session: &Session, id: &str, closing: &Closing) -> Result<()> {
        session.require(Permission::EditCases)?;
        let case = self.load_case(id)?;
        if case.status == Status::Closed {
            return Err(Invalid::new("case.status", Rule::NotAStep).into());
        }
        if !self.lookup_active("closure_reason", &closing.reason)? {
            return Err(Invalid::new("case.closure_reason", Rule::Required).into());
        }
        if !self.lookup_active("closure_outcome", &closing.outcome)? {
            return Err(Invalid::new("case.outcome", Rule::Required).into());
        }
        let fields = json!({ "closure_reason": closing.reason, "outcome": closing.outcome });
        let note = trimmed(closing.note.as_deref()).unwrap_or_default();
        self.move_status(session, id, case.status, Status::Closed, fields, &note)
    }

    /// Opens a closed case again, to be assessed again; the reason is kept in the timeline.
    pub fn reopen_case(&mut self, session: &Session, id: &str, reason: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let reason = trimmed(Some(reason)).ok_or(Invalid::new("case.reopen_reason", Rule::Required))?;
        let case = self.load_case(id)?;
        if case.status != Status::Closed {
            return Err(Invalid::new("case.status", Rule::NotAStep).into());
        }
        let fields = json!({ "closure_reason": Value::Null, "outcome": Value::Null });
        self.move_status(session, id, Status::Closed, REOPENED, fields, &reason)
    }

    /// What a worker should see before closing the case: what is still open in it.
    pub fn open_work(&self, session: &Session, id: &str) -> Result<OpenWork> {
        session.require(Permission::ViewCases)?;
        self.load_case(id)?;
        let texts = |sql: &str| -> Result<Vec<String>> {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map([id], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        Ok(OpenWork {
            referrals: texts(
                "SELECT a.name FROM referrals r JOIN agencies a ON a.id = r.agency_id
                 WHERE r.case_id = ?1 AND r.status NOT IN ('completed', 'declined') ORDER BY r.created_at",
            )?,
            action_items: texts(
                "SELECT task FROM action_items WHERE case_id = ?1 AND status = 'open' ORDER BY due_date, created_at",
            )?,
        })
    }

    /// Writes the status (with `fields`) and its timeline entry, in one transaction.
    fn move_status(
        &mut self,
        session: &Session,
        id: &str,
        from: Status,
        to: Status,
        mut fields: Value,
        note: &str,
    ) -> Result<()> {
        fields["status"] = json!(to);
        let fields = rows::encode(&fields)?;
        self.batch(|book| {
            book.write(session, Entity::Case, id, fields, "case.status", None)?;
            let change = Change::new("status", Some(&from), &to);
            book.append_entry(session, id, EntryKind::StatusChange, note, Utc::now(), Some(change))?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_moves_on_or_back_one_step_and_closes_only_by_closing() {
        assert_eq!(
            Status::Intake.next_statuses(),
            [
                Status::Assessment,
                Status::Planning,
                Status::InService,
                Status::FollowUp
            ]
        );
        assert_eq!(Status::InService.next_statuses(), [Status::Planning, Status::FollowUp]);
        assert_eq!(Status::FollowUp.next_statuses(), [Status::InService]);
        assert!(Status::Closed.next_statuses().is_empty());
    }
}
