//! How event bodies and attachment bytes are kept: as they are where the whole database is
//! encrypted (SQLite with SQLCipher), sealed one by one with the at-rest key where it is not
//! (PostgreSQL; `at_rest`). Every write and read of those two columns goes through here.

use super::sql::{StoreError, Val};
use oscc_hub::at_rest::{Kind, ValueKey};

pub enum Values {
    AsTheyAre,
    Sealed(ValueKey),
}

impl Values {
    /// What the `body` column keeps of event `event_id`'s JSON.
    pub(super) fn body(&self, event_id: &str, json: &str) -> Result<Val, StoreError> {
        Ok(match self {
            Values::AsTheyAre => Val::Text(json.to_owned()),
            Values::Sealed(key) => Val::Bytes(key.seal(Kind::EventBody, event_id, json.as_bytes())?),
        })
    }

    /// Event `event_id`'s JSON from what its `body` column keeps.
    pub(super) fn read_body(&self, event_id: &str, stored: &Val) -> Result<String, StoreError> {
        let unsealed = || StoreError::Db(format!("event {event_id}: its stored body is not what this hub keeps"));
        match (self, stored) {
            (Values::AsTheyAre, Val::Text(json)) => Ok(json.clone()),
            (Values::Sealed(key), Val::Bytes(sealed)) => {
                String::from_utf8(key.open(Kind::EventBody, event_id, sealed)?).map_err(|_| unsealed())
            }
            _ => Err(unsealed()),
        }
    }

    /// What the `data` column keeps of the attachment `sha256`.
    pub(super) fn blob(&self, sha256: &str, bytes: &[u8]) -> Result<Val, StoreError> {
        Ok(Val::Bytes(match self {
            Values::AsTheyAre => bytes.to_vec(),
            Values::Sealed(key) => key.seal(Kind::Blob, sha256, bytes)?,
        }))
    }

    /// The attachment `sha256`'s bytes from what its `data` column keeps.
    pub(super) fn read_blob(&self, sha256: &str, stored: Vec<u8>) -> Result<Vec<u8>, StoreError> {
        match self {
            Values::AsTheyAre => Ok(stored),
            Values::Sealed(key) => Ok(key.open(Kind::Blob, sha256, &stored)?),
        }
    }
}
