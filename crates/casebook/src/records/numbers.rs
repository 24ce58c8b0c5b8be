//! Case and letter numbers unique across a unit's laptops, offline too.
//!
//! A book enrolled with a hub takes numbers from blocks the hub allots to its laptop, per kind
//! and Buddhist year (`number_blocks`, refilled at every sync: `number_wants`,
//! `keep_number_blocks`). Blocks never overlap, so two laptops never give the same number.
//! A laptop whose blocks are used up while offline gives a provisional number naming itself
//! (`CPN-2569-P3F9A1C2B-01`), which its next sync replaces with a final one
//! (`settle_provisional_numbers`): the case's timeline says so, and the provisional number stays
//! in `former_numbers`, so a number once printed still finds its record. A book that syncs
//! with no hub is its unit's only laptop and counts on by itself.

use crate::book::Casebook;
use crate::dates::{be_year, now_iso, today};
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::records::timeline::EntryKind;
use crate::store::rows::{Fields, new_id};
use chrono::Datelike;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// Numbers a laptop asks for at once, per kind and year.
pub const BLOCK: i64 = 10;
/// A laptop with fewer unused numbers than this asks for another block at its next sync.
const LOW: i64 = 5;
/// The longest block a laptop takes from the hub: one the hub grants of the numbers a laptop
/// gave before it was enrolled may be long, not longer.
const LONGEST_BLOCK: i64 = 1_000_000;
/// Blocks longer than this are grants of numbers given before enrollment: all given, not
/// listed as reserved.
const LONGEST_LISTED: i64 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NumberKind {
    Case,
    Letter,
}

impl NumberKind {
    pub fn name(self) -> &'static str {
        match self {
            NumberKind::Case => "case",
            NumberKind::Letter => "letter",
        }
    }
}

/// What a laptop asks the hub for: `count` more numbers of a kind and year (0: only the
/// unit's blocks), none at or below `above`, the highest final number the laptop knows of its
/// unit (numbers given before the hub allotted any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberWant {
    pub kind: NumberKind,
    pub be_year: i64,
    pub count: i64,
    pub above: i64,
}

/// Numbers `first..=last` of a kind and year, allotted to one laptop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberBlock {
    pub kind: NumberKind,
    pub be_year: i64,
    pub device_id: String,
    pub first: i64,
    pub last: i64,
}

/// A number as a laptop gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Number {
    Final(i64),
    /// "P3F9A1C2B-01": the laptop's tag and its own count.
    Provisional(String),
}

/// The short name of a laptop on paper and screen: the first 8 characters of its device id.
pub fn laptop_tag(device_id: &str) -> String {
    device_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The laptop tag a provisional number ("P3F9A1C2B-01") names, or None when it is not one.
pub fn provisional_tag(label: &str) -> Option<&str> {
    let (tag, count) = label.strip_prefix('P')?.split_once('-')?;
    let tag_ok = !tag.is_empty() && tag.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase());
    let count_ok = !count.is_empty() && count.chars().all(|c| c.is_ascii_digit());
    (tag_ok && count_ok).then_some(tag)
}

/// `CPN-2569-0041`, or `CPN-2569-P3F9A1C2B-01` while provisional.
pub fn case_number(unit: &str, year: i64, number: &Number) -> String {
    match number {
        Number::Final(n) => format!("{unit}-{year}-{n:04}"),
        Number::Provisional(label) => format!("{unit}-{year}-{label}"),
    }
}

/// The year and number of a case number of `unit`; None when it is not one.
pub fn parse_case_number(unit: &str, text: &str) -> Option<(i64, Number)> {
    let (year, rest) = text.strip_prefix(unit)?.strip_prefix('-')?.split_once('-')?;
    let year = year.parse().ok()?;
    if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
        return Some((year, Number::Final(rest.parse().ok()?)));
    }
    provisional_tag(rest).map(|_| (year, Number::Provisional(rest.to_owned())))
}

