//! The Tauri commands, one file per noun. Each parses its arguments, calls a core crate
//! (casebook, documents, sync) and maps the error to a message key; none has logic of its own.

pub mod agencies;
pub mod app;
pub mod areas;
pub mod backup;
pub mod book;
pub mod care;
pub mod cases;
pub mod conferences;
pub mod exports;
pub mod intake;
pub mod pdpa;
pub mod projector;
pub mod referrals;
pub mod register;
pub mod statistics;
pub mod sync;
pub mod timeline;
pub mod users;
