//! What the hub takes in: every event is read and judged before it is stored or routed, from
//! what the hub itself holds, never from what the sending device claims.
//!
//! - The event names the device that sent it, is signed by that device's key, is at most
//!   `MAX_EVENT_BYTES`, and its
//!   envelope (ids, case, links, grant) is exactly what its body implies
//!   (`WireEvent::body_event`, the rule the laptops use too).
//! - Its body has the schema's shape: known fields of the record's table, values of the
//!   column's type, every field a record cannot be without set by its first event and never
//!   emptied, a canonical clock of the event's own device (`casebook::log::events::check_shape`),
//!   and only values a column takes (a risk is a risk: `casebook::values`), its clock at most a
//!   day ahead of the hub's.
//! - A record keeps the kind, the unit and the case of its first event (`records`); its
//!   `unit_code` field never names another unit.
//! - A case belongs to the unit that created it; a unit writes to a case, or to a record of a
//!   case, only while it holds the case: its creator, the unit it was last transferred to
//!   (`holders`), and the partners it was referred to (`partners`), who may not transfer it; a
//!   unit that transferred it on keeps seeing it but writes no more. A record outside any case is written by its own unit, and a
//!   person or agency also by a unit holding a case linked to it.
//! - A link (`refs`) names only a record the unit already sees: its own, or one delivered to it.
//! - Its author (`user_id`, and a timeline entry's `author_id`) is a user of the unit.
//! - A transfer or referral names a unit the hub knows.
//! - A case or letter number is the sending device's to give (`numbers`).
//! - Nothing is written to what an approved purge erased (`erasure`), and only the unit
//!   holding a case, or its creator, erases it (a partner does not).
//!
//! A coordinator unit reads the whole province (routing) but writes only as a unit writes.

use super::Device;
use super::sql::{Sql, StoreError, Val};
use super::values::Values;
use casebook::log::entity::Entity;
use casebook::log::events::{Event, Flaw, check_complete, check_shape};
use casebook::store::Catalog;
use oscc_sync::{Refusal, WireEvent};
use std::collections::HashSet;

/// The largest event body the hub takes. The app refuses a text field over
/// `casebook::book::write::MAX_FIELD_BYTES` when it is typed, so an honest event stays far
/// below.
const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// Why an event is refused, with what was wrong (field names and kinds of flaw, never values).
pub(super) type Refused = (Refusal, String);

/// An event the hub takes: its body, and the case it belongs to. A later event of a case's
/// record (a note's photo added) names no case in its envelope, having no `case_id` field:
/// it belongs to the case of the record's first event.
pub(super) struct Admitted {
    pub(super) body: Event,
    pub(super) case_id: Option<String>,
    /// The case or letter numbers it gives its record (`numbers`).
    pub(super) claims: Vec<super::numbers::Claim>,
}

/// What one push has found its device's unit may do: cases it holds and records it sees.
/// Only yes is kept: within a push, grants and records only grow, so a yes stays true, while a
/// no may become a yes (a case created by an earlier event of the same push).
#[derive(Default)]
pub(super) struct Allowed {
    held: HashSet<String>,
    seen: HashSet<String>,
    /// Users of the device's unit.
    users: HashSet<String>,
    /// The unit that created each case.
    owners: std::collections::HashMap<String, String>,
    /// Whether the hub has erased anything (`erasure`), asked once.
    any_erased: Option<bool>,
}

/// The kind, unit and case a record took with its first event.
struct Known {
    entity: String,
    unit: String,
    case_id: Option<String>,
}

/// Judges `event`, sent (and signed) by `device`. Ok(Ok(..)): store and route it;
/// Ok(Err(..)): refuse it.
pub(super) fn admit(
    sql: &mut dyn Sql,
    catalog: &Catalog,
    allowed: &mut Allowed,
    device: &Device,
    event: &WireEvent,
) -> Result<Result<Admitted, Refused>, StoreError> {
    if event.device_id != device.id {
        return Ok(Err((Refusal::NotSender, String::new())));
    }
    if event.body.len() > MAX_EVENT_BYTES {
        return Ok(Err((Refusal::TooLarge, event.body.len().to_string())));
    }
    let body = match event.body_event() {
        Ok(body) => body,
        Err(refusal) => return Ok(Err((refusal, String::new()))),
    };
    match check_shape(catalog, &body) {
        Ok(()) => {}
        // Not the device's fault: the push waits until the hub is upgraded.
        Err(Flaw::NewerSchema(_)) => return Err(StoreError::NewerSchema(event.event_id.clone())),
        Err(flaw) => return Ok(Err((Refusal::BadShape, flaw.to_string()))),
    }
    let now_ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    if casebook::log::events::clock_ahead(&body, now_ms) {
        return Ok(Err((Refusal::ClockAhead, String::new())));
    }
    if let Some(column) = casebook::values::out_of_range(&body) {
        return Ok(Err((Refusal::BadShape, format!("a value {column} does not take"))));
    }
    let case_id = match authorize(sql, catalog, allowed, &device.unit_code, event, &body)? {
        Ok(case_id) => case_id,
        Err(why) => return Ok(Err(why)),
    };
    Ok(super::numbers::judge(sql, device, &event.record_id, &body)?.map(|claims| Admitted { body, case_id, claims }))
}