/// The Buddhist years a laptop keeps numbers for: this one, and in December the next.
fn years() -> Vec<i64> {
    let today = today();
    let year = i64::from(be_year(today));
    if today.month() == 12 {
        vec![year, year + 1]
    } else {
        vec![year]
    }
}

impl Casebook {
    /// Whether this book was enrolled with a hub (`take_device_id`), which then allots its
    /// numbers.
    fn numbered_by_hub(&self) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM sync_state WHERE key = 'numbered_by_hub'")?
            .exists([])?)
    }

    /// Takes the next number of `kind` for `year`; call inside the transaction that stores
    /// the record, so a number is never lost or given twice.
    pub(crate) fn take_number(&self, kind: NumberKind, year: i64) -> Result<Number> {
        if !self.numbered_by_hub()? {
            return Ok(Number::Final(self.count_on(kind, year)?));
        }
        if let Some(n) = self.take_from_blocks(kind, year)? {
            return Ok(Number::Final(n));
        }
        Ok(Number::Provisional(self.next_provisional(kind, year)?))
    }

    /// The next number of this laptop's blocks of a kind and year, taken (the lowest block
    /// first); None when they are used up.
    fn take_from_blocks(&self, kind: NumberKind, year: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "UPDATE number_blocks SET next = next + 1 WHERE rowid = (
                   SELECT rowid FROM number_blocks
                   WHERE kind = ?1 AND be_year = ?2 AND device_id = ?3 AND next <= last ORDER BY first LIMIT 1)
                 RETURNING next - 1",
                params![kind.name(), year, self.device_id()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// How many numbers of this laptop's blocks of a kind and year are still to give.
    fn unused_count(&self, kind: NumberKind, year: i64) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(last - next + 1), 0) FROM number_blocks
             WHERE kind = ?1 AND be_year = ?2 AND device_id = ?3 AND next <= last",
            params![kind.name(), year, self.device_id()],
            |r| r.get(0),
        )?)
    }

    /// This laptop's next provisional number of a kind and year: "P3F9A1C2B-07".
    fn next_provisional(&self, kind: NumberKind, year: i64) -> Result<String> {
        let key = format!("provisional.{}.{year}", kind.name());
        let count: i64 = self.conn.query_row(
            "INSERT INTO sync_state (key, value) VALUES (?1, '1')
             ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING CAST(value AS INTEGER)",
            [key],
            |r| r.get(0),
        )?;
        Ok(format!("P{}-{count:02}", laptop_tag(self.device_id())))
    }

    /// Whether a final number is in a block of this laptop's.
    fn allotted_here(&self, kind: NumberKind, year: i64, number: i64) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT 1 FROM number_blocks WHERE kind = ?1 AND be_year = ?2 AND device_id = ?3
                 AND first <= ?4 AND last >= ?4",
            )?
            .exists(params![kind.name(), year, self.device_id(), number])?)
    }

    /// Makes provisional the numbers this laptop gave by itself that never reached a hub
    /// (before it was enrolled, by an older version, or as the device it was before a
    /// restore): not from a block of its own, the hub would refuse them. No one else has seen them, so the unsent event that gave the number
    /// is rewritten, and the record with it; the number given stays in `former_numbers`, so
    /// paper that carries it still finds the record, and the hub then allots numbers above it.
    /// The next steps of the sync make them final. Returns how many were made provisional.
    pub fn provisional_before_hub(&mut self) -> Result<u64> {
        let unit = self.unit_code().to_owned();
        let pushed = self.sync_position()?.pushed_seq;
        let events: Vec<(i64, String, String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT rowid_, entity, entity_id, fields FROM events
                 WHERE device_id = ?1 AND device_seq > ?2 AND entity IN ('case', 'letter_register')
                 ORDER BY device_seq",
            )?;
            let rows = stmt.query_map(params![self.device_id(), pushed], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let corrupt = |e: serde_json::Error| Error::Corrupt(e.to_string());
        let tag = laptop_tag(self.device_id());
        let mut changed = 0;
        self.batch(|book| {
            for (rowid, entity, id, fields) in &events {
                let mut fields: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(fields).map_err(corrupt)?;
                // The number as the event gave it, when the hub would not take it from this
                // laptop: a final one not from its blocks, or a provisional one naming another
                // device (the one this book was before a restore).
                let mine = |label: &str| provisional_tag(label) == Some(tag.as_str());
                let (kind, table, year, old) = match entity.as_str() {
                    "case" => {
                        let Some(text) = fields.get("case_number").and_then(|v| v.as_str()) else {
                            continue;
                        };
                        let Some((year, number)) = parse_case_number(&unit, text) else {
                            continue;
                        };
                        let foreign = match &number {
                            Number::Final(n) => !book.allotted_here(NumberKind::Case, year, *n)?,
                            Number::Provisional(label) => !mine(label),
                        };
                        if !foreign {
                            continue;
                        }
                        (NumberKind::Case, "cases", year, text.to_owned())
                    }
                    _ => {
                        let Some(year) = fields.get("be_year").and_then(|v| v.as_i64()) else {
                            continue;
                        };
                        let old = match (
                            fields.get("number").and_then(|v| v.as_i64()),
                            fields.get("provisional").and_then(|v| v.as_str()),
                        ) {
                            (Some(n), _) if !book.allotted_here(NumberKind::Letter, year, n)? => n.to_string(),
                            (None, Some(label)) if !mine(label) => label.to_owned(),
                            _ => continue,
                        };
                        (NumberKind::Letter, "letter_register", year, old)
                    }
                };
                let label = book.next_provisional(kind, year)?;
                let (column, value) = match kind {
                    NumberKind::Case => (
                        "case_number",
                        json!(case_number(&unit, year, &Number::Provisional(label))),
                    ),
                    NumberKind::Letter => ("provisional", json!(label)),
                };
                let mut former: Vec<String> = fields
                    .get("former_numbers")
                    .map(|f| serde_json::from_value(f.clone()).map_err(corrupt))
                    .transpose()?
                    .unwrap_or_default();
                former.push(old);
                if kind == NumberKind::Letter {
                    fields.insert("number".into(), serde_json::Value::Null);
                }
                fields.insert(column.into(), value.clone());
                fields.insert("former_numbers".into(), json!(former));
                book.conn.execute(
                    "UPDATE events SET fields = ?1 WHERE rowid_ = ?2",
                    params![serde_json::to_string(&fields).map_err(corrupt)?, rowid],
                )?;
                let number = match kind {
                    NumberKind::Case => "",
                    NumberKind::Letter => ", number = NULL",
                };
                book.conn.execute(
                    &format!("UPDATE {table} SET {column} = ?1, former_numbers = ?2{number} WHERE id = ?3"),
                    params![value.as_str(), serde_json::to_string(&former).map_err(corrupt)?, id],
                )?;
                changed += 1;
            }
            Ok(())
        })?;
        Ok(changed)
    }

    /// The next number of a book that is its unit's only laptop.
    fn count_on(&self, kind: NumberKind, year: i64) -> Result<i64> {
        Ok(match kind {
            NumberKind::Case => self.conn.query_row(
                "INSERT INTO case_counters (unit_code, be_year, last) VALUES (?1, ?2, 1)
                 ON CONFLICT (unit_code, be_year) DO UPDATE SET last = last + 1 RETURNING last",
                params![self.unit_code(), year],
                |r| r.get(0),
            )?,
            NumberKind::Letter => self.highest_final(kind, year)? + 1,
        })
    }

    /// Whether a final number of this unit is on a record.
    fn used(&self, kind: NumberKind, year: i64, number: i64) -> Result<bool> {
        Ok(match kind {
            NumberKind::Case => self
                .conn
                .prepare_cached("SELECT 1 FROM cases WHERE case_number = ?1")?
                .exists([case_number(self.unit_code(), year, &Number::Final(number))])?,
            NumberKind::Letter => self
                .conn
                .prepare_cached("SELECT 1 FROM letter_register WHERE unit_code = ?1 AND be_year = ?2 AND number = ?3")?
                .exists(params![self.unit_code(), year, number])?,
        })
    }

    /// The numbers of the unit's blocks of a kind and year not given yet, lowest first, each
    /// with the device it was allotted to: this laptop's from its blocks' `next`, another
    /// laptop's as far as no record that came from it carries them.
    pub(crate) fn reserved(&self, kind: NumberKind, year: i64) -> Result<Vec<(i64, String)>> {
        let blocks: Vec<(i64, i64, i64, String)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT first, last, next, device_id FROM number_blocks WHERE kind = ?1 AND be_year = ?2 ORDER BY first",
            )?;
            let rows = stmt.query_map(params![kind.name(), year], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut free = Vec::new();
        for (first, last, next, device_id) in blocks {
            if last - first >= LONGEST_LISTED {
                continue;
            }
            let mine = device_id == self.device_id();
            for n in if mine { next } else { first }..=last {
                if mine || !self.used(kind, year, n)? {
                    free.push((n, device_id.clone()));
                }
            }
        }
        Ok(free)
    }

    /// Where a block of this laptop's starts giving numbers: after the highest number in it a
    /// record carries (a block the hub granted of numbers given before enrollment is used up),
    /// or at its first.
    fn first_to_give(&self, kind: NumberKind, year: i64, first: i64, last: i64) -> Result<i64> {
        for n in (first..=last).rev() {
            if self.used(kind, year, n)? {
                return Ok(n + 1);
            }
        }
        Ok(first)
    }

    /// The highest final number of this unit the book knows, of a kind and year: on a record,
    /// among its former numbers, or counted before the hub allotted any.
    fn highest_final(&self, kind: NumberKind, year: i64) -> Result<i64> {
        let unit = self.unit_code();
        let (sql, counted) = match kind {
            NumberKind::Case => (
                "SELECT case_number, former_numbers FROM cases WHERE case_number LIKE ?1 OR former_numbers LIKE ?2",
                self.conn
                    .query_row(
                        "SELECT last FROM case_counters WHERE unit_code = ?1 AND be_year = ?2",
                        params![unit, year],
                        |r| r.get(0),
                    )
                    .optional()?
                    .unwrap_or(0),
            ),
            NumberKind::Letter => (
                "SELECT COALESCE(number, ''), former_numbers FROM letter_register
                 WHERE unit_code = ?1 AND be_year = ?2",
                0,
            ),
        };
        let prefix = format!("{unit}-{year}-");
        let mut stmt = self.conn.prepare_cached(sql)?;
        let read = |r: &rusqlite::Row| Ok((r.get::<_, rusqlite::types::Value>(0)?, r.get::<_, String>(1)?));
        let rows: Vec<(rusqlite::types::Value, String)> = match kind {
            NumberKind::Case => stmt.query_map(params![format!("{prefix}%"), format!("%\"{prefix}%")], read)?,
            NumberKind::Letter => stmt.query_map(params![unit, year], read)?,
        }
        .collect::<rusqlite::Result<_>>()?;
        let mut highest = counted;
        for (number, former) in rows {
            let former: Vec<String> = serde_json::from_str(&former).unwrap_or_default();
            let number = match number {
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Text(t) => t,
                _ => String::new(),
            };
            for text in std::iter::once(number).chain(former) {
                let final_number = match kind {
                    NumberKind::Case => match parse_case_number(unit, &text) {
                        Some((y, Number::Final(n))) if y == year => Some(n),
                        _ => None,
                    },
                    NumberKind::Letter => text.parse().ok(),
                };
                highest = highest.max(final_number.unwrap_or(0));
            }
        }
        Ok(highest)
    }

    /// The years of this laptop's provisional case and letter numbers.
    fn provisional_years(&self) -> Result<Vec<i64>> {
        let unit = self.unit_code();
        let label = format!("P{}-%", laptop_tag(self.device_id()));
        let mut years: Vec<i64> = self
            .conn
            .prepare("SELECT DISTINCT be_year FROM letter_register WHERE unit_code = ?1 AND provisional LIKE ?2")?
            .query_map(params![unit, label], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT case_number FROM cases WHERE case_number LIKE ?1")?;
        for number in stmt.query_map([format!("{unit}-%-{label}")], |r| r.get::<_, String>(0))? {
            if let Some((year, Number::Provisional(_))) = parse_case_number(unit, &number?)
                && !years.contains(&year)
            {
                years.push(year);
            }
        }
        Ok(years)
    }

    /// How many of this laptop's records of a kind and year have a provisional number.
    fn provisional_count(&self, kind: NumberKind, year: i64) -> Result<i64> {
        let label = format!("P{}-%", laptop_tag(self.device_id()));
        Ok(match kind {
            NumberKind::Case => self.conn.query_row(
                "SELECT count(*) FROM cases WHERE case_number LIKE ?1",
                [format!("{}-{year}-{label}", self.unit_code())],
                |r| r.get(0),
            )?,
            NumberKind::Letter => self.conn.query_row(
                "SELECT count(*) FROM letter_register WHERE unit_code = ?1 AND be_year = ?2 AND provisional LIKE ?3",
                params![self.unit_code(), year, label],
                |r| r.get(0),
            )?,
        })
    }

    /// What to ask the hub for at this sync: for each kind, this year (and in December the
    /// next), another block when fewer than `LOW` of this laptop's numbers are unused after the
    /// provisional ones are made final, and
    /// the unit's blocks in any case (the register lists the reserved numbers).
    pub fn number_wants(&self) -> Result<Vec<NumberWant>> {
        let mut wants = Vec::new();
        // And any year of which this laptop still has provisional numbers (December's, in
        // January).
        let mut years = years();
        for year in self.provisional_years()? {
            if !years.contains(&year) {
                years.push(year);
            }
        }
        for year in years {
            for kind in [NumberKind::Case, NumberKind::Letter] {
                // Enough for the provisional numbers waiting, and `LOW` to go on with.
                let unused = self.unused_count(kind, year)?;
                let short = self.provisional_count(kind, year)? + LOW - unused;
                wants.push(NumberWant {
                    kind,
                    be_year: year,
                    count: if short > 0 { short.max(BLOCK) } else { 0 },
                    above: self.highest_final(kind, year)?,
                });
            }
        }
        Ok(wants)
    }

    /// Keeps the unit's blocks as the hub answered `wants`: for each kind and year asked,
    /// exactly the blocks it named, this laptop's with how far it has given from them.
    pub fn keep_number_blocks(&mut self, wants: &[NumberWant], blocks: &[NumberBlock]) -> Result<()> {
        // A block no hub allots (a hub that was tampered with) is not kept.
        let blocks: Vec<&NumberBlock> = blocks
            .iter()
            .filter(|b| b.first >= 1 && b.last >= b.first && b.last - b.first < LONGEST_BLOCK)
            .collect();
        let own = self.device_id().to_owned();
        let mut starts = Vec::new();
        for block in &blocks {
            let known: bool = self
                .conn
                .prepare_cached("SELECT 1 FROM number_blocks WHERE kind = ?1 AND be_year = ?2 AND first = ?3")?
                .exists(params![block.kind.name(), block.be_year, block.first])?;
            starts.push(match known || block.device_id != own {
                true => block.first,
                false => self.first_to_give(block.kind, block.be_year, block.first, block.last)?,
            });
        }
        let tx = self.conn.transaction()?;
        for want in wants {
            let firsts: Vec<i64> = blocks
                .iter()
                .filter(|b| b.kind == want.kind && b.be_year == want.be_year)
                .map(|b| b.first)
                .collect();
            tx.execute(
                "DELETE FROM number_blocks WHERE kind = ?1 AND be_year = ?2
                 AND first NOT IN (SELECT value FROM json_each(?3))",
                params![
                    want.kind.name(),
                    want.be_year,
                    serde_json::to_string(&firsts).map_err(|e| Error::Corrupt(e.to_string()))?
                ],
            )?;
        }
        for (block, next) in blocks.iter().zip(starts) {
            if wants.iter().any(|w| w.kind == block.kind && w.be_year == block.be_year) {
                tx.execute(
                    "INSERT INTO number_blocks (kind, be_year, device_id, first, last, next) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (kind, be_year, first) DO UPDATE SET device_id = excluded.device_id, last = excluded.last",
                    params![
                        block.kind.name(),
                        block.be_year,
                        block.device_id,
                        block.first,
                        block.last,
                        next
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Gives this laptop's provisional case and letter numbers final ones from its blocks, as
    /// far as they go: each change is an event of its own (written by the book, not a user),
    /// the provisional number kept in `former_numbers`, and a case's timeline says it. Returns
    /// how many were replaced.
    pub fn settle_provisional_numbers(&mut self) -> Result<u64> {
        let unit = self.unit_code().to_owned();
        let mine = format!("P{}-%", laptop_tag(self.device_id()));
        let cases: Vec<(String, String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT id, case_number, former_numbers FROM cases WHERE case_number LIKE ?1 ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([format!("{unit}-%-{mine}")], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let letters: Vec<(String, i64, String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT id, be_year, provisional, former_numbers FROM letter_register
                 WHERE unit_code = ?1 AND provisional LIKE ?2 ORDER BY created_at, id",
            )?;
            let rows = stmt.query_map([&unit, &mine], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let former = |json: &str, old: &str| -> Result<serde_json::Value> {
            let mut list: Vec<String> = serde_json::from_str(json).map_err(|e| Error::Corrupt(e.to_string()))?;
            list.push(old.to_owned());
            Ok(json!(list))
        };
        let mut settled = 0;
        self.batch(|book| {
            for (id, old, formerly) in &cases {
                let Some((year, Number::Provisional(_))) = parse_case_number(&unit, old) else {
                    continue;
                };
                let Some(n) = book.take_from_blocks(NumberKind::Case, year)? else {
                    continue;
                };
                let new = case_number(&unit, year, &Number::Final(n));
                let mut fields = Fields::new();
                fields.insert("case_number".into(), json!(new));
                fields.insert("former_numbers".into(), former(formerly, old)?);
                book.write_by(None, Entity::Case, id, fields, "case.number_final", Some(old))?;
                let entry = json!({
                    "case_id": id,
                    "kind": EntryKind::Renumbered,
                    "body": format!("เลขที่ชั่วคราว {old} ได้เลขที่ {new}"),
                    "occurred_at": now_iso(),
                    "late": false,
                    "author_id": null,
                });
                let serde_json::Value::Object(entry) = entry else {
                    unreachable!("json! of an object literal is an object")
                };
                book.write_by(None, Entity::TimelineEntry, &new_id(), entry, "timeline.add", None)?;
                settled += 1;
            }
            for (id, year, old, formerly) in &letters {
                let Some(n) = book.take_from_blocks(NumberKind::Letter, *year)? else {
                    continue;
                };
                let mut fields = Fields::new();
                fields.insert("be_year".into(), json!(year));
                fields.insert("number".into(), json!(n));
                fields.insert("provisional".into(), serde_json::Value::Null);
                fields.insert("former_numbers".into(), former(formerly, old)?);
                book.write_by(
                    None,
                    Entity::LetterRegister,
                    id,
                    fields,
                    "letter.number_final",
                    Some(old),
                )?;
                settled += 1;
            }
            Ok(())
        })?;
        Ok(settled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_read_back() {
        let provisional = Number::Provisional(format!("P{}-07", laptop_tag("3f9a1c2b77")));
        assert_eq!(case_number("CPN", 2569, &provisional), "CPN-2569-P3F9A1C2B-07");
        assert_eq!(
            parse_case_number("CPN", "CPN-2569-P3F9A1C2B-07"),
            Some((2569, provisional))
        );
        assert_eq!(
            parse_case_number("CPN", "CPN-2569-0041"),
            Some((2569, Number::Final(41)))
        );
        for not_one in [
            "BKK-2569-0041",
            "CPN-2569-",
            "CPN-2569-P-01",
            "CPN-2569-Pab-01",
            "CPN-x-0001",
        ] {
            assert_eq!(parse_case_number("CPN", not_one), None, "{not_one}");
        }
    }
}
