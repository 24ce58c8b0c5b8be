//! What travels between a laptop and the hub, as JSON. Every event says which wire version it
//! is; a receiver that does not know the version (or the event's schema version) keeps it in
//! quarantine instead of dropping it.

use casebook::book::audit::ChainedEntry;
use casebook::log::entity::Entity;
use casebook::log::events::{Event, Flaw, check_shape};
use casebook::records::numbers::{NumberBlock, NumberWant};
use casebook::store::Catalog;
use casebook::sync::receive::Incoming;
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const WIRE_VERSION: u32 = 1;

/// The quarantine reason of an event this build cannot read yet: applied after an upgrade.
const NEWER_VERSION: &str = "newer_version";

/// Why a laptop set aside an event it pulled (kept whole in quarantine, never applied, listed
/// for the supervisor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum SetAside {
    /// Signed by no device the province approved (tried again at the next sync: the device
    /// may have been approved after this laptop fetched the list).
    UnknownDevice,
    /// The signature is not its device's: the event was changed after it was signed.
    BadSignature,
    /// Signed by a device the province revoked, after the last of its events that stands: its
    /// key was stolen.
    Revoked,
    /// It claims this laptop's own device: this laptop's events never come back.
    OwnDevice,
    /// Its device's unit may not write the record: another unit's user, register, agency or
    /// settings, or a record's unit rewritten (`casebook::sync::rights::NOT_YOURS`).
    NotYours,
    /// Its device's unit does not hold the case it writes to: never given it, or handed it on,
    /// or it transfers a case it was only referred (tried again: the transfer that gave the
    /// unit the case may come later; `casebook::sync::rights::NOT_HELD`).
    NotHeld,
    /// It creates a record without a field the record cannot be without
    /// (`casebook::sync::rights::INCOMPLETE`).
    Incomplete,
    /// It changes a record before the record's creation came (tried again:
    /// `casebook::sync::rights::UNKNOWN_ORIGIN`).
    UnknownOrigin,
    /// Another event came before under its device and sequence number: one of them was forged
    /// (`casebook::sync::receive::DIVERGED`).
    Diverged,
    /// Its clock is more than a day ahead of this laptop's (tried again: taken once the time
    /// it claims is near).
    ClockAhead,
    /// The body is not an event.
    Malformed,
    /// The label says something other than the body.
    EnvelopeMismatch,
    /// A field the schema does not have, a value of the wrong type, or one its column does not
    /// take (an unknown risk).
    BadShape,
}

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
    /// Ed25519 signature of `signed_digest()` by the device's key, hex.
    #[serde(default)]
    pub sig: String,
}

impl WireEvent {
    /// The event as `key`'s device signs it.
    pub fn signed(event: &Event, key: &SigningKey) -> WireEvent {
        let mut wire = WireEvent::from_event(event);
        wire.sign(key);
        wire
    }

    /// Signs the event as it stands (envelope and body) with `key`.
    pub fn sign(&mut self, key: &SigningKey) {
        self.sig = hex::encode(key.sign(&self.signed_digest()).to_bytes());
    }

    /// The event the body holds, when the envelope says exactly what the body implies: the
    /// same ids and sequence, and the case, links and grant that `from_event` derives from it
    /// (the one rule, shared by laptop and hub). Whoever routes or applies by the envelope
    /// then acts on what the signed body says.
    pub fn body_event(&self) -> Result<Event, Refusal> {
        let event: Event = serde_json::from_str(&self.body).map_err(|_| Refusal::Malformed)?;
        let (case_id, refs, grant) = envelope(&event);
        let agrees = self.v == WIRE_VERSION
            && self.event_id == event.event_id
            && self.device_id == event.device_id
            && self.device_seq == event.device_seq
            && self.record_id == event.entity_id
            && self.case_id == case_id
            && self.refs == refs
            && self.grant == grant;
        if agrees {
            Ok(event)
        } else {
            Err(Refusal::EnvelopeMismatch)
        }
    }

