//! The clinical clocks after sexual violence, counted from the incident: HIV post-exposure
//! prophylaxis within 72 hours and emergency contraception within 120, then the follow-up
//! tests. Any unit that records such an incident with its time sees them (the client may come
//! to a shelter first). A worker marks each as given (or done) or not needed; the mark is a
//! timeline entry, so marks from two laptops merge and the latest counts.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule, serde_name};
use crate::records::case::{Case, Status, ViolenceType};
use crate::records::from_name;
use crate::records::person::Sex;
use crate::records::timeline::{Change, EntryKind};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Clock {
    /// HIV post-exposure prophylaxis: within 72 hours.
    Pep,
    /// Emergency contraception: within 120 hours.
    EmergencyContraception,
    /// Pregnancy test: from 2 weeks.
    PregnancyTest,
    /// HIV test: at 6 weeks, 3 months and 6 months.
    HivTest6Weeks,
    HivTest3Months,
    HivTest6Months,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClockMark {
    /// Given, or for a test, done.
    Given,
    NotNeeded,
}

/// One clock of a case, as the case page and Today show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ClockState {
    pub clock: Clock,
    /// A deadline (the medicine must be given before `due_at`) rather than a test due from it.
    pub deadline: bool,
    /// ISO-8601 instant.
    pub due_at: String,
    pub mark: Option<ClockMark>,
    pub marked_by: Option<String>,
    pub marked_at: Option<String>,
}

/// A mark as the timeline holds it: by whom (their name, if a user here) and when.
struct Marked {
    clock: Clock,
    mark: ClockMark,
    by: Option<String>,
    at: String,
}

/// After this long from the incident no clock runs any more (the last test, and a month).
pub(crate) const CLOCKS_RUN_DAYS: i64 = 210;

impl Clock {
    fn after(self) -> Duration {
        match self {
            Clock::Pep => Duration::hours(72),
            Clock::EmergencyContraception => Duration::hours(120),
            Clock::PregnancyTest => Duration::days(14),
            Clock::HivTest6Weeks => Duration::days(42),
            Clock::HivTest3Months => Duration::days(90),
            Clock::HivTest6Months => Duration::days(180),
        }
    }

    fn deadline(self) -> bool {
        matches!(self, Clock::Pep | Clock::EmergencyContraception)
    }

    /// Only where the client may become pregnant (or the record does not say).
    fn pregnancy(self) -> bool {
        matches!(self, Clock::EmergencyContraception | Clock::PregnancyTest)
    }
}

impl Casebook {
    /// The case's clocks: none unless it records sexual violence with the incident's time,
    /// and none after `CLOCKS_RUN_DAYS`.
    pub(crate) fn clocks(&self, case: &Case) -> Result<Vec<ClockState>> {
        use strum::VariantArray;
        let Some(incident) = case
            .incident_at
            .as_deref()
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        else {
            return Ok(Vec::new());
        };
        let incident = incident.with_timezone(&Utc);
        if !case.violence_types.contains(&ViolenceType::Sexual)
            || Utc::now() - incident > Duration::days(CLOCKS_RUN_DAYS)
        {
            return Ok(Vec::new());
        }
        let sex = self.load_person(&case.client_id)?.sex;
        let marks = self.clock_marks(&case.id)?;
        Ok(Clock::VARIANTS
            .iter()
            .filter(|clock| !clock.pregnancy() || !matches!(sex, Sex::Male))
            .map(|clock| {
                let marked = marks.iter().rev().find(|m| m.clock == *clock);
                ClockState {
                    clock: *clock,
                    deadline: clock.deadline(),
                    due_at: (incident + clock.after()).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    mark: marked.map(|m| m.mark),
                    marked_by: marked.and_then(|m| m.by.clone()),
                    marked_at: marked.map(|m| m.at.clone()),
                }
            })
            .collect())
    }

    /// The clock marks of a case, oldest first.
    fn clock_marks(&self, case_id: &str) -> Result<Vec<Marked>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.change_field, t.change_to, u.display_name, t.occurred_at FROM timeline_entries t
             LEFT JOIN users u ON u.id = t.author_id
             WHERE t.case_id = ?1 AND t.kind = 'clinical_mark' ORDER BY t.occurred_at, t.id",
        )?;
        let rows = stmt.query_map([case_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (clock, mark, by, at) = row?;
            let clock = clock.and_then(|c| from_name::<Clock>(c).ok());
            let mark = mark.and_then(|m| from_name::<ClockMark>(m).ok());
            if let (Some(clock), Some(mark)) = (clock, mark) {
                out.push(Marked { clock, mark, by, at });
            }
        }
        Ok(out)
    }

    /// Marks a clock of the case as given (done) or not needed.
    pub fn mark_clock(&mut self, session: &Session, case_id: &str, clock: Clock, mark: ClockMark) -> Result<()> {
        session.require(Permission::EditCases)?;
        let case = self.load_case(case_id)?;
        let current = self.clocks(&case)?.into_iter().find(|c| c.clock == clock);
        let Some(current) = current else {
            return Err(Invalid::new("clock.clock", Rule::NotAStep).into());
        };
        if case.status == Status::Closed {
            return Err(Invalid::new("case.status", Rule::NotAStep).into());
        }
        let change = Change {
            field: serde_name(&clock),
            ..Change::new("", current.mark.as_ref(), &mark)
        };
        self.append_entry(session, case_id, EntryKind::ClinicalMark, "", Utc::now(), Some(change))?;
        Ok(())
    }
}
