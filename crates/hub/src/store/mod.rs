//! The hub's storage: units, enrolled devices (token hashes and public keys only), one-time
//! enrollment codes, every unit's events in one sequence, and attachments. Who may see what
//! is decided apart, in `routing`; both are written once over the small SQL interface of
//! `sql`, which `sqlite` and `postgres` provide.
//!
//! Imports here go one way: `mod.rs` (storage, and the `Hub` that joins it to the routing)
//! uses `admission`, `audit`, `erasure`, `numbers`, `routing`, `sqlite` and `postgres`;
//! `admission` uses `numbers` and `erasure`; each of those uses only `sql` (and the `Device`
//! of `mod.rs`), and `values` to read or write an event body or an attachment; `sqlite` and
//! `postgres` provide `backend` over them.

mod admission;
mod audit;
mod backend;
mod erasure;
mod numbers;
mod postgres;
mod routing;
mod sql;
mod sqlite;
mod values;

pub use postgres::Postgres;
pub use sql::StoreError;
pub use sqlite::Sqlite;

use crate::code_key;
pub use audit::AuditBreak;
use casebook::log::entity::Entity;
use casebook::store::Catalog;
use ed25519_dalek::VerifyingKey;
use oscc_sync::attestation::{self, DeviceEntry, DeviceList, Revocation};
use oscc_sync::{
    AuditAnswer, AuditPush, NumbersRequest, NumbersResponse, PushRequest, PushResponse, Refusal, RefusedEvent,
    WireEvent,
};

/// The most events one push may carry (the app sends 2,000).
const MAX_PUSH: usize = 2_000;
/// The most event bytes one pull page carries (a page of 2,000 ordinary events is ~2.4 MB).
const MAX_PULL_BYTES: usize = 8 * 1024 * 1024;
/// How long a push that arrived before an earlier one of its device waits for it (40 × 50 ms).
const GAP_WAITS: u32 = 40;
const GAP_WAIT: std::time::Duration = std::time::Duration::from_millis(50);
use backend::Backend;
use sha2::{Digest, Sha256};
use sql::{Sql, Val};
use values::Values;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub unit_code: String,
    pub name: String,
    pub active: bool,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// The province approved it (`oscc-hub approve`): until then it may neither push nor pull.
    pub approved: bool,
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

/// An event the hub refused, as `oscc-hub rejected` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedRow {
    pub device_id: String,
    pub device_seq: i64,
    pub event_id: String,
    pub reason: String,
    pub detail: String,
    pub received_at: String,
}

