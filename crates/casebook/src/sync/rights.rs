//! Whether the unit of the device that signed a pulled event may write its record: the hub's
//! rules (`crates/hub/src/store/admission.rs`), judged again by the laptop from what its own
//! book holds, so a hub that lies cannot slip in what it would have refused.
//!
//! - A record keeps the unit that created it (`unit_code`, never rewritten); a record outside
//!   any case but a person is written only by that unit (its users, letter register, agencies,
//!   settings, conferences).
//! - A record of a case keeps its case; it is written by the unit that created the case, the
//!   unit holding it now (the last transfer's `held_by`), or a partner it was referred to (who
//!   may not transfer it). Who holds it now is read from the case's transfers in the order this
//!   book took them in, which is the order the hub judged them in. This laptop's own events
//!   are the exception (they never come back from the hub, so where the hub placed them is not
//!   known): a transfer of its own grants the receiving unit, but does not end the rights of
//!   the unit it was taken from.
//! - A received letter answering no referral was created outside any case: it is its unit's
//!   own, as a record outside any case is, and never moves into one.
//! - An erasure (an approved purge, `records::erasure`) is the holding unit's or the case's
//!   creator's, never a partner's; one of a case this book never had is taken as it is (it
//!   keeps the case out).
//! - A link (a case's client, a party, the agency of a referral or goal) names only a record of
//!   the writer's unit or one linked to a case the unit was granted (`not_held`, tried again).
//! - A person is written by its unit, and by a unit granted a case whose client or other party
//!   it is (by the cases and parties this book holds: `not_held`, tried again, when none).
//!   Granted, as the hub keeps it: the unit that opened the case, every unit a transfer named,
//!   every partner it was referred to.
//! - An event's author (`user_id`, a timeline entry's `author_id`) is not a user of another
//!   unit, as far as this book knows its users (a unit's users reach only that unit and the
//!   province).

use crate::error::Result;
use crate::log::entity::Entity;
use crate::log::events::{Event, check_complete};
use crate::store::Catalog;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use std::collections::HashMap;

/// The reason an event is set aside when its device's unit may not write the record.
pub const NOT_YOURS: &str = "not_yours";

/// The reason a record's first event is set aside when it lacks a field the record cannot be
/// without: the record could never be written.
pub const INCOMPLETE: &str = "incomplete";

/// The reason an event is set aside when its device's unit does not hold the case it writes to
/// (below).
pub const NOT_HELD: &str = "not_held";

/// The reason an event is set aside when it changes a record only its own unit writes before
/// the record's creation has come: which unit that is cannot be told yet.
pub const UNKNOWN_ORIGIN: &str = "unknown_origin";

/// What judging one batch has learned: the unit and case each record was created with (those
/// created in the batch have no row until it ends), and the unit of each author.
pub(super) struct Rights {
    /// Keyed by kind and id: a record of one kind may not lend its unit to another kind's
    /// record under the same id.
    origins: HashMap<(Entity, String), String>,
    cases: HashMap<(Entity, String), String>,
    /// The unit of each user looked up (None: not a user this book knows).
    users: HashMap<String, Option<String>>,
    /// Whether records of earlier batches wait in `sync_pending` (their rows not written):
    /// only then is a record without a row looked for in the log.
    pending: bool,
}

impl Rights {
    /// Judging a batch, in the transaction `tx` that takes it in.
    pub(super) fn start(tx: &rusqlite::Connection) -> Result<Rights> {
        Ok(Rights {
            origins: HashMap::new(),
            cases: HashMap::new(),
            users: HashMap::new(),
            pending: tx.prepare_cached("SELECT 1 FROM sync_pending")?.exists([])?,
        })
    }

