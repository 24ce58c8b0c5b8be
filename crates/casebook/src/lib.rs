//! The encrypted case book (docs/ARCHITECTURE.md): no Tauri, no async, no UI. The modules are
//! layers; a module uses only its own layer and the ones listed before it:
//!
//! - `error`, `dates`: typed errors and Buddhist-era dates, used everywhere.
//! - `store`: the encrypted file and nothing of the domain (open, migrations, keys, device
//!   secret, rows, the search index, reference data).
//! - `log`: record kinds, the hybrid logical clock, the event log and the merge rules.
//! - `book`: the `Casebook` handle, the one write path, audit, permissions, users, backup.
//! - `records`: what a unit records, one file per kind, intake included.
//! - `sync`: the replica side of sync (what to push, taking in, conflicts, blobs).
//! - `pdpa`, `statistics`, `community`, `values`: duties under the PDPA, the counts the province
//!   receives, the counts given back to a village or district forum, and the values each
//!   column takes (checked in events from elsewhere).
//! - `synth`: synthetic case books (fictional people) for tests and benchmarks.

// Used by every layer.
pub mod dates;
pub mod error;

// The layers, lowest first.
pub mod store;

pub mod log;

pub mod book;

pub mod records;
pub mod sync;

pub mod community;
pub mod pdpa;
pub mod statistics;
pub mod values;

// Synthetic case books for tests and benchmarks.
pub mod synth;

// The handle and the types nearly every caller needs.
pub use book::key_change::KeyChanged;
pub use book::permissions::{Permission, Role, Session};
pub use book::users::UserSummary;
pub use book::{Casebook, NewBook, OrgType, UnitInfo};
pub use error::{Error, Invalid, Result, Rule};
pub use store::keys::{KdfParams, RecoveryCode};
pub use store::layout::BookState;
