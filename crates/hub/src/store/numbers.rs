//! Case and letter numbers (`casebook::records::numbers`). The hub allots each device blocks of
//! its unit's numbers, per kind and Buddhist year, that never overlap; and it admits a number
//! on a record only when it is the sending device's to give: a final number from a block
//! allotted to that device, or a provisional one naming that device, and never a number another
//! record of the unit carries. A device that lies about numbers is refused, so it cannot take
//! the numbers of another laptop of its unit. A username is the unit's one user's the same way:
//! a second user of the unit under a name taken is refused (`username_taken`).

use super::Device;
use super::sql::{Sql, StoreError};
use casebook::dates::{be_year, today};
use casebook::log::entity::Entity;
use casebook::log::events::Event;
use casebook::records::numbers::{
    Number, NumberBlock, NumberKind, NumberWant, laptop_tag, parse_case_number, provisional_tag,
};
use oscc_sync::{Refusal, TakenUsername, UsernameClaim};

/// The most numbers one block holds.
const MOST: i64 = 200;
/// A device holding this many allotted numbers no record carries is given no more until it
/// uses them.
const MOST_HELD: i64 = 1_000;
/// The most usernames one request asks about.
const MOST_USERNAMES: usize = 500;
/// The most kinds and years one request asks for.
const MOST_WANTS: usize = 8;
/// A device's word on its unit's highest number counts up to this (numbers given before the
/// hub allotted any); above it, it would only leave a gap.
const HIGHEST_ABOVE: i64 = 999_999;

/// Allots `device` the blocks it asks for, after the unit's highest block or the highest
/// number the device says its unit gave (whichever is higher), only for this Buddhist year
/// and the ones next to it; answers every block of the unit for the kinds and years asked.
/// The first device of a unit to ask for a kind and year is also granted the numbers up to
/// the highest it gave before (a unit's laptop that worked alone before it was enrolled keeps
/// the numbers on its paper); a later one's are its to replace (`provisional_before_hub`).
pub(super) fn allot(sql: &mut dyn Sql, device: &Device, wants: &[NumberWant]) -> Result<Vec<NumberBlock>, StoreError> {
    let this_year = i64::from(be_year(today()));
    let wants: Vec<&NumberWant> = wants
        .iter()
        .take(MOST_WANTS)
        .filter(|w| (w.be_year - this_year).abs() <= 1)
        .collect();
    for want in wants.iter().filter(|w| w.count > 0) {
        let key = [
            device.unit_code.as_str().into(),
            want.kind.name().into(),
            want.be_year.into(),
        ];
        let top = sql
            .rows(
                "SELECT COALESCE(MAX(last), 0) FROM allotments WHERE unit_code = ?1 AND kind = ?2 AND be_year = ?3",
                &key,
            )?
            .first()
            .map_or(0, |r| r[0].int());
        // A device's word on numbers given before counts only before the unit has any block.
        let above = if top == 0 {
            want.above.clamp(0, HIGHEST_ABOVE)
        } else {
            0
        };
        let [unit, kind, year] = key;
        // A device holding `MOST_HELD` numbers or more that no record of the hub carries gets
        // no more: a rogue one cannot run the unit's numbers up or its list of blocks long.
        // (PostgreSQL sums integers as numeric: cast back.)
        let held = sql
            .rows(
                "SELECT CAST(COALESCE(SUM(last - first + 1 - used), 0) AS BIGINT) FROM allotments
                 WHERE unit_code = ?1 AND kind = ?2 AND be_year = ?3 AND device_id = ?4",
                &[unit.clone(), kind.clone(), year.clone(), device.id.as_str().into()],
            )?
            .first()
            .map_or(0, |r| r[0].int());
        if held >= MOST_HELD {
            continue;
        }
        if top == 0 && above > 0 {
            sql.exec(
                "INSERT INTO allotments (unit_code, kind, be_year, device_id, first, last) VALUES (?1, ?2, ?3, ?4, 1, ?5)",
                &[
                    unit.clone(),
                    kind.clone(),
                    year.clone(),
                    device.id.as_str().into(),
                    above.into(),
                ],
            )?;
        }
        let first = top.max(above) + 1;
        sql.exec(
            "INSERT INTO allotments (unit_code, kind, be_year, device_id, first, last) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            &[
                unit,
                kind,
                year,
                device.id.as_str().into(),
                first.into(),
                (first + want.count.min(MOST) - 1).into(),
            ],
        )?;
    }
    let mut blocks = Vec::new();
    let mut listed = Vec::new();
    for want in wants {
        if listed.contains(&(want.kind, want.be_year)) {
            continue;
        }
        listed.push((want.kind, want.be_year));
        let rows = sql.rows(
            "SELECT device_id, first, last FROM allotments WHERE unit_code = ?1 AND kind = ?2 AND be_year = ?3
             ORDER BY first",
            &[
                device.unit_code.as_str().into(),
                want.kind.name().into(),
                want.be_year.into(),
            ],
        )?;
        blocks.extend(rows.iter().map(|r| NumberBlock {
            kind: want.kind,
            be_year: want.be_year,
            device_id: r[0].text(),
            first: r[1].int(),
            last: r[2].int(),
        }));
    }
    Ok(blocks)
}