    /// Why the unit `writer` may not write `event`'s record, or None. `own_device`: this
    /// laptop's device. A record's first event must also be complete (`INCOMPLETE`).
    pub(super) fn judge(
        &mut self,
        tx: &rusqlite::Connection,
        catalog: &Catalog,
        event: &Event,
        writer: &str,
        own_device: &str,
    ) -> Result<Option<&'static str>> {
        for author in [
            event.user_id.as_deref(),
            event.fields.get("author_id").and_then(Value::as_str),
        ]
        .into_iter()
        .flatten()
        {
            if self.user_unit(tx, author)?.is_some_and(|unit| unit != writer) {
                return Ok(Some(NOT_YOURS));
            }
        }
        let claimed = event.fields.get("unit_code").and_then(Value::as_str);
        let origin = self.origin(tx, event.entity, &event.entity_id)?;
        let creates = origin.is_none();
        match (&origin, claimed) {
            (Some(origin), Some(claimed)) if claimed != origin => return Ok(Some(NOT_YOURS)),
            (Some(origin), _) if event.entity.own_unit_only() && origin != writer => return Ok(Some(NOT_YOURS)),
            (Some(_), _) => {}
            (None, Some(claimed)) if claimed != writer => return Ok(Some(NOT_YOURS)),
            (None, Some(_)) if check_complete(catalog, event).is_err() => return Ok(Some(INCOMPLETE)),
            (None, Some(claimed)) => {
                self.origins
                    .insert((event.entity, event.entity_id.clone()), claimed.to_owned());
            }
            // A change before the record's creation: a hub delivers the creation first, so
            // this one waits (tried again at the next sync) rather than be taken unchecked.
            (None, None) => return Ok(Some(UNKNOWN_ORIGIN)),
        }
        // A link names only a record the writer's unit sees (the hub's `link_not_visible`).
        if let Some((field, target)) = event.entity.link()
            && let Some(linked) = event.fields.get(field).and_then(Value::as_str)
        {
            match self.origin(tx, target, linked)? {
                None => return Ok(Some(UNKNOWN_ORIGIN)),
                Some(unit) if unit == writer || sees_linked(tx, target, linked, writer)? => {}
                Some(_) => return Ok(Some(NOT_HELD)),
            }
        }
        if event.entity == Entity::Person
            && !creates
            && origin.as_deref() != Some(writer)
            && !sees_linked(tx, Entity::Person, &event.entity_id, writer)?
        {
            return Ok(Some(NOT_HELD));
        }
        if !event.entity.in_case() {
            return Ok(None);
        }
        // A record that may stand outside any case and was created outside one (a received
        // letter answering no referral) is its unit's own, and never moves into a case.
        if event.entity.case_optional() && self.created_outside_cases(tx, event, creates)? {
            let named = event.fields.get("case_id").and_then(Value::as_str);
            // Answering a referral is for a letter in the referral's case.
            let answers = event.fields.get("referral_id").is_some_and(|r| !r.is_null());
            let foreign = !creates && origin.as_deref() != Some(writer);
            return Ok((named.is_some() || answers || foreign).then_some(NOT_YOURS));
        }
        // Creating a case: the case is the creator's.
        if event.entity == Entity::Case && creates {
            return Ok(None);
        }
        let Some(case_id) = self.case_of(tx, event, creates)? else {
            return Ok(Some(NOT_YOURS));
        };
        // A letter received answers a referral of its own case, named when it was logged: one
        // naming another case's referral would outlive that case's erasure.
        if event.entity == Entity::ReceivedLetter
            && let Some(named) = event.fields.get("referral_id")
        {
            let fits = if creates {
                match named.as_str() {
                    Some(referral) => {
                        self.case_of_record(tx, Entity::Referral, referral)?.as_deref() == Some(case_id.as_str())
                    }
                    None => true,
                }
            } else {
                named.as_str()
                    == self
                        .recorded(tx, event.entity, &event.entity_id, "referral_id")?
                        .as_deref()
            };
            if !fits {
                return Ok(Some(NOT_YOURS));
            }
        }
        let Some(owner) = self.origin(tx, Entity::Case, &case_id)? else {
            // An erasure of a case this book never had (a laptop enrolled after it) only keeps
            // the case out: nothing here to judge it by, nor to erase.
            if event.entity == Entity::Erasure {
                return Ok(None);
            }
            return Ok(Some(UNKNOWN_ORIGIN));
        };
        // Handing a case on, and erasing it, are for the unit holding it (or its creator), not
        // for a partner it was referred to.
        let transfers =
            (event.entity == Entity::Case && event.fields.contains_key("held_by")) || event.entity == Entity::Erasure;
        Ok((!writes_case(tx, &case_id, &owner, writer, own_device, transfers)?).then_some(NOT_HELD))
    }

    /// The unit that created record `id`, when its creation is here.
    fn origin(&mut self, tx: &rusqlite::Connection, entity: Entity, id: &str) -> Result<Option<String>> {
        let key = (entity, id.to_owned());
        if let Some(unit) = self.origins.get(&key) {
            return Ok(Some(unit.clone()));
        }
        let unit = self.recorded(tx, entity, id, "unit_code")?;
        if let Some(unit) = &unit {
            self.origins.insert(key, unit.clone());
        }
        Ok(unit)
    }

    /// The unit of user `id`, when this book knows the user.
    fn user_unit(&mut self, tx: &rusqlite::Connection, id: &str) -> Result<Option<String>> {
        if let Some(unit) = self.users.get(id) {
            return Ok(unit.clone());
        }
        let unit: Option<String> = tx
            .prepare_cached("SELECT unit_code FROM users WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        self.users.insert(id.to_owned(), unit.clone());
        Ok(unit)
    }

    /// The case the event's record belongs to: the one its first event named, which later
    /// events may not change (None: they do). `creates`: this event is the record's first.
    fn case_of(&mut self, tx: &rusqlite::Connection, event: &Event, creates: bool) -> Result<Option<String>> {
        if event.entity == Entity::Case {
            return Ok(Some(event.entity_id.clone()));
        }
        // Present and null is a change too: it would take the record out of its case.
        let named = event.fields.get("case_id").map(Value::as_str);
        let key = (event.entity, event.entity_id.clone());
        let first = match self.cases.get(&key) {
            Some(case) => Some(case.clone()),
            None if creates => None,
            None => {
                let first = self.recorded(tx, event.entity, &event.entity_id, "case_id")?;
                if let Some(case) = &first {
                    self.cases.insert(key.clone(), case.clone());
                }
                first
            }
        };
        Ok(match (first, named) {
            (Some(first), Some(named)) if named != Some(first.as_str()) => None,
            (Some(first), _) => Some(first),
            (None, Some(Some(named))) => {
                self.cases.insert(key, named.to_owned());
                Some(named.to_owned())
            }
            (None, _) => None,
        })
    }

    /// The case of a record this book has, or that an earlier event of the batch created.
    fn case_of_record(&self, tx: &rusqlite::Connection, entity: Entity, id: &str) -> Result<Option<String>> {
        match self.cases.get(&(entity, id.to_owned())) {
            Some(case) => Ok(Some(case.clone())),
            None => self.recorded(tx, entity, id, "case_id"),
        }
    }

    /// Whether the event's record was (or, `creates`, is being) created naming no case.
    fn created_outside_cases(&mut self, tx: &rusqlite::Connection, event: &Event, creates: bool) -> Result<bool> {
        if creates {
            return Ok(!event.fields.get("case_id").is_some_and(|case| case.is_string()));
        }
        if self.cases.contains_key(&(event.entity, event.entity_id.clone())) {
            return Ok(false);
        }
        Ok(self.recorded(tx, event.entity, &event.entity_id, "case_id")?.is_none())
    }

    /// A column of a record as its creation set it: its row's, or, while the record waits in
    /// `sync_pending` for one it refers to, the first of its events naming it. (A record
    /// created earlier in the batch is in `origins` and `cases`.)
    fn recorded(&self, tx: &rusqlite::Connection, entity: Entity, id: &str, column: &str) -> Result<Option<String>> {
        let row: Option<Option<String>> = tx
            .prepare_cached(&format!("SELECT {column} FROM {} WHERE id = ?1", entity.table()))?
            .query_row([id], |r| r.get(0))
            .optional()?;
        if let Some(Some(value)) = row {
            return Ok(Some(value));
        }
        if !self.pending {
            return Ok(None);
        }
        let path = format!("$.{column}");
        Ok(tx
            .prepare_cached(
                "SELECT json_extract(fields, ?3) FROM events
                 WHERE entity = ?1 AND entity_id = ?2 AND json_extract(fields, ?3) IS NOT NULL
                 ORDER BY rowid_ LIMIT 1",
            )?
            .query_row(params![entity.name(), id, path], |r| r.get(0))
            .optional()?)
    }
}

