//! The hub on PostgreSQL (`--database postgres://…`): for a province that runs the hub on a
//! server with its database, or several hub processes on one database. Event bodies and
//! attachment bytes are sealed with the at-rest key (`values`, `at_rest`): the database server,
//! its dumps and its backups never see them in clear. What the hub queries on stays clear.

use super::backend::Backend;
use super::sql::{Sql, StoreError, Val};
use super::values::Values;
use bytes::BytesMut;
use oscc_hub::at_rest::{AtRestError, Found, Key};
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls};
use std::path::Path;
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS units (code TEXT PRIMARY KEY, coordinator BIGINT NOT NULL DEFAULT 0);
-- One-time enrollment codes, by their keyed hash (code_key.rs), each until it expires.
CREATE TABLE IF NOT EXISTS enrollment_codes (code_hash TEXT PRIMARY KEY, unit_code TEXT NOT NULL,
  expires_at TEXT NOT NULL, used BIGINT NOT NULL DEFAULT 0);
-- Wrong codes tried, by network address and when: enrollment from an address pauses after too
-- many in an hour (`enrollment_failures` counted them for all addresses together).
DROP TABLE IF EXISTS enrollment_failures;
CREATE TABLE IF NOT EXISTS wrong_codes (address TEXT NOT NULL, tried_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS wrong_codes_address ON wrong_codes(address, tried_at);
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE, public_key TEXT NOT NULL, active BIGINT NOT NULL DEFAULT 1,
  acked_seq BIGINT NOT NULL DEFAULT 0, enrolled_at TEXT NOT NULL, last_seen TEXT);
CREATE TABLE IF NOT EXISTS events (hub_seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL, device_seq BIGINT NOT NULL, unit_code TEXT NOT NULL,
  record_id TEXT NOT NULL, case_id TEXT, body BYTEA NOT NULL, received_at TEXT NOT NULL,
  UNIQUE (device_id, device_seq));
CREATE INDEX IF NOT EXISTS events_case ON events(case_id);
CREATE INDEX IF NOT EXISTS events_record ON events(record_id);
CREATE TABLE IF NOT EXISTS grants (case_id TEXT NOT NULL, unit_code TEXT NOT NULL, granted_at TEXT NOT NULL,
  PRIMARY KEY (case_id, unit_code));
CREATE TABLE IF NOT EXISTS links (case_id TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (case_id, record_id));
CREATE INDEX IF NOT EXISTS links_record ON links(record_id);
CREATE TABLE IF NOT EXISTS deliveries (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unit_code TEXT NOT NULL, hub_seq BIGINT NOT NULL, UNIQUE (unit_code, hub_seq));
CREATE INDEX IF NOT EXISTS deliveries_unit ON deliveries(unit_code, seq);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, mime TEXT NOT NULL, data BYTEA NOT NULL,
  unit_code TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (record_id TEXT PRIMARY KEY, entity TEXT NOT NULL, unit_code TEXT NOT NULL,
  case_id TEXT);
CREATE TABLE IF NOT EXISTS refused (device_id TEXT NOT NULL, device_seq BIGINT NOT NULL, event_id TEXT NOT NULL,
  reason TEXT NOT NULL, detail TEXT NOT NULL,  received_at TEXT NOT NULL, PRIMARY KEY (device_id, device_seq));
