//! The hub's storage: units, enrolled devices (token hashes and public keys only), one-time
//! enrollment codes, every unit's events in one sequence, and who may see what.
//!
//! Visibility (DESIGN §5): an event inside a case goes to the units granted that case; an event
//! of a record outside any case (a person, an agency, the unit's own records) goes to its unit
//! and to the units granted a case that refers to it. A unit granted a case later (a transfer)
//! receives the case's whole history. Each unit's deliveries are numbered in one sequence, and
//! pulling is reading that sequence after the unit's cursor.
//!
//! The logic is written once over a small SQL interface; `sqlite` and `postgres` provide it.

mod postgres;
mod sqlite;

pub use postgres::Postgres;
pub use sqlite::Sqlite;

use ed25519_dalek::{Signature, VerifyingKey};
use oscc_sync::WireEvent;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Db(String),
    /// Same (device, seq) or event id with different content: a laptop restored from an old
    /// backup. It must enrol again as a new device.
    #[error("event {0} was already received with different content")]
    Diverged(String),
    #[error("unknown, used or revoked enrollment code")]
    BadCode,
    #[error("event {0} is not signed by the device that sent it")]
    BadSignature(String),
    #[error("the device's public key is not an Ed25519 key")]
    BadKey,
    #[error("the attachment's bytes do not match its hash")]
    BadBlob,
}

/// A value bound to or read from SQL: the hub stores only text and integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
    Null,
}

impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_owned())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        v.map_or(Val::Null, Val::Text)
    }
}

impl Val {
    fn text(&self) -> String {
        match self {
            Val::Text(t) => t.clone(),
            Val::Int(i) => i.to_string(),
            Val::Bytes(_) | Val::Null => String::new(),
        }
    }
    fn int(&self) -> i64 {
        match self {
            Val::Int(i) => *i,
            Val::Text(t) => t.parse().unwrap_or(0),
            Val::Bytes(_) | Val::Null => 0,
        }
    }
}

/// One transaction of a backend. SQL is written with `?1`, `?2` … placeholders (and no other
/// `?`), parameters in a select list cast to their type so PostgreSQL knows it.
pub trait Sql {
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError>;
    fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>, StoreError>;
    /// Runs an `INSERT … ON CONFLICT DO NOTHING` of one row and gives the row's integer key,
    /// the column `key`; None when a conflict left the row out.
    fn insert_key(&mut self, sql: &str, args: &[Val], key: &str) -> Result<Option<i64>, StoreError>;
}

/// A database the hub can run on.
pub trait Backend: Send + Sync {
    /// Runs `work` in one transaction that no other writer interleaves with: deliveries are
    /// numbered in commit order, so a cursor never passes one committed later.
    fn transaction<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError>;

    /// Runs `work`, which only reads, on a snapshot of what is committed. A backend that can
    /// read beside the writer does so: a device is recognised, and a unit pulls, while a push
    /// is being stored.
    fn read<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.transaction(work)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub unit_code: String,
    pub name: String,
    pub active: bool,
    /// Ed25519 public key, hex.
    pub public_key: String,
}

/// A unit's figures for `oscc-hub report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitReport {
    pub unit_code: String,
    pub coordinator: bool,
    pub devices: i64,
    pub cases_created: i64,
    pub cases_granted: i64,
    pub events: i64,
    pub last_received: Option<String>,
}