    /// What the signature covers: the SHA-256 digest of every field but the signature, each
    /// written with its length before it (so no two events give the same bytes), behind a
    /// label that names this encoding. Signing the digest, not the ~1.2 kB event, hashes the
    /// event once (SHA-256, which processors do in hardware) instead of twice with SHA-512,
    /// and nothing is escaped as JSON (measured: a quarter of the laptop's processor time in a
    /// push went to those two).
    pub fn signed_digest(&self) -> [u8; 32] {
        fn field(hash: &mut Sha256, bytes: &[u8]) {
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        }
        fn optional(hash: &mut Sha256, value: &Option<String>) {
            match value {
                Some(text) => {
                    hash.update([1]);
                    field(hash, text.as_bytes());
                }
                None => hash.update([0]),
            }
        }
        let mut hash = Sha256::new();
        field(&mut hash, b"oscc-event-signature-1");
        hash.update(self.v.to_le_bytes());
        field(&mut hash, self.event_id.as_bytes());
        field(&mut hash, self.device_id.as_bytes());
        hash.update(self.device_seq.to_le_bytes());
        field(&mut hash, self.record_id.as_bytes());
        optional(&mut hash, &self.case_id);
        hash.update((self.refs.len() as u64).to_le_bytes());
        for id in &self.refs {
            field(&mut hash, id.as_bytes());
        }
        optional(&mut hash, &self.grant);
        field(&mut hash, self.body.as_bytes());
        hash.finalize().into()
    }

    pub fn from_event(event: &Event) -> WireEvent {
        let (case_id, refs, grant) = envelope(event);
        WireEvent {
            v: WIRE_VERSION,
            event_id: event.event_id.clone(),
            device_id: event.device_id.clone(),
            device_seq: event.device_seq,
            record_id: event.entity_id.clone(),
            case_id,
            refs,
            grant,
            body: serde_json::to_string(event).unwrap_or_default(),
            sig: String::new(),
        }
    }

    /// The event for the case book after this laptop's checks, the hub's own rules (`writer`:
    /// the unit of the device the province approved, for the book's check of the unit's
    /// right to write the record): the body
    /// is an event whose envelope says exactly what it implies, of a schema this build knows
    /// (`known_schema`: else it waits for an upgrade), with the schema's shape, and not
    /// claiming `own_device` (this laptop's events never come back from the hub). What fails
    /// is set aside with its reason, on its own.
    pub fn into_incoming(
        self,
        known_schema: u32,
        catalog: &Catalog,
        own_device: &str,
        writer: Option<&str>,
    ) -> Incoming {
        if self.v != WIRE_VERSION {
            return self.quarantine(NEWER_VERSION);
        }
        let event = match self.body_event() {
            Ok(event) => event,
            Err(Refusal::EnvelopeMismatch) => return self.set_aside(SetAside::EnvelopeMismatch),
            Err(_) => return self.set_aside(SetAside::Malformed),
        };
        if event.schema_version > known_schema {
            return self.quarantine(NEWER_VERSION);
        }
        if event.device_id == own_device {
            return self.set_aside(SetAside::OwnDevice);
        }
        // Taken once the time it claims is near (tried again at every sync).
        if casebook::log::events::clock_ahead(&event, chrono::Utc::now().timestamp_millis().max(0) as u64) {
            return self.set_aside(SetAside::ClockAhead);
        }
        match check_shape(catalog, &event) {
            Ok(()) if casebook::values::out_of_range(&event).is_some() => self.set_aside(SetAside::BadShape),
            Ok(()) => Incoming::Event {
                event,
                writer: writer.map(str::to_owned),
            },
            Err(Flaw::NewerSchema(_)) => self.quarantine(NEWER_VERSION),
            Err(_) => self.set_aside(SetAside::BadShape),
        }
    }

    /// The event kept whole in quarantine, set aside for `why`.
    pub fn set_aside(&self, why: SetAside) -> Incoming {
        self.quarantine(&casebook::error::serde_name(&why))
    }

