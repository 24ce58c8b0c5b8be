//! The small SQL interface the hub's storage and routing are written over, once for both
//! databases (`sqlite` and `postgres` provide it, through `backend`), and the one error type
//! they return.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Db(String),
    /// The database's key (missing, wrong, or a database not encrypted yet), or a stored
    /// value that does not open with it.
    #[error(transparent)]
    AtRest(#[from] oscc_hub::at_rest::AtRestError),
    #[error("unknown, used, expired or revoked enrollment code")]
    BadCode,
    /// Too many wrong enrollment codes in the last hour: enrollment waits.
    #[error("too many wrong enrollment codes in the last hour; try again later")]
    TooManyTries,
    /// A signature in the push is not the sending device's: whoever sent it holds the token
    /// but not the key, and nothing of the push is taken.
    #[error("event {0} is not signed by the device that sent it")]
    BadSignature(String),
    /// The same event id or (device, seq) was received before with other content: a laptop
    /// restored from a file backup. Nothing of the push is taken; the laptop must enrol again
    /// as a new device.
    #[error("event {0} was already received with different content")]
    Diverged(String),
    /// The event was written by a newer schema than the hub's: nothing of the push is taken
    /// until the hub is upgraded (the hub is upgraded before the laptops).
    #[error("event {0} was written by a newer schema than this hub knows")]
    NewerSchema(String),
    /// More events in one push than the hub takes at once.
    #[error("a push of {0} events is more than the hub takes at once")]
    TooMany(usize),
    #[error("the device's public key is not a usable Ed25519 key")]
    BadKey,
    #[error("the attachment's bytes do not match its hash")]
    BadBlob,
    /// The province key is not set up yet (`oscc-hub province-key`): no device can be
    /// enrolled, since none could be approved.
    #[error("the province key is not set up yet: run `oscc-hub province-key` first")]
    NoProvinceKey,
}

/// A value bound to or read from SQL: the hub stores only text and integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
    Null,
}

impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(v.to_owned())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        v.map_or(Val::Null, Val::Text)
    }
}

impl Val {
    pub(super) fn text(&self) -> String {
        match self {
            Val::Text(t) => t.clone(),
            Val::Int(i) => i.to_string(),
            Val::Bytes(_) | Val::Null => String::new(),
        }
    }
    pub(super) fn int(&self) -> i64 {
        match self {
            Val::Int(i) => *i,
            Val::Text(t) => t.parse().unwrap_or(0),
            Val::Bytes(_) | Val::Null => 0,
        }
    }
}

/// One transaction of a backend. SQL is written with `?1`, `?2` … placeholders (and no other
/// `?`), parameters in a select list cast to their type so PostgreSQL knows it.
pub trait Sql {
    fn exec(&mut self, sql: &str, args: &[Val]) -> Result<u64, StoreError>;
    fn rows(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Vec<Val>>, StoreError>;
    /// Runs an `INSERT … ON CONFLICT DO NOTHING` of one row and gives the row's integer key,
    /// the column `key`; None when a conflict left the row out.
    fn insert_key(&mut self, sql: &str, args: &[Val], key: &str) -> Result<Option<i64>, StoreError>;
}
