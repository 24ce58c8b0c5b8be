//! The one error the UI acts on: a catalog key (and the field it concerns). Every key comes
//! either from the case book (`casebook::Error::message_key`) or from the shell's own
//! `Failure`s, so a test can check that the catalogs have them all.

use oscc_sync::SyncError;
use serde::Serialize;
use ts_rs::TS;

/// What a failed command tells the UI: a catalog key, and the field it concerns.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    pub key: String,
    pub field: Option<String>,
    #[ts(type = "number | null")]
    pub wait_secs: Option<u64>,
}

pub type Result<T> = std::result::Result<T, CommandError>;

/// What goes wrong in the shell itself rather than in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray)]
pub enum Failure {
    /// A file, a lock or a background thread failed; the details go to the log only.
    Storage,
    Locked,
    /// Signed in with a passphrase an administrator set: it is changed before anything else.
    PassphraseToChange,
    BadRequest,
    Window,
    NoSuchFolder,
    NotAnExport,
    OpenFailed,
    SyncNetwork,
    SyncUnauthorized,
    SyncRefused,
    SyncBook,
    SyncAddress,
    SyncNotApproved,
    SyncProvinceKey,
    /// The certificate fingerprint typed at enrollment is not one (16 to 64 hex digits).
    SyncFingerprint,
    SyncWrongCertificate,
    /// The hub named a province key other than the one typed at enrollment.
    SyncProvinceKeyTyped,
    /// The enrollment code is for another unit than this book's.
    SyncOtherUnit,
}

impl Failure {
    pub fn key(self) -> &'static str {
        match self {
            Failure::Storage => "error.storage",
            Failure::Locked => "error.locked",
            Failure::PassphraseToChange => "error.passphrase_to_change",
            Failure::BadRequest => "error.bad_request",
            Failure::Window => "error.window",
            Failure::NoSuchFolder => "error.no_such_folder",
            Failure::NotAnExport => "error.not_an_export",
            Failure::OpenFailed => "error.open_failed",
            Failure::SyncNetwork => "sync.error.network",
            Failure::SyncUnauthorized => "sync.error.unauthorized",
            Failure::SyncRefused => "sync.error.refused",
            Failure::SyncBook => "sync.error.book",
            Failure::SyncAddress => "sync.error.address",
            Failure::SyncNotApproved => "sync.error.not_approved",
            Failure::SyncProvinceKey => "sync.error.province_key",
            Failure::SyncFingerprint => "sync.error.fingerprint",
            Failure::SyncWrongCertificate => "sync.error.wrong_certificate",
            Failure::SyncProvinceKeyTyped => "sync.error.province_key_typed",
            Failure::SyncOtherUnit => "sync.error.other_unit",
        }
    }
}

impl From<&SyncError> for Failure {
    fn from(err: &SyncError) -> Failure {
        match err {
            SyncError::Network(_) => Failure::SyncNetwork,
            SyncError::Unauthorized => Failure::SyncUnauthorized,
            SyncError::Refused(_) | SyncError::Stalled | SyncError::AnswerTooLarge => Failure::SyncRefused,
            SyncError::Book(_) => Failure::SyncBook,
            SyncError::PlainHttp | SyncError::BadAddress => Failure::SyncAddress,
            SyncError::NotApproved => Failure::SyncNotApproved,
            SyncError::ProvinceKeyChanged => Failure::SyncProvinceKey,
            SyncError::WrongCertificate => Failure::SyncWrongCertificate,
        }
    }
}

impl From<Failure> for CommandError {
    fn from(failure: Failure) -> CommandError {
        CommandError {
            key: failure.key().into(),
            field: None,
            wait_secs: None,
        }
    }
}

impl From<SyncError> for CommandError {
    fn from(err: SyncError) -> CommandError {
        Failure::from(&err).into()
    }
}

impl From<casebook::Error> for CommandError {
    fn from(err: casebook::Error) -> CommandError {
        let field = match &err {
            casebook::Error::Invalid(invalid) => Some(invalid.field.clone()),
            _ => None,
        };
        let wait_secs = match &err {
            casebook::Error::WrongSecret { retry_after_secs } => Some(*retry_after_secs),
            casebook::Error::TooSoon { wait_secs } => Some(*wait_secs),
            _ => None,
        };
        // The message names the kind of failure only, never the data involved.
        if matches!(
            err,
            casebook::Error::Database(_) | casebook::Error::Io(_) | casebook::Error::Corrupt(_)
        ) {
            eprintln!("storage error: {err}");
        }
        CommandError {
            key: err.message_key(),
            field,
            wait_secs,
        }
    }
}

