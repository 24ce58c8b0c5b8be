//! Lists that differ between provinces (closure reasons, referral destinations, role labels):
//! data the administrator edits, not code. A code, once used, is deactivated, never deleted.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::records::Stored;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Lookup {
    /// The list: "closure_reason", "referral_destination", "party_role_label", …
    pub kind: String,
    pub code: String,
    pub label_th: String,
    pub label_en: String,
    pub active: bool,
}

impl Casebook {
    /// Adds the entry, or changes the labels or activity of this unit's (kind, code).
    pub fn set_lookup(&mut self, admin: &Session, lookup: &Lookup) -> Result<()> {
        admin.require(Permission::ManageUsers)?;
        for (field, value) in [
            ("lookup.kind", &lookup.kind),
            ("lookup.code", &lookup.code),
            ("lookup.label_th", &lookup.label_th),
        ] {
            if value.trim().is_empty() {
                return Err(Invalid::new(field, Rule::Required).into());
            }
        }
        let existing: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM lookups WHERE kind = ?1 AND code = ?2 AND unit_code = ?3",
                rusqlite::params![lookup.kind, lookup.code, self.unit_code()],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(id) => self.update_record(admin, Entity::Lookup, &id, lookup, "lookup.update"),
            None => self
                .insert_record(admin, Entity::Lookup, lookup, "lookup.add")
                .map(|_| ()),
        }
    }

    /// This unit's active entries of a list, for pickers; anyone signed in may read them.
    pub fn lookups(&self, kind: &str) -> Result<Vec<Stored<Lookup>>> {
        self.records(
            Entity::Lookup,
            "WHERE kind = ?1 AND active = 1 AND unit_code = ?2 ORDER BY label_th",
            &[&kind, &self.unit_code()],
        )
    }
}