/// The unit's right to write this event, from what the hub holds; Ok(Ok(case)) gives the
/// case the event belongs to. A record's first event must also be complete.
fn authorize(
    sql: &mut dyn Sql,
    catalog: &Catalog,
    allowed: &mut Allowed,
    unit: &str,
    event: &WireEvent,
    body: &Event,
) -> Result<Result<Option<String>, Refused>, StoreError> {
    let refuse = |refusal: Refusal, detail: &str| Ok(Err((refusal, detail.to_owned())));
    let known = known(sql, &event.record_id)?;
    let origin = known.as_ref().map_or(unit, |k| k.unit.as_str());
    // A record's kind and case are its first event's: a later one naming another case, or none
    // (null), would take it out of its case, past the case's erasure.
    if let Some(k) = &known
        && (k.entity != body.entity.name()
            || (event.case_id.is_some() && k.case_id != event.case_id)
            || (body.entity.in_case()
                && body
                    .fields
                    .get("case_id")
                    .is_some_and(|named| named.as_str() != k.case_id.as_deref())))
    {
        return refuse(Refusal::NotYours, "kind or case of an existing record");
    }
    let case_id = match &known {
        Some(k) => k.case_id.clone(),
        None => event.case_id.clone(),
    };
    // A letter received answers a referral of its own case only.
    if body.entity == Entity::ReceivedLetter
        && let Some(referral) = body.fields.get("referral_id").and_then(|r| r.as_str())
        && self::known(sql, referral)?.and_then(|r| r.case_id) != case_id
    {
        return refuse(Refusal::NotYours, "referral_id");
    }
    if erases_nothing_left(sql, allowed, event, body, case_id.as_deref())? {
        return refuse(Refusal::Erased, "");
    }
    if body
        .fields
        .get("unit_code")
        .is_some_and(|claimed| claimed.as_str() != Some(origin))
    {
        return refuse(Refusal::NotYours, "unit_code");
    }
    // When a record was made is its first event's to say (the statistics count by it).
    if known.is_some() && body.fields.contains_key("created_at") {
        return refuse(Refusal::NotYours, "created_at");
    }
    match &case_id {
        // Creating a case: the case is the creator's.
        Some(_) if body.entity == Entity::Case && known.is_none() => {}
        Some(case_id) => {
            if !allowed.held.contains(case_id) {
                if !holds(sql, unit, case_id)? {
                    return refuse(Refusal::CaseNotHeld, "");
                }
                allowed.held.insert(case_id.clone());
            }
            // Handing a case on, and erasing it, are for the unit holding it or its creator.
            let transfers =
                (body.entity == Entity::Case && body.fields.contains_key("held_by")) || body.entity == Entity::Erasure;
            if let Some(why) = holder_rights(sql, allowed, unit, case_id, transfers)? {
                return refuse(Refusal::CaseNotHeld, why);
            }
        }
        None => {
            // A case's client or other party is kept current by the units holding the case
            // (its phone, its address); an agency only by its own unit, whose referrals
            // follow its hub unit.
            let shared = body.entity == Entity::Person && linked_to_held_case(sql, unit, &event.record_id)?;
            if origin != unit && !shared {
                return refuse(Refusal::NotYours, "");
            }
        }
    }
    // Who wrote it: a user of the sender's unit (or the user this event creates: a book's
    // first administrator writes its own record), never another unit's.
    for author in [
        body.user_id.as_deref(),
        body.fields.get("author_id").and_then(|a| a.as_str()),
    ]
    .into_iter()
    .flatten()
    {
        let creates_itself = body.entity == Entity::User && known.is_none() && author == event.record_id;
        if !creates_itself && !allowed.users.contains(author) {
            if !is_user_of(sql, unit, author)? {
                return refuse(Refusal::UnknownAuthor, "");
            }
            allowed.users.insert(author.to_owned());
        }
    }
    for record in &event.refs {
        if !allowed.seen.contains(record) {
            if !sees(sql, unit, record)? {
                return refuse(Refusal::LinkNotVisible, "");
            }
            allowed.seen.insert(record.clone());
        }
    }
    if let Some(other) = &event.grant
        && sql
            .rows("SELECT 1 FROM units WHERE code = ?1", &[other.as_str().into()])?
            .is_empty()
    {
        return refuse(Refusal::UnknownUnit, "");
    }
    if known.is_none()
        && let Err(flaw) = check_complete(catalog, body)
    {
        return refuse(Refusal::BadShape, &flaw.to_string());
    }
    Ok(Ok(case_id))
}