/// Whether `unit` writes to the case `owner` opened: it is the owner, holds the case, or (when
/// the event does not transfer it) is a partner it was referred to.
fn writes_case(
    tx: &rusqlite::Connection,
    case_id: &str,
    owner: &str,
    unit: &str,
    own_device: &str,
    transfers: bool,
) -> Result<bool> {
    Ok(owner == unit || holds(tx, case_id, unit, own_device)? || (!transfers && partner(tx, case_id, unit)?))
}

/// Whether `unit` was granted a case that links record `id` (a person: as client or party; an
/// agency: on a referral or goal), by the cases this book holds.
fn sees_linked(tx: &rusqlite::Connection, target: Entity, id: &str, unit: &str) -> Result<bool> {
    let linking = match target {
        Entity::Person => {
            "SELECT id, unit_code FROM cases WHERE client_id = ?1
             UNION SELECT c.id, c.unit_code FROM case_parties p JOIN cases c ON c.id = p.case_id
             WHERE p.person_id = ?1"
        }
        _ => {
            "SELECT c.id, c.unit_code FROM referrals r JOIN cases c ON c.id = r.case_id WHERE r.agency_id = ?1
             UNION SELECT c.id, c.unit_code FROM care_plan_goals g JOIN cases c ON c.id = g.case_id
             WHERE g.agency_id = ?1"
        }
    };
    let cases: Vec<(String, String)> = tx
        .prepare_cached(linking)?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (case_id, owner) in cases {
        if owner == unit || granted(tx, &case_id, unit)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether a transfer named `unit` or the case was referred to it, ever: the hub's grants
/// beside the case's creator.
fn granted(tx: &rusqlite::Connection, case_id: &str, unit: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM events
             WHERE entity = 'case' AND entity_id = ?1 AND json_extract(fields, '$.held_by') = ?2",
        )?
        .exists([case_id, unit])?
        || partner(tx, case_id, unit)?)
}

