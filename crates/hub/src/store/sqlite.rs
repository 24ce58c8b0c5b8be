//! The hub on SQLite: one file, one writer at a time (a province is a few thousand cases a year),
//! encrypted whole with the at-rest key (SQLCipher; `at_rest`).

use super::backend::Backend;
use super::sql::{Sql, StoreError, Val};
use super::values::Values;
use casebook::store::checkpoint::Checkpointer;
use oscc_hub::at_rest::{AtRestError, Found, Key, sqlite_found};
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Connection, ToSql};
use std::path::Path;
use std::sync::Mutex;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS units (code TEXT PRIMARY KEY, coordinator INTEGER NOT NULL DEFAULT 0);
-- One-time enrollment codes, by their keyed hash (code_key.rs), each until it expires.
CREATE TABLE IF NOT EXISTS enrollment_codes (code_hash TEXT PRIMARY KEY, unit_code TEXT NOT NULL,
  expires_at TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);
-- Wrong codes tried, by network address and when: enrollment from an address pauses after too
-- many in an hour (`enrollment_failures` counted them for all addresses together).
DROP TABLE IF EXISTS enrollment_failures;
CREATE TABLE IF NOT EXISTS wrong_codes (address TEXT NOT NULL, tried_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS wrong_codes_address ON wrong_codes(address, tried_at);
CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE, public_key TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1,
  acked_seq INTEGER NOT NULL DEFAULT 0, enrolled_at TEXT NOT NULL, last_seen TEXT);
CREATE TABLE IF NOT EXISTS events (hub_seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
  device_id TEXT NOT NULL, device_seq INTEGER NOT NULL, unit_code TEXT NOT NULL, record_id TEXT NOT NULL,
  case_id TEXT, body TEXT NOT NULL, received_at TEXT NOT NULL, UNIQUE (device_id, device_seq));
CREATE INDEX IF NOT EXISTS events_case ON events(case_id);
CREATE INDEX IF NOT EXISTS events_record ON events(record_id);
CREATE TABLE IF NOT EXISTS grants (case_id TEXT NOT NULL, unit_code TEXT NOT NULL, granted_at TEXT NOT NULL,
  PRIMARY KEY (case_id, unit_code));
CREATE TABLE IF NOT EXISTS links (case_id TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (case_id, record_id));
CREATE INDEX IF NOT EXISTS links_record ON links(record_id);
CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, unit_code TEXT NOT NULL,
  hub_seq INTEGER NOT NULL, UNIQUE (unit_code, hub_seq));
CREATE INDEX IF NOT EXISTS deliveries_unit ON deliveries(unit_code, seq);
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, mime TEXT NOT NULL, data BLOB NOT NULL,
  unit_code TEXT NOT NULL, received_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (record_id TEXT PRIMARY KEY, entity TEXT NOT NULL, unit_code TEXT NOT NULL,
  case_id TEXT);
CREATE TABLE IF NOT EXISTS refused (device_id TEXT NOT NULL, device_seq INTEGER NOT NULL, event_id TEXT NOT NULL,
  reason TEXT NOT NULL, detail TEXT NOT NULL,  received_at TEXT NOT NULL, PRIMARY KEY (device_id, device_seq));
