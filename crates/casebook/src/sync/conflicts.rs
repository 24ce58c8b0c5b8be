//! Two writes to one field that did not see each other: kept for a person to resolve. A
//! field that names or locates a person shows masked, as lists show it, until someone who may
//! see identity reveals it with a reason (audited like a person's reveal).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::{Error, Result};
use crate::log::entity::Entity;
use crate::log::hlc::Hlc;
use crate::records::mask;
use crate::store::rows::Fields;
use rusqlite::OptionalExtension;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// Two values of one field written without seeing each other. `kept` is what every replica
/// shows meanwhile (the later clock); `other` is the one that lost. Each with who wrote it and
/// when, and the case the record belongs to, so a person can judge it in context.
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
    /// The case the record is part of (for a person: a case whose client or party they are).
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    /// The writers' names (None: not a user of this book) and when each wrote (ISO-8601).
    pub kept_by: Option<String>,
    pub kept_at: Option<String>,
    pub other_by: Option<String>,
    pub other_at: Option<String>,
    /// The two values are masked: the field names or locates a person, and no one revealed it.
    pub masked: bool,
}

impl Conflict {
    /// Both values as lists show them, when the field identifies someone.
    fn masked(mut self) -> Conflict {
        let entity = self.entity.as_str();
        let field = self.field.as_str();
        if let (Some(kept), Some(other)) = (
            mask::stored_value(entity, field, &self.kept_value),
            mask::stored_value(entity, field, &self.other_value),
        ) {
            self.kept_value = kept;
            self.other_value = other;
            self.masked = true;
        }
        self
    }
}

/// The case a record belongs to: the case itself, the case named by its `case_id`, or for a
/// person the first case naming them.
const CASE_OF: &str = "SELECT c.id, c.case_number FROM cases c WHERE c.id = ?2 AND ?1 = 'case'
    UNION ALL SELECT c.id, c.case_number FROM cases c WHERE ?1 = 'person' AND (c.client_id = ?2
        OR c.id IN (SELECT case_id FROM case_parties WHERE person_id = ?2))
    UNION ALL SELECT c.id, c.case_number FROM cases c WHERE c.id = (
        SELECT case_id FROM case_parties WHERE id = ?2 AND ?1 = 'case_party'
        UNION ALL SELECT case_id FROM incidents WHERE id = ?2 AND ?1 = 'incident'
        UNION ALL SELECT case_id FROM timeline_entries WHERE id = ?2 AND ?1 = 'timeline_entry'
        UNION ALL SELECT case_id FROM care_plan_goals WHERE id = ?2 AND ?1 = 'care_plan_goal'
        UNION ALL SELECT case_id FROM referrals WHERE id = ?2 AND ?1 = 'referral'
        UNION ALL SELECT case_id FROM action_items WHERE id = ?2 AND ?1 = 'action_item')
    LIMIT 1";

impl Casebook {
    /// The open conflicts, a person's identity in them masked.
    pub fn conflicts(&self, session: &Session) -> Result<Vec<Conflict>> {
        session.require(Permission::ViewCases)?;
        Ok(self.open_conflicts()?.into_iter().map(Conflict::masked).collect())
    }

    /// One conflict with both values in full. Needs the reveal permission and a reason, which
    /// goes into the audit log (`identity.reveal`) with who asked, as a person's reveal does.
    pub fn reveal_conflict(&mut self, session: &Session, id: &str, reason: &str) -> Result<Conflict> {
        session.require(Permission::RevealIdentity)?;
        let reason = crate::records::person::reveal_reason(reason)?;
        let conflict = self.open_conflict(id)?;
        self.audit(
            session,
            "identity.reveal",
            Entity::from_name(&conflict.entity),
            Some(&conflict.entity_id),
            Some(reason),
        )?;
        Ok(conflict)
    }

    fn open_conflict(&self, id: &str) -> Result<Conflict> {
        self.open_conflicts()?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(Error::NoSuchRecord("conflict"))
    }

    /// Every open conflict, values in full.
    fn open_conflicts(&self) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, entity, entity_id, field, kept_value, other_value, detected_at, kept_hlc, other_hlc FROM conflicts
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
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        let parse = |v: Option<String>| v.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
        let mut out = Vec::new();
        for row in rows {
            let (id, entity, entity_id, field, kept, other, detected_at, kept_hlc, other_hlc) = row?;
            let case: Option<(String, String)> = self
                .conn
                .prepare_cached(CASE_OF)?
                .query_row([&entity, &entity_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let (kept_by, kept_at) = self.writer(&entity, &entity_id, &kept_hlc)?;
            let (other_by, other_at) = self.writer(&entity, &entity_id, &other_hlc)?;
            out.push(Conflict {
                id,
                entity,
                entity_id,
                field,
                kept_value: parse(kept),
                other_value: parse(other),
                detected_at,
                case_number: case.as_ref().map(|(_, number)| number.clone()),
                case_id: case.map(|(id, _)| id),
                kept_by,
                kept_at,
                other_by,
                other_at,
                masked: false,
            });
        }
        Ok(out)
    }

    /// Who wrote the record's event with this clock (their name, if a user of this book), and
    /// when by its clock.
    fn writer(&self, entity: &str, id: &str, hlc: &str) -> Result<(Option<String>, Option<String>)> {
        let user: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT user_id FROM events WHERE entity = ?1 AND entity_id = ?2 AND hlc = ?3")?
            .query_row([entity, id, hlc], |r| r.get(0))
            .optional()?;
        let name = match user.flatten() {
            Some(user) => self.user_name(&user)?,
            None => None,
        };
        let at = Hlc::parse(hlc)
            .and_then(|clock| chrono::DateTime::from_timestamp_millis(i64::try_from(clock.millis).ok()?))
            .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        Ok((name, at))
    }

    /// A person chooses between the two values: the choice is a new event (which saw both), so
    /// every replica ends with it and the conflict goes away everywhere.
    pub fn resolve_conflict(&mut self, session: &Session, id: &str, take_other: bool) -> Result<()> {
        session.require(Permission::EditCases)?;
        // The values in full: the one chosen is written back as it was.
        let conflict = self.open_conflict(id)?;
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
