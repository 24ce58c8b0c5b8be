//! The unit's audit at the hub: each device's chain, append-only, taken only where it follows
//! what the hub already holds of that device, under a head and entries the device signed. A chain cut
//! (entries the hub had are gone, or a gap) or rewritten (an entry changed) is refused and
//! kept as a break for the province to see; the rest of the sync goes on. The entries of a
//! unit's devices go to its other devices, so every laptop's audit screen shows the unit's.

use super::sql::{Sql, StoreError, Val};
use super::{Device, now, verifying_key};
use casebook::book::audit::{AuditEntry, ChainedEntry};
use oscc_sync::{AuditAnswer, AuditProblem, AuditPush, SignedAuditEntry, UnitAuditEntry};

/// The most entries one push stores, and one answer carries of the unit's.
const MOST: usize = oscc_sync::AUDIT_BATCH;

/// A break the hub found in a device's chain, for `oscc-hub audit-breaks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBreak {
    pub device_id: String,
    pub problem: String,
    pub noticed_at: String,
}

/// The largest field of an entry the hub takes (a reason typed at a reveal is far shorter).
const MOST_FIELD: usize = 4096;

/// Takes `push` when all of it follows the device's chain, under a head and entries the device
/// signed; otherwise nothing of it, and the break is kept. Answers the unit's other entries.
pub(super) fn take(sql: &mut dyn Sql, device: &Device, push: &AuditPush) -> Result<AuditAnswer, StoreError> {
    let held: Option<(i64, String)> = sql
        .rows(
            "SELECT count, hash FROM audit_heads WHERE device_id = ?1",
            &[device.id.as_str().into()],
        )?
        .into_iter()
        .next()
        .map(|row| (row[0].int(), row[1].text()));
    let key = verifying_key(&device.public_key)?;
    let problem = if !push.head.verify(&device.id, &key) || push.entries.iter().any(|e| !e.verify(&device.id, &key)) {
        Some(AuditProblem::BadSignature)
    } else if push.entries.iter().any(|e| too_large(&e.entry)) {
        Some(AuditProblem::TooLarge)
    } else if push.head.count < held.as_ref().map_or(0, |(c, _)| *c) || push.entries.len() > MOST {
        Some(AuditProblem::Cut)
    } else {
        follows(sql, device, held.as_ref(), push)?.err()
    };
    let stored = match problem {
        Some(problem) => {
            sql.exec(
                "INSERT INTO audit_breaks (device_id, problem, noticed_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id, problem) DO NOTHING",
                &[device.id.as_str().into(), problem_name(problem).into(), now().into()],
            )?;
            held.map_or(0, |(c, _)| c)
        }
        None => {
            let held_count = held.as_ref().map_or(0, |(c, _)| *c);
            let mut count = held_count;
            let mut last = held.map(|(_, h)| h);
            for signed in push.entries.iter().filter(|e| e.entry.entry.seq > held_count) {
                store(sql, device, signed)?;
                count = signed.entry.entry.seq;
                last = Some(signed.entry.hash.clone());
            }
            if let Some(hash) = last.filter(|_| count > 0) {
                sql.exec(
                    "INSERT INTO audit_heads (device_id, count, hash, signature) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (device_id) DO UPDATE SET count = excluded.count, hash = excluded.hash,
                       signature = excluded.signature",
                    &[
                        device.id.as_str().into(),
                        count.into(),
                        hash.into(),
                        push.head.signature.as_str().into(),
                    ],
                )?;
            }
            count
        }
    };
    let (unit, cursor) = unit_entries(sql, device, push.after)?;
    Ok(AuditAnswer {
        stored,
        problem,
        unit,
        cursor,
    })
}

