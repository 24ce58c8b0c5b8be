//! The hub's storage: units, enrolled devices (token hashes and public keys only), one-time
//! enrollment codes, every unit's events in one sequence, and attachments. Who may see what
//! is decided apart, in `routing`; both are written once over the small SQL interface of
//! `sql`, which `sqlite` and `postgres` provide.
//!
//! Imports here go one way: `mod.rs` (storage, and the `Hub` that joins it to the routing)
//! uses `routing`, `sqlite` and `postgres`, and each of those uses only `sql`.

mod postgres;
mod routing;
mod sql;
mod sqlite;

pub use postgres::Postgres;
pub use sql::StoreError;
pub use sqlite::Sqlite;

use ed25519_dalek::{Signature, VerifyingKey};
use oscc_sync::WireEvent;
use sha2::{Digest, Sha256};
use sql::{Backend, Sql, Val};

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

/// The hub on a backend: storage here, routing in `routing`.
pub struct Hub<B: Backend> {
    db: B,
}

impl<B: Backend> Hub<B> {
    pub fn new(db: B) -> Hub<B> {
        Hub { db }
    }
}

/// Stores one event; its number in the hub's sequence, or None when the hub already holds it.
fn store_event(
    sql: &mut dyn Sql,
    device: &Device,
    event: &WireEvent,
    received_at: &str,
) -> Result<Option<i64>, StoreError> {
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
            received_at.into(),
        ],
        "hub_seq",
    )?;
    if inserted.is_some() {
        return Ok(inserted);
    }
    // Held already: a repeat is harmless, other content under the same key is not.
    let held = sql.rows(
        "SELECT body FROM events WHERE event_id = ?1 OR (device_id = ?2 AND device_seq = ?3)",
        &[
            event.event_id.as_str().into(),
            device.id.as_str().into(),
            event.device_seq.into(),
        ],
    )?;
    if held.iter().all(|row| row[0].text() == body) {
        Ok(None)
    } else {
        Err(StoreError::Diverged(event.event_id.clone()))
    }
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
                routing::deliver_everything(sql, unit_code)?;
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
            let received_at = now();
            let mut batch = routing::Batch::start(sql, received_at.clone())?;
            for event in events {
                if let Some(hub_seq) = store_event(sql, device, event, &received_at)? {
                    batch.route(sql, hub_seq, &device.unit_code, event)?;
                }
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
        let rows = self
            .db
            .read(|sql| routing::deliveries_after(sql, &device.unit_code, &device.id, after, limit))?;
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
