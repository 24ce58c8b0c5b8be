//! What is due: a worker's Today (งานวันนี้) and the case list's next due date, worked out from
//! the records each time rather than stored, so a record that arrives from another laptop
//! counts at once. Due are: the case's next follow-up (a date the worker sets), care plan goals,
//! referrals waiting for the agency's reply, and conference action items; Today adds the
//! running clinical clocks and red-risk cases nobody has contacted for a while.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::dates::{parse_date, today};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::case::{Risk, Status};
use crate::records::clinical::ClockState;
use crate::records::from_name;
use crate::store::rows;
use chrono::{Duration, Utc};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

/// A case's next due date, as an SQL expression over the case `c`: the earliest of what is
/// due in it; none once the case is closed.
pub(crate) const NEXT_DUE: &str = "CASE WHEN c.status = 'closed' THEN NULL ELSE (SELECT min(d) FROM (
    SELECT c.follow_up_on AS d
    UNION ALL SELECT g.due_date FROM care_plan_goals g WHERE g.case_id = c.id AND g.status IN ('open', 'in_progress')
    UNION ALL SELECT r.reply_by FROM referrals r WHERE r.case_id = c.id AND r.status IN ('sent', 'received')
    UNION ALL SELECT a.due_date FROM action_items a WHERE a.case_id = c.id AND a.status = 'open')) END";

/// The open cases the signed-in worker manages or works on (`?1`: their user id).
const MINE: &str = "c.status != 'closed' AND (c.case_manager_id = ?1
    OR EXISTS (SELECT 1 FROM json_each(c.co_worker_ids) WHERE value = ?1))";

/// Timeline entries that are a contact with the client.
const CONTACTS: &str = "('note', 'home_visit', 'call', 'service')";

/// Days without contact after which a red-risk case shows in Today, unless the app sets
/// another number.
pub const QUIET_DAYS: i64 = 7;

/// A test clock shows in Today this many days before it is due.
const TEST_NOTICE_DAYS: i64 = 7;

/// A line of Today: a case and what is due in it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DueItem {
    pub case_id: String,
    pub case_number: String,
    pub risk: Risk,
    /// What is due: the referral's agency, the action item's task; None for a follow-up.
    pub what: Option<String>,
    /// The date it is due (for a quiet case: the last contact, None if there was none).
    pub due: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct DueClock {
    pub case_id: String,
    pub case_number: String,
    pub clock: ClockState,
}

/// Today (งานวันนี้): the worker's home screen after sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Today {
    /// My cases whose next follow-up is today or past.
    pub follow_ups: Vec<DueItem>,
    /// Clinical clocks of the unit's open cases not yet marked: medicine still to give (or
    /// whose time passed unmarked), and tests due within a week or past.
    pub clocks: Vec<DueClock>,
    /// Referrals of my cases whose reply is past its expected date.
    pub referrals: Vec<DueItem>,
    /// Open conference action items of my cases due today or past.
    pub action_items: Vec<DueItem>,
    /// My red-risk cases with no contact for the set number of days.
    pub quiet: Vec<DueItem>,
    #[ts(type = "number")]
    pub quiet_days: i64,
}