    fn quarantine(&self, reason: &str) -> Incoming {
        Incoming::Quarantine {
            event_id: self.event_id.clone(),
            raw: serde_json::to_string(self).unwrap_or_default(),
            reason: reason.to_owned(),
        }
    }
}

/// What the envelope says of an event, derived from its body: the case it belongs to, the
/// records outside the case it links (`refs`), and the unit it gives the case to (`grant`).
fn envelope(event: &Event) -> (Option<String>, Vec<String>, Option<String>) {
    let field = |name: &str| event.fields.get(name).and_then(Value::as_str).map(str::to_owned);
    // Records that live inside a case. A conference's own records stay with the unit that held
    // the conference, even when they name a case.
    let case_id = match event.entity {
        Entity::Case => Some(event.entity_id.clone()),
        entity if entity.in_case() => field("case_id"),
        _ => None,
    };
    let refs = event.entity.link().and_then(|(name, _)| field(name));
    // A transfer hands the case over; a referral to a partner on the hub shares it.
    let grant = match event.entity {
        Entity::Case => field("held_by"),
        Entity::Referral => field("to_unit"),
        _ => None,
    };
    (case_id, refs.into_iter().collect(), grant)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// The device's Ed25519 public key (hex): the hub accepts only events it signed.
    pub public_key: String,
    pub device_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The id the hub gave the device: its events carry it from then on
    /// (`Casebook::take_device_id`).
    pub device_id: String,
    pub unit_code: String,
    /// Sent once; the hub keeps only its hash.
    pub token: String,
    /// The province's public key, hex: the laptop pins it and takes events only from devices
    /// it approved (`attestation`).
    pub province_key: String,
}

/// The answer to `GET /v1/units`: the unit codes the province has on the hub.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitList {
    pub units: Vec<String>,
}

/// `POST /v1/numbers`, at the start of every sync: the case and letter numbers a laptop asks
/// for (`casebook::records::numbers`), and the usernames of its users the hub has not seen yet,
/// which must be unique in the unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NumbersRequest {
    pub wants: Vec<NumberWant>,
    #[serde(default)]
    pub usernames: Vec<UsernameClaim>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UsernameClaim {
    pub user_id: String,
    pub username: String,
}

/// Every block of the unit for the kinds and years asked, the new ones included; and the
/// usernames asked about that another user of the unit has, each with a free one to take.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NumbersResponse {
    pub blocks: Vec<NumberBlock>,
    #[serde(default)]
    pub taken_usernames: Vec<TakenUsername>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TakenUsername {
    pub username: String,
    /// `username.<laptop tag>` (with a count after it if that is taken too).
    pub free: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushRequest {
    pub events: Vec<WireEvent>,
    /// The point up to which this device has the hub's answers: the hub lists again every
    /// refusal above it, so a refusal whose answer was lost is not lost with it.
    #[serde(default)]
    pub acked_seq: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushResponse {
    /// The highest seq of this device the hub has settled (stored or refused) with no gap
    /// below it: a refused event never stalls the device's later ones.
    pub acked_seq: i64,
    /// The events of this push the hub refused, each with its reason.
    #[serde(default)]
    pub refused: Vec<RefusedEvent>,
}

/// An event the hub would not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedEvent {
    pub event_id: String,
    pub device_seq: i64,
    pub reason: Refusal,
    /// What was wrong, without personal data: a field's name, a flaw's kind.
    #[serde(default)]
    pub detail: String,
}

/// Why the hub refuses an event. The hub decides from what it holds, never from what the
/// sending device claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The event names another device than the one that sent it.
    NotSender,
    /// The body is not an event this hub can read.
    Malformed,
    /// The event is larger than the hub takes (1 MiB).
    TooLarge,
    /// The envelope says something other than the body.
    EnvelopeMismatch,
    /// A field the schema does not have, a value of the wrong type, a bad clock or sequence.
    BadShape,
    /// The case is not held by the sending device's unit.
    CaseNotHeld,
    /// The record belongs to another unit (or, for a case's record, another case).
    NotYours,
    /// A link to a record the sending device's unit does not see.
    LinkNotVisible,
    /// A transfer or referral to a unit the hub does not know.
    UnknownUnit,
    /// Written in the name of someone who is not a user of the sending device's unit.
    UnknownAuthor,
    /// Its clock is more than a day ahead of the hub's: the laptop's clock was wrong.
    ClockAhead,
    /// A case or letter number the hub did not allot to the sending device.
    NumberNotAllotted,
    /// A case or letter number another record of the unit carries.
    NumberTaken,
    /// A username another user of the unit has.
    UsernameTaken,
    /// A write to a case (or one of its records, or its client) that an approved purge erased
    /// (`casebook::records::erasure`): an edit made offline after it is dropped.
    Erased,
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

/// `POST /v1/audit`, after the events at every sync: this device's audit entries the hub has
/// not had, the head of its chain signed by the device, and the point in the unit's entries
/// from which the device wants the other devices' ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditPush {
    pub entries: Vec<SignedAuditEntry>,
    pub head: AuditHead,
    pub after: i64,
}

