//! Two writes to one field that did not see each other: kept for a person to resolve.

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::store::rows::Fields;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// Two values of one field written without seeing each other. `kept` is what every replica
/// shows meanwhile (the later clock); `other` is the one that lost.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Conflict {
    pub id: String,
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    #[ts(type = "unknown")]
    pub kept_value: Value,
    #[ts(type = "unknown")]
    pub other_value: Value,
    pub detected_at: String,
}

impl Casebook {
    pub fn conflicts(&self, session: &Session) -> Result<Vec<Conflict>> {
        session.require(Permission::ViewCases)?;
        let mut stmt = self.conn.prepare(
            "SELECT id, entity, entity_id, field, kept_value, other_value, detected_at FROM conflicts
             WHERE resolved_at IS NULL ORDER BY detected_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let parse = |v: Option<String>| v.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
        let mut out = Vec::new();
        for row in rows {
            let (id, entity, entity_id, field, kept, other, detected_at) = row?;
            out.push(Conflict {
                id,
                entity,
                entity_id,
                field,
                kept_value: parse(kept),
                other_value: parse(other),
                detected_at,
            });
        }
        Ok(out)
    }

    /// A person chooses between the two values: the choice is a new event (which saw both), so
    /// every replica ends with it and the conflict goes away everywhere.
    pub fn resolve_conflict(&mut self, session: &Session, id: &str, take_other: bool) -> Result<()> {
        session.require(Permission::EditCases)?;
        let conflict = self
            .conflicts(session)?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(Error::NoSuchRecord("conflict"))?;
        let entity = Entity::from_name(&conflict.entity).ok_or(Error::NoSuchRecord("conflict"))?;
        let chosen = if take_other {
            conflict.other_value
        } else {
            conflict.kept_value
        };
        let mut fields = Fields::new();
        fields.insert(conflict.field.clone(), chosen);
        // The write settles the conflict (see `settle_conflicts`); the audit keeps who chose.
        self.write(
            session,
            entity,
            &conflict.entity_id,
            fields,
            "conflict.resolve",
            Some(&conflict.field),
        )
    }
}
