//! The unit's users on this laptop: accounts, roles and passphrases (key slots).

use crate::book::permissions::{Permission, Role, Session};
use crate::book::{Casebook, required};
use crate::error::{Error, Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::store::device;
use crate::store::keys::{KeyFile, SlotOwner};
use crate::store::rows::{self, Fields, new_id};
use rusqlite::OptionalExtension;
use serde_json::{Value, json};

pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// The session of the recovery administrator (`unlock_with_recovery`): no user of the unit.
pub(crate) const RECOVERY_USER: &str = "recovery";

/// A user as the administrator sees them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UserSummary {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    /// The position printed under the user's name on what they sign themselves.
    #[serde(default)]
    pub position: Option<String>,
    /// Whether the user can sign in on this laptop. A user added on another laptop of the
    /// unit comes with sync; this laptop's administrator sets up their first sign-in here
    /// (`reset_passphrase`): no passphrase ever leaves a laptop.
    #[serde(default)]
    pub signs_in_here: bool,
}

pub(super) fn validate_passphrase(field: &str, passphrase: &str) -> Result<(), Invalid> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        Err(Invalid::new(field, Rule::PassphraseTooShort))
    } else {
        Ok(())
    }
}

impl Casebook {
    pub(super) fn session_of(&self, username: &str) -> Result<Session> {
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
            true,
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

    /// A user's full name, when the user is in this book (a worker of another unit is not).
    pub(crate) fn user_name(&self, id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT display_name FROM users WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?)
    }

    /// The signed-in user's full name and own position (when they gave one), for what they
    /// sign themselves.
    pub fn users_name_and_position(&self, session: &Session) -> Result<(String, Option<String>)> {
        let row = rows::get(&self.conn, &self.catalog, "users", &session.user_id)?.ok_or(Error::UnknownUser)?;
        let text = |column: &str| row.get(column).and_then(Value::as_str).map(str::to_owned);
        Ok((text("display_name").unwrap_or_default(), text("position")))
    }

    /// The unit's users, from every laptop, for the administrator's screen.
    pub fn users(&self, admin: &Session) -> Result<Vec<UserSummary>> {
        admin.require(Permission::ManageUsers)?;
        let keys = KeyFile::load(&self.dir)?;
        let unit = self.unit_code();
        rows::select(
            &self.conn,
            &self.catalog,
            "users",
            "WHERE unit_code = ?1 ORDER BY username",
            &[&unit],
        )?
        .into_iter()
        .map(|row| {
            let mut user: UserSummary = rows::decode(row)?;
            user.signs_in_here = user.active && keys.user_id(&user.username).as_ref() == Some(&user.id);
            Ok(user)
        })
        .collect()
    }

    /// Gives a user of the unit another role; it reaches every laptop with the next syncs.
    pub fn set_role(&mut self, admin: &Session, username: &str, role: Role) -> Result<()> {
        admin.require(Permission::ManageUsers)?;
        let user = self.session_of(username)?;
        let mut fields = Fields::new();
        fields.insert("role".into(), json!(role));
        self.write(admin, Entity::User, &user.user_id, fields, "user.role", Some(username))
    }

