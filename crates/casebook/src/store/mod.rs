//! The SQLCipher connection: keying, pragmas, migrations, and the column catalog that the
//! generic row writer and reader use.

pub mod checkpoint;
pub mod device;
pub mod files;
pub mod keys;
pub mod layout;
pub mod reference;
pub mod rows;
pub mod search_index;

use crate::error::{Error, Result};
use crate::store::keys::MasterKey;
use rusqlite::Connection;
use std::collections::HashMap;
use std::path::Path;

pub const DB_FILE: &str = "casebook.db";

/// Numbered migrations, embedded. Released ones are never edited; new ones only add.
pub(crate) const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("../../migrations/0001_init.sql")),
    (2, include_str!("../../migrations/0002_purged.sql")),
    (3, include_str!("../../migrations/0003_search_queue.sql")),
    (4, include_str!("../../migrations/0004_compact_clocks.sql")),
    (5, include_str!("../../migrations/0005_timeline_attachments_index.sql")),
    (6, include_str!("../../migrations/0006_search_merge.sql")),
    (7, include_str!("../../migrations/0007_search_hash.sql")),
    (8, include_str!("../../migrations/0008_sync_refused.sql")),
    (9, include_str!("../../migrations/0009_quarantine_reason.sql")),
    (10, include_str!("../../migrations/0010_lookups_per_unit.sql")),
    (11, include_str!("../../migrations/0011_unit_numbers.sql")),
    (12, include_str!("../../migrations/0012_daily_case_work.sql")),
    (13, include_str!("../../migrations/0013_people_consent_outcomes.sql")),
    (14, include_str!("../../migrations/0014_unit_audit.sql")),
    (15, include_str!("../../migrations/0015_erasure.sql")),
    (16, include_str!("../../migrations/0016_agency_addressee.sql")),
    (17, include_str!("../../migrations/0017_signers.sql")),
    (18, include_str!("../../migrations/0018_letters_received.sql")),
    (19, include_str!("../../migrations/0019_letter_templates.sql")),
];

pub fn schema_version() -> u32 {
    MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0)
}

/// WAL pages after which a commit copies the WAL back into the database itself. With the
/// default 1,000, one interactive write in ~25 paid for that (measured as the p95 of creating
/// a case); at 4,000 it is rarer, and `Casebook::maintain` checkpoints while the user is idle.
pub(crate) const AUTOCHECKPOINT: i64 = 4000;

/// Deleted values are zeroed where that costs no extra write; SQLCipher's default (ON) also
/// rewrites every freed page, which was a tenth of what a first sync wrote (search index
/// segments merged away, the search queue emptied): copies of values the book still holds.
/// A purge turns it ON for its own write, so what it removes leaves no page behind.
pub(crate) const SECURE_DELETE: &str = "FAST";

/// Opens (creating if absent) the encrypted database in `dir` and brings its schema up to date.
pub fn open(dir: &Path, key: &MasterKey) -> Result<Connection> {
    open_keyed(dir, Some(key))
}

/// `None` opens plain SQLite: only the benchmark's encryption-cost baseline does that.
pub(crate) fn open_keyed(dir: &Path, key: Option<&MasterKey>) -> Result<Connection> {
    let conn = connect(dir, key)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Decrypted pages stay in this cache, so a page read again costs no decryption. 128 MiB
    // holds the pages a day's searches and cases touch in a 100,000-case book (reads then
    // measured at plain SQLite's speed; 32 MiB: search 1.4x, opening a case 2.5x), and all of
    // a typical unit's book. It fills only as pages are read. Temporary tables stay in memory.
    conn.pragma_update(None, "cache_size", -131_072)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "secure_delete", SECURE_DELETE)?;
    conn.pragma_update(None, "wal_autocheckpoint", AUTOCHECKPOINT)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Generic row writes make one statement per column set; the default 16 would thrash.
    conn.set_prepared_statement_cache_capacity(256);
    // Plans that do not depend on the values bound: SQLite otherwise prepares a cached
    // statement again whenever a parameter it looked at while planning (a `LIMIT ?`, a small
    // integer compared) changes value, which is nearly every call of a hot statement.
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    migrate(&conn)?;
    Ok(conn)
}

