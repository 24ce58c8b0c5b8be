//! Events from elsewhere this laptop set aside because they failed its checks (a signature
//! that is not its device's, a device the province did not approve, a body that says
//! something other than its label): kept whole, never applied, listed for the supervisor, who
//! tells the province (a hub that hands out such events was tampered with).

use crate::book::Casebook;
use crate::book::permissions::{Permission, Session};
use crate::error::Result;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// A set-aside event as the supervisor sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SetAsideEntry {
    pub event_id: String,
    /// The device the event claims, and the record it would write (`Entity` name and id), as
    /// its label says: a forged event may claim anything.
    pub device_id: String,
    pub entity: String,
    pub entity_id: String,
    /// Why: a `SetAside` reason of the sync crate (`bad_signature`, `unknown_device`,
    /// `not_yours` …).
    pub reason: String,
    pub received_at: String,
}

impl Casebook {
    /// The events set aside for a failed check, newest first (those waiting for an upgrade are
    /// not listed: they are applied by it).
    pub fn set_aside_events(&self, session: &Session) -> Result<Vec<SetAsideEntry>> {
        session.require(Permission::Supervise)?;
        let mut stmt = self.conn.prepare(
            "SELECT event_id, body, reason, received_at FROM quarantine WHERE reason <> 'newer_version'
             ORDER BY received_at DESC, event_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (event_id, raw, reason, received_at) = row?;
            // The raw text is the event as it came (its label, with its body as text), or, when
            // the book set it aside, the event with its writer's unit (`HeldEvent`).
            let raw: Value = serde_json::from_str(&raw).unwrap_or(Value::Null);
            let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
            let body: Value = match (raw.get("body").and_then(Value::as_str), raw.get("event")) {
                (Some(body), _) => serde_json::from_str(body).unwrap_or(Value::Null),
                (None, Some(event)) => event.clone(),
                (None, None) => Value::Null,
            };
            out.push(SetAsideEntry {
                event_id,
                device_id: text(&body, "device_id"),
                entity: text(&body, "entity"),
                entity_id: text(&body, "entity_id"),
                reason,
                received_at,
            });
        }
        Ok(out)
    }
}