/// Whether `unit` holds the case: the last transfer from elsewhere named it, or one of this
/// laptop's own did.
fn holds(tx: &rusqlite::Connection, case_id: &str, unit: &str, own_device: &str) -> Result<bool> {
    let last: Option<String> = tx
        .prepare_cached(
            "SELECT json_extract(fields, '$.held_by') FROM events
             WHERE entity = 'case' AND entity_id = ?1 AND device_id <> ?2
               AND json_extract(fields, '$.held_by') IS NOT NULL
             ORDER BY rowid_ DESC LIMIT 1",
        )?
        .query_row([case_id, own_device], |r| r.get(0))
        .optional()?;
    if last.as_deref() == Some(unit) {
        return Ok(true);
    }
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM events
             WHERE entity = 'case' AND entity_id = ?1 AND device_id = ?2
               AND json_extract(fields, '$.held_by') = ?3",
        )?
        .exists([case_id, own_device, unit])?)
}

/// Whether the case was referred to `unit` as a partner on the hub: by a referral this book
/// holds, or one of the batch being taken in.
fn partner(tx: &rusqlite::Connection, case_id: &str, unit: &str) -> Result<bool> {
    if tx
        .prepare_cached("SELECT 1 FROM referrals WHERE case_id = ?1 AND to_unit = ?2")?
        .exists([case_id, unit])?
    {
        return Ok(true);
    }
    // Rarely reached (a partner's write in the batch that brought its referral): a look at
    // every referral event.
    Ok(tx
        .prepare_cached(
            "SELECT 1 FROM events WHERE entity = 'referral'
               AND json_extract(fields, '$.case_id') = ?1 AND json_extract(fields, '$.to_unit') = ?2",
        )?
        .exists([case_id, unit])?)
}