/// A connection to the book's file, keyed and checked, without the session settings or
/// migrations: what a second connection (the checkpointer's) needs.
pub(crate) fn connect(dir: &Path, key: Option<&MasterKey>) -> Result<Connection> {
    let conn = Connection::open(dir.join(DB_FILE))?;
    // SQLCipher logs a wrong key to stderr; the error below says it instead.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    if let Some(key) = key {
        conn.execute_batch(&zeroize::Zeroizing::new(format!(
            "PRAGMA key = {};",
            key.sql_literal().as_str()
        )))?;
        // Page MACs with HMAC-SHA256 instead of the default SHA512: same integrity guarantee
        // against tampering, markedly cheaper per page on writes. Must match at every open.
        conn.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256;")?;
        // cipher_memory_security stays OFF (SQLCipher's default): it mlock()s and wipes every
        // allocation of the whole process, which measured here as 60% of all time spent and
        // tripled write latency. Our own key material is zeroized (keys.rs), and the key
        // SQLCipher holds is wiped when the connection closes.
    }
    // A wrong key fails on the first read, not at PRAGMA key.
    if let Err(e) = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        return Err(match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => Error::Corrupt("the key does not open this database".into()),
            _ => e.into(),
        });
    }
    Ok(conn)
}

pub(crate) fn migrate(conn: &Connection) -> Result<()> {
    let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let pending: Vec<_> = MIGRATIONS.iter().filter(|(v, _)| *v > current).collect();
    if pending.is_empty() {
        return Ok(());
    }
    // All pending migrations in one transaction: a crash leaves the old schema or the new one.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let applied = (|| -> Result<()> {
        for (version, sql) in &pending {
            conn.execute_batch(sql)?;
            conn.pragma_update(None, "user_version", version)?;
        }
        Ok(())
    })();
    match applied {
        Ok(()) => conn.execute_batch("COMMIT").map_err(Into::into),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// How a column's value is kept: the declared type in the schema decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Boolean,
    Json,
}

/// Table → column → kind, and the columns a record cannot be without (NOT NULL, no default),
/// read from the schema once at open.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    kinds: HashMap<String, Vec<(String, ColumnKind)>>,
    required: HashMap<String, Vec<String>>,
}

impl Catalog {
    pub fn read(conn: &Connection, tables: &[&str]) -> Result<Catalog> {
        let mut map = HashMap::new();
        let mut required = HashMap::new();
        for table in tables {
            let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
            let cols = stmt
                .query_map([], |row| {
                    let name: String = row.get(1)?;
                    let decl: String = row.get(2)?;
                    let kind = match decl.to_ascii_uppercase().as_str() {
                        "INTEGER" => ColumnKind::Integer,
                        "BOOLEAN" => ColumnKind::Boolean,
                        "JSON" => ColumnKind::Json,
                        _ => ColumnKind::Text,
                    };
                    // NOT NULL with no default.
                    let needed = row.get::<_, bool>(3)? && row.get::<_, Option<String>>(4)?.is_none();
                    Ok((name, kind, needed))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let needed = cols
                .iter()
                .filter(|(name, _, needed)| *needed && name != "id")
                .map(|(name, _, _)| name.clone())
                .collect();
            map.insert(
                (*table).to_owned(),
                cols.into_iter().map(|(name, kind, _)| (name, kind)).collect(),
            );
            required.insert((*table).to_owned(), needed);
        }
        Ok(Catalog { kinds: map, required })
    }

    pub fn columns(&self, table: &str) -> &[(String, ColumnKind)] {
        self.kinds.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The columns a record of `table` cannot be without: its first event sets each, and no
    /// event empties one.
    pub fn required(&self, table: &str) -> &[String] {
        self.required.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn kind(&self, table: &str, column: &str) -> Option<ColumnKind> {
        self.columns(table)
            .iter()
            .find(|(name, _)| name == column)
            .map(|(_, kind)| *kind)
    }
}
