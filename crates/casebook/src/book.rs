//! The case book: one encrypted database and its key file in a folder. Creating, unlocking
//! (by passphrase on this device, or by the recovery code anywhere), users, and the one write
//! path every mutation takes: row + audit entry + event, in one transaction.

use crate::audit;
use crate::checkpoint::Checkpointer;
use crate::device;
use crate::entity::Entity;
use crate::error::{Error, Invalid, Result, Rule};
use crate::events::{self, Event, Op};
use crate::hlc::Clock;
use crate::keys::{KdfParams, KeyFile, MasterKey, RecoveryCode, SlotOwner};
use crate::permissions::{Permission, Role, Session};
use crate::rows::{self, Fields};
use crate::store::{self, Catalog};
use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

pub const MIN_PASSPHRASE_CHARS: usize = 10;

pub struct Casebook {
    /// Started by the first sync that takes events in. Declared first so that it closes
    /// before the main connection, which then removes the WAL as the last one out.
    pub(crate) checkpointer: Option<Checkpointer>,
    pub(crate) conn: Connection,
    pub(crate) catalog: Catalog,
    dir: PathBuf,
    pub(crate) clock: Clock,
    device_id: String,
    unit_code: String,
    pub(crate) book_id: String,
    kdf: KdfParams,
    /// Kept while unlocked to wrap new key slots; zeroized when the book is dropped (locked).
    pub(crate) key: MasterKey,
}

/// What the first run asks for.
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewBook {
    pub unit_code: String,
    pub unit_name: String,
    pub org_type: OrgType,
    pub province_code: Option<String>,
    /// For the letterhead of letters.
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Thai digits (๐–๙) in letters, or Arabic.
    #[serde(default = "yes")]
    pub thai_digits: bool,
    pub admin_username: String,
    pub admin_display_name: String,
    pub admin_passphrase: String,
}

/// The kind of unit: hospital units see the clinical deadline rail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrgType {
    #[default]
    HospitalOscc,
    Shelter,
    ProvincialSocialDevelopment,
    Other,
}

/// The unit as letters and screens show it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UnitInfo {
    pub code: String,
    pub name: String,
    pub org_type: OrgType,
    pub province_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    /// Thai digits (๐–๙) in letters, or Arabic: the unit's choice.
    #[serde(default = "yes")]
    pub thai_digits: bool,
    /// The letters' emblem, an attachment.
    #[serde(default)]
    pub emblem_sha256: Option<String>,
}

/// A user as the administrator sees them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
}

fn yes() -> bool {
    true
}

pub fn now_iso() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) fn validate_unit_code(field: &str, code: &str) -> Result<(), Invalid> {
    let ok = (2..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(field, Rule::UnitCodeFormat))
    }
}

fn validate_passphrase(field: &str, passphrase: &str) -> Result<(), Invalid> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        Err(Invalid::new(field, Rule::PassphraseTooShort))
    } else {
        Ok(())
    }
}

fn required(field: &str, value: &str) -> Result<(), Invalid> {
    if value.trim().is_empty() {
        Err(Invalid::new(field, Rule::Required))
    } else {
        Ok(())
    }
}

impl Casebook {
    pub fn exists(dir: &Path) -> bool {
        dir.join(crate::keys::KEY_FILE).exists()
    }

