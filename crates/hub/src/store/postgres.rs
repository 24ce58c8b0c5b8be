//! The hub on PostgreSQL (`--database postgres://…`): for a province that runs the hub on a
//! server with its database, or several hub processes on one database.

use super::sql::{Backend, Sql, StoreError, Val};
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls};
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
  record_id TEXT NOT NULL, case_id TEXT, body TEXT NOT NULL, received_at TEXT NOT NULL,
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
";

/// Held for the length of every transaction, by every hub process on the database: deliveries
/// then commit in the order they are numbered.
const WRITE_LOCK: i64 = 0x05CC_0001;

pub struct Postgres {
    /// Kept to connect again when the database went away (a restart, a dropped connection).
    url: String,
    client: Mutex<Client>,
}

impl Postgres {
    /// Connects (`postgres://user@host/db`) and creates the tables if they are missing.
    pub fn connect(url: &str) -> Result<Postgres, StoreError> {
        let mut client = Client::connect(url, NoTls).map_err(db)?;
        client.batch_execute(SCHEMA).map_err(db)?;
        Ok(Postgres {
            url: url.to_owned(),
            client: Mutex::new(client),
        })
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
