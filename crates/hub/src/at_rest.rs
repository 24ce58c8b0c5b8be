//! The hub at rest. Its database is encrypted with a random 256-bit key kept outside it, in a
//! file of its own beside the certificate's key (`hub-db-key`, readable by the hub's user only),
//! made on the first start against a new database and never again: a database that exists
//! opens only with the key it was made with, so a copy of the database (a backup, a PostgreSQL
//! dump, a stolen disk image) without the key file shows nothing of the cases.
//!
//! On SQLite the key encrypts the whole file (SQLCipher, WAL included). On PostgreSQL the hub
//! seals each event body and each attachment's bytes itself (ChaCha20-Poly1305 under a key
//! derived from this one, a random nonce per value, the row's identity as associated data, so
//! a value moved to another row does not open); the columns it must query on stay clear.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key as AeadKey, Nonce};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub const FILE: &str = "hub-db-key";

/// The first bytes of an SQLite file in clear; an encrypted one starts with its random salt.
const CLEAR_HEADER: &[u8; 16] = b"SQLite format 3\0";
/// The first byte of a sealed value: how it was sealed (a random 96-bit nonce, then the
/// ciphertext and its tag).
const SEALED_V1: u8 = 1;
const NONCE_LEN: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum AtRestError {
    #[error(
        "{0} is missing, and the database is encrypted with the key it held: put back the copy kept \
         with the hub's keys (a new key would not open the database, so none is made)"
    )]
    KeyMissing(PathBuf),
    #[error("{0} is damaged: it does not hold a key")]
    KeyDamaged(PathBuf),
    #[error("the key in {0} does not open this database (is it this hub's key file?)")]
    WrongKey(PathBuf),
    #[error(
        "the database is not encrypted (an earlier oscc-hub wrote it): stop the hub, back the \
         database up, then run `oscc-hub encrypt-database` once with the same --database and --tls-dir"
    )]
    NotEncrypted,
    #[error("there is no database in clear to encrypt there (it is encrypted already, or there is none)")]
    NothingToEncrypt,
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no randomness: {0}")]
    Random(String),
    /// A value that does not open: damaged, sealed with another key, or moved from another row.
    #[error("a stored {0} does not open with the hub's key (damaged, or moved from another row)")]
    Unsealed(&'static str),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What a database is found to be before its key is looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Nothing is stored yet: a key is made if there is none.
    New,
    /// Written in clear by an earlier hub: it must be encrypted first (`encrypt-database`).
    Clear,
    /// Encrypted: it opens only with its key.
    Encrypted,
}

/// What the SQLite file at `path` is, from its first bytes (read without a key).
pub fn sqlite_found(path: &Path) -> Result<Found, AtRestError> {
    let io = |source| AtRestError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    };
    let mut header = [0u8; 16];
    let read = match std::fs::File::open(path) {
        Ok(mut file) => std::io::Read::read(&mut file, &mut header).map_err(io)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(io(e)),
    };
    Ok(match read {
        0 => Found::New,
        _ if &header == CLEAR_HEADER => Found::Clear,
        _ => Found::Encrypted,
    })
}

/// The at-rest key. Zeroized when dropped.
pub struct Key {
    bytes: Zeroizing<[u8; 32]>,
    /// Where it is kept, for messages.
    path: PathBuf,
}

impl Key {
    /// The key in `dir` for a database found `found`: read from its file, or, for a new
    /// database only, made there if there is none. Never made for a database that exists.
    pub fn for_database(dir: &Path, found: Found) -> Result<Key, AtRestError> {
        match (found, Key::read(dir)) {
            (Found::Clear, _) => Err(AtRestError::NotEncrypted),
            (Found::New, Err(AtRestError::KeyMissing(_))) => Key::make(dir),
            (_, read) => read,
        }
    }

    /// The key in `dir`'s key file.
    pub fn read(dir: &Path) -> Result<Key, AtRestError> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(AtRestError::KeyMissing(path)),
            Err(source) => {
                return Err(AtRestError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        let mut bytes = Zeroizing::new([0u8; 32]);
        match hex::decode_to_slice(text.trim(), bytes.as_mut()) {
            Ok(()) => Ok(Key { bytes, path }),
            Err(_) => Err(AtRestError::KeyDamaged(path)),
        }
    }

    /// A new key in `dir` (only the hub's user may read it). Two hubs starting at once on one
    /// new database cannot both make one: the file is made only if it is not there.
    pub fn make(dir: &Path) -> Result<Key, AtRestError> {
        let path = dir.join(FILE);
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| AtRestError::Random(e.to_string()))?;
        let io = |action, source| AtRestError::Io {
            action,
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(|e| io("make the folder of", e))?;
        match crate::private_file::write(&path, Zeroizing::new(hex::encode(*bytes)).as_bytes(), true) {
            Ok(()) => Ok(Key { bytes, path }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Key::read(dir),
            Err(e) => Err(io("write", e)),
        }
    }

    /// Keys `conn`, an SQLite connection to the hub's file, and checks the key opens it (a
    /// wrong key fails on the first read, not at `PRAGMA key`).
    pub fn unlock(&self, conn: &rusqlite::Connection) -> Result<(), AtRestError> {
        // SQLCipher would log a wrong key to stderr; the error below says it instead.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        conn.execute_batch(&self.sqlcipher_pragmas())?;
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                Err(AtRestError::WrongKey(self.path.clone()))
            }
            other => other.map(drop).map_err(Into::into),
        }
    }

