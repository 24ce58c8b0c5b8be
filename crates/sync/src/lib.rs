//! Sync between a unit's laptops and the provincial hub (docs/ARCHITECTURE.md, "Sync"): the versioned wire
//! types both sides speak, and the client that pushes this device's log and pulls the rest.

pub mod attestation;
mod client;
mod tls;
mod wire;

pub use client::{
    AUDIT_BATCH, Client, Credentials, Enrolled, Replica, SyncError, SyncReport, catch_up_search, sync_once,
};
pub use tls::{fingerprint, typed_fingerprint};
pub use wire::{
    AuditAnswer, AuditHead, AuditProblem, AuditPush, EnrollRequest, EnrollResponse, NumbersRequest, NumbersResponse,
    PullResponse, PulledEvent, PushRequest, PushResponse, Refusal, RefusedEvent, SetAside, SignedAuditEntry,
    TakenUsername, UnitAuditEntry, UnitList, UsernameClaim, WIRE_VERSION, WireEvent,
};