/// Whether `event` writes to what an approved purge erased: the record, its case (a second
/// erasure of the case apart), or a record it links.
fn erases_nothing_left(
    sql: &mut dyn Sql,
    allowed: &mut Allowed,
    event: &WireEvent,
    body: &Event,
    case_id: Option<&str>,
) -> Result<bool, StoreError> {
    let any = match allowed.any_erased {
        Some(any) => any,
        None => *allowed.any_erased.insert(super::erasure::any_erased(sql)?),
    };
    if body.entity == Entity::Erasure {
        // Later events of this push are judged after it has erased.
        allowed.any_erased = Some(true);
    }
    if !any {
        return Ok(false);
    }
    let case = case_id.filter(|_| body.entity != Entity::Erasure);
    for record in std::iter::once(event.record_id.as_str())
        .chain(case)
        .chain(event.refs.iter().map(String::as_str))
    {
        if super::erasure::erased(sql, record)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn known(sql: &mut dyn Sql, record_id: &str) -> Result<Option<Known>, StoreError> {
    let rows = sql.rows(
        "SELECT entity, unit_code, case_id FROM records WHERE record_id = ?1",
        &[record_id.into()],
    )?;
    Ok(rows.first().map(|row| Known {
        entity: row[0].text(),
        unit: row[1].text(),
        case_id: match &row[2] {
            Val::Null => None,
            value => Some(value.text()),
        },
    }))
}

fn is_user_of(sql: &mut dyn Sql, unit: &str, user_id: &str) -> Result<bool, StoreError> {
    Ok(!sql
        .rows(
            "SELECT 1 FROM records WHERE record_id = ?1 AND entity = 'user' AND unit_code = ?2",
            &[user_id.into(), unit.into()],
        )?
        .is_empty())
}

/// What a unit granted a case may do with it, beyond seeing it: its creator anything; the unit
/// holding it now (the last transfer's) anything; a partner it was referred to write to it but
/// not transfer it; a unit that held it and transferred it on, nothing more. None: allowed;
/// else what is refused. A case whose holder the hub never noted (a database from before) is
/// judged as before, by its grants alone.
fn holder_rights(
    sql: &mut dyn Sql,
    allowed: &mut Allowed,
    unit: &str,
    case_id: &str,
    transfers: bool,
) -> Result<Option<&'static str>, StoreError> {
    if !allowed.owners.contains_key(case_id) {
        let owner = sql
            .rows("SELECT unit_code FROM records WHERE record_id = ?1", &[case_id.into()])?
            .first()
            .map(|r| r[0].text())
            .unwrap_or_default();
        allowed.owners.insert(case_id.to_owned(), owner);
    }
    if allowed.owners.get(case_id).is_some_and(|owner| owner == unit) {
        return Ok(None);
    }
    // Not cached: a transfer earlier in the same push changes it.
    let holder = sql
        .rows("SELECT unit_code FROM holders WHERE case_id = ?1", &[case_id.into()])?
        .first()
        .map(|r| r[0].text());
    let holding = holder.as_deref().is_none_or(|holder| holder == unit);
    if holding {
        return Ok(None);
    }
    if transfers {
        return Ok(Some(
            "only the unit holding a case, or its creator, transfers or erases it",
        ));
    }
    let partner = !sql
        .rows(
            "SELECT 1 FROM partners WHERE case_id = ?1 AND unit_code = ?2",
            &[case_id.into(), unit.into()],
        )?
        .is_empty();
    Ok((!partner).then_some("transferred on: no longer held"))
}

fn holds(sql: &mut dyn Sql, unit: &str, case_id: &str) -> Result<bool, StoreError> {
    Ok(!sql
        .rows(
            "SELECT 1 FROM grants WHERE case_id = ?1 AND unit_code = ?2",
            &[case_id.into(), unit.into()],
        )?
        .is_empty())
}

fn linked_to_held_case(sql: &mut dyn Sql, unit: &str, record_id: &str) -> Result<bool, StoreError> {
    Ok(!sql
        .rows(
            "SELECT 1 FROM links l JOIN grants g ON g.case_id = l.case_id
             WHERE l.record_id = ?1 AND g.unit_code = ?2 LIMIT 1",
            &[record_id.into(), unit.into()],
        )?
        .is_empty())
}

/// The unit sees a record as a unit: one it wrote first, one of a case it holds, or one a
/// case it holds links to. (A coordinator reads every record, but links only like this.)
fn sees(sql: &mut dyn Sql, unit: &str, record_id: &str) -> Result<bool, StoreError> {
    Ok(!sql
        .rows(
            "SELECT 1 FROM records r WHERE r.record_id = ?1 AND (r.unit_code = ?2
               OR EXISTS (SELECT 1 FROM grants g WHERE g.case_id = r.case_id AND g.unit_code = ?2))
             UNION ALL
             SELECT 1 FROM links l JOIN grants g ON g.case_id = l.case_id
             WHERE l.record_id = ?1 AND g.unit_code = ?2
             LIMIT 1",
            &[record_id.into(), unit.into()],
        )?
        .is_empty())
}