-- The unit that holds each case now (the last transfer's), and the partner units it was referred
-- to: who besides its creator may write to it.
CREATE TABLE IF NOT EXISTS holders (case_id TEXT PRIMARY KEY, unit_code TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS partners (case_id TEXT NOT NULL, unit_code TEXT NOT NULL, PRIMARY KEY (case_id, unit_code));
-- The province's public key (one row): laptops pin it at enrollment.
CREATE TABLE IF NOT EXISTS province (id INTEGER PRIMARY KEY CHECK (id = 1), public_key TEXT NOT NULL);
-- A device the province approved: its key's signature by the province key.
CREATE TABLE IF NOT EXISTS attestations (device_id TEXT PRIMARY KEY, signature TEXT NOT NULL, approved_at TEXT NOT NULL);
-- A device the province revoked: the last of its events that stands, and the province key's signature.
CREATE TABLE IF NOT EXISTS revocations (device_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, signature TEXT NOT NULL);
-- Blocks of case and letter numbers allotted to a unit's devices, per kind and Buddhist year
-- (`numbers`) with how many of each a record carries, and each number a record of the unit
-- carries: no number is given twice.
CREATE TABLE IF NOT EXISTS allotments (unit_code TEXT NOT NULL, kind TEXT NOT NULL, be_year INTEGER NOT NULL,
  device_id TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0,
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
CREATE TABLE IF NOT EXISTS audit (hub_seq INTEGER PRIMARY KEY AUTOINCREMENT, device_id TEXT NOT NULL,
  seq INTEGER NOT NULL, unit_code TEXT NOT NULL, at TEXT NOT NULL, user_id TEXT, action TEXT NOT NULL,
  entity TEXT, entity_id TEXT, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, signature TEXT NOT NULL,
  UNIQUE (device_id, seq));
CREATE INDEX IF NOT EXISTS audit_unit ON audit(unit_code, hub_seq);
CREATE TABLE IF NOT EXISTS audit_heads (device_id TEXT PRIMARY KEY, count INTEGER NOT NULL, hash TEXT NOT NULL,
  signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_breaks (device_id TEXT NOT NULL, problem TEXT NOT NULL, noticed_at TEXT NOT NULL,
  PRIMARY KEY (device_id, problem));
";

pub struct Sqlite {
    /// Declared first: closes before the writer, which then removes the WAL as the last one out.
    checkpointer: Checkpointer,
    /// Reads on a connection of their own, beside the writer (WAL mode allows it).
    reader: Mutex<Connection>,
    conn: Mutex<Connection>,
    /// As they are: the file is encrypted.
    values: Values,
}

impl Sqlite {
    /// The hub's file at `path`, encrypted with the at-rest key in `key_dir` (made there for a
    /// new file only).
    pub fn open(path: &Path, key_dir: &Path) -> Result<Sqlite, StoreError> {
        let key = Key::for_database(key_dir, sqlite_found(path)?)?;
        let conn = connect(path, &key)?;
        // A push of 2,000 events writes more pages than SQLite's defaults hold: a 2 MiB cache
        // spilled in mid-transaction and read pages back, and the 1,000-page automatic
        // checkpoint ran in nearly every push (measured together: 11 % of the hub's processor
        // time in a push). The checkpoint thread below copies the WAL back instead; the
        // writer's own checkpoint stays as a far backstop.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 16000;",
        )
        .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        // Pushes come one after another: the WAL is copied back on a thread of its own
        // meanwhile (measured: 13 % of the storing thread's time).
        let checkpointer = Checkpointer::start(keyed(path, &key)?)
            .map_err(|e| StoreError::Db(format!("no checkpoint thread: {e}")))?;
        Ok(Sqlite {
            checkpointer,
            reader: Mutex::new(connect(path, &key)?),
            conn: Mutex::new(conn),
            values: Values::AsTheyAre,
        })
    }

    /// `oscc-hub encrypt-database`: the file at `path`, which an earlier hub wrote in clear, is
    /// copied into a new file encrypted with the at-rest key in `key_dir` (made there if there
    /// is none), which then takes its place. The hub must be stopped: the clear file is
    /// taken out of WAL mode first, which fails while another connection has it open.
    pub fn encrypt(path: &Path, key_dir: &Path) -> Result<(), StoreError> {
        if sqlite_found(path)? != Found::Clear {
            return Err(AtRestError::NothingToEncrypt.into());
        }
        let key = Key::for_database(key_dir, Found::New)?;
        // Its WAL folded in and gone: a clear WAL left beside the encrypted file would be
        // read as part of it.
        Connection::open(path)
            .and_then(|clear| clear.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0)))
            .map_err(|e| StoreError::Db(format!("{e} (is the hub still running?)")))?;
        let mut encrypting = path.as_os_str().to_owned();
        encrypting.push(".encrypting");
        let encrypting = std::path::PathBuf::from(encrypting);
        let io = |e: std::io::Error| StoreError::Db(format!("{}: {e}", encrypting.display()));
        // Left by an encryption that was stopped part-way.
        if let Err(e) = std::fs::remove_file(&encrypting)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(io(e));
        }
        {
            let target = Connection::open(&encrypting).map_err(db)?;
            key.unlock(&target)?;
            target
                .execute("ATTACH DATABASE ?1 AS clear KEY ''", [path.to_string_lossy()])
                .map_err(db)?;
            target
                .query_row("SELECT sqlcipher_export('main', 'clear')", [], |_| Ok(()))
                .map_err(db)?;
            target.execute_batch("DETACH DATABASE clear").map_err(db)?;
        }
        std::fs::File::open(&encrypting)
            .and_then(|f| f.sync_all())
            .map_err(io)?;
        std::fs::rename(&encrypting, path).map_err(io)?;
        // The rename itself on disk before anything is written to the new file.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        Ok(())
    }
}

