//! The encrypted case book (DESIGN.md §3–§4): domain types, validation, the SQLCipher store,
//! keys and sign-in, permissions, the hash-chained audit log, the event log and search.
//! No Tauri, no async, no UI.

pub mod areas;
pub mod attachments;
pub mod audit;
mod backup;
mod blobs;
mod book;
pub mod care;
pub mod case;
pub mod checkpoint;
pub mod conference;
pub mod dates;
mod device;
pub mod entity;
pub mod error;
pub mod events;
mod files;
pub mod hlc;
pub mod keys;
pub mod lookups;
mod mask;
pub mod partners;
pub mod pdpa;
pub mod permissions;
pub mod person;
pub mod pseudonym;
pub mod purge;
pub mod records;
pub mod register;
mod rows;
mod search;
pub mod stats;
pub mod store;
pub mod sync;
pub mod synth;
pub mod thai_id;
pub mod timeline;
mod transfer;

pub use book::{Casebook, NewBook, OrgType, UnitInfo, UserSummary, now_iso};
pub use error::{Error, Invalid, Result, Rule};
pub use keys::{KdfParams, RecoveryCode};
pub use permissions::{Permission, Role, Session};
