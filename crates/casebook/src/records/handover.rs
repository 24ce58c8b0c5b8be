//! Who works on a case: its case manager and co-workers. A supervisor hands one case, or all
//! of a worker's open cases, to another worker with a note; the receiving worker finds it in
//! the inbox and acknowledges it. A worker takes a case that has no manager here (one
//! transferred in, or whose manager left).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Role, Session};
use crate::dates::now_iso;
use crate::error::{Error, Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::case::{Case, trimmed};
use crate::records::timeline::{Change, EntryKind};
use crate::store::rows;
use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};
use ts_rs::TS;

/// The ids of the active social workers and supervisors of the unit `?1`: who may manage or
/// work on a case (an SQL subquery).
pub(crate) const WORKERS: &str =
    "SELECT id FROM users WHERE unit_code = ?1 AND active = 1 AND role IN ('social_worker', 'supervisor')";

/// A worker of the unit a case can be given to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Worker {
    pub id: String,
    pub display_name: String,
    pub role: Role,
}

impl Casebook {
    /// The unit's active social workers and supervisors, by name.
    pub fn workers(&self, session: &Session) -> Result<Vec<Worker>> {
        session.require(Permission::ViewCases)?;
        self.unit_workers()
    }

    fn unit_workers(&self) -> Result<Vec<Worker>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT id, display_name, role FROM users WHERE id IN ({WORKERS}) ORDER BY display_name"
        ))?;
        let rows = stmt.query_map([self.unit_code()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, display_name, role) = row?;
            let role = Role::from_name(&role).ok_or_else(|| Error::Corrupt(format!("role {role}")))?;
            out.push(Worker { id, display_name, role });
        }
        Ok(out)
    }

    fn is_worker(&self, user_id: &str) -> Result<bool> {
        Ok(self.unit_workers()?.iter().any(|w| w.id == user_id))
    }

    /// Whether the unit holds the case (it opened it and has not transferred it on, or it was
    /// transferred here): the cases whose manager this unit chooses.
    fn holds(&self, case: &Case) -> bool {
        case.held_by.as_deref().unwrap_or(&case.unit_code) == self.unit_code()
    }

    /// A supervisor gives the cases to `to_user` with a handover note; each waits in that
    /// worker's inbox until acknowledged. Cases the worker already manages are left as they
    /// are. How many changed hands.
    pub fn hand_over(&mut self, session: &Session, case_ids: &[String], to_user: &str, note: &str) -> Result<usize> {
        session.require(Permission::Supervise)?;
        let note = trimmed(Some(note)).ok_or(Invalid::new("handover.note", Rule::Required))?;
        if !self.is_worker(to_user)? {
            return Err(Invalid::new("handover.to_user", Rule::NotAWorker).into());
        }
        self.batch(|book| {
            let mut moved = 0;
            for id in case_ids {
                let case = book.load_case(id)?;
                if !book.holds(&case) {
                    return Err(Invalid::new("handover.case", Rule::NotAStep).into());
                }
                if case.case_manager_id.as_deref() == Some(to_user) {
                    continue;
                }
                book.give_case(session, &case, to_user, &note, Some(now_iso()))?;
                moved += 1;
            }
            Ok(moved)
        })
    }

    /// A supervisor gives all open cases `from_user` manages here to `to_user` (a worker who
    /// leaves, or goes on leave). How many changed hands.
    pub fn hand_over_all(&mut self, session: &Session, from_user: &str, to_user: &str, note: &str) -> Result<usize> {
        session.require(Permission::Supervise)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM cases WHERE case_manager_id = ?1 AND status != 'closed'
               AND coalesce(held_by, unit_code) = ?2 ORDER BY created_at",
        )?;
        let ids: Vec<String> = stmt
            .query_map([from_user, self.unit_code()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        self.hand_over(session, &ids, to_user, note)
    }

    /// The case manager acknowledges a case handed to them: it leaves their inbox.
    pub fn acknowledge_handover(&mut self, session: &Session, case_id: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let case = self.load_case(case_id)?;
        if case.case_manager_id.as_deref() != Some(session.user_id.as_str()) || case.handover_at.is_none() {
            return Err(Invalid::new("handover.case", Rule::NotAStep).into());
        }
        let fields = rows::encode(&json!({ "handover_acknowledged_at": now_iso() }))?;
        self.write(
            session,
            Entity::Case,
            case_id,
            fields,
            "case.handover_acknowledged",
            None,
        )
    }

    /// The signed-in worker becomes the manager of a case that has none here: one transferred
    /// in, one opened without a manager, or one whose manager no longer works here. Giving a
    /// case that has a manager to someone else is a supervisor's handover.
    pub fn take_case(&mut self, session: &Session, case_id: &str) -> Result<()> {
        session.require(Permission::EditCases)?;
        let case = self.load_case(case_id)?;
        if !self.holds(&case) {
            return Err(Invalid::new("handover.case", Rule::NotAStep).into());
        }
        if let Some(manager) = case.case_manager_id.as_deref()
            && self.is_worker(manager)?
        {
            return Err(Error::Forbidden("supervise"));
        }
        self.batch(|book| book.give_case(session, &case, &session.user_id, "", None))
    }

    /// Sets the case's co-workers: active workers of this unit other than its manager.
    pub fn set_co_workers(&mut self, session: &Session, case_id: &str, user_ids: &[String]) -> Result<()> {
        session.require(Permission::EditCases)?;
        let case = self.load_case(case_id)?;
        let workers = self.unit_workers()?;
        let mut chosen: Vec<&String> = Vec::new();
        for id in user_ids {
            if !workers.iter().any(|w| &w.id == id) {
                return Err(Invalid::new("case.co_worker_ids", Rule::NotAWorker).into());
            }
            if case.case_manager_id.as_ref() != Some(id) && !chosen.contains(&id) {
                chosen.push(id);
            }
        }
        let fields = rows::encode(&json!({ "co_worker_ids": chosen }))?;
        self.write_changes(session, Entity::Case, case_id, fields, "case.co_workers")
            .map(|_| ())
    }

    /// Makes `to_user` the case's manager, with a handover entry in the timeline (the note,
    /// and the managers from and to). `handover_at`: set by a supervisor's handover, which the
    /// new manager acknowledges; None when a worker takes the case.
    fn give_case(
        &mut self,
        session: &Session,
        case: &Case,
        to_user: &str,
        note: &str,
        handover_at: Option<String>,
    ) -> Result<()> {
        let co_workers: Vec<&String> = case.co_worker_ids.iter().filter(|id| *id != to_user).collect();
        let fields = rows::encode(&json!({
            "case_manager_id": to_user,
            "co_worker_ids": co_workers,
            "handover_at": handover_at,
            "handover_acknowledged_at": Value::Null,
        }))?;
        self.write_changes(session, Entity::Case, &case.id, fields, "case.handover")?;
        let change = Change {
            field: "case_manager".into(),
            from: case.case_manager_id.clone(),
            to: to_user.to_owned(),
        };
        self.append_entry(session, &case.id, EntryKind::Handover, note, Utc::now(), Some(change))?;
        Ok(())
    }
}
