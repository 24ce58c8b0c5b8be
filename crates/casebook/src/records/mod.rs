//! The shared shape of simple records: an input type stored as is after validation, read back
//! with its id and timestamps. Each kind keeps its own types and rules in its own module.

pub mod agency;
pub mod area;
pub mod assessment;
pub mod attachment;
pub mod care;
pub mod case;
pub mod case_list;
pub mod case_page;
pub mod case_update;
pub mod clinical;
pub mod conference;
pub mod consent;
pub mod correspondence;
pub mod erasure;
pub mod evidence;
pub mod handover;
pub mod inbox;
pub mod intake;
pub mod interpreter;
pub mod letter_template;
pub mod lookup;
pub(crate) mod mask;
pub mod matching;
pub mod merge;
pub mod numbers;
pub mod party;
pub mod person;
pub mod pseudonym;
pub mod received;
pub mod referral;
pub mod register;
pub mod signer;
pub mod status;
pub mod thai_id;
pub mod timeline;
pub mod today;
pub mod transfer;
pub mod volunteer;

use crate::book::Casebook;
use crate::book::permissions::Session;
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::store::rows;
use crate::store::rows::new_id;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A stored record: its id, origin unit and timestamps, and the fields of `T`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Stored<T> {
    pub id: String,
    pub unit_code: String,
    pub created_at: String,
    pub updated_at: String,
    #[serde(flatten)]
    pub record: T,
}

impl Casebook {
    pub(crate) fn insert_record<T: Serialize>(
        &mut self,
        session: &Session,
        entity: Entity,
        record: &T,
        action: &str,
    ) -> Result<String> {
        let id = new_id();
        self.write(session, entity, &id, rows::encode(record)?, action, None)?;
        Ok(id)
    }

    pub(crate) fn update_record<T: Serialize>(
        &mut self,
        session: &Session,
        entity: Entity,
        id: &str,
        record: &T,
        action: &str,
    ) -> Result<()> {
        self.write_changes(session, entity, id, rows::encode(record)?, action)
            .map(|_| ())
    }

    pub(crate) fn record<T: DeserializeOwned>(&self, entity: Entity, id: &str) -> Result<T> {
        let row =
            rows::get(&self.conn, &self.catalog, entity.table(), id)?.ok_or(Error::NoSuchRecord(entity.name()))?;
        rows::decode(row)
    }

    /// The first column of `sql`'s rows, given one argument: ids.
    pub(crate) fn ids(&self, sql: &str, arg: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let ids = stmt.query_map([arg], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Records of one kind matching `where_sql`, in `order`.
    pub(crate) fn records<T: DeserializeOwned>(
        &self,
        entity: Entity,
        where_sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<T>> {
        rows::select(&self.conn, &self.catalog, entity.table(), where_sql, args)?
            .into_iter()
            .map(rows::decode)
            .collect()
    }
}

/// An enum's value from its name on the wire, as a column stores it.
pub(crate) fn from_name<T: DeserializeOwned>(name: String) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(name)).map_err(|e| Error::Corrupt(e.to_string()))
}

/// A JSON column's value.
pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Corrupt(e.to_string()))
}