/// A number an event gives its record: its kind, its text as the unit's numbers are kept
/// (a case number whole, a letter's as "year/number"), and for a final one its year and value.
pub(super) struct Claim {
    /// `case`, `letter` or `username`.
    kind: &'static str,
    key: String,
    allotted: Option<(i64, i64)>,
}

/// The numbers `body` gives record `record_id`, if `device` may give them; Err: why not.
pub(super) fn judge(
    sql: &mut dyn Sql,
    device: &Device,
    record_id: &str,
    body: &Event,
) -> Result<Result<Vec<Claim>, (Refusal, String)>, StoreError> {
    let refuse = |refusal: Refusal, field: &str| Ok(Err((refusal, field.to_owned())));
    let tag = laptop_tag(&device.id);
    let unit = device.unit_code.as_str();
    let own = |label: &str| provisional_tag(label) == Some(tag.as_str());
    let text = |name: &str| body.fields.get(name).and_then(|v| v.as_str());
    let formers: Vec<&str> = body
        .fields
        .get("former_numbers")
        .and_then(|v| v.as_array())
        .map(|list| list.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let mut claims = Vec::new();
    match body.entity {
        Entity::Case => {
            if let Some(number) = text("case_number") {
                let allotted = match parse_case_number(unit, number) {
                    Some((year, Number::Final(n))) => Some((year, n)),
                    Some((_, Number::Provisional(label))) if own(&label) => None,
                    _ => return refuse(Refusal::NumberNotAllotted, "case_number"),
                };
                claims.push(Claim {
                    kind: NumberKind::Case.name(),
                    key: number.to_owned(),
                    allotted,
                });
            }
            for former in &formers {
                let fits = match parse_case_number(unit, former) {
                    Some((_, Number::Provisional(_))) => free_for(sql, unit, "case", former, record_id)?,
                    Some((_, Number::Final(_))) => true,
                    None => false,
                };
                if !fits {
                    return refuse(Refusal::NumberTaken, "former_numbers");
                }
            }
        }
        Entity::LetterRegister => {
            let number = body.fields.get("number").and_then(|v| v.as_i64());
            let provisional = text("provisional");
            // A letter's year goes with its number: moved alone it would take another's.
            if body.fields.contains_key("be_year") && number.is_none() && provisional.is_none() {
                return refuse(Refusal::NumberNotAllotted, "be_year");
            }
            if number.is_some() || provisional.is_some() {
                let Some(year) = body.fields.get("be_year").and_then(|v| v.as_i64()) else {
                    return refuse(Refusal::NumberNotAllotted, "be_year");
                };
                if let Some(n) = number {
                    claims.push(Claim {
                        kind: NumberKind::Letter.name(),
                        key: format!("{year}/{n}"),
                        allotted: Some((year, n)),
                    });
                }
                if let Some(label) = provisional {
                    if !own(label) {
                        return refuse(Refusal::NumberNotAllotted, "provisional");
                    }
                    claims.push(Claim {
                        kind: NumberKind::Letter.name(),
                        key: format!("{year}/{label}"),
                        allotted: None,
                    });
                }
            }
            let year = body.fields.get("be_year").and_then(|v| v.as_i64());
            for former in &formers {
                let fits = match (former.parse::<i64>(), provisional_tag(former), year) {
                    (Ok(_), _, Some(_)) => true,
                    (Err(_), Some(_), Some(year)) => {
                        free_for(sql, unit, "letter", &format!("{year}/{former}"), record_id)?
                    }
                    _ => false,
                };
                if !fits {
                    return refuse(Refusal::NumberTaken, "former_numbers");
                }
            }
        }
        Entity::User => {
            if let Some(username) = text("username") {
                claims.push(Claim {
                    kind: "username",
                    key: username.to_owned(),
                    allotted: None,
                });
            }
        }
        _ => {}
    }
    for claim in &claims {
        match holder(sql, unit, claim.kind, &claim.key)? {
            // The record's own number, written again.
            Some(holder) if holder == record_id => continue,
            Some(_) if claim.kind == "username" => return refuse(Refusal::UsernameTaken, ""),
            Some(_) => return refuse(Refusal::NumberTaken, claim.kind),
            None => {}
        }
        if let Some((year, n)) = claim.allotted
            && sql
                .rows(
                    "SELECT 1 FROM allotments WHERE unit_code = ?1 AND kind = ?2 AND be_year = ?3
                     AND device_id = ?4 AND first <= ?5 AND last >= ?5",
                    &[
                        unit.into(),
                        claim.kind.into(),
                        year.into(),
                        device.id.as_str().into(),
                        n.into(),
                    ],
                )?
                .is_empty()
        {
            return refuse(Refusal::NumberNotAllotted, claim.kind);
        }
    }
    Ok(Ok(claims))
}

/// Whether provisional number `key` of `kind` may be a former number of `record_id`: no
/// other record of the unit carries it (one the laptop gave the record, or gave it as the
/// device it was before a restore), so no record is found under another's provisional number.
/// A former *final* number is not checked: two laptops that worked alone before they were
/// enrolled may both have printed it, and then both records are rightly found by it.
fn free_for(sql: &mut dyn Sql, unit: &str, kind: &str, key: &str, record_id: &str) -> Result<bool, StoreError> {
    Ok(holder(sql, unit, kind, key)?.is_none_or(|h| h == record_id))
}

/// The record that carries number `key` of `kind` in the unit, if any.
fn holder(sql: &mut dyn Sql, unit: &str, kind: &str, key: &str) -> Result<Option<String>, StoreError> {
    Ok(sql
        .rows(
            "SELECT record_id FROM numbers WHERE unit_code = ?1 AND kind = ?2 AND number = ?3",
            &[unit.into(), kind.into(), key.into()],
        )?
        .first()
        .map(|r| r[0].text()))
}

/// Notes the numbers an admitted event gave its record.
/// A final number noted counts as used in its block (`allot` limits what a device holds unused).
pub(super) fn register(sql: &mut dyn Sql, unit: &str, record_id: &str, claims: &[Claim]) -> Result<(), StoreError> {
    for claim in claims {
        let new = sql.exec(
            "INSERT INTO numbers (unit_code, kind, number, record_id) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            &[
                unit.into(),
                claim.kind.into(),
                claim.key.as_str().into(),
                record_id.into(),
            ],
        )?;
        if let (1, Some((year, n))) = (new, claim.allotted) {
            sql.exec(
                "UPDATE allotments SET used = used + 1
                 WHERE unit_code = ?1 AND kind = ?2 AND be_year = ?3 AND first <= ?4 AND last >= ?4",
                &[unit.into(), claim.kind.into(), year.into(), n.into()],
            )?;
        }
    }
    Ok(())
}

/// The usernames of `claims` another user of the device's unit has, each with a free one:
/// `name.<laptop tag>`, with a count after it while that is taken too.
pub(super) fn taken_usernames(
    sql: &mut dyn Sql,
    device: &Device,
    claims: &[UsernameClaim],
) -> Result<Vec<TakenUsername>, StoreError> {
    let unit = device.unit_code.as_str();
    let tag = laptop_tag(&device.id).to_lowercase();
    let mut taken = Vec::new();
    for claim in claims.iter().take(MOST_USERNAMES) {
        let other = |name: &str, sql: &mut dyn Sql| -> Result<bool, StoreError> {
            Ok(holder(sql, unit, "username", name)?.is_some_and(|h| h != claim.user_id))
        };
        if !other(&claim.username, sql)? {
            continue;
        }
        let base = format!("{}.{tag}", claim.username);
        let mut free = base.clone();
        let mut count = 1;
        while other(&free, sql)? && count < 100 {
            count += 1;
            free = format!("{base}{count}");
        }
        taken.push(TakenUsername {
            username: claim.username.clone(),
            free,
        });
    }
    Ok(taken)
}