/// Notes a record's kind, unit and case at its first event; later events keep them.
pub(super) fn register(
    sql: &mut dyn Sql,
    unit: &str,
    event: &WireEvent,
    admitted: &Admitted,
) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO records (record_id, entity, unit_code, case_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        &[
            event.record_id.as_str().into(),
            admitted.body.entity.name().into(),
            unit.into(),
            admitted.case_id.clone().into(),
        ],
    )?;
    // Who holds a case now, and whom it was referred to (`holder_rights`).
    let text = |name: &str| admitted.body.fields.get(name).and_then(|v| v.as_str());
    match (
        admitted.body.entity,
        text("held_by"),
        text("to_unit"),
        &admitted.case_id,
    ) {
        (Entity::Case, Some(holder), _, _) => {
            sql.exec(
                "INSERT INTO holders (case_id, unit_code) VALUES (?1, ?2)
                 ON CONFLICT (case_id) DO UPDATE SET unit_code = excluded.unit_code",
                &[event.record_id.as_str().into(), holder.into()],
            )?;
        }
        (Entity::Referral, _, Some(partner), Some(case_id)) => {
            sql.exec(
                "INSERT INTO partners (case_id, unit_code) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                &[case_id.as_str().into(), partner.into()],
            )?;
        }
        _ => {}
    }
    Ok(())
}

/// Fills `records` (and `holders`, `partners`) from the events a hub database held before it
/// had those tables, once: every record then keeps the kind, unit and case of its first event.
pub(super) fn register_held(sql: &mut dyn Sql, values: &Values) -> Result<(), StoreError> {
    // Written before `records`, or before `holders`: once, since the first case noted fills it.
    let no_records = sql.rows("SELECT 1 FROM records LIMIT 1", &[])?.is_empty();
    let no_holders = sql.rows("SELECT 1 FROM holders LIMIT 1", &[])?.is_empty()
        && !sql
            .rows("SELECT 1 FROM records WHERE entity = 'case' LIMIT 1", &[])?
            .is_empty();
    if !(no_records || no_holders) || sql.rows("SELECT 1 FROM events LIMIT 1", &[])?.is_empty() {
        return Ok(());
    }
    for row in sql.rows("SELECT unit_code, event_id, body FROM events ORDER BY hub_seq", &[])? {
        let json = values.read_body(&row[1].text(), &row[2])?;
        let event: WireEvent = serde_json::from_str(&json).map_err(|e| StoreError::Db(e.to_string()))?;
        if let Ok(body) = event.body_event() {
            let case_id = event.case_id.clone();
            let claims = Vec::new();
            register(sql, &row[0].text(), &event, &Admitted { body, case_id, claims })?;
        }
    }
    Ok(())
}