pub trait Store: Send + Sync {
    /// A one-time code that enrols one laptop into `unit_code`; a coordinator unit (the
    /// province) sees every unit's events.
    fn new_enroll_code(&self, unit_code: &str, coordinator: bool) -> Result<String, StoreError>;
    /// Enrols the laptop under its own device id (the one its events carry) with its public key.
    fn enroll(
        &self,
        code: &str,
        device_id: &str,
        device_name: &str,
        public_key: &str,
    ) -> Result<(Device, String), StoreError>;
    fn device_by_token(&self, token: &str) -> Result<Option<Device>, StoreError>;
    fn devices(&self) -> Result<Vec<Device>, StoreError>;
    fn revoke(&self, device_id: &str) -> Result<bool, StoreError>;
    /// Stores a batch in one transaction; returns the device's highest seq with no gap below.
    fn push(&self, device: &Device, events: &[WireEvent]) -> Result<i64, StoreError>;
    /// Deliveries to `device`'s unit after `after`, not its own events, in order.
    fn pull(&self, device: &Device, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError>;
    fn report(&self) -> Result<Vec<UnitReport>, StoreError>;
    /// Every event the hub holds after `after` (its own sequence), in order, a page at a time:
    /// the statistics report replays them.
    fn events_after(&self, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError>;
    /// Keeps an attachment under its SHA-256 (checked); storing it twice changes nothing.
    fn put_blob(&self, device: &Device, sha256: &str, mime: &str, bytes: &[u8]) -> Result<(), StoreError>;
    fn get_blob(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, StoreError>;
}

/// Rows of (sequence, event JSON) as events.
fn wire_events(rows: &[Vec<Val>]) -> Result<Vec<(i64, WireEvent)>, StoreError> {
    rows.iter()
        .map(|row| {
            let event = serde_json::from_str(&row[1].text()).map_err(|e| StoreError::Db(e.to_string()))?;
            Ok((row[0].int(), event))
        })
        .collect()
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A random secret as text (tokens, codes).
pub fn random_secret(bytes: usize) -> Result<String, StoreError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Db(format!("no randomness: {e}")))?;
    Ok(hex::encode(buf))
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn verifying_key(hex_key: &str) -> Result<VerifyingKey, StoreError> {
    let bytes: [u8; 32] = hex::decode(hex_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(StoreError::BadKey)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| StoreError::BadKey)
}

fn signature(event: &WireEvent) -> Result<Signature, StoreError> {
    let bytes: [u8; 64] = hex::decode(&event.sig)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| StoreError::BadSignature(event.event_id.clone()))?;
    Ok(Signature::from_bytes(&bytes))
}

/// Every event of the batch signed by `key`. Checked together (about twice as fast as one by
/// one); when that fails, one by one to name the event that is not.
fn check_signatures(key: &VerifyingKey, events: &[WireEvent]) -> Result<(), StoreError> {
    let signatures = events.iter().map(signature).collect::<Result<Vec<_>, _>>()?;
    let messages: Vec<[u8; 32]> = events.iter().map(WireEvent::signed_digest).collect();
    let message_refs: Vec<&[u8]> = messages.iter().map(|m| m.as_slice()).collect();
    if ed25519_dalek::verify_batch(&message_refs, &signatures, &vec![*key; events.len()]).is_ok() {
        return Ok(());
    }
    for ((event, message), signature) in events.iter().zip(&messages).zip(&signatures) {
        key.verify_strict(message, signature)
            .map_err(|_| StoreError::BadSignature(event.event_id.clone()))?;
    }
    Ok(())
}

fn device_of(row: &[Val]) -> Device {
    Device {
        id: row[0].text(),
        unit_code: row[1].text(),
        name: row[2].text(),
        active: row[3].int() != 0,
        public_key: row[4].text(),
    }
}

const DEVICE_COLUMNS: &str = "id, unit_code, name, active, public_key";

/// The routing and bookkeeping every backend shares.
pub struct Hub<B: Backend> {
    db: B,
}

impl<B: Backend> Hub<B> {
    pub fn new(db: B) -> Hub<B> {
        Hub { db }
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

/// What one push's events share, read or made once per batch: the coordinator units, the
/// units each case is granted to, and the time of receipt.
struct Batch {
    coordinators: Vec<String>,
    granted: HashMap<String, Vec<String>>,
    received_at: String,
}

impl Batch {
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

/// Stores one event and routes it; `Ok(false)` when the hub already holds it.
fn store_event(sql: &mut dyn Sql, batch: &mut Batch, device: &Device, event: &WireEvent) -> Result<bool, StoreError> {
    let body = serde_json::to_string(event).map_err(|e| StoreError::Db(e.to_string()))?;
    let inserted = sql.insert_key(
        "INSERT INTO events (event_id, device_id, device_seq, unit_code, record_id, case_id, body, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        &[
            event.event_id.as_str().into(),
            device.id.as_str().into(),
            event.device_seq.into(),
            device.unit_code.as_str().into(),
            event.record_id.as_str().into(),
            event.case_id.clone().into(),
            body.as_str().into(),
            batch.received_at.as_str().into(),
        ],
        "hub_seq",
    )?;
    let Some(seq) = inserted else {
        // Held already: a repeat is harmless, other content under the same key is not.
        let held = sql.rows(
            "SELECT body FROM events WHERE event_id = ?1 OR (device_id = ?2 AND device_seq = ?3)",
            &[
                event.event_id.as_str().into(),
                device.id.as_str().into(),
                event.device_seq.into(),
            ],
        )?;
        return if held.iter().all(|row| row[0].text() == body) {
            Ok(false)
        } else {
            Err(StoreError::Diverged(event.event_id.clone()))
        };
    };
    let mut units: Vec<String> = batch.coordinators.clone();
    match &event.case_id {
        Some(case_id) => {
            // Writing a case grants the writer's unit; a transfer or referral grants another.
            batch.grant(sql, case_id, &device.unit_code)?;
            if let Some(unit) = &event.grant {
                batch.grant(sql, case_id, unit)?;
            }
            let granted = batch.units_of(sql, case_id)?.to_vec();
            for record in &event.refs {
                let linked = sql.exec(
                    "INSERT INTO links (case_id, record_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    &[case_id.as_str().into(), record.as_str().into()],
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
            units.push(device.unit_code.clone());
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
    deliver(sql, &units, seq)?;
    Ok(true)
}

impl<B: Backend> Store for Hub<B> {
    fn new_enroll_code(&self, unit_code: &str, coordinator: bool) -> Result<String, StoreError> {
        let code = random_secret(6)?;
        self.db.transaction(|sql| {
            let flag = sql.exec(
                "INSERT INTO units (code, coordinator) VALUES (?1, ?2)
                 ON CONFLICT (code) DO UPDATE SET coordinator = excluded.coordinator
                 WHERE units.coordinator < excluded.coordinator",
                &[unit_code.into(), i64::from(coordinator).into()],
            )?;
            if coordinator && flag > 0 {
                // The province sees everything received so far, too.
                sql.exec(
                    "INSERT INTO deliveries (unit_code, hub_seq)
                     SELECT CAST(?1 AS TEXT), hub_seq FROM events WHERE true ORDER BY hub_seq ON CONFLICT DO NOTHING",
                    &[unit_code.into()],
                )?;
            }
            sql.exec(
                "INSERT INTO enroll_codes (code_hash, unit_code) VALUES (?1, ?2)",
                &[hash(&code).into(), unit_code.into()],
            )?;
            Ok(code)
        })
    }

    fn enroll(
        &self,
        code: &str,
        device_id: &str,
        device_name: &str,
        public_key: &str,
    ) -> Result<(Device, String), StoreError> {
        verifying_key(public_key)?;
        let token = random_secret(32)?;
        self.db.transaction(|sql| {
            let unit = sql.rows(
                "UPDATE enroll_codes SET used = 1 WHERE code_hash = ?1 AND used = 0 RETURNING unit_code",
                &[hash(code.trim()).into()],
            )?;
            let unit_code = unit.first().map(|r| r[0].text()).ok_or(StoreError::BadCode)?;
            let device = Device {
                id: device_id.to_owned(),
                unit_code,
                name: device_name.to_owned(),
                active: true,
                public_key: public_key.to_owned(),
            };
            sql.exec(
                "INSERT INTO devices (id, unit_code, name, token_hash, public_key, enrolled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    device.id.as_str().into(),
                    device.unit_code.as_str().into(),
                    device.name.as_str().into(),
                    hash(&token).into(),
                    device.public_key.as_str().into(),
                    now().into(),
                ],
            )?;
            Ok((device, token))
        })
    }

    fn device_by_token(&self, token: &str) -> Result<Option<Device>, StoreError> {
        let rows = self.db.read(|sql| {
            sql.rows(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1 AND active = 1"),
                &[hash(token).into()],
            )
        })?;
        Ok(rows.first().map(|r| device_of(r)))
    }

    fn devices(&self) -> Result<Vec<Device>, StoreError> {
        let rows = self.db.read(|sql| {
            sql.rows(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY unit_code, id"),
                &[],
            )
        })?;
        Ok(rows.iter().map(|r| device_of(r)).collect())
    }

    fn revoke(&self, device_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .db
            .transaction(|sql| sql.exec("UPDATE devices SET active = 0 WHERE id = ?1", &[device_id.into()]))?
            > 0)
    }

    fn push(&self, device: &Device, events: &[WireEvent]) -> Result<i64, StoreError> {
        let key = verifying_key(&device.public_key)?;
        // Checked before the transaction: a bad signature refuses the whole batch.
        check_signatures(&key, events)?;
        self.db.transaction(|sql| {
            let mut batch = Batch {
                coordinators: sql
                    .rows("SELECT code FROM units WHERE coordinator = 1", &[])?
                    .iter()
                    .map(|r| r[0].text())
                    .collect(),
                granted: HashMap::new(),
                received_at: now(),
            };
            for event in events {
                store_event(sql, &mut batch, device, event)?;
            }
            // Move the acknowledged point over the run that now has no gap.
            let acked = sql
                .rows(
                    "SELECT acked_seq FROM devices WHERE id = ?1",
                    &[device.id.as_str().into()],
                )?
                .first()
                .map_or(0, |r| r[0].int());
            let above = sql.rows(
                "SELECT device_seq FROM events WHERE device_id = ?1 AND device_seq > ?2 ORDER BY device_seq",
                &[device.id.as_str().into(), acked.into()],
            )?;
            let mut run = acked;
            for row in above {
                if row[0].int() != run + 1 {
                    break;
                }
                run += 1;
            }
            sql.exec(
                "UPDATE devices SET acked_seq = ?2, last_seen = ?3 WHERE id = ?1",
                &[device.id.as_str().into(), run.into(), now().into()],
            )?;
            Ok(run)
        })
    }

    fn pull(&self, device: &Device, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError> {
        let rows = self.db.read(|sql| {
            sql.rows(
                "SELECT d.seq, e.body FROM deliveries d JOIN events e ON e.hub_seq = d.hub_seq
                 WHERE d.unit_code = ?1 AND d.seq > ?2 AND e.device_id <> ?3
                 ORDER BY d.seq LIMIT ?4",
                &[
                    device.unit_code.as_str().into(),
                    after.into(),
                    device.id.as_str().into(),
                    limit.into(),
                ],
            )
        })?;
        wire_events(&rows)
    }

    fn events_after(&self, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError> {
        let rows = self.db.read(|sql| {
            sql.rows(
                "SELECT hub_seq, body FROM events WHERE hub_seq > ?1 ORDER BY hub_seq LIMIT ?2",
                &[after.into(), limit.into()],
            )
        })?;
        wire_events(&rows)
    }

    fn put_blob(&self, device: &Device, sha256: &str, mime: &str, bytes: &[u8]) -> Result<(), StoreError> {
        if hex::encode(Sha256::digest(bytes)) != sha256 {
            return Err(StoreError::BadBlob);
        }
        self.db.transaction(|sql| {
            sql.exec(
                "INSERT INTO blobs (sha256, mime, data, unit_code, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO NOTHING",
                &[
                    sha256.into(),
                    mime.into(),
                    Val::Bytes(bytes.to_vec()),
                    device.unit_code.as_str().into(),
                    now().into(),
                ],
            )
        })?;
        Ok(())
    }

    fn get_blob(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let rows = self
            .db
            .read(|sql| sql.rows("SELECT mime, data FROM blobs WHERE sha256 = ?1", &[sha256.into()]))?;
        Ok(rows.into_iter().next().and_then(|mut row| match row.pop() {
            Some(Val::Bytes(data)) => Some((row[0].text(), data)),
            _ => None,
        }))
    }

    fn report(&self) -> Result<Vec<UnitReport>, StoreError> {
        let rows = self.db.read(|sql| {
            sql.rows(
                "SELECT u.code, u.coordinator,
                   (SELECT count(*) FROM devices d WHERE d.unit_code = u.code AND d.active = 1),
                   (SELECT count(*) FROM events e WHERE e.unit_code = u.code AND e.record_id = e.case_id
                    AND e.hub_seq = (SELECT min(f.hub_seq) FROM events f WHERE f.record_id = e.record_id)),
                   (SELECT count(*) FROM grants g WHERE g.unit_code = u.code),
                   (SELECT count(*) FROM events e WHERE e.unit_code = u.code),
                   (SELECT max(e.received_at) FROM events e WHERE e.unit_code = u.code)
                 FROM units u ORDER BY u.code",
                &[],
            )
        })?;
        Ok(rows
            .iter()
            .map(|r| UnitReport {
                unit_code: r[0].text(),
                coordinator: r[1].int() != 0,
                devices: r[2].int(),
                cases_created: r[3].int(),
                cases_granted: r[4].int(),
                events: r[5].int(),
                last_received: match &r[6] {
                    Val::Null => None,
                    v => Some(v.text()),
                },
            })
            .collect())
    }
}
