//! The unit's users on this laptop: accounts, roles and passphrases (key slots).

use crate::book::permissions::{Permission, Role, Session};
use crate::book::{Casebook, required};
use crate::error::{Error, Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::store::device;
use crate::store::keys::{KeyFile, SlotOwner};
use crate::store::rows::{self, Fields, new_id};
use chrono::Utc;
use serde_json::{Value, json};

pub const MIN_PASSPHRASE_CHARS: usize = 10;

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

pub(super) fn user_fields(username: &str, display_name: &str, role: Role) -> Fields {
    let mut fields = Fields::new();
    fields.insert("username".into(), json!(username));
    fields.insert("display_name".into(), json!(display_name));
    fields.insert("role".into(), json!(role));
    fields.insert("active".into(), json!(true));
    fields
}