impl From<documents::Error> for CommandError {
    fn from(err: documents::Error) -> CommandError {
        match err {
            documents::Error::Font(_) => {
                eprintln!("document not typeset: {err}");
                Failure::Storage.into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Failure;
    use casebook::{Error, Invalid, Rule};
    use std::collections::HashMap;
    use strum::VariantArray;

    /// One book error of each kind, every rule broken (`Rule::VARIANTS`). The match has no
    /// wildcard: a kind of error added to casebook fails to compile here until it is listed.
    fn every_book_error() -> Vec<Error> {
        let mut errors: Vec<Error> = Rule::VARIANTS
            .iter()
            .map(|&rule| Invalid::new("field", rule).into())
            .collect();
        errors.extend([
            Error::WrongSecret { retry_after_secs: 1 },
            Error::TooSoon { wait_secs: 1 },
            Error::UnknownUser,
            Error::DeviceSecretMissing,
            Error::Keyring(String::new()),
            Error::KeyFile(String::new()),
            Error::AlreadyExists,
            Error::NotFound,
            Error::Forbidden("edit cases"),
            Error::NoSuchRecord("case"),
            Error::Database(rusqlite::Error::QueryReturnedNoRows),
            Error::Io(std::io::Error::other("disk")),
            Error::Corrupt(String::new()),
        ]);
        for err in &errors {
            match err {
                Error::Invalid(_)
                | Error::WrongSecret { .. }
                | Error::TooSoon { .. }
                | Error::UnknownUser
                | Error::DeviceSecretMissing
                | Error::Keyring(_)
                | Error::KeyFile(_)
                | Error::AlreadyExists
                | Error::NotFound
                | Error::Forbidden(_)
                | Error::NoSuchRecord(_)
                | Error::Database(_)
                | Error::Io(_)
                | Error::Corrupt(_) => {}
            }
        }
        errors
    }

    fn catalog(json: &str) -> HashMap<String, String> {
        serde_json::from_str(json).expect("the catalog is a flat JSON object")
    }

    /// The Sync screen names every kind of record, and explains every reason the hub can give
    /// for refusing an event, and every reason a laptop sets one aside.
    #[test]
    fn every_refusal_reason_is_in_both_catalogs() {
        let th = catalog(include_str!("../../ui/src/lib/i18n/th.json"));
        let en = catalog(include_str!("../../ui/src/lib/i18n/en.json"));
        for reason in oscc_sync::Refusal::VARIANTS {
            let key = format!("sync.refusal.{}", casebook::error::serde_name(reason));
            assert!(
                th.contains_key(&key) && en.contains_key(&key),
                "{key} missing from a catalog"
            );
        }
        for why in oscc_sync::SetAside::VARIANTS {
            let key = format!("sync.set_aside.{}", casebook::error::serde_name(why));
            assert!(
                th.contains_key(&key) && en.contains_key(&key),
                "{key} missing from a catalog"
            );
        }
        for entity in casebook::log::entity::Entity::ALL {
            let key = format!("sync.entity.{}", entity.name());
            assert!(
                th.contains_key(&key) && en.contains_key(&key),
                "{key} missing from a catalog"
            );
        }
    }

    #[test]
    fn every_message_key_an_error_can_carry_is_in_both_catalogs() {
        let th = catalog(include_str!("../../ui/src/lib/i18n/th.json"));
        let en = catalog(include_str!("../../ui/src/lib/i18n/en.json"));
        let book = every_book_error()
            .into_iter()
            .map(|err| super::CommandError::from(err).key);
        let shell = Failure::VARIANTS
            .iter()
            .map(|failure| super::CommandError::from(*failure).key);
        let keys: Vec<String> = book.chain(shell).collect();
        assert!(keys.contains(&"validation.not_yet_due".to_owned()) && keys.contains(&"sync.error.book".to_owned()));
        for key in keys {
            assert!(th.contains_key(&key), "{key} missing from th.json");
            assert!(en.contains_key(&key), "{key} missing from en.json");
        }
    }
}
