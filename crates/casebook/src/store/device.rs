//! The device secret: 32 random bytes kept in the OS keyring (Secret Service on Linux, Keychain
//! on macOS, Credential Manager on Windows), one per case book, never on disk.

use crate::error::{Error, Result};
use crate::store::keys::random_bytes;
use crate::store::keys::{KeyFile, MasterKey, Opened, SlotOwner};
use std::path::Path;
use zeroize::Zeroizing;

const SERVICE: &str = "org.oscc.casebook";

fn entry(book_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("device-secret:{book_id}")).map_err(keyring_error)
}

/// Creates this device's secret for the case book (replacing any old one).
pub fn create_secret(book_id: &str) -> Result<Zeroizing<Vec<u8>>> {
    let secret: [u8; 32] = random_bytes()?;
    let secret = Zeroizing::new(secret.to_vec());
    entry(book_id)?.set_secret(&secret).map_err(keyring_error)?;
    Ok(secret)
}

pub fn load_secret(book_id: &str) -> Result<Zeroizing<Vec<u8>>> {
    match entry(book_id)?.get_secret() {
        Ok(secret) => Ok(Zeroizing::new(secret)),
        Err(keyring::Error::NoEntry) => Err(Error::DeviceSecretMissing),
        Err(e) => Err(keyring_error(e)),
    }
}

fn hub_entry(book_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("hub-token:{book_id}")).map_err(keyring_error)
}

/// Keeps what this device proves itself to the hub with (its token and signing key, as the
/// sync crate encodes them).
pub fn store_hub_secret(book_id: &str, secret: &str) -> Result<()> {
    hub_entry(book_id)?.set_password(secret).map_err(keyring_error)
}

pub fn load_hub_secret(book_id: &str) -> Result<Option<Zeroizing<String>>> {
    match hub_entry(book_id)?.get_password() {
        Ok(secret) => Ok(Some(Zeroizing::new(secret))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(keyring_error(e)),
    }
}

fn tries_entry(book_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("wrong-tries:{book_id}")).map_err(keyring_error)
}

/// The wrong tries at sign-in as last counted (`KeyFile::tries`), kept here as well as in the
/// key file so that editing one of them does not reset the wait. None when never kept or
/// unreadable.
pub fn load_tries(book_id: &str) -> Option<(u32, i64)> {
    let text = tries_entry(book_id).ok()?.get_password().ok()?;
    let (failures, last) = text.split_once(':')?;
    Some((failures.parse().ok()?, last.parse().ok()?))
}

pub fn store_tries(book_id: &str, (failures, last): (u32, i64)) -> Result<()> {
    tries_entry(book_id)?
        .set_password(&format!("{failures}:{last}"))
        .map_err(keyring_error)
}

/// Keyring failures become one clear message: no session bus, a locked keyring, no prompt.
fn keyring_error(err: keyring::Error) -> Error {
    let hint = match &err {
        keyring::Error::NoStorageAccess(_) => "the keyring is locked or cannot be reached",
        keyring::Error::PlatformFailure(_) => "the keyring service is not running",
        _ => "the keyring refused the request",
    };
    Error::Keyring(format!("{hint} ({err})"))
}

/// Opens a slot, counting a wrong try in the key file of `counted_in` (none for a key file not
/// saved yet) and in the OS keyring (the larger count stands, so editing one does not reset
/// the wait). The right passphrase is never refused because the count could not be written (a
/// full disk, a keyring that does not answer).
pub fn open_slot_counted(
    keys: &mut KeyFile,
    owner: &SlotOwner,
    secret: &[u8],
    pepper: Option<&[u8]>,
    counted_in: Option<&Path>,
) -> Result<(MasterKey, Opened)> {
    let kept = load_tries(&keys.book_id);
    if let Some(kept) = kept {
        keys.count_tries_kept(kept);
    }
    let before = keys.tries();
    let opened = keys.open_slot(owner, secret, pepper, chrono::Utc::now().timestamp());
    if keys.tries() != before || kept.is_some_and(|k| k != keys.tries()) {
        let saved = counted_in.map(|dir| keys.save(dir));
        let stored = store_tries(&keys.book_id, keys.tries());
        // A wrong try neither could count: say so rather than allow uncounted tries.
        if let (Err(_), Some(Err(e)), Err(_)) = (&opened, saved, stored) {
            return Err(e);
        }
    }
    opened
}