/// The head of a device's audit chain (how many entries, the last one's hash), signed by the
/// device's key: the hub keeps the last one it saw, so a chain cut or rewritten on the laptop
/// shows at its next sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    pub count: i64,
    pub hash: String,
    pub signature: String,
}

impl AuditHead {
    pub fn signed(device_id: &str, count: i64, hash: &str, key: &SigningKey) -> AuditHead {
        let signature = hex::encode(key.sign(&audit_digest(AUDIT_HEAD, device_id, count, hash)).to_bytes());
        AuditHead {
            count,
            hash: hash.to_owned(),
            signature,
        }
    }

    /// Whether `key` (the device's) signed this head.
    pub fn verify(&self, device_id: &str, key: &ed25519_dalek::VerifyingKey) -> bool {
        verify_hex(
            &self.signature,
            &audit_digest(AUDIT_HEAD, device_id, self.count, &self.hash),
            key,
        )
    }
}

/// The labels that keep a head's signature from passing for an entry's, and the other way.
const AUDIT_HEAD: &[u8] = b"oscc-audit-head-v1";
const AUDIT_ENTRY: &[u8] = b"oscc-audit-entry-v1";

fn verify_hex(signature: &str, digest: &[u8; 32], key: &ed25519_dalek::VerifyingKey) -> bool {
    hex::decode(signature)
        .ok()
        .and_then(|b| ed25519_dalek::Signature::from_slice(&b).ok())
        .is_some_and(|signature| key.verify_strict(digest, &signature).is_ok())
}

fn audit_digest(label: &[u8], device_id: &str, count: i64, hash: &str) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(label);
    for part in [device_id.as_bytes(), &count.to_le_bytes(), hash.as_bytes()] {
        digest.update((part.len() as u64).to_le_bytes());
        digest.update(part);
    }
    digest.finalize().into()
}

/// An audit entry as it travels: with its links, and its device's signature over its hash
/// (which covers its content and the entry before it). Laptops keep another laptop's entry only
/// with its device's signature, so a hub cannot make one up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedAuditEntry {
    #[serde(flatten)]
    pub entry: ChainedEntry,
    pub signature: String,
}

impl SignedAuditEntry {
    pub fn signed(device_id: &str, entry: ChainedEntry, key: &SigningKey) -> SignedAuditEntry {
        let signature = hex::encode(
            key.sign(&audit_digest(AUDIT_ENTRY, device_id, 0, &entry.hash))
                .to_bytes(),
        );
        SignedAuditEntry { entry, signature }
    }

    /// Whether `key` (the device's) signed this entry.
    pub fn verify(&self, device_id: &str, key: &ed25519_dalek::VerifyingKey) -> bool {
        verify_hex(
            &self.signature,
            &audit_digest(AUDIT_ENTRY, device_id, 0, &self.entry.hash),
            key,
        )
    }
}

