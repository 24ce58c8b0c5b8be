//! What travels between a laptop and the hub, as JSON. Every event says which wire version it
//! is; a receiver that does not know the version (or the event's schema version) keeps it in
//! quarantine instead of dropping it.

use casebook::entity::Entity;
use casebook::events::Event;
use casebook::sync::Incoming;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const WIRE_VERSION: u32 = 1;

/// An event on the wire: the keys the hub stores and routes by, and the event itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEvent {
    pub v: u32,
    pub event_id: String,
    pub device_id: String,
    pub device_seq: i64,
    /// The case the event belongs to, when it has one: the hub shows it to the units the
    /// case is granted to.
    pub case_id: Option<String>,
    pub body: Value,
}

impl WireEvent {
    pub fn from_event(event: &Event) -> WireEvent {
        let case_id = match event.entity {
            Entity::Case => Some(event.entity_id.clone()),
            _ => event.fields.get("case_id").and_then(Value::as_str).map(str::to_owned),
        };
        WireEvent {
            v: WIRE_VERSION,
            event_id: event.event_id.clone(),
            device_id: event.device_id.clone(),
            device_seq: event.device_seq,
            case_id,
            body: serde_json::to_value(event).unwrap_or(Value::Null),
        }
    }

    /// The event for the case book, or quarantine when this build cannot read it.
    pub fn into_incoming(self, known_schema: u32) -> Incoming {
        let raw = || serde_json::to_string(&self).unwrap_or_default();
        if self.v != WIRE_VERSION {
            return Incoming::Quarantine {
                event_id: self.event_id.clone(),
                raw: raw(),
            };
        }
        match serde_json::from_value::<Event>(self.body.clone()) {
            Ok(event) if event.schema_version <= known_schema => Incoming::Event(event),
            _ => Incoming::Quarantine {
                event_id: self.event_id.clone(),
                raw: raw(),
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// The case book's own device id: its events carry it.
    pub device_id: String,
    pub device_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    pub unit_code: String,
    /// Sent once; the hub keeps only its hash.
    pub token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRequest {
    pub events: Vec<WireEvent>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushResponse {
    /// The highest seq of this device the hub holds with no gap below it.
    pub acked_seq: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PulledEvent {
    pub hub_seq: i64,
    pub event: WireEvent,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PullResponse {
    pub events: Vec<PulledEvent>,
    /// Where the next pull starts.
    pub cursor: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_wire_or_schema_versions_go_to_quarantine() {
        let event = WireEvent {
            v: WIRE_VERSION + 1,
            event_id: "e1".into(),
            device_id: "d".into(),
            device_seq: 1,
            case_id: None,
            body: Value::Null,
        };
        assert!(matches!(event.into_incoming(1), Incoming::Quarantine { event_id, .. } if event_id == "e1"));
        let garbled = WireEvent {
            v: WIRE_VERSION,
            event_id: "e2".into(),
            device_id: "d".into(),
            device_seq: 2,
            case_id: None,
            body: serde_json::json!({"from": "a newer release"}),
        };
        assert!(matches!(garbled.into_incoming(1), Incoming::Quarantine { .. }));
    }
}