    /// First run: a new case book with its administrator. The recovery code is returned once
    /// and never stored in clear; print it on the recovery sheet.
    pub fn create(dir: &Path, new: &NewBook, kdf: KdfParams) -> Result<(Casebook, Session, RecoveryCode)> {
        validate_unit_code("unit.code", &new.unit_code)?;
        required("unit.name", &new.unit_name)?;
        required("user.username", &new.admin_username)?;
        required("user.display_name", &new.admin_display_name)?;
        validate_passphrase("user.passphrase", &new.admin_passphrase)?;
        if Casebook::exists(dir) {
            return Err(Error::AlreadyExists);
        }
        std::fs::create_dir_all(dir)?;
        // A database without its key file is unreadable leftovers of an interrupted first run.
        for leftover in [store::DB_FILE, "casebook.db-wal", "casebook.db-shm"] {
            let path = dir.join(leftover);
            if path.exists() {
                std::fs::remove_file(path)?;
            }
        }
        let book_id = new_id();
        let device_id = new_id();
        let admin_id = new_id();
        let key = MasterKey::random()?;
        let recovery = RecoveryCode::random()?;
        let secret = device::create_secret(&book_id)?;
        let mut keys = KeyFile::new(&book_id);
        let admin_owner = SlotOwner::User {
            user_id: admin_id.clone(),
            username: new.admin_username.clone(),
        };
        keys.put_slot(admin_owner, new.admin_passphrase.as_bytes(), Some(&secret), kdf, &key)?;
        keys.put_slot(SlotOwner::Recovery, recovery.as_bytes(), None, kdf, &key)?;

        let conn = store::open(dir, &key)?;
        for (k, v) in [
            ("book_id", &book_id),
            ("device_id", &device_id),
            ("unit_code", &new.unit_code),
            ("unit_name", &new.unit_name),
        ] {
            conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", [k, v.as_str()])?;
        }
        let unit = UnitInfo {
            code: new.unit_code.clone(),
            name: new.unit_name.trim().to_owned(),
            org_type: new.org_type,
            province_code: new.province_code.clone().filter(|p| !p.is_empty()),
            address: new.address.clone().filter(|a| !a.trim().is_empty()),
            phone: new.phone.clone().filter(|p| !p.trim().is_empty()),
            thai_digits: new.thai_digits,
            emblem_sha256: None,
        };
        let unit_json = serde_json::to_string(&unit).map_err(|e| Error::Corrupt(e.to_string()))?;
        conn.execute("INSERT INTO meta (key, value) VALUES ('unit', ?1)", [unit_json])?;
        let mut book = Casebook::from_connection(dir, conn, kdf, key)?;
        let session = Session {
            user_id: admin_id.clone(),
            username: new.admin_username.clone(),
            role: Role::Administrator,
        };
        let fields = user_fields(&new.admin_username, &new.admin_display_name, Role::Administrator);
        book.write(&session, Entity::User, &admin_id, fields, "user.create", None)?;
        keys.save(dir)?;
        Ok((book, session, recovery))
    }