/// What the hub answers an audit push.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditAnswer {
    /// How much of this device's chain the hub holds.
    pub stored: i64,
    /// What was wrong with the chain sent, if anything (the hub also keeps it for the province).
    #[serde(default)]
    pub problem: Option<AuditProblem>,
    /// The unit's other devices' entries after the point asked, in the hub's order.
    pub unit: Vec<UnitAuditEntry>,
    pub cursor: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditProblem {
    /// Entries the hub had are missing from the device's chain, or a gap in what it sent.
    Cut,
    /// An entry differs from the one the hub had, or does not follow the one before it.
    Rewritten,
    /// The head, or an entry, is not signed by the device's key.
    BadSignature,
    /// An entry larger than the hub takes (a field over 4 KiB).
    TooLarge,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnitAuditEntry {
    pub device_id: String,
    #[serde(flatten)]
    pub signed: SignedAuditEntry,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> WireEvent {
        WireEvent {
            v: WIRE_VERSION,
            event_id: "e1".into(),
            device_id: "d".into(),
            device_seq: 1,
            record_id: "r".into(),
            case_id: Some("c".into()),
            refs: vec!["p".into()],
            grant: None,
            body: "{}".into(),
            sig: String::new(),
        }
    }

    #[test]
    fn the_signature_covers_every_field_and_where_each_ends() {
        let base = sample().signed_digest();
        let changes: [fn(&mut WireEvent); 9] = [
            |e| e.v += 1,
            |e| e.event_id.push('x'),
            // The same characters, split between two fields another way.
            |e| {
                e.event_id = "e".into();
                e.device_id = "1d".into();
            },
            |e| e.device_seq += 1,
            |e| e.record_id.push('x'),
            |e| e.case_id = None,
            |e| e.refs.clear(),
            |e| e.grant = Some("OTHER".into()),
            |e| e.body = "{ }".into(),
        ];
        for change in changes {
            let mut event = sample();
            change(&mut event);
            assert_ne!(event.signed_digest(), base);
        }
        let mut signed = sample();
        signed.sig = "ab".into();
        assert_eq!(signed.signed_digest(), base, "the signature is not under itself");
    }

    #[test]
    fn the_book_sets_aside_for_the_reasons_this_laptop_names() {
        use casebook::error::serde_name;
        use casebook::sync::receive::{DIVERGED, RETRIED};
        use casebook::sync::rights::{INCOMPLETE, NOT_HELD, NOT_YOURS, UNKNOWN_ORIGIN};
        assert_eq!(serde_name(&SetAside::NotYours), NOT_YOURS);
        assert_eq!(serde_name(&SetAside::NotHeld), NOT_HELD);
        assert_eq!(serde_name(&SetAside::Incomplete), INCOMPLETE);
        assert!(RETRIED.contains(&NOT_HELD));
        assert_eq!(serde_name(&SetAside::UnknownOrigin), UNKNOWN_ORIGIN);
        assert_eq!(serde_name(&SetAside::Diverged), DIVERGED);
        assert!(RETRIED.contains(&serde_name(&SetAside::UnknownDevice).as_str()));
        assert!(RETRIED.contains(&serde_name(&SetAside::BadShape).as_str()));
        assert!(RETRIED.contains(&serde_name(&SetAside::ClockAhead).as_str()));
        assert!(RETRIED.contains(&NEWER_VERSION));
    }

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
        let catalog = casebook::log::events::schema_catalog().unwrap();
        assert!(matches!(
            event.into_incoming(1, &catalog, "me", None),
            Incoming::Quarantine { event_id, reason, .. } if event_id == "e1" && reason == "newer_version"
        ));
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
        assert!(matches!(
            garbled.into_incoming(1, &catalog, "me", None),
            Incoming::Quarantine { reason, .. } if reason == "malformed"
        ));
    }
}
