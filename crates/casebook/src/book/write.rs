//! The one write path every mutation takes: the row, an audit entry and an event, in one
//! transaction; and `batch`, which joins many writes into one.

use crate::book::Casebook;
use crate::book::audit;
use crate::book::permissions::Session;
use crate::dates::now_iso;
use crate::error::Result;
use crate::log::entity::Entity;
use crate::log::events::{self, Event, Op};
use crate::log::merge::settle_conflicts;
use crate::store::rows::{Fields, new_id};
use crate::store::{self, search_index};
use chrono::Utc;
use serde_json::json;

impl Casebook {
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
        settle_conflicts(&tx, entity, id, event.fields.keys())?;
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
            search_index::flush_when_full(&tx)?;
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