-- The unit that holds each case now (the last transfer's), and the partner units it was referred
-- to: who besides its creator may write to it.
CREATE TABLE IF NOT EXISTS holders (case_id TEXT PRIMARY KEY, unit_code TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS partners (case_id TEXT NOT NULL, unit_code TEXT NOT NULL, PRIMARY KEY (case_id, unit_code));
-- The province's public key (one row): laptops pin it at enrollment.
CREATE TABLE IF NOT EXISTS province (id BIGINT PRIMARY KEY CHECK (id = 1), public_key TEXT NOT NULL);
-- A device the province approved: its key's signature by the province key.
CREATE TABLE IF NOT EXISTS attestations (device_id TEXT PRIMARY KEY, signature TEXT NOT NULL, approved_at TEXT NOT NULL);
-- A device the province revoked: the last of its events that stands, and the province key's signature.
CREATE TABLE IF NOT EXISTS revocations (device_id TEXT PRIMARY KEY, last_seq BIGINT NOT NULL, signature TEXT NOT NULL);
-- Blocks of case and letter numbers allotted to a unit's devices, per kind and Buddhist year
-- (`numbers`) with how many of each a record carries, and each number a record of the unit
-- carries: no number is given twice.
CREATE TABLE IF NOT EXISTS allotments (unit_code TEXT NOT NULL, kind TEXT NOT NULL, be_year BIGINT NOT NULL,
  device_id TEXT NOT NULL, first BIGINT NOT NULL, last BIGINT NOT NULL, used BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (unit_code, kind, be_year, first));
CREATE TABLE IF NOT EXISTS numbers (unit_code TEXT NOT NULL, kind TEXT NOT NULL, number TEXT NOT NULL,
  record_id TEXT NOT NULL, PRIMARY KEY (unit_code, kind, number));
-- Records an approved purge erased (erasure.rs): a case, its records and its people no other
-- case names; their events are kept blank and never delivered again, and no write to them is
-- taken. The attachments each record's events named, to delete a case's files with it.
CREATE TABLE IF NOT EXISTS erased (record_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, erased_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS erased_case ON erased(case_id);
CREATE TABLE IF NOT EXISTS blob_names (sha256 TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (sha256, record_id));
CREATE INDEX IF NOT EXISTS blob_names_record ON blob_names(record_id);
-- Each device's audit chain (append-only), in the hub's order for delivery to its unit; the
-- head of each chain as the device last signed it; breaks found in a chain (audit.rs).
CREATE TABLE IF NOT EXISTS audit (hub_seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, device_id TEXT NOT NULL,
  seq BIGINT NOT NULL, unit_code TEXT NOT NULL, at TEXT NOT NULL, user_id TEXT, action TEXT NOT NULL,
  entity TEXT, entity_id TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, signature TEXT NOT NULL,
  UNIQUE (device_id, seq));
CREATE INDEX IF NOT EXISTS audit_unit ON audit(unit_code, hub_seq);
CREATE TABLE IF NOT EXISTS audit_heads (device_id TEXT PRIMARY KEY, count BIGINT NOT NULL, hash TEXT NOT NULL,
  signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_breaks (device_id TEXT NOT NULL, problem TEXT NOT NULL, noticed_at TEXT NOT NULL,
  PRIMARY KEY (device_id, problem));
-- Sealed with the at-rest key (one row): a hub with another key is turned away.
CREATE TABLE IF NOT EXISTS at_rest (id BIGINT PRIMARY KEY CHECK (id = 1), key_check BYTEA NOT NULL);
";

/// Rows sealed at a time when a database is encrypted.
const SEAL_BATCH: i64 = 500;

/// Held for the length of every transaction, by every hub process on the database: deliveries
/// then commit in the order they are numbered.
const WRITE_LOCK: i64 = 0x05CC_0001;

pub struct Postgres {
    /// Kept to connect again when the database went away (a restart, a dropped connection).
    url: String,
    client: Mutex<Client>,
    values: Values,
}

impl Postgres {
    /// Connects (`postgres://user@host/db`), creates the tables if they are missing, and
    /// checks the at-rest key in `key_dir` is the database's (made there for a new database
    /// only).
    pub fn connect(url: &str, key_dir: &Path) -> Result<Postgres, StoreError> {
        let mut client = schema(url)?;
        let found = found(&mut client)?;
        let key = Key::for_database(key_dir, found)?;
        if found == Found::New {
            seal_all(&mut client, &key)?;
        }
        check_key(&mut client, &key)?;
        Ok(Postgres {
            url: url.to_owned(),
            client: Mutex::new(client),
            values: Values::Sealed(key.values()),
        })
    }

    /// `oscc-hub encrypt-database`: seals every event body and attachment an earlier hub kept
    /// in clear, with the at-rest key in `key_dir` (made there if there is none), in one
    /// transaction.
    pub fn encrypt(url: &str, key_dir: &Path) -> Result<(), StoreError> {
        let mut client = schema(url)?;
        if found(&mut client)? != Found::Clear {
            return Err(AtRestError::NothingToEncrypt.into());
        }
        let key = Key::for_database(key_dir, Found::New)?;
        seal_all(&mut client, &key)?;
        check_key(&mut client, &key)
    }

    /// The connection, made again first if the last one is gone (the database restarted, or
    /// dropped it): asked with an empty query before each transaction, a round trip that
    /// costs little beside the transaction it saves from failing.
    fn client(&self) -> Result<std::sync::MutexGuard<'_, Client>, StoreError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if client.is_closed() || client.is_valid(std::time::Duration::from_secs(5)).is_err() {
            *client = Client::connect(&self.url, NoTls).map_err(db)?;
        }
        Ok(client)
    }
}

/// A connection to `url`, with the tables made if they are missing.
fn schema(url: &str) -> Result<Client, StoreError> {
    let mut client = Client::connect(url, NoTls).map_err(db)?;
    client.batch_execute(SCHEMA).map_err(db)?;
    Ok(client)
}

/// What the database is: it keeps its key's check once it is sealed; an earlier hub kept
/// events and attachments in clear.
fn found(client: &mut Client) -> Result<Found, StoreError> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM at_rest), EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM blobs)",
            &[],
        )
        .map_err(db)?;
    Ok(match (row.get(0), row.get(1)) {
        (true, _) => Found::Encrypted,
        (false, true) => Found::Clear,
        (false, false) => Found::New,
    })
}

/// Whether the database's key check is `key`'s.
fn check_key(client: &mut Client, key: &Key) -> Result<(), StoreError> {
    let check: Vec<u8> = client
        .query_one("SELECT key_check FROM at_rest", &[])
        .map_err(db)?
        .get(0);
    Ok(key.verify(&check)?)
}

