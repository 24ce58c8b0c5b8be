//! The event log and its merge rules: what kinds of record there are (`entity`), the hybrid
//! logical clock that orders events across laptops (`hlc`), each device's append-only log
//! (`events`), and how a record takes in events from elsewhere (`merge`).

pub mod entity;
pub mod events;
pub mod hlc;
pub mod merge;
