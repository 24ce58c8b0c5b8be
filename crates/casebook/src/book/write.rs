//! The one write path every mutation takes: the row, an audit entry and an event, in one
//! transaction; and `batch`, which joins many writes into one.

use crate::book::Casebook;
use crate::book::audit;
use crate::book::permissions::Session;
use crate::dates::now_iso;
use crate::error::{Error, Invalid, Result, Rule};
use crate::log::entity::Entity;
use crate::log::events::{self, Event, Op};
use crate::log::merge::settle_conflicts;
use crate::store::rows::{self, Fields, new_id};
use crate::store::{self, search_index};
use chrono::Utc;
use serde_json::json;

/// The longest text one field takes, in bytes (about 21,000 Thai characters, 15 pages): a
/// longer one is refused when it is typed, with the field named, rather than by the hub at
/// sync. The app's text boxes stop at 20,000 characters.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// The field's name as the forms use it for their messages (`timeline.body`, `person.name_th`).
fn form_field(entity: Entity, column: &str) -> String {
    let form = match entity {
        Entity::TimelineEntry => "timeline",
        entity => entity.name(),
    };
    format!("{form}.{column}")
}

impl Casebook {
    /// The one write path: applies the change through an event, appends the event to this
    /// device's log and the audit chain, all in one transaction.
    pub(crate) fn write(
        &mut self,
        session: &Session,
        entity: Entity,
        id: &str,
        fields: Fields,
        action: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        self.write_by(Some(&session.user_id), entity, id, fields, action, detail)
    }

    /// `write` by `author`; None: by the book itself, in no user's name (a provisional number
    /// made final at sync).
    pub(crate) fn write_by(
        &mut self,
        author: Option<&str>,
        entity: Entity,
        id: &str,
        mut fields: Fields,
        action: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        if let Some((column, _)) = fields
            .iter()
            .find(|(_, value)| value.as_str().is_some_and(|text| text.len() > MAX_FIELD_BYTES))
        {
            return Err(Invalid::new(&form_field(entity, column), Rule::TooLong).into());
        }
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
            user_id: author.map(str::to_owned),
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
        settle_conflicts(&tx, entity, id, event.fields.keys())?;
        audit::append(&tx, &now, author, action, Some(entity.name()), Some(id), detail)?;
        if outermost {
            search_index::flush_when_full(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// `write` of only the fields whose value differs from the stored record's: an edit names
    /// what it changed, so two laptops that edit different fields of one record merge without
    /// a conflict. Whether anything changed.
    pub(crate) fn write_changes(
        &mut self,
        session: &Session,
        entity: Entity,
        id: &str,
        mut fields: Fields,
        action: &str,
    ) -> Result<bool> {
        let stored =
            rows::get(&self.conn, &self.catalog, entity.table(), id)?.ok_or(Error::NoSuchRecord(entity.name()))?;
        fields.retain(|column, value| stored.get(column) != Some(value));
        if fields.is_empty() {
            return Ok(false);
        }
        self.write(session, entity, id, fields, action, None)?;
        Ok(true)
    }

    /// Runs many writes in one transaction (bulk import, synthetic data): all or nothing.
    /// Inside another batch it simply joins that one.
    pub fn batch<T>(&mut self, work: impl FnOnce(&mut Casebook) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            return work(self);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let done =
            work(self).and_then(|value| search_index::flush(&self.conn, search_index::CATCH_UP_ROWS).map(|_| value));
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
}
