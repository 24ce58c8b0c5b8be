//! What travels between a laptop and the hub, as JSON. Every event says which wire version it
//! is; a receiver that does not know the version (or the event's schema version) keeps it in
//! quarantine instead of dropping it.

use casebook::entity::Entity;
use casebook::events::Event;
use casebook::sync::Incoming;
use ed25519_dalek::{Signer, SigningKey};
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
    /// The record the event writes.
    pub record_id: String,
    /// The case the event belongs to, when it has one: the hub shows it to the units the
    /// case is granted to.
    pub case_id: Option<String>,
    /// Records outside the case that the case refers to (its client and other parties, the
    /// agencies it is referred to): a unit granted the case receives them too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<String>,
    /// A unit this event gives the case to (a transfer, a referral to a partner unit): the hub
    /// grants it the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    /// The event as JSON text: signed as these exact bytes.
    pub body: String,
    /// Ed25519 signature of `signed_bytes()` by the device's key, hex.
    #[serde(default)]
    pub sig: String,
}

impl WireEvent {
    /// The event as `key`'s device signs it.
    pub fn signed(event: &Event, key: &SigningKey) -> WireEvent {
        let mut wire = WireEvent::from_event(event);
        wire.sig = hex::encode(key.sign(&wire.signed_bytes()).to_bytes());
        wire
    }

    /// What the signature covers: every field but the signature, as a JSON array (arrays and
    /// strings only, so the bytes do not depend on how a build orders map keys).
    pub fn signed_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&(
            self.v,
            &self.event_id,
            &self.device_id,
            self.device_seq,
            &self.record_id,
            &self.case_id,
            &self.refs,
            &self.grant,
            &self.body,
        ))
        .unwrap_or_default()
    }

    fn from_event(event: &Event) -> WireEvent {
        let field = |name: &str| event.fields.get(name).and_then(Value::as_str).map(str::to_owned);
        // Records that live inside a case. A conference's own records stay with the unit that
        // held the conference, even when they name a case.
        let case_id = match event.entity {
            Entity::Case => Some(event.entity_id.clone()),
            Entity::CaseParty | Entity::Incident | Entity::TimelineEntry | Entity::CarePlanGoal | Entity::Referral => {
                field("case_id")
            }
            _ => None,
        };
        let refs = match event.entity {
            Entity::Case => vec![field("client_id")],
            Entity::CaseParty => vec![field("person_id")],
            Entity::Referral | Entity::CarePlanGoal => vec![field("agency_id")],
            _ => vec![],
        };
        // A transfer hands the case over; a referral to a partner on the hub shares it.
        let grant = match event.entity {
            Entity::Case => field("held_by"),
            Entity::Referral => field("to_unit"),
            _ => None,
        };
        WireEvent {
            v: WIRE_VERSION,
            event_id: event.event_id.clone(),
            device_id: event.device_id.clone(),
            device_seq: event.device_seq,
            record_id: event.entity_id.clone(),
            case_id,
            refs: refs.into_iter().flatten().collect(),
            grant,
            body: serde_json::to_string(event).unwrap_or_default(),
            sig: String::new(),
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
        match serde_json::from_str::<Event>(&self.body) {
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
    /// The device's Ed25519 public key (hex): the hub accepts only events it signed.
    pub public_key: String,
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
            record_id: "r".into(),
            case_id: None,
            refs: vec![],
            grant: None,
            body: String::new(),
            sig: String::new(),
        };
        assert!(matches!(event.into_incoming(1), Incoming::Quarantine { event_id, .. } if event_id == "e1"));
        let garbled = WireEvent {
            v: WIRE_VERSION,
            event_id: "e2".into(),
            device_id: "d".into(),
            device_seq: 2,
            record_id: "r".into(),
            case_id: None,
            refs: vec![],
            grant: None,
            body: r#"{"from": "a newer release"}"#.into(),
            sig: String::new(),
        };
        assert!(matches!(garbled.into_incoming(1), Incoming::Quarantine { .. }));
    }
}