    /// This laptop's users whose record has not reached the hub yet: (user id, username). The
    /// hub says at sync which of their names another user of the unit has.
    pub fn unsent_usernames(&self) -> Result<Vec<(String, String)>> {
        let pushed = self.sync_position()?.pushed_seq;
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT u.id, u.username FROM users u JOIN events e ON e.entity = 'user' AND e.entity_id = u.id
             WHERE e.device_id = ?1 AND e.device_seq > ?2 AND json_extract(e.fields, '$.username') IS NOT NULL",
        )?;
        let rows = stmt.query_map(rusqlite::params![self.device_id(), pushed], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Renames this laptop's users whose username another user of the unit has (added on
    /// another laptop while this one was offline) before their record leaves it, to the free
    /// name the hub named (`somchai.3f9a1c2b`: this laptop's tag). Only users whose record the
    /// hub has not had are renamed: no one else has seen the old name, so the unsent events are
    /// rewritten. The user signs in with the new name and the same passphrase, and the
    /// administrator's screen lists the change. `taken`: (name, free name).
    pub fn rename_taken_users(&mut self, taken: &[(String, String)]) -> Result<()> {
        if taken.is_empty() {
            return Ok(());
        }
        let unsent = self.unsent_usernames()?;
        let pushed = self.sync_position()?.pushed_seq;
        let mut keys = KeyFile::load(&self.dir)?;
        let mut renamed = self.renamed_users()?;
        let tx = self.conn.transaction()?;
        for (old, new) in taken {
            let Some((user_id, _)) = unsent.iter().find(|(_, name)| name == old) else {
                continue;
            };
            let exists = tx.prepare("SELECT 1 FROM users WHERE username = ?1")?.exists([new])?;
            if exists || new.trim().is_empty() || new.len() > 64 {
                continue;
            }
            tx.execute(
                "UPDATE events SET fields = json_set(fields, '$.username', ?1)
                 WHERE entity = 'user' AND entity_id = ?2 AND device_id = ?3 AND device_seq > ?4
                   AND json_extract(fields, '$.username') IS NOT NULL",
                rusqlite::params![new, user_id, self.device_id, pushed],
            )?;
            tx.execute("UPDATE users SET username = ?1 WHERE id = ?2", [new, user_id])?;
            crate::book::audit::append(
                &tx,
                &crate::dates::now_iso(),
                None,
                "user.renamed",
                Some(Entity::User.name()),
                Some(user_id),
                Some(&format!("{old} → {new}")),
            )?;
            keys.rename_user(user_id, new);
            renamed.push((old.clone(), new.clone()));
        }
        let list = serde_json::to_string(&renamed).map_err(|e| Error::Corrupt(e.to_string()))?;
        tx.execute(
            "INSERT INTO sync_state (key, value) VALUES ('renamed_users', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [list],
        )?;
        // The key file first: a crash between the two leaves the user unable to sign in until
        // the next sync, which the hub again tells of the taken name and renames them again
        // (the other order would leave them unable to sign in for good).
        keys.save(&self.dir)?;
        tx.commit()?;
        Ok(())
    }

    /// Users renamed at sync because their name was taken in the unit: (old, new).
    pub fn renamed_users(&self) -> Result<Vec<(String, String)>> {
        let list: Option<String> = self
            .conn
            .query_row("SELECT value FROM sync_state WHERE key = 'renamed_users'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(list.and_then(|l| serde_json::from_str(&l).ok()).unwrap_or_default())
    }

    /// Disables the user: they sign in on no laptop of the unit once it has synced (sign-in
    /// reads `active` from the unit's record), and their key slot here is deleted. Their slots
    /// on the other laptops stay until an administrator there removes them, so an account
    /// disabled by mistake (or by a device the province then revoked) is enabled again with
    /// `enable_user`, and signs in again with the passphrases it had.
    pub fn remove_user(&mut self, admin: &Session, username: &str) -> Result<()> {
        admin.require(Permission::ManageUsers)?;
        let mut keys = KeyFile::load(&self.dir)?;
        let user_id = self.session_of(username)?.user_id;
        keys.remove_user(&user_id);
        let mut fields = Fields::new();
        fields.insert("active".into(), json!(false));
        self.write(admin, Entity::User, &user_id, fields, "user.deactivate", None)?;
        keys.save(&self.dir)
    }

    /// The signed-in user as the unit's record has them now: a role changed on another laptop
    /// takes effect at once; a user disabled on another laptop is signed out (`UnknownUser`).
    /// The recovery administrator, who is no user of the unit, stays as they are.
    pub fn current_session(&self, session: &Session) -> Result<Session> {
        let row: Option<(String, bool)> = self
            .conn
            .prepare_cached("SELECT role, active FROM users WHERE id = ?1")?
            .query_row([&session.user_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None if session.user_id == RECOVERY_USER => Ok(session.clone()),
            Some((role, true)) => Ok(Session {
                role: Role::from_name(&role).ok_or_else(|| Error::Corrupt("user role".into()))?,
                ..session.clone()
            }),
            _ => Err(Error::UnknownUser),
        }
    }

    /// Enables a disabled user of the unit again, on every laptop with the next syncs.
    pub fn enable_user(&mut self, admin: &Session, username: &str) -> Result<()> {
        admin.require(Permission::ManageUsers)?;
        let user_id: String = self
            .conn
            .query_row(
                "SELECT id FROM users WHERE username = ?1 AND unit_code = ?2",
                [username, self.unit_code()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(Error::UnknownUser)?;
        let mut fields = Fields::new();
        fields.insert("active".into(), json!(true));
        self.write(admin, Entity::User, &user_id, fields, "user.enable", Some(username))
    }

    /// Whether the signed-in user's passphrase was set by an administrator and must be
    /// changed before anything else.
    pub fn must_change_passphrase(&self) -> bool {
        self.must_change_passphrase
    }

    /// The signed-in user replaces their passphrase on this laptop (the old one proves it is
    /// them; a wrong one counts as a wrong try at sign-in).
    pub fn change_passphrase(&mut self, session: &Session, old: &str, new: &str) -> Result<()> {
        validate_passphrase("user.new_passphrase", new)?;
        if old == new {
            return Err(Invalid::new("user.new_passphrase", Rule::SameAsBefore).into());
        }
        let mut keys = KeyFile::load(&self.dir)?;
        let secret = device::load_secret(&self.book_id)?;
        let owner = keys.owner(&session.user_id).ok_or(Error::UnknownUser)?;
        let (key, _) = device::open_slot_counted(&mut keys, &owner, old.as_bytes(), Some(&secret), Some(&self.dir))?;
        // Sealed under the name the user has now (a rename at sync may have changed it).
        let username: String =
            self.conn
                .query_row("SELECT username FROM users WHERE id = ?1", [&session.user_id], |r| {
                    r.get(0)
                })?;
        let owner = SlotOwner::User {
            user_id: session.user_id.clone(),
            username,
        };
        keys.put_slot(owner, new.as_bytes(), Some(&secret), self.kdf, &key, false)?;
        keys.save(&self.dir)?;
        self.must_change_passphrase = false;
        self.audit(
            session,
            "user.change_passphrase",
            Some(Entity::User),
            Some(&session.user_id),
            None,
        )
    }

    /// An administrator sets a new passphrase for a user on this device (after a recovery, or
    /// when a user forgot theirs). It works once: the user must choose their own at sign-in.
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
            true,
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

pub(super) fn user_fields(username: &str, display_name: &str, role: Role) -> Fields {
    let mut fields = Fields::new();
    fields.insert("username".into(), json!(username));
    fields.insert("display_name".into(), json!(display_name));
    fields.insert("role".into(), json!(role));
    fields.insert("active".into(), json!(true));
    fields
}