pub trait Store: Send + Sync {
    /// A one-time code that enrols one laptop into `unit_code`; a coordinator unit (the
    /// province) sees every unit's events.
    /// Valid for `valid_hours` hours.
    fn new_enroll_code(&self, unit_code: &str, coordinator: bool, valid_hours: u32) -> Result<String, StoreError>;
    /// Enrols a laptop with its public key under a device id the hub makes (its events carry
    /// it from then on): no device can claim an id another laptop will use. `address`: the
    /// network the request came from, whose wrong codes are counted.
    fn enroll(
        &self,
        code: &str,
        device_name: &str,
        public_key: &str,
        address: &str,
    ) -> Result<(Device, String), StoreError>;
    fn device_by_token(&self, token: &str) -> Result<Option<Device>, StoreError>;
    fn devices(&self) -> Result<Vec<Device>, StoreError>;
    /// The codes of the units on the hub.
    fn unit_codes(&self) -> Result<Vec<String>, StoreError>;
    /// The province's public key, hex, once `oscc-hub province-key` has set it.
    fn province_key(&self) -> Result<Option<String>, StoreError>;
    /// Sets the province's public key; false when it was set already (it never changes: the
    /// laptops pinned it).
    fn set_province_key(&self, public_key: &str) -> Result<bool, StoreError>;
    /// Keeps the province's approval of a device (the province key's signature); false when
    /// no such device is enrolled.
    fn approve(&self, device_id: &str, attestation: &str) -> Result<bool, StoreError>;
    /// Every approved device with the province's signature, for the laptops to check events by.
    fn device_list(&self) -> Result<DeviceList, StoreError>;
    /// Turns the device away; the last of its events the hub settled, or None when there is
    /// no such device.
    fn revoke(&self, device_id: &str) -> Result<Option<i64>, StoreError>;
    /// Keeps the province's signed word that the device was revoked after event `last_seq`.
    fn note_revocation(&self, device_id: &str, last_seq: i64, signature: &str) -> Result<(), StoreError>;
    /// Judges each event of a batch, stores and routes those it admits and notes those it
    /// refuses, in one transaction; answers the device's highest settled seq with no gap
    /// below it, and the refused events with their reasons.
    fn push(&self, device: &Device, request: &PushRequest) -> Result<PushResponse, StoreError>;
    /// Every event refused so far, by device then sequence: `oscc-hub rejected`.
    fn refused(&self) -> Result<Vec<RefusedRow>, StoreError>;
    /// Deliveries to `device`'s unit after `after`, not its own events, in order.
    fn pull(&self, device: &Device, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError>;
    fn report(&self) -> Result<Vec<UnitReport>, StoreError>;
    /// Every event the hub holds after `after` (its own sequence), in order, a page at a time,
    /// but those an approved purge erased: the statistics report replays them.
    fn events_after(&self, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError>;
    /// Keeps an attachment under its SHA-256 (checked); storing it twice changes nothing.
    fn put_blob(&self, device: &Device, sha256: &str, mime: &str, bytes: &[u8]) -> Result<(), StoreError>;
    fn get_blob(&self, sha256: &str) -> Result<Option<(String, Vec<u8>)>, StoreError>;
    /// Allots `device` the case and letter numbers it asks for: every block of its unit for
    /// the kinds and years asked, and the usernames asked about that the unit has (`numbers`).
    fn numbers(&self, device: &Device, request: &NumbersRequest) -> Result<NumbersResponse, StoreError>;
    /// Takes what of the device's audit chain follows what the hub holds, and answers its
    /// unit's other devices' entries (`audit`).
    fn audit(&self, device: &Device, push: &AuditPush) -> Result<AuditAnswer, StoreError>;
    /// Every break found in a device's audit chain: `oscc-hub audit-breaks`.
    fn audit_breaks(&self) -> Result<Vec<AuditBreak>, StoreError>;
}

/// Rows of (sequence, event id, stored body) as (sequence, event JSON).
fn bodies(values: &Values, rows: &[Vec<Val>]) -> Result<Vec<(i64, String)>, StoreError> {
    rows.iter()
        .map(|row| Ok((row[0].int(), values.read_body(&row[1].text(), &row[2])?)))
        .collect()
}

/// (sequence, event JSON) as events.
fn wire_events(bodies: Vec<(i64, String)>) -> Result<Vec<(i64, WireEvent)>, StoreError> {
    bodies
        .into_iter()
        .map(|(seq, body)| {
            let event = serde_json::from_str(&body).map_err(|e| StoreError::Db(e.to_string()))?;
            Ok((seq, event))
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
    rfc3339(chrono::Utc::now())
}

fn rfc3339(time: chrono::DateTime<chrono::Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Wrong enrollment codes the hub takes in an hour from one network address; then enrollment
/// from there waits (429), while laptops elsewhere enroll. A code has 48 random bits and lives
/// a day: even from ten thousand addresses, guessing one is a chance in a million a day.
const MAX_WRONG_CODES: i64 = 20;

/// A device's name as the laptop sent it, fit to print in a terminal: no control characters
/// (which could rewrite what `oscc-hub devices` shows), at most 64 characters.
fn printable_name(name: &str) -> String {
    let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    match name.trim() {
        "" => "laptop".to_owned(),
        name => name.to_owned(),
    }
}

/// A device's or the province's Ed25519 key, refusing a weak one (of small order: it would
/// "verify" signatures nobody made).
fn verifying_key(hex_key: &str) -> Result<VerifyingKey, StoreError> {
    attestation::public_key(hex_key)
        .filter(|key| !key.is_weak())
        .ok_or(StoreError::BadKey)
}

/// Every event of the batch signed by `key`. A push with one event the device did not sign is
/// refused whole: its sender has the token but not the key.
fn check_signatures(key: &VerifyingKey, events: &[WireEvent]) -> Result<(), StoreError> {
    let signed = attestation::verify_each(
        events
            .iter()
            .map(|event| Some((event.signed_digest(), event.sig.as_str(), key))),
    );
    match events.iter().zip(signed).find(|(_, good)| !good) {
        Some((event, _)) => Err(StoreError::BadSignature(event.event_id.clone())),
        None => Ok(()),
    }
}

fn device_of(row: &[Val]) -> Device {
    Device {
        id: row[0].text(),
        unit_code: row[1].text(),
        name: row[2].text(),
        active: row[3].int() != 0,
        public_key: row[4].text(),
        approved: row[5].int() != 0,
    }
}

const DEVICE_COLUMNS: &str = "id, unit_code, name, active, public_key,
    (SELECT count(*) FROM attestations a WHERE a.device_id = devices.id)";

fn province_key(sql: &mut dyn Sql) -> Result<Option<String>, StoreError> {
    Ok(sql
        .rows("SELECT public_key FROM province", &[])?
        .first()
        .map(|r| r[0].text()))
}

/// The hub on a backend: storage here, what it takes in `admission`, who sees what in
/// `routing`.
pub struct Hub<B: Backend> {
    db: B,
    /// The secret enrollment codes are hashed with (`code_key`).
    code_key: [u8; 32],
    /// The columns of every kind of record, from the case book's schema: events are checked
    /// against it.
    catalog: Catalog,
}

impl<B: Backend> Hub<B> {
    pub fn open(db: B, code_key: [u8; 32]) -> Result<Hub<B>, StoreError> {
        let catalog = casebook::log::events::schema_catalog().map_err(|e| StoreError::Db(e.to_string()))?;
        db.transaction(|sql| admission::register_held(sql, db.values()))?;
        Ok(Hub { db, code_key, catalog })
    }
}

/// Stores one event under the case it belongs to (`case_id`: for a later event of a case's
/// record, the case of the record's first event); its number in the hub's sequence. None: the
/// hub holds another event under its id (only the device's next sequence number is ever
/// stored, so a clash is an event id taken from another device's event).
fn store_event(
    sql: &mut dyn Sql,
    values: &Values,
    device: &Device,
    event: &WireEvent,
    case_id: Option<&str>,
    received_at: &str,
) -> Result<Option<i64>, StoreError> {
    let body = serde_json::to_string(event).map_err(|e| StoreError::Db(e.to_string()))?;
    sql.insert_key(
        "INSERT INTO events (event_id, device_id, device_seq, unit_code, record_id, case_id, body, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
        &[
            event.event_id.as_str().into(),
            device.id.as_str().into(),
            event.device_seq.into(),
            device.unit_code.as_str().into(),
            event.record_id.as_str().into(),
            case_id.map(str::to_owned).into(),
            values.body(&event.event_id, &body)?,
            received_at.into(),
        ],
        "hub_seq",
    )
}

/// Notes a refused event: it settles its (device, seq), so the device's later events go on.
fn refuse(
    sql: &mut dyn Sql,
    device: &Device,
    event: &WireEvent,
    (reason, detail): admission::Refused,
    received_at: &str,
) -> Result<(), StoreError> {
    sql.exec(
        "INSERT INTO refused (device_id, device_seq, event_id, reason, detail, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            device.id.as_str().into(),
            event.device_seq.into(),
            event.event_id.as_str().into(),
            casebook::error::serde_name(&reason).into(),
            detail.as_str().into(),
            received_at.into(),
        ],
    )?;
    Ok(())
}

/// An event at or below the acknowledged point, sent again: a repeat of what was stored or
/// refused is harmless; other content under its (device, seq) is a laptop restored from a
/// file backup, and nothing of the push is taken.
fn settled_repeat(sql: &mut dyn Sql, values: &Values, device: &Device, event: &WireEvent) -> Result<(), StoreError> {
    // Erased since: the hub keeps only a blank of it.
    if erasure::erased(sql, &event.record_id)? {
        return Ok(());
    }
    let body = serde_json::to_string(event).map_err(|e| StoreError::Db(e.to_string()))?;
    let held = sql.rows(
        "SELECT event_id, body FROM events WHERE device_id = ?1 AND device_seq = ?2",
        &[device.id.as_str().into(), event.device_seq.into()],
    )?;
    let same = match held.first() {
        Some(row) => values.read_body(&row[0].text(), &row[1])? == body,
        None => !sql
            .rows(
                "SELECT 1 FROM refused WHERE device_id = ?1 AND device_seq = ?2 AND event_id = ?3",
                &[
                    device.id.as_str().into(),
                    event.device_seq.into(),
                    event.event_id.as_str().into(),
                ],
            )?
            .is_empty(),
    };
    if same {
        Ok(())
    } else {
        Err(StoreError::Diverged(event.event_id.clone()))
    }
}

fn acked_seq(sql: &mut dyn Sql, device: &Device) -> Result<i64, StoreError> {
    Ok(sql
        .rows(
            "SELECT acked_seq FROM devices WHERE id = ?1",
            &[device.id.as_str().into()],
        )?
        .first()
        .map_or(0, |r| r[0].int()))
}

/// The device's refused events above `after`, up to `up_to`: each push answer lists them
/// again from the point the device says it has, so a lost answer loses no refusal.
fn refusals(sql: &mut dyn Sql, device: &Device, after: i64, up_to: i64) -> Result<Vec<RefusedEvent>, StoreError> {
    let rows = sql.rows(
        "SELECT event_id, device_seq, reason, detail FROM refused
         WHERE device_id = ?1 AND device_seq > ?2 AND device_seq <= ?3 ORDER BY device_seq",
        &[device.id.as_str().into(), after.into(), up_to.into()],
    )?;
    rows.iter()
        .map(|r| {
            let reason: Refusal = serde_json::from_value(serde_json::Value::String(r[2].text()))
                .map_err(|e| StoreError::Db(e.to_string()))?;
            Ok(RefusedEvent {
                event_id: r[0].text(),
                device_seq: r[1].int(),
                reason,
                detail: r[3].text(),
            })
        })
        .collect()
}

impl<B: Backend> Store for Hub<B> {
    fn new_enroll_code(&self, unit_code: &str, coordinator: bool, valid_hours: u32) -> Result<String, StoreError> {
        let code = random_secret(6)?;
        let expires_at = rfc3339(chrono::Utc::now() + chrono::Duration::hours(valid_hours.into()));
        self.db.transaction(|sql| {
            if province_key(sql)?.is_none() {
                return Err(StoreError::NoProvinceKey);
            }
            let flag = sql.exec(
                "INSERT INTO units (code, coordinator) VALUES (?1, ?2)
                 ON CONFLICT (code) DO UPDATE SET coordinator = excluded.coordinator
                 WHERE units.coordinator < excluded.coordinator",
                &[unit_code.into(), i64::from(coordinator).into()],
            )?;
            if coordinator && flag > 0 {
                routing::deliver_everything(sql, unit_code)?;
            }
            sql.exec(
                "INSERT INTO enrollment_codes (code_hash, unit_code, expires_at) VALUES (?1, ?2, ?3)",
                &[
                    code_key::keyed_hash(&self.code_key, &code).into(),
                    unit_code.into(),
                    expires_at.into(),
                ],
            )?;
            Ok(code)
        })
    }

    fn enroll(
        &self,
        code: &str,
        device_name: &str,
        public_key: &str,
        address: &str,
    ) -> Result<(Device, String), StoreError> {
        verifying_key(public_key)?;
        // Printed by `devices`, `approve` and the access log, and typed at `approve`: hex.
        let device_id = random_secret(16)?;
        let token = random_secret(32)?;
        let now = chrono::Utc::now();
        let hour_ago = rfc3339(now - chrono::Duration::hours(1));
        let now = rfc3339(now);
        let enrolled = self.db.transaction(|sql| {
            let failures = sql.rows(
                "SELECT count(*) FROM wrong_codes WHERE address = ?1 AND tried_at > ?2",
                &[address.into(), hour_ago.as_str().into()],
            )?;
            if failures.first().map_or(0, |r| r[0].int()) >= MAX_WRONG_CODES {
                return Err(StoreError::TooManyTries);
            }
            let unit = sql.rows(
                "UPDATE enrollment_codes SET used = 1
                 WHERE code_hash = ?1 AND used = 0 AND expires_at > ?2 RETURNING unit_code",
                &[code_key::keyed_hash(&self.code_key, code).into(), now.as_str().into()],
            )?;
            let Some(unit_code) = unit.first().map(|r| r[0].text()) else {
                // Kept with the transaction: the wrong try counts.
                sql.exec(
                    "INSERT INTO wrong_codes (address, tried_at) VALUES (?1, ?2)",
                    &[address.into(), now.as_str().into()],
                )?;
                // Only the last hour counts: older tries go (many addresses must not grow it).
                sql.exec(
                    "DELETE FROM wrong_codes WHERE tried_at <= ?1",
                    &[hour_ago.as_str().into()],
                )?;
                return Ok(None);
            };
            let device = Device {
                id: device_id.clone(),
                unit_code,
                name: printable_name(device_name),
                active: true,
                public_key: public_key.to_owned(),
                approved: false,
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
                    now.as_str().into(),
                ],
            )?;
            Ok(Some(device))
        })?;
        enrolled.map(|device| (device, token)).ok_or(StoreError::BadCode)
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

    fn province_key(&self) -> Result<Option<String>, StoreError> {
        self.db.read(province_key)
    }

    fn unit_codes(&self) -> Result<Vec<String>, StoreError> {
        let rows = self
            .db
            .read(|sql| sql.rows("SELECT code FROM units ORDER BY code", &[]))?;
        Ok(rows.iter().map(|r| r[0].text()).collect())
    }

    fn set_province_key(&self, public_key: &str) -> Result<bool, StoreError> {
        verifying_key(public_key)?;
        Ok(self.db.transaction(|sql| {
            sql.exec(
                "INSERT INTO province (id, public_key) VALUES (1, ?1) ON CONFLICT DO NOTHING",
                &[public_key.into()],
            )
        })? > 0)
    }

    fn approve(&self, device_id: &str, attestation: &str) -> Result<bool, StoreError> {
        Ok(self.db.transaction(|sql| {
            sql.exec(
                "INSERT INTO attestations (device_id, signature, approved_at)
                 SELECT id, ?2, ?3 FROM devices WHERE id = ?1
                 ON CONFLICT (device_id) DO UPDATE SET signature = excluded.signature",
                &[device_id.into(), attestation.into(), now().into()],
            )
        })? > 0)
    }

    fn device_list(&self) -> Result<DeviceList, StoreError> {
        self.db.read(|sql| {
            let province_key = province_key(sql)?.ok_or(StoreError::NoProvinceKey)?;
            let rows = sql.rows(
                "SELECT d.id, d.unit_code, d.public_key, a.signature, r.last_seq, r.signature FROM devices d
                 JOIN attestations a ON a.device_id = d.id LEFT JOIN revocations r ON r.device_id = d.id
                 ORDER BY d.id",
                &[],
            )?;
            let devices = rows
                .iter()
                .map(|r| DeviceEntry {
                    device_id: r[0].text(),
                    unit_code: r[1].text(),
                    public_key: r[2].text(),
                    attestation: r[3].text(),
                    revoked: match (&r[4], &r[5]) {
                        (Val::Int(last_seq), Val::Text(signature)) => Some(Revocation {
                            last_seq: *last_seq,
                            signature: signature.clone(),
                        }),
                        _ => None,
                    },
                })
                .collect();
            Ok(DeviceList { province_key, devices })
        })
    }

    fn revoke(&self, device_id: &str) -> Result<Option<i64>, StoreError> {
        self.db.transaction(|sql| {
            Ok(sql
                .rows(
                    "UPDATE devices SET active = 0 WHERE id = ?1 RETURNING acked_seq",
                    &[device_id.into()],
                )?
                .first()
                .map(|r| r[0].int()))
        })
    }

    fn note_revocation(&self, device_id: &str, last_seq: i64, signature: &str) -> Result<(), StoreError> {
        self.db.transaction(|sql| {
            sql.exec(
                "INSERT INTO revocations (device_id, last_seq, signature) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq, signature = excluded.signature",
                &[device_id.into(), last_seq.into(), signature.into()],
            )
        })?;
        Ok(())
    }

    fn push(&self, device: &Device, request: &PushRequest) -> Result<PushResponse, StoreError> {
        if request.events.len() > MAX_PUSH {
            return Err(StoreError::TooMany(request.events.len()));
        }
        let key = verifying_key(&device.public_key)?;
        // Checked before the transaction, which then holds the writer for less time.
        check_signatures(&key, &request.events)?;
        // A device has two pushes in flight: when this one arrives before the one before it,
        // it waits a moment for that one rather than be left to be sent again.
        if let Some(first) = request.events.iter().map(|e| e.device_seq).min() {
            for _ in 0..GAP_WAITS {
                if first <= self.db.read(|sql| acked_seq(sql, device))? + 1 {
                    break;
                }
                std::thread::sleep(GAP_WAIT);
            }
        }
        let values = self.db.values();
        self.db.transaction(|sql| {
            let received_at = now();
            let mut batch = routing::Batch::start(sql, received_at.clone())?;
            let mut acked = acked_seq(sql, device)?;
            let mut allowed = admission::Allowed::default();
            // In sequence order, and only the unbroken run after the acknowledged point: an
            // event after a gap waits for the one before it (pushes in flight can arrive out
            // of order), so each event is judged with everything before it already taken.
            let mut events: Vec<&WireEvent> = request.events.iter().collect();
            events.sort_by_key(|e| e.device_seq);
            for event in events {
                if event.device_seq <= acked {
                    settled_repeat(sql, values, device, event)?;
                    continue;
                }
                if event.device_seq != acked + 1 {
                    break;
                }
                match admission::admit(sql, &self.catalog, &mut allowed, device, event)? {
                    Err(why) => refuse(sql, device, event, why, &received_at)?,
                    Ok(admitted) => {
                        let case_id = admitted.case_id.as_deref();
                        match store_event(sql, values, device, event, case_id, &received_at)? {
                            Some(hub_seq) => {
                                admission::register(sql, &device.unit_code, event, &admitted)?;
                                numbers::register(sql, &device.unit_code, &event.record_id, &admitted.claims)?;
                                erasure::note_blobs(sql, &event.record_id, &admitted.body)?;
                                batch.route(sql, hub_seq, &device.unit_code, case_id, event)?;
                                // An approved purge: the hub erases the case too.
                                if let (Entity::Erasure, Some(case_id)) = (admitted.body.entity, case_id) {
                                    erasure::erase(sql, values, case_id, &received_at)?;
                                }
                            }
                            None => return Err(StoreError::Diverged(event.event_id.clone())),
                        }
                    }
                }
                acked = event.device_seq;
            }
            sql.exec(
                "UPDATE devices SET acked_seq = ?2, last_seen = ?3 WHERE id = ?1",
                &[device.id.as_str().into(), acked.into(), now().into()],
            )?;
            Ok(PushResponse {
                acked_seq: acked,
                refused: refusals(sql, device, request.acked_seq, acked)?,
            })
        })
    }

    fn refused(&self) -> Result<Vec<RefusedRow>, StoreError> {
        let rows = self.db.read(|sql| {
            sql.rows(
                "SELECT device_id, device_seq, event_id, reason, detail, received_at FROM refused
                 ORDER BY device_id, device_seq",
                &[],
            )
        })?;
        Ok(rows
            .iter()
            .map(|r| RefusedRow {
                device_id: r[0].text(),
                device_seq: r[1].int(),
                event_id: r[2].text(),
                reason: r[3].text(),
                detail: r[4].text(),
                received_at: r[5].text(),
            })
            .collect())
    }

    fn pull(&self, device: &Device, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError> {
        let rows = self
            .db
            .read(|sql| routing::deliveries_after(sql, &device.unit_code, &device.id, after, limit))?;
        let mut bodies = bodies(self.db.values(), &rows)?;
        // A page stops at MAX_PULL_BYTES (with at least one event): the laptop asks again.
        let mut bytes = 0;
        let keep = bodies
            .iter()
            .take_while(|(_, body)| {
                bytes += body.len();
                bytes <= MAX_PULL_BYTES
            })
            .count();
        bodies.truncate(keep.max(1));
        wire_events(bodies)
    }

    fn events_after(&self, after: i64, limit: i64) -> Result<Vec<(i64, WireEvent)>, StoreError> {
        let rows = self.db.read(|sql| {
            sql.rows(
                "SELECT hub_seq, event_id, body FROM events e
                 WHERE hub_seq > ?1 AND NOT EXISTS (SELECT 1 FROM erased x WHERE x.record_id = e.record_id)
                 ORDER BY hub_seq LIMIT ?2",
                &[after.into(), limit.into()],
            )
        })?;
        wire_events(bodies(self.db.values(), &rows)?)
    }

    fn put_blob(&self, device: &Device, sha256: &str, mime: &str, bytes: &[u8]) -> Result<(), StoreError> {
        if hex::encode(Sha256::digest(bytes)) != sha256 {
            return Err(StoreError::BadBlob);
        }
        let data = self.db.values().blob(sha256, bytes)?;
        self.db.transaction(|sql| {
            // A file of an erased case, sent by a laptop that had not sent it before: not kept.
            if erasure::only_erased_name(sql, sha256)? {
                return Ok(0);
            }
            sql.exec(
                "INSERT INTO blobs (sha256, mime, data, unit_code, received_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO NOTHING",
                &[
                    sha256.into(),
                    mime.into(),
                    data,
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
        match rows.into_iter().next().map(|mut row| (row.pop(), row[0].text())) {
            Some((Some(Val::Bytes(data)), mime)) => Ok(Some((mime, self.db.values().read_blob(sha256, data)?))),
            _ => Ok(None),
        }
    }

    fn audit(&self, device: &Device, push: &AuditPush) -> Result<AuditAnswer, StoreError> {
        self.db.transaction(|sql| audit::take(sql, device, push))
    }

    fn audit_breaks(&self) -> Result<Vec<AuditBreak>, StoreError> {
        self.db.read(audit::breaks)
    }

    fn numbers(&self, device: &Device, request: &NumbersRequest) -> Result<NumbersResponse, StoreError> {
        self.db.transaction(|sql| {
            Ok(NumbersResponse {
                blocks: numbers::allot(sql, device, &request.wants)?,
                taken_usernames: numbers::taken_usernames(sql, device, &request.usernames)?,
            })
        })
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