    /// The statements that key an SQLite connection's database with this key, as a raw key (no
    /// passphrase derivation: the key is random). Page MACs with HMAC-SHA256, as the case book
    /// does: as safe against tampering as SQLCipher's default SHA-512, cheaper on writes, and
    /// the same at every open.
    fn sqlcipher_pragmas(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "PRAGMA key = \"x'{}'\"; PRAGMA cipher_hmac_algorithm = HMAC_SHA256;",
            hex::encode(*self.bytes)
        ))
    }

    /// What a PostgreSQL database keeps to tell the key it was sealed with (SQLCipher checks
    /// its own).
    pub fn check_value(&self) -> Result<Vec<u8>, AtRestError> {
        self.values().seal(Kind::KeyCheck, "", b"")
    }

    /// Whether `check`, the database's `check_value`, was made with this key.
    pub fn verify(&self, check: &[u8]) -> Result<(), AtRestError> {
        match self.values().open(Kind::KeyCheck, "", check) {
            Ok(_) => Ok(()),
            Err(_) => Err(AtRestError::WrongKey(self.path.clone())),
        }
    }

    /// The key values are sealed with, derived from this one (and for nothing else).
    pub fn values(&self) -> ValueKey {
        let mut hash = Sha256::new();
        hash.update(b"oscc-hub-values-1");
        hash.update(*self.bytes);
        ValueKey(Zeroizing::new(hash.finalize().into()))
    }
}

/// What a sealed value is: part of what it is bound to, so that no kind of value stands in
/// for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An event's body, bound to its event id.
    EventBody,
    /// An attachment's bytes, bound to their SHA-256.
    Blob,
    /// The check a PostgreSQL database keeps that its key is this one.
    KeyCheck,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::EventBody => "event body",
            Kind::Blob => "attachment",
            Kind::KeyCheck => "key check",
        }
    }
}

/// The key values are sealed with. Zeroized when dropped.
pub struct ValueKey(Zeroizing<[u8; 32]>);

impl ValueKey {
    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(AeadKey::from_slice(self.0.as_ref()))
    }

    /// The associated data: the kind and the row's identity (its event id or SHA-256).
    fn bound(kind: Kind, id: &str) -> Vec<u8> {
        [kind.label().as_bytes(), b"\0", id.as_bytes()].concat()
    }

    /// `plain` sealed for the row `id` of `kind`: version, random nonce, ciphertext and tag.
    pub fn seal(&self, kind: Kind, id: &str, plain: &[u8]) -> Result<Vec<u8>, AtRestError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| AtRestError::Random(e.to_string()))?;
        let aad = ValueKey::bound(kind, id);
        let sealed = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad: &aad })
            .map_err(|_| AtRestError::Unsealed(kind.label()))?;
        Ok([&[SEALED_V1][..], &nonce, &sealed].concat())
    }

    /// The value `seal` sealed for the row `id` of `kind`; an error for anything else.
    pub fn open(&self, kind: Kind, id: &str, sealed: &[u8]) -> Result<Vec<u8>, AtRestError> {
        let unsealed = || AtRestError::Unsealed(kind.label());
        let (nonce, body) = match sealed.split_first() {
            Some((&SEALED_V1, rest)) if rest.len() >= NONCE_LEN => rest.split_at(NONCE_LEN),
            _ => return Err(unsealed()),
        };
        let aad = ValueKey::bound(kind, id);
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad: &aad })
            .map_err(|_| unsealed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ValueKey {
        ValueKey(Zeroizing::new([7u8; 32]))
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_own_row_and_kind() {
        let key = key();
        let sealed = key.seal(Kind::EventBody, "event-1", b"synthetic name").unwrap();
        assert!(!sealed.windows(14).any(|w| w == b"synthetic name"));
        assert_eq!(
            key.open(Kind::EventBody, "event-1", &sealed).unwrap(),
            b"synthetic name"
        );
        assert!(key.open(Kind::EventBody, "event-2", &sealed).is_err());
        assert!(key.open(Kind::Blob, "event-1", &sealed).is_err());
        assert!(
            ValueKey(Zeroizing::new([8u8; 32]))
                .open(Kind::EventBody, "event-1", &sealed)
                .is_err()
        );
        // A random nonce each time: the same value sealed twice differs.
        assert_ne!(sealed, key.seal(Kind::EventBody, "event-1", b"synthetic name").unwrap());
    }

    #[test]
    fn a_key_is_made_for_a_new_database_only() {
        let dir = std::env::temp_dir().join(format!("oscc-hub-at-rest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(
            Key::for_database(&dir, Found::Encrypted),
            Err(AtRestError::KeyMissing(_))
        ));
        assert!(matches!(
            Key::for_database(&dir, Found::Clear),
            Err(AtRestError::NotEncrypted)
        ));
        let made = Key::for_database(&dir, Found::New).unwrap();
        let read = Key::for_database(&dir, Found::Encrypted).unwrap();
        assert_eq!(*made.bytes, *read.bytes);
        std::fs::write(dir.join(FILE), "not a key").unwrap();
        assert!(matches!(Key::read(&dir), Err(AtRestError::KeyDamaged(_))));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