    /// A case book in plain, unencrypted SQLite with a ready social-worker session, for the
    /// benchmark that measures what encryption costs (the plain book of an earlier run, if
    /// there is one). Never used by the app.
    #[cfg(feature = "unencrypted-benchmark")]
    pub fn create_unencrypted_for_benchmark(dir: &Path) -> Result<(Casebook, Session)> {
        std::fs::create_dir_all(dir)?;
        let conn = store::open_keyed(dir, None)?;
        for (k, v) in [
            ("book_id", new_id()),
            ("device_id", new_id()),
            ("unit_code", "BEN".into()),
        ] {
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                [k, v.as_str()],
            )?;
        }
        let mut book = Casebook::from_connection(dir, conn, KdfParams::fast(), MasterKey::random()?)?;
        if let Ok(session) = book.session_of("bench") {
            return Ok((book, session));
        }
        let session = Session {
            user_id: new_id(),
            username: "bench".into(),
            role: Role::SocialWorker,
        };
        let fields = user_fields("bench", "bench", Role::SocialWorker);
        book.write(
            &session,
            Entity::User,
            &session.user_id.clone(),
            fields,
            "user.create",
            None,
        )?;
        Ok((book, session))
    }

    /// Signs a user in on this device.
    pub fn unlock(dir: &Path, username: &str, passphrase: &str) -> Result<(Casebook, Session)> {
        let mut keys = KeyFile::load(dir)?;
        let user_id = keys.user_id(username).ok_or(Error::UnknownUser)?;
        let secret = device::load_secret(&keys.book_id)?;
        let owner = SlotOwner::User {
            user_id,
            username: username.to_owned(),
        };
        let opened = keys.open_slot(&owner, passphrase.as_bytes(), Some(&secret), Utc::now().timestamp());
        keys.save(dir)?;
        let key = opened?;
        let kdf = KdfParams::default();
        let conn = store::open(dir, &key)?;
        let mut book = Casebook::from_connection(dir, conn, kdf, key)?;
        let session = book.session_of(username)?;
        book.audit(&session, "login", None, None, None)?;
        Ok((book, session))
    }

    /// Opens the book with the recovery code, on this machine or a new one. This device gets a
    /// new device secret and a new device id (a restored laptop is a new device to the hub);
    /// users then get new passphrases from the administrator (`reset_passphrase`).
    pub fn unlock_with_recovery(dir: &Path, code: &str) -> Result<(Casebook, Session)> {
        let mut keys = KeyFile::load(dir)?;
        let typed = RecoveryCode::normalize(code);
        let opened = keys.open_slot(&SlotOwner::Recovery, typed.as_bytes(), None, Utc::now().timestamp());
        keys.save(dir)?;
        let key = opened?;
        device::create_secret(&keys.book_id)?;
        let conn = store::open(dir, &key)?;
        conn.execute("UPDATE meta SET value = ?1 WHERE key = 'device_id'", [new_id()])?;
        let mut book = Casebook::from_connection(dir, conn, KdfParams::default(), key)?;
        let session = Session {
            user_id: "recovery".into(),
            username: "recovery".into(),
            role: Role::Administrator,
        };
        book.audit(&session, "login.recovery", None, None, None)?;
        Ok((book, session))
    }

    fn from_connection(dir: &Path, conn: Connection, kdf: KdfParams, key: MasterKey) -> Result<Casebook> {
        let meta = |key: &str| -> Result<String> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::Corrupt(format!("meta {key} missing")))
        };
        let device_id = meta("device_id")?;
        let unit_code = meta("unit_code")?;
        let book_id = meta("book_id")?;
        crate::areas::load_if_empty(&conn)?;
        let catalog = Catalog::read(&conn, &Entity::tables())?;
        let clock = Clock::new(&device_id, events::last_hlc(&conn)?);
        Ok(Casebook {
            conn,
            catalog,
            dir: dir.to_owned(),
            clock,
            device_id,
            unit_code,
            book_id,
            kdf,
            key,
            checkpointer: None,
        })
    }

    /// Uses a cheaper key derivation for slots written from now on (tests, benchmarks).
    pub fn set_kdf(&mut self, kdf: KdfParams) {
        self.kdf = kdf;
    }

    /// The unit's details, as entered at the first run.
    pub fn unit(&self) -> Result<UnitInfo> {
        let text: String = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'unit'", [], |r| r.get(0))?;
        serde_json::from_str(&text).map_err(|e| Error::Corrupt(e.to_string()))
    }

    pub fn unit_code(&self) -> &str {
        &self.unit_code
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn session_of(&self, username: &str) -> Result<Session> {
        let row = rows::select(
            &self.conn,
            &self.catalog,
            "users",
            "WHERE username = ?1 AND active = 1",
            &[&username],
        )?
        .into_iter()
        .next()
        .ok_or(Error::UnknownUser)?;
        let role = row
            .get("role")
            .and_then(Value::as_str)
            .and_then(Role::from_name)
            .ok_or_else(|| Error::Corrupt("user role".into()))?;
        let user_id = row.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        Ok(Session {
            user_id,
            username: username.to_owned(),
            role,
        })
    }

    /// The one write path: applies the change through an event, appends the event to this
    /// device's log and the audit chain, all in one transaction.
    pub(crate) fn write(
        &mut self,
        session: &Session,
        entity: Entity,
        id: &str,
        mut fields: Fields,
        action: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        let now = now_iso();
        // A savepoint is its own transaction, or nests inside `batch` (which flushes the
        // search queue once at its end; a single write only when the queue is full).
        let outermost = self.conn.is_autocommit();
        let tx = self.conn.savepoint()?;
        let exists = tx
            .prepare_cached(&format!("SELECT 1 FROM {} WHERE id = ?1", entity.table()))?
            .exists([id])?;
        if !exists {
            fields.insert("unit_code".into(), json!(self.unit_code));
            fields.insert("created_at".into(), json!(now));
        }
        fields.insert("updated_at".into(), json!(now));
        let bases = events::bases(&tx, entity, id, &fields)?;
        let hlc = self.clock.tick(Utc::now().timestamp_millis().max(0) as u64);
        let event = Event {
            event_id: new_id(),
            device_id: self.device_id.clone(),
            device_seq: events::next_seq(&tx, &self.device_id)?,
            hlc: hlc.to_string(),
            user_id: Some(session.user_id.clone()),
            schema_version: store::schema_version(),
            entity,
            entity_id: id.to_owned(),
            op: Op::Upsert,
            fields,
            bases,
        };
        events::apply(&tx, &self.catalog, &event)?;
        events::append(&tx, &event)?;
        // Whoever writes a field has seen both values of any open conflict on it: settled.
        crate::sync::settle_conflicts(&tx, entity, id, event.fields.keys())?;
        audit::append(
            &tx,
            &now,
            Some(&session.user_id),
            action,
            Some(entity.name()),
            Some(id),
            detail,
        )?;
        if outermost {
            crate::search::flush_when_full(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs many writes in one transaction (bulk import, synthetic data): all or nothing.
    /// Inside another batch it simply joins that one.
    pub fn batch<T>(&mut self, work: impl FnOnce(&mut Casebook) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return work(self);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let done =
            work(self).and_then(|value| crate::search::flush(&self.conn, crate::search::CATCH_UP_ROWS).map(|_| value));
        match done {
            Ok(value) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Records a view, export, print or login: audited, not an event.
    pub(crate) fn audit(
        &mut self,
        session: &Session,
        action: &str,
        entity: Option<Entity>,
        id: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        let tx = self.conn.savepoint()?;
        audit::append(
            &tx,
            &now_iso(),
            Some(&session.user_id),
            action,
            entity.map(Entity::name),
            id,
            detail,
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn verify_audit(&self) -> Result<Result<i64, audit::AuditBreak>> {
        audit::verify(&self.conn)
    }

    pub fn audit_trail(
        &self,
        session: &Session,
        entity_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<audit::AuditEntry>> {
        session
            .require(Permission::Supervise)
            .or_else(|_| session.require(Permission::ManageUsers))?;
        audit::recent(&self.conn, entity_id, limit)
    }

    pub fn events(&self) -> Result<Vec<Event>> {
        events::read_all(&self.conn)
    }

    /// A digest of all state tables (equal digests, equal case books).
    pub fn state_hash(&self) -> Result<String> {
        events::state_hash(&self.conn, &self.catalog)
    }

    /// Housekeeping for idle moments: moves queued search rows into the index, copies the WAL
    /// back into the database and merges index segments, so none lands on an interactive write.
    pub fn maintain(&self) -> Result<()> {
        self.catch_up_search()?;
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        self.conn
            .execute("INSERT INTO search_index (search_index, rank) VALUES ('merge', 64)", [])?;
        Ok(())
    }

    /// One step of moving queued search rows into the index, in its own transaction: true
    /// when rows may remain. A sync leaves what it took in queued (searchable, by a slower scan);
    /// calling this until it says false, between other work, indexes it.
    pub fn catch_up_search(&self) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let more = crate::search::flush(&tx, crate::search::CATCH_UP_ROWS)?;
        tx.commit()?;
        Ok(more)
    }

    /// SQLite's own consistency check of the whole file.
    pub fn integrity_ok(&self) -> Result<bool> {
        let result: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(result == "ok")
    }

    /// Throws the state tables away and replays the event log into them.
    pub fn rebuild_from_log(&mut self) -> Result<()> {
        events::rebuild(&mut self.conn, &self.catalog)
    }

    // ----- users -----

    pub fn add_user(
        &mut self,
        admin: &Session,
        username: &str,
        display_name: &str,
        role: Role,
        passphrase: &str,
    ) -> Result<String> {
        admin.require(Permission::ManageUsers)?;
        required("user.username", username)?;
        required("user.display_name", display_name)?;
        validate_passphrase("user.passphrase", passphrase)?;
        let mut keys = KeyFile::load(&self.dir)?;
        if keys.user_id(username).is_some() {
            return Err(Error::AlreadyExists);
        }
        let secret = device::load_secret(&self.book_id)?;
        let user_id = new_id();
        keys.put_slot(
            SlotOwner::User {
                user_id: user_id.clone(),
                username: username.into(),
            },
            passphrase.as_bytes(),
            Some(&secret),
            self.kdf,
            &self.key,
        )?;
        self.write(
            admin,
            Entity::User,
            &user_id,
            user_fields(username, display_name, role),
            "user.create",
            None,
        )?;
        keys.save(&self.dir)?;
        Ok(user_id)
    }

    /// User id → full name, for registers and minutes (names of staff, not of clients).
    pub fn user_names(&self, session: &Session) -> Result<std::collections::HashMap<String, String>> {
        session
            .require(Permission::ViewCases)
            .or_else(|_| session.require(Permission::ManageUsers))?;
        let mut stmt = self.conn.prepare_cached("SELECT id, display_name FROM users")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The signed-in user's full name, for signatures.
    pub fn users_display_name(&self, session: &Session) -> Result<String> {
        let row = rows::get(&self.conn, &self.catalog, "users", &session.user_id)?.ok_or(Error::UnknownUser)?;
        Ok(row
            .get("display_name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    /// The book's users, for the administrator's screen.
    pub fn users(&self, admin: &Session) -> Result<Vec<UserSummary>> {
        admin.require(Permission::ManageUsers)?;
        rows::select(&self.conn, &self.catalog, "users", "ORDER BY username", &[])?
            .into_iter()
            .map(rows::decode)
            .collect()
    }

    /// Deactivates the user and deletes their key slot: they can no longer sign in.
    pub fn remove_user(&mut self, admin: &Session, username: &str) -> Result<()> {
        admin.require(Permission::ManageUsers)?;
        let mut keys = KeyFile::load(&self.dir)?;
        let user_id = keys.user_id(username).ok_or(Error::UnknownUser)?;
        keys.remove_user(username);
        let mut fields = Fields::new();
        fields.insert("active".into(), json!(false));
        self.write(admin, Entity::User, &user_id, fields, "user.deactivate", None)?;
        keys.save(&self.dir)
    }

    pub fn change_passphrase(&mut self, session: &Session, old: &str, new: &str) -> Result<()> {
        validate_passphrase("user.new_passphrase", new)?;
        let mut keys = KeyFile::load(&self.dir)?;
        let secret = device::load_secret(&self.book_id)?;
        let owner = SlotOwner::User {
            user_id: session.user_id.clone(),
            username: session.username.clone(),
        };
        let opened = keys.open_slot(&owner, old.as_bytes(), Some(&secret), Utc::now().timestamp());
        let key = match opened {
            Ok(key) => key,
            Err(e) => {
                keys.save(&self.dir)?;
                return Err(e);
            }
        };
        keys.put_slot(owner, new.as_bytes(), Some(&secret), self.kdf, &key)?;
        keys.save(&self.dir)?;
        self.audit(
            session,
            "user.change_passphrase",
            Some(Entity::User),
            Some(&session.user_id),
            None,
        )
    }

    /// An administrator sets a new passphrase for a user on this device (after a recovery, or
    /// when a user forgot theirs).
    pub fn reset_passphrase(&mut self, admin: &Session, username: &str, new: &str) -> Result<()> {
        admin.require(Permission::ManageUsers)?;
        validate_passphrase("user.new_passphrase", new)?;
        let user = self.session_of(username)?;
        let mut keys = KeyFile::load(&self.dir)?;
        let secret = device::load_secret(&self.book_id)?;
        keys.put_slot(
            SlotOwner::User {
                user_id: user.user_id.clone(),
                username: username.into(),
            },
            new.as_bytes(),
            Some(&secret),
            self.kdf,
            &self.key,
        )?;
        keys.save(&self.dir)?;
        self.audit(
            admin,
            "user.reset_passphrase",
            Some(Entity::User),
            Some(&user.user_id),
            None,
        )
    }
}

fn user_fields(username: &str, display_name: &str, role: Role) -> Fields {
    let mut fields = Fields::new();
    fields.insert("username".into(), json!(username));
    fields.insert("display_name".into(), json!(display_name));
    fields.insert("role".into(), json!(role));
    fields.insert("active".into(), json!(true));
    fields
}