/// A connection to the hub's file, keyed and checked.
fn keyed(path: &Path, key: &Key) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(db)?;
    key.unlock(&conn)?;
    Ok(conn)
}

fn connect(path: &Path, key: &Key) -> Result<Connection, StoreError> {
    let conn = keyed(path, key)?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(db)?;
    // Plans that do not depend on the values bound: otherwise SQLite prepares a cached
    // statement again whenever a bound value it planned with changes (measured: 8 % of a
    // push in the parser).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(db)?;
    Ok(conn)
}

fn db(err: rusqlite::Error) -> StoreError {
    StoreError::Db(err.to_string())
}

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Val::Int(i) => ToSqlOutput::Owned(Value::Integer(*i)),
            Val::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Val::Null => ToSqlOutput::Owned(Value::Null),
        })
    }
}

struct Tx<'a>(rusqlite::Transaction<'a>);

impl Sql for Tx<'_> {
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(db)?;
        Ok(stmt.execute(rusqlite::params_from_iter(args)).map_err(db)? as u64)
    }

    fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(db)?;
        let width = stmt.column_count();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                (0..width)
                    .map(|i| {
                        Ok(match r.get_ref(i)? {
                            ValueRef::Integer(n) => Val::Int(n),
                            ValueRef::Text(t) => Val::Text(String::from_utf8_lossy(t).into_owned()),
                            ValueRef::Blob(b) => Val::Bytes(b.to_vec()),
                            _ => Val::Null,
                        })
                    })
                    .collect()
            })
            .map_err(db)?;
        rows.collect::<Result<_, _>>().map_err(db)
    }

    // `key` is the table's rowid, read after the insert. Not with `RETURNING`: SQLite runs
    // that as a trigger, and a statement with one keeps a journal of its own of every page it
    // changes (measured: 6 % of the hub's processor time in a push).
    fn insert_key(&mut self, sql: &str, args: &[Val], _key: &str) -> Result<Option<i64>, StoreError> {
        Ok((self.exec(sql, args)? == 1).then(|| self.0.last_insert_rowid()))
    }
}

impl Backend for Sqlite {
    fn values(&self) -> &Values {
        &self.values
    }

    fn transaction<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll back).
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db)?;
        let mut tx = Tx(tx);
        let value = work(&mut tx)?;
        tx.0.commit().map_err(db)?;
        self.checkpointer.nudge();
        Ok(value)
    }

    fn read<T>(&self, work: impl FnOnce(&mut dyn Sql) -> Result<T, StoreError>) -> Result<T, StoreError> {
        let mut conn = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = Tx(conn.transaction().map_err(db)?);
        let value = work(&mut tx)?;
        // Nothing was written: ending the snapshot is all the commit does.
        tx.0.commit().map_err(db)?;
        Ok(value)
    }
}