impl Casebook {
    /// The signed-in worker's Today. `quiet_days`: after how many days without contact a
    /// red-risk case shows.
    pub fn today(&self, session: &Session, quiet_days: i64) -> Result<Today> {
        session.require(Permission::ViewCases)?;
        let me = session.user_id.as_str();
        let day = today().to_string();
        let quiet_since = (today() - Duration::days(quiet_days.max(1))).to_string();
        Ok(Today {
            follow_ups: self.due_items(
                &format!(
                    "SELECT c.id, c.case_number, c.risk, NULL, c.follow_up_on FROM cases c
                          WHERE {MINE} AND c.follow_up_on <= ?2 ORDER BY c.follow_up_on"
                ),
                me,
                &day,
            )?,
            clocks: self.due_clocks()?,
            referrals: self.due_items(
                &format!(
                    "SELECT c.id, c.case_number, c.risk, a.name, r.reply_by FROM referrals r
                          JOIN cases c ON c.id = r.case_id JOIN agencies a ON a.id = r.agency_id
                          WHERE {MINE} AND r.status IN ('sent', 'received') AND r.reply_by < ?2
                          ORDER BY r.reply_by"
                ),
                me,
                &day,
            )?,
            action_items: self.due_items(
                &format!(
                    "SELECT c.id, c.case_number, c.risk, i.task, i.due_date FROM action_items i
                          JOIN cases c ON c.id = i.case_id
                          WHERE {MINE} AND i.status = 'open' AND i.due_date <= ?2 ORDER BY i.due_date"
                ),
                me,
                &day,
            )?,
            quiet: self.due_items(
                &format!(
                    "SELECT c.id, c.case_number, c.risk, NULL, last FROM (
                            SELECT c.*, (SELECT max(substr(t.occurred_at, 1, 10)) FROM timeline_entries t
                                         WHERE t.case_id = c.id AND t.kind IN {CONTACTS}) AS last
                            FROM cases c WHERE {MINE} AND c.risk = 'red') c
                          WHERE coalesce(last, substr(c.created_at, 1, 10)) < ?2 ORDER BY last"
                ),
                me,
                &quiet_since,
            )?,
            quiet_days,
        })
    }

    fn due_items(&self, sql: &str, me: &str, day: &str) -> Result<Vec<DueItem>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map([me, day], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (case_id, case_number, risk, what, due) = row?;
            out.push(DueItem {
                case_id,
                case_number,
                risk: from_name(risk)?,
                what,
                due,
            });
        }
        Ok(out)
    }

    /// The clocks that need a worker now, on the open cases this unit holds.
    fn due_clocks(&self) -> Result<Vec<DueClock>> {
        let since = (Utc::now() - Duration::days(crate::records::clinical::CLOCKS_RUN_DAYS)).to_rfc3339();
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT c.id FROM cases c WHERE c.status != 'closed' AND coalesce(c.held_by, c.unit_code) = ?1
                   AND c.incident_at > ?2
                   AND EXISTS (SELECT 1 FROM json_each(c.violence_types) WHERE value = 'sexual')
                 ORDER BY c.incident_at",
            )?;
            stmt.query_map([self.unit_code(), since.as_str()], |r| r.get(0))?
                .collect::<Result<_, _>>()?
        };
        let notice = Utc::now() + Duration::days(TEST_NOTICE_DAYS);
        let mut out = Vec::new();
        for id in ids {
            let case = self.load_case(&id)?;
            for clock in self.clocks(&case)? {
                let due_soon = chrono::DateTime::parse_from_rfc3339(&clock.due_at).is_ok_and(|at| at <= notice);
                if clock.mark.is_none() && (clock.deadline || due_soon) {
                    out.push(DueClock {
                        case_id: case.id.clone(),
                        case_number: case.case_number.clone(),
                        clock,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Sets (or clears, with None) the date of the case's next follow-up.
    pub fn set_follow_up(&mut self, session: &Session, case_id: &str, on: Option<&str>) -> Result<()> {
        session.require(Permission::EditCases)?;
        let on = match on.map(str::trim).filter(|d| !d.is_empty()) {
            Some(text) => Some(parse_date(text).ok_or(Invalid::new("case.follow_up_on", Rule::NotADate))?),
            None => None,
        };
        let case = self.load_case(case_id)?;
        if case.status == Status::Closed && on.is_some() {
            return Err(Invalid::new("case.status", Rule::NotAStep).into());
        }
        let fields = rows::encode(&json!({ "follow_up_on": on.map(|d| d.to_string()) }))?;
        self.write_changes(session, Entity::Case, case_id, fields, "case.follow_up")
            .map(|_| ())
    }
}
