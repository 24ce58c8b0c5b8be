//! Who may see which case: the hub's visibility rules (docs/ARCHITECTURE.md, "Sync"), apart from its storage.
//!
//! - An event inside a case goes to the units granted that case. Creating a case grants the
//!   creator's unit (admission lets no other unit write to a case it does not hold); an event
//!   that names another unit (`WireEvent::grant`: a transfer, a referral to a partner unit)
//!   grants that unit too.
//! - A unit granted a case later receives the case's whole history: every earlier event of
//!   the case and of the records it refers to (`backfill`).
//! - A case that refers to a record outside it (`WireEvent::refs`: its client and other
//!   parties, the agencies it is referred to) is linked to it, and the units granted the case
//!   receive that record's events, the earlier ones too.
//! - An event of a record outside any case (a person, an agency, the unit's own records) goes
//!   to its unit and to the units granted a case that refers to it.
//! - A coordinator unit (the province) receives every event, also those received before it
//!   became one.
//! - Each unit's deliveries are numbered in one sequence; pulling is reading that sequence
//!   after the unit's cursor, less the pulling device's own events.
//!
//! Routing keeps `grants` (case → unit), `links` (case → record) and `deliveries` (unit →
//! event, numbered); it reads `events` and `units`, which the storage (`super`) writes. It is
//! written over the SQL interface (`super::sql`) alone.

use super::sql::{Sql, StoreError, Val};
use oscc_sync::WireEvent;
use std::collections::HashMap;

/// What routing one push's events shares, read or made once per batch: the coordinator units,
/// the units each case is granted to, and the time of receipt.
pub(super) struct Batch {
    coordinators: Vec<String>,
    granted: HashMap<String, Vec<String>>,
    received_at: String,
}

impl Batch {
    /// Routing for one push received at `received_at`.
    pub(super) fn start(sql: &mut dyn Sql, received_at: String) -> Result<Batch, StoreError> {
        Ok(Batch {
            coordinators: sql
                .rows("SELECT code FROM units WHERE coordinator = 1", &[])?
                .iter()
                .map(|r| r[0].text())
                .collect(),
            granted: HashMap::new(),
            received_at,
        })
    }

    /// The units granted `case_id`.
    fn units_of(&mut self, sql: &mut dyn Sql, case_id: &str) -> Result<&[String], StoreError> {
        if !self.granted.contains_key(case_id) {
            let units = sql
                .rows("SELECT unit_code FROM grants WHERE case_id = ?1", &[case_id.into()])?
                .iter()
                .map(|r| r[0].text())
                .collect();
            self.granted.insert(case_id.to_owned(), units);
        }
        Ok(self.granted.get(case_id).map_or(&[], Vec::as_slice))
    }

    /// Grants `unit` the case; a new grant brings the case's history with it.
    fn grant(&mut self, sql: &mut dyn Sql, case_id: &str, unit: &str) -> Result<(), StoreError> {
        if self.units_of(sql, case_id)?.iter().any(|u| u == unit) {
            return Ok(());
        }
        sql.exec(
            "INSERT INTO grants (case_id, unit_code, granted_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            &[case_id.into(), unit.into(), self.received_at.as_str().into()],
        )?;
        backfill(sql, case_id, unit)?;
        self.granted
            .entry(case_id.to_owned())
            .or_default()
            .push(unit.to_owned());
        Ok(())
    }

    /// Routes event `hub_seq`, just stored, which a device of `unit` sent, of case `case_id`
    /// (admission found it: the envelope's, or the case of the record's first event).
    pub(super) fn route(
        &mut self,
        sql: &mut dyn Sql,
        hub_seq: i64,
        unit: &str,
        case_id: Option<&str>,
        event: &WireEvent,
    ) -> Result<(), StoreError> {
        let mut units: Vec<String> = self.coordinators.clone();
        match case_id {
            Some(case_id) => {
                // The writer holds the case (admission): granted already, or creating it; a
                // transfer or referral grants another unit.
                self.grant(sql, case_id, unit)?;
                if let Some(other) = &event.grant {
                    self.grant(sql, case_id, other)?;
                }
                let granted = self.units_of(sql, case_id)?.to_vec();
                for record in &event.refs {
                    let linked = sql.exec(
                        "INSERT INTO links (case_id, record_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                        &[case_id.into(), record.as_str().into()],
                    )?;
                    if linked > 0 {
                        // The units granted the case receive the record it now refers to.
                        for earlier in sql.rows(
                            "SELECT hub_seq FROM events WHERE record_id = ?1 ORDER BY hub_seq",
                            &[record.as_str().into()],
                        )? {
                            deliver(sql, &granted, earlier[0].int())?;
                        }
                    }
                }
                units.extend(granted);
            }
            None => {
                // A record outside any case: its unit, and the units granted a case referring to it.
                units.push(unit.to_owned());
                units.extend(
                    sql.rows(
                        "SELECT DISTINCT g.unit_code FROM links l JOIN grants g ON g.case_id = l.case_id
                         WHERE l.record_id = ?1",
                        &[event.record_id.as_str().into()],
                    )?
                    .iter()
                    .map(|r| r[0].text()),
                );
            }
        }
        units.sort();
        units.dedup();
        deliver(sql, &units, hub_seq)
    }
}

/// Delivers every earlier event of case `case_id` (and of the records it refers to) to `unit`.
fn backfill(sql: &mut dyn Sql, case_id: &str, unit: &str) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO deliveries (unit_code, hub_seq)
         SELECT CAST(?2 AS TEXT), e.hub_seq FROM events e
         WHERE e.case_id = ?1 OR e.record_id IN (SELECT record_id FROM links WHERE case_id = ?1)
         ORDER BY e.hub_seq
         ON CONFLICT DO NOTHING",
        &[case_id.into(), unit.into()],
    )?;
    Ok(())
}

/// Delivers event `hub_seq` to each of `units`. One row per statement: an INSERT … SELECT of
/// several rows makes SQLite keep a statement journal of every page it changes.
fn deliver<'a>(sql: &mut dyn Sql, units: impl IntoIterator<Item = &'a String>, hub_seq: i64) -> Result<(), StoreError> {
    for unit in units {
        sql.exec(
            "INSERT INTO deliveries (unit_code, hub_seq) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            &[unit.as_str().into(), hub_seq.into()],
        )?;
    }
    Ok(())
}

/// A unit that has just become a coordinator (the province) sees everything received so far.
pub(super) fn deliver_everything(sql: &mut dyn Sql, unit: &str) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO deliveries (unit_code, hub_seq)
         SELECT CAST(?1 AS TEXT), hub_seq FROM events WHERE true ORDER BY hub_seq ON CONFLICT DO NOTHING",
        &[unit.into()],
    )?;
    Ok(())
}

/// What a device of `unit` pulls: the unit's deliveries after `after`, less the events device
/// `device_id` sent itself and those of records an approved purge erased (kept blank: the
/// erasure itself goes), in order, as rows of (delivery seq, event id, stored body).
pub(super) fn deliveries_after(
    sql: &mut dyn Sql,
    unit: &str,
    device_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Vec<Val>>, StoreError> {
    sql.rows(
        "SELECT d.seq, e.event_id, e.body FROM deliveries d JOIN events e ON e.hub_seq = d.hub_seq
         WHERE d.unit_code = ?1 AND d.seq > ?2 AND e.device_id <> ?3
           AND NOT EXISTS (SELECT 1 FROM erased x WHERE x.record_id = e.record_id)
         ORDER BY d.seq LIMIT ?4",
        &[unit.into(), after.into(), device_id.into(), limit.into()],
    )
}
