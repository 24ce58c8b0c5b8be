//! Opening a case book: the first run creates it, a user unlocks it with a passphrase on this
//! device, or anyone with the recovery code opens it on a new one.

use crate::book::permissions::{Role, Session};
use crate::book::users::{user_fields, validate_passphrase};
use crate::book::{Casebook, NewBook, UnitInfo, required, validate_unit_code};
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::log::events;
use crate::log::hlc::Clock;
use crate::store::device;
use crate::store::keys::{KdfParams, KeyFile, MasterKey, RECOVERY_FILE, RecoveryCode, SlotOwner};
use crate::store::layout::{self, BookState};
use crate::store::rows::new_id;
use crate::store::{self, Catalog};
use rusqlite::{Connection, OptionalExtension};
use std::path::Path;

impl Casebook {
    /// Whether anything of a case book is in `dir` (then the first run is refused).
    pub fn exists(dir: &Path) -> bool {
        layout::state(dir) != BookState::New
    }

    /// What `dir` holds, after finishing or undoing what a crash interrupted. Only while no
    /// book of `dir` is open (at start, before a restore): `settle` would undo a key change
    /// under way.
    pub fn state(dir: &Path) -> Result<BookState> {
        if dir.exists() {
            layout::settle(dir)?;
        }
        Ok(layout::state(dir))
    }

    /// What `dir` holds, touching nothing: for a look while a book may be open.
    pub fn peek_state(dir: &Path) -> BookState {
        layout::state(dir)
    }

    /// First run: a new case book with its administrator. The recovery code is returned once
    /// and never stored in clear; print it on the recovery sheet.
    pub fn create(dir: &Path, new: &NewBook, kdf: KdfParams) -> Result<(Casebook, Session, RecoveryCode)> {
        validate_unit_code("unit.code", &new.unit_code)?;
        required("unit.name", &new.unit_name)?;
        required("user.username", &new.admin_username)?;
        required("user.display_name", &new.admin_display_name)?;
        validate_passphrase("user.passphrase", &new.admin_passphrase)?;
        // Refused beside anything of a book, even a database without its key file: that is a
        // lost key file (the recovery screen), never leftovers to clear.
        layout::begin_first_run(dir)?;
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
        keys.put_slot(
            admin_owner,
            new.admin_passphrase.as_bytes(),
            Some(&secret),
            kdf,
            &key,
            false,
        )?;
        keys.put_slot(SlotOwner::Recovery, recovery.as_bytes(), None, kdf, &key, false)?;
        keys.save_recovery_to(&dir.join(RECOVERY_FILE))?;

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
        layout::end_first_run(dir)?;
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

    /// Signs a user in on this device. The book says afterwards whether the passphrase was set
    /// by an administrator and must be changed now (`must_change_passphrase`).
    pub fn unlock(dir: &Path, username: &str, passphrase: &str) -> Result<(Casebook, Session)> {
        layout::settle(dir)?;
        let mut keys = KeyFile::load(dir)?;
        let user_id = keys.user_id(username).ok_or(Error::UnknownUser)?;
        let secret = device::load_secret(&keys.book_id)?;
        let owner = keys.owner(&user_id).ok_or(Error::UnknownUser)?;
        let (key, opened) =
            device::open_slot_counted(&mut keys, &owner, passphrase.as_bytes(), Some(&secret), Some(dir))?;
        let kdf = KdfParams::default();
        let conn = store::open(dir, &key)?;
        let mut book = Casebook::from_connection(dir, conn, kdf, key)?;
        let session = book.session_of(username)?;
        // The slot opened must be the named user's: never another user's who had the name.
        if session.user_id != user_id {
            return Err(Error::UnknownUser);
        }
        if opened.legacy {
            // Sealed again as slots now are, so a change of the master key can reach it.
            keys.put_slot(
                owner,
                passphrase.as_bytes(),
                Some(&secret),
                kdf,
                &book.key,
                opened.temporary,
            )?;
            keys.save(dir)?;
        }
        book.must_change_passphrase = opened.temporary;
        book.audit(&session, "login", None, None, None)?;
        Ok((book, session))
    }

    /// Opens the book with the recovery code, on this machine or a new one, also when the key
    /// file is lost or damaged (the recovery file beside it holds the recovery slot). This
    /// device gets a new device secret and a new device id (a restored laptop is a new device
    /// to the hub); users then get new passphrases from the administrator (`reset_passphrase`).
    pub fn unlock_with_recovery(dir: &Path, code: &str) -> Result<(Casebook, Session)> {
        layout::settle(dir)?;
        // A key file rebuilt from the recovery file is written only once the book opened: a
        // wrong code then counts in the keyring alone, and never leaves a key file with no
        // user's slot in place of the lost (or damaged, repairable) one.
        let (mut keys, rebuilt) = match KeyFile::load(dir) {
            Ok(keys) => (keys, false),
            Err(Error::NotFound | Error::KeyFile(_)) => (KeyFile::load_recovery(dir)?, true),
            Err(e) => return Err(e),
        };
        let typed = RecoveryCode::normalize(code);
        let counted_in = (!rebuilt).then_some(dir);
        let (key, _) = device::open_slot_counted(&mut keys, &SlotOwner::Recovery, typed.as_bytes(), None, counted_in)?;
        if keys.is_legacy(&SlotOwner::Recovery) {
            keys.put_slot(
                SlotOwner::Recovery,
                typed.as_bytes(),
                None,
                KdfParams::default(),
                &key,
                false,
            )?;
        }
        let conn = store::open(dir, &key)?;
        let mut book = Casebook::from_connection(dir, conn, KdfParams::default(), key)?;
        // The device secret is replaced only once the book opened: a code that opens no book
        // here leaves this laptop's users able to sign in.
        device::create_secret(&keys.book_id)?;
        // Written only once the database opened: a recovery file of another book never
        // replaces a key file.
        keys.save(dir)?;
        keys.save_recovery_to(&dir.join(RECOVERY_FILE))?;
        book.become_new_laptop()?;
        let session = Session {
            user_id: super::users::RECOVERY_USER.into(),
            username: super::users::RECOVERY_USER.into(),
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
        crate::store::reference::load_if_empty(&conn)?;
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
            must_change_passphrase: false,
        })
    }
}
