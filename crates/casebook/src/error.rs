//! The crate's typed errors. Messages never carry personal data: a validation error names the
//! field and the rule broken, and `message_key` gives the UI's catalog key for it.

use serde::Serialize;
use ts_rs::TS;

/// A rule a field's value broke. The UI shows the catalog text `validation.<rule>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, strum::VariantArray)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Rule {
    Required,
    TooLong,
    ThaiIdFormat,
    ThaiIdCheckDigit,
    InFuture,
    NotADate,
    AgeOutOfRange,
    OutOfRange,
    UnknownCode,
    CaseNumberFormat,
    UnitCodeFormat,
    PassphraseTooShort,
    /// A new passphrase the same as the one it replaces.
    SameAsBefore,
    /// A picture that is not a PNG file.
    NotPng,
    /// A transfer to the unit that already holds the case.
    SameUnit,
    /// A purge before the case's retention date, with no erasure request.
    NotYetDue,
    /// A status the case cannot move to from the one it has.
    NotAStep,
    /// Someone who is not an active worker of this unit (a case given to an administrator).
    NotAWorker,
    /// An attachment that is neither a JPEG, a PNG nor a PDF (a HEIC photo from an iPhone must
    /// be saved as JPEG first).
    NotAPhotoOrPdf,
    /// A JPEG, PNG or PDF that cannot be read (cut short or damaged).
    DamagedFile,
    /// A merge of a person with themself.
    SamePerson,
    /// A child's consent given by the child alone: a guardian consents, the child assents.
    GuardianNeeded,
    /// A referral or transfer with no consent in force and no legal basis given.
    NoConsent,
    /// A person linked as a volunteer who is not recorded as one.
    NotAVolunteer,
    /// A volunteer linked to a case they are already in (their own, say).
    AlreadyInCase,
    /// A search by name, ID number or phone by a role that may not see identity (a
    /// facilitator): whether it finds a case would tell who is a client. Such a role searches
    /// case numbers only.
    IdentitySearch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{field}: {rule:?}")]
#[ts(export)]
pub struct Invalid {
    pub field: String,
    pub rule: Rule,
}

impl Invalid {
    pub fn new(field: &str, rule: Rule) -> Invalid {
        Invalid {
            field: field.to_owned(),
            rule,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid input: {0}")]
    Invalid(#[from] Invalid),
    #[error("wrong passphrase or recovery code; next try allowed in {retry_after_secs} s")]
    WrongSecret { retry_after_secs: u64 },
    #[error("too many wrong tries; wait {wait_secs} s")]
    TooSoon { wait_secs: u64 },
    #[error("no such user in this case book")]
    UnknownUser,
    #[error("this case book's device secret is missing from the OS keyring")]
    DeviceSecretMissing,
    #[error("OS keyring: {0}")]
    Keyring(String),
    #[error("the key file is damaged or of an unknown version: {0}")]
    KeyFile(String),
    #[error("a case book already exists here")]
    AlreadyExists,
    #[error("no case book here")]
    NotFound,
    #[error("not permitted for this role: {0}")]
    Forbidden(&'static str),
    #[error("no such {0}")]
    NoSuchRecord(&'static str),
    #[error("the database refused the change: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
}

impl Error {
    /// The UI catalog key for this error.
    pub fn message_key(&self) -> String {
        match self {
            Error::Invalid(invalid) => {
                format!("validation.{}", serde_name(&invalid.rule))
            }
            Error::WrongSecret { .. } => "error.wrong_secret".into(),
            Error::TooSoon { .. } => "error.too_soon".into(),
            Error::UnknownUser => "error.unknown_user".into(),
            Error::DeviceSecretMissing => "error.device_secret_missing".into(),
            Error::Keyring(_) => "error.keyring".into(),
            Error::KeyFile(_) => "error.key_file".into(),
            Error::AlreadyExists => "error.already_exists".into(),
            Error::NotFound => "error.not_found".into(),
            Error::Forbidden(_) => "error.forbidden".into(),
            Error::NoSuchRecord(_) => "error.no_such_record".into(),
            Error::Database(_) | Error::Io(_) | Error::Corrupt(_) => "error.storage".into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The serde name of a unit enum variant ("in_service").
pub fn serde_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