/// Whether the entries follow what the hub holds of the device's chain (`held`: count, last
/// hash), each the one after the other, and come to the signed head when they reach it.
fn follows(
    sql: &mut dyn Sql,
    device: &Device,
    held: Option<&(i64, String)>,
    push: &AuditPush,
) -> Result<Result<(), AuditProblem>, StoreError> {
    let (mut count, mut prev) = held.cloned().unwrap_or((0, String::new()));
    for signed in &push.entries {
        let entry = &signed.entry;
        let seq = entry.entry.seq;
        if seq <= count {
            let stored = sql.rows(
                "SELECT hash FROM audit WHERE device_id = ?1 AND seq = ?2",
                &[device.id.as_str().into(), seq.into()],
            )?;
            if stored.first().is_some_and(|row| row[0].text() != entry.hash) {
                return Ok(Err(AuditProblem::Rewritten));
            }
            continue;
        }
        // A device's first entry here starts its chain (a laptop restored from a backup goes
        // on from where its book was); every later one follows the one before.
        let start = held.is_none() && count == 0;
        if !start && seq != count + 1 {
            return Ok(Err(AuditProblem::Cut));
        }
        let before = if start { entry.prev_hash.as_str() } else { prev.as_str() };
        if !entry.follows(before) {
            return Ok(Err(AuditProblem::Rewritten));
        }
        count = seq;
        prev = entry.hash.clone();
    }
    if push.head.count == count && count > 0 && push.head.hash != prev {
        return Ok(Err(AuditProblem::Rewritten));
    }
    Ok(Ok(()))
}

fn too_large(entry: &ChainedEntry) -> bool {
    let e = &entry.entry;
    [
        Some(&e.at),
        e.user_id.as_ref(),
        Some(&e.action),
        e.entity.as_ref(),
        e.entity_id.as_ref(),
        e.detail.as_ref(),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.len() > MOST_FIELD)
}

fn store(sql: &mut dyn Sql, device: &Device, signed: &SignedAuditEntry) -> Result<(), StoreError> {
    let entry = &signed.entry;
    let e = &entry.entry;
    sql.exec(
        "INSERT INTO audit (device_id, seq, unit_code, at, user_id, action, entity, entity_id, detail, prev_hash, hash,
           signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        &[
            device.id.as_str().into(),
            e.seq.into(),
            device.unit_code.as_str().into(),
            e.at.as_str().into(),
            e.user_id.clone().into(),
            e.action.as_str().into(),
            e.entity.clone().into(),
            e.entity_id.clone().into(),
            e.detail.clone().into(),
            entry.prev_hash.as_str().into(),
            entry.hash.as_str().into(),
            signed.signature.as_str().into(),
        ],
    )?;
    Ok(())
}

/// The unit's other devices' entries after the hub's point `after`, and the next point.
fn unit_entries(sql: &mut dyn Sql, device: &Device, after: i64) -> Result<(Vec<UnitAuditEntry>, i64), StoreError> {
    let rows = sql.rows(
        &format!(
            "SELECT hub_seq, device_id, seq, at, user_id, action, entity, entity_id, detail, prev_hash, hash,
               signature FROM audit WHERE unit_code = ?1 AND device_id <> ?2 AND hub_seq > ?3 ORDER BY hub_seq LIMIT {MOST}"
        ),
        &[
            device.unit_code.as_str().into(),
            device.id.as_str().into(),
            after.into(),
        ],
    )?;
    let cursor = rows.last().map_or(after, |row| row[0].int());
    let optional = |v: &Val| (*v != Val::Null).then(|| v.text());
    let entries = rows
        .iter()
        .map(|row| UnitAuditEntry {
            device_id: row[1].text(),
            signed: SignedAuditEntry {
                entry: ChainedEntry {
                    entry: AuditEntry {
                        seq: row[2].int(),
                        at: row[3].text(),
                        user_id: optional(&row[4]),
                        action: row[5].text(),
                        entity: optional(&row[6]),
                        entity_id: optional(&row[7]),
                        detail: optional(&row[8]),
                    },
                    prev_hash: row[9].text(),
                    hash: row[10].text(),
                },
                signature: row[11].text(),
            },
        })
        .collect();
    Ok((entries, cursor))
}

/// Every break found, for the province.
pub(super) fn breaks(sql: &mut dyn Sql) -> Result<Vec<AuditBreak>, StoreError> {
    Ok(sql
        .rows(
            "SELECT device_id, problem, noticed_at FROM audit_breaks ORDER BY noticed_at, device_id",
            &[],
        )?
        .into_iter()
        .map(|row| AuditBreak {
            device_id: row[0].text(),
            problem: row[1].text(),
            noticed_at: row[2].text(),
        })
        .collect())
}

fn problem_name(problem: AuditProblem) -> &'static str {
    match problem {
        AuditProblem::Cut => "cut",
        AuditProblem::Rewritten => "rewritten",
        AuditProblem::BadSignature => "bad_signature",
        AuditProblem::TooLarge => "too_large",
    }
}