/// Seals every event body and attachment of a database not sealed yet (none on a new one),
/// and keeps the key's check, in one transaction, through the one path the hub stores them
/// by (`values`). Two hubs sealing a new database at once: the second one seals nothing, and
/// `check_key` then turns it away if its key is another.
fn seal_all(client: &mut Client, key: &Key) -> Result<(), StoreError> {
    let values = Values::Sealed(key.values());
    let mut tx = Tx(client.transaction().map_err(db)?);
    tx.0.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
        .map_err(db)?;
    // Another hub sealed it meanwhile (and may have stored events under its key since).
    if !tx.rows("SELECT 1 FROM at_rest", &[])?.is_empty() {
        return Ok(());
    }
    // An earlier hub's bodies were text.
    let text = tx.rows(
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
         AND table_name = 'events' AND column_name = 'body' AND data_type = 'text'",
        &[],
    )?;
    if !text.is_empty() {
        tx.0.batch_execute("ALTER TABLE events ALTER COLUMN body TYPE BYTEA USING convert_to(body, 'UTF8')")
            .map_err(db)?;
    }
    let mut after = 0;
    loop {
        let rows = tx.rows(
            "SELECT hub_seq, event_id, body FROM events WHERE hub_seq > ?1 ORDER BY hub_seq LIMIT ?2",
            &[after.into(), SEAL_BATCH.into()],
        )?;
        for row in &rows {
            let event_id = row[1].text();
            let Val::Bytes(clear) = &row[2] else {
                return Err(StoreError::Db(format!("event {event_id} has no body")));
            };
            let json = std::str::from_utf8(clear)
                .map_err(|_| StoreError::Db(format!("event {event_id}: its body is not text")))?;
            tx.exec(
                "UPDATE events SET body = ?1 WHERE hub_seq = ?2",
                &[values.body(&event_id, json)?, row[0].clone()],
            )?;
        }
        match rows.last() {
            Some(last) => after = last[0].int(),
            None => break,
        }
    }
    let mut after = String::new();
    loop {
        let rows = tx.rows(
            "SELECT sha256, data FROM blobs WHERE sha256 > ?1 ORDER BY sha256 LIMIT ?2",
            &[after.as_str().into(), SEAL_BATCH.into()],
        )?;
        for row in &rows {
            let sha256 = row[0].text();
            let Val::Bytes(clear) = &row[1] else {
                return Err(StoreError::Db(format!("attachment {sha256} has no bytes")));
            };
            tx.exec(
                "UPDATE blobs SET data = ?1 WHERE sha256 = ?2",
                &[values.blob(&sha256, clear)?, sha256.as_str().into()],
            )?;
        }
        match rows.last() {
            Some(last) => after = last[0].text(),
            None => break,
        }
    }
    tx.exec(
        "INSERT INTO at_rest (id, key_check) VALUES (1, ?1) ON CONFLICT DO NOTHING",
        &[Val::Bytes(key.check_value()?)],
    )?;
    tx.0.commit().map_err(db)
}

fn db(err: postgres::Error) -> StoreError {
    StoreError::Db(err.to_string())
}

/// `?1` → `$1`: the shared SQL is written in SQLite's placeholder style.
fn dialect(sql: &str) -> String {
    sql.replace('?', "$")
}

impl ToSql for Val {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Text(t) => t.as_str().to_sql(ty, out),
            Val::Int(i) => i.to_sql(ty, out),
            Val::Bytes(b) => b.as_slice().to_sql(ty, out),
            Val::Null => Ok(IsNull::Yes),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <&str as ToSql>::accepts(ty) || <i64 as ToSql>::accepts(ty) || <&[u8] as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

struct Tx<'a>(postgres::Transaction<'a>);

fn params(args: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

impl Sql for Tx<'_> {
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        self.0.execute(&dialect(sql), &params(args)).map_err(db)
    }

    fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>, StoreError> {
        let rows = self.0.query(&dialect(sql), &params(args)).map_err(db)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut values = Vec::with_capacity(row.len());
            for (i, column) in row.columns().iter().enumerate() {
                let value = match *column.type_() {
                    Type::INT8 => row.try_get::<_, Option<i64>>(i).map_err(db)?.map(Val::Int),
                    Type::INT4 => row
                        .try_get::<_, Option<i32>>(i)
                        .map_err(db)?
                        .map(|n| Val::Int(n.into())),
                    Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i).map_err(db)?.map(Val::Bytes),
                    _ => row.try_get::<_, Option<String>>(i).map_err(db)?.map(Val::Text),
                };
                values.push(value.unwrap_or(Val::Null));
            }
            out.push(values);
        }
        Ok(out)
    }

    fn insert_key(&mut self, sql: &str, args: &[Val], key: &str) -> Result<Option<i64>, StoreError> {
        let rows = self.rows(&format!("{sql} RETURNING {key}"), args)?;
        Ok(rows.first().map(|r| r[0].int()))
    }
}

impl Backend for Postgres {
    fn values(&self) -> &Values {
        &self.values
    }

    fn transaction<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(db)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])
            .map_err(db)?;
        let mut tx = Tx(tx);
        let value = work(&mut tx)?;
        tx.0.commit().map_err(db)?;
        Ok(value)
    }
}
