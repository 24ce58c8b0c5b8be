//! Keys: a random 256-bit master key opens the database and is never stored in clear. A key
//! file beside the database holds it once per user and once for the recovery code, in slots.
//! A slot is an X25519 key pair: its secret is sealed under Argon2id of the passphrase (with the
//! device secret from the OS keyring as Argon2's secret input), and the master key is sealed to
//! its public key. A copied database and key file are useless without a passphrase *and* the
//! device, the recovery code opens them on a new machine, and an administrator can put a new
//! master key into every slot without knowing anyone's passphrase (`KeyFile::rewrap`), which
//! leaves an old copy of the key file useless.

use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

pub const KEY_FILE: &str = "casebook.keys";
/// The recovery slot alone, beside the key file: the recovery code still opens the book when
/// the key file is lost or damaged. Sealed like the key file, so no more exposed than it.
pub const RECOVERY_FILE: &str = "casebook.recovery";
/// 2: slots are X25519 key pairs (`Boxed`); files of version 1 are read, their slots upgraded
/// one by one as their owners sign in.
const KEY_FILE_VERSION: u32 = 2;
/// Wrong tries before the first wait; then the wait doubles up to `MAX_DELAY_SECS`.
const FREE_TRIES: u32 = 1;
const MAX_DELAY_SECS: u64 = 300;

/// The database key. Zeroized when dropped.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    pub fn random() -> Result<MasterKey> {
        Ok(MasterKey(Zeroizing::new(random_bytes()?)))
    }

    /// The SQLCipher raw-key literal: x'…'.
    pub(crate) fn sql_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("\"x'{}'\"", hex::encode(*self.0)))
    }
}

/// Argon2id cost. The default suits an office laptop (~0.5 s per unlock); tests use `fast()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub lanes: u32,
}

impl Default for KdfParams {
    fn default() -> KdfParams {
        KdfParams {
            memory_kib: 64 * 1024,
            iterations: 3,
            lanes: 1,
        }
    }
}

impl KdfParams {
    pub fn fast() -> KdfParams {
        KdfParams {
            memory_kib: 8 * 1024,
            iterations: 1,
            lanes: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlotOwner {
    User { user_id: String, username: String },
    Recovery,
}

/// One way into the book. `sealed` holds the slot's X25519 secret and `boxed` the master key
/// sealed to its public key; a slot of the first key-file format has no `boxed`, and `sealed`
/// holds the master key itself (upgraded at the owner's next sign-in).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slot {
    owner: SlotOwner,
    #[serde(flatten)]
    sealed: Sealed,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    boxed: Option<Boxed>,
    /// Set by an administrator: the owner must choose their own at the next sign-in. Part of
    /// the label the secret is sealed with, so clearing it in the file breaks the slot.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    temporary: bool,
}

/// The master key sealed to a slot's public key: X25519 with a fresh ephemeral key, then
/// ChaCha20-Poly1305 under SHA-256 of the shared secret and both public keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Boxed {
    public: String,
    ephemeral: String,
    nonce: String,
    wrapped: String,
}

impl Boxed {
    fn seal(plain: &[u8; 32], public: &PublicKey, aad: &str) -> Result<Boxed> {
        let ephemeral = StaticSecret::from(random_bytes::<32>()?);
        let ephemeral_public = PublicKey::from(&ephemeral);
        let shared = ephemeral.diffie_hellman(public);
        let kek = box_key(shared.as_bytes(), &ephemeral_public, public);
        let (nonce, wrapped) = wrap(&kek, plain, aad)?;
        Ok(Boxed {
            public: hex::encode(public.as_bytes()),
            ephemeral: hex::encode(ephemeral_public.as_bytes()),
            nonce: hex::encode(nonce),
            wrapped: hex::encode(wrapped),
        })
    }

    fn open(&self, secret: &StaticSecret, aad: &str) -> Option<Zeroizing<[u8; 32]>> {
        let ephemeral = PublicKey::from(<[u8; 32]>::try_from(hex::decode(&self.ephemeral).ok()?).ok()?);
        let nonce = hex::decode(&self.nonce).ok()?;
        let wrapped = hex::decode(&self.wrapped).ok()?;
        if nonce.len() != 12 {
            return None;
        }
        let shared = secret.diffie_hellman(&ephemeral);
        if !shared.was_contributory() {
            return None;
        }
        let kek = box_key(shared.as_bytes(), &ephemeral, &PublicKey::from(secret));
        unwrap(&kek, &nonce, &wrapped, aad)
    }

    fn public(&self) -> Option<PublicKey> {
        Some(PublicKey::from(
            <[u8; 32]>::try_from(hex::decode(&self.public).ok()?).ok()?,
        ))
    }
}

/// A 32-byte key sealed under `kek` with a random nonce, bound to `aad`: (nonce, sealed).
fn wrap(kek: &[u8; 32], plain: &[u8; 32], aad: &str) -> Result<([u8; 12], Vec<u8>)> {
    let nonce: [u8; 12] = random_bytes()?;
    let wrapped = ChaCha20Poly1305::new(Key::from_slice(kek))
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &plain[..],
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| Error::KeyFile("cannot wrap key".into()))?;
    Ok((nonce, wrapped))
}

/// What `wrap` sealed, or None under another key, nonce or label.
fn unwrap(kek: &[u8; 32], nonce: &[u8], wrapped: &[u8], aad: &str) -> Option<Zeroizing<[u8; 32]>> {
    if nonce.len() != 12 {
        return None;
    }
    let plain = Zeroizing::new(
        ChaCha20Poly1305::new(Key::from_slice(kek))
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: wrapped,
                    aad: aad.as_bytes(),
                },
            )
            .ok()?,
    );
    let key: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(Zeroizing::new(key))
}

fn box_key(shared: &[u8; 32], ephemeral: &PublicKey, recipient: &PublicKey) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(b"oscc-casebook-slot");
    h.update(shared);
    h.update(ephemeral.as_bytes());
    h.update(recipient.as_bytes());
    Zeroizing::new(h.finalize().into())
}

/// What a slot that opened says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opened {
    /// Set by an administrator: to be changed now.
    pub temporary: bool,
    /// Of the first key-file format: sealed again (as it now is) at this sign-in.
    pub legacy: bool,
}

/// A 32-byte key sealed under a secret: ChaCha20-Poly1305 with a key derived by Argon2id from
/// the secret (and a pepper, when given), bound to a label (`aad`) so that it opens only for
/// what it was sealed for. The book's key slots use it, and so does the hub for the
/// province's signing key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealed {
    kdf: KdfParams,
    salt: String,
    nonce: String,
    wrapped: String,
}

impl Sealed {
    pub fn seal(plain: &[u8; 32], secret: &[u8], pepper: Option<&[u8]>, kdf: KdfParams, aad: &str) -> Result<Sealed> {
        let salt: [u8; 16] = random_bytes()?;
        let kek = derive(secret, pepper, &salt, kdf)?;
        let (nonce, wrapped) = wrap(&kek, plain, aad)?;
        Ok(Sealed {
            kdf,
            salt: hex::encode(salt),
            nonce: hex::encode(nonce),
            wrapped: hex::encode(wrapped),
        })
    }

    /// The sealed key, or None when the secret (or pepper, or label) is not the one it was
    /// sealed with.
    pub fn open(&self, secret: &[u8], pepper: Option<&[u8]>, aad: &str) -> Option<Zeroizing<[u8; 32]>> {
        let salt = hex::decode(&self.salt).ok()?;
        let nonce = hex::decode(&self.nonce).ok()?;
        let wrapped = hex::decode(&self.wrapped).ok()?;
        if nonce.len() != 12 {
            return None;
        }
        let kek = derive(secret, pepper, &salt, self.kdf).ok()?;
        unwrap(&kek, &nonce, &wrapped, aad)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Throttle {
    failures: u32,
    last_failure_unix: i64,
}

/// The key file: its slots and the wrong-try counter (kept on disk so a restart does not reset it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    version: u32,
    pub book_id: String,
    slots: Vec<Slot>,
    #[serde(default)]
    throttle: Throttle,
    /// Users renamed since their slot was sealed (their name was taken on another laptop of
    /// the unit): new name → user id. Their slot stays sealed under the old name, which may
    /// since be another user's.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    aliases: std::collections::BTreeMap<String, String>,
}

impl KeyFile {
    pub fn new(book_id: &str) -> KeyFile {
        KeyFile {
            version: KEY_FILE_VERSION,
            book_id: book_id.to_owned(),
            slots: Vec::new(),
            throttle: Throttle::default(),
            aliases: Default::default(),
        }
    }

    pub fn load(dir: &Path) -> Result<KeyFile> {
        KeyFile::load_from(&dir.join(KEY_FILE))
    }

    fn load_from(path: &Path) -> Result<KeyFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::NotFound),
            Err(e) => return Err(e.into()),
        };
        let file: KeyFile = serde_json::from_str(&text).map_err(|e| Error::KeyFile(e.to_string()))?;
        if !(1..=KEY_FILE_VERSION).contains(&file.version) {
            return Err(Error::KeyFile(format!("version {}", file.version)));
        }
        Ok(file)
    }

    /// Writes atomically: a crash leaves either the old file or the new one.
    pub fn save(&self, dir: &Path) -> Result<()> {
        self.save_to(&dir.join(KEY_FILE))
    }

    pub(crate) fn save_to(&self, path: &Path) -> Result<()> {
        let file = KeyFile {
            version: KEY_FILE_VERSION,
            ..self.clone()
        };
        let text = serde_json::to_string_pretty(&file).map_err(|e| Error::KeyFile(e.to_string()))?;
        crate::store::files::write_atomic(path, text.as_bytes())
    }

    /// The user who signs in under `username` on this laptop: the one renamed to it, or the
    /// one whose slot is sealed under it and who was not renamed away from it.
    pub fn user_id(&self, username: &str) -> Option<String> {
        if let Some(user_id) = self.aliases.get(username) {
            return Some(user_id.clone());
        }
        self.slots.iter().find_map(|s| match &s.owner {
            SlotOwner::User { user_id, username: u }
                if u == username && !self.aliases.values().any(|renamed| renamed == user_id) =>
            {
                Some(user_id.clone())
            }
            _ => None,
        })
    }

    /// The owner of `user_id`'s slot, as it was sealed (under the name the user had then).
    pub fn owner(&self, user_id: &str) -> Option<SlotOwner> {
        self.slots.iter().find_map(|s| match &s.owner {
            SlotOwner::User { user_id: id, .. } if id == user_id => Some(s.owner.clone()),
            _ => None,
        })
    }

    /// `user_id` signs in as `new` from now on; their slot stays sealed as it was.
    pub fn rename_user(&mut self, user_id: &str, new: &str) {
        self.aliases.retain(|_, id| id != user_id);
        self.aliases.insert(new.to_owned(), user_id.to_owned());
    }

    /// Adds (or replaces) the slot of `owner`, sealed under the user's name now: one slot per
    /// user, and no alias for them any more. `temporary`: set by an administrator, so the user
    /// must change it at the next sign-in.
    pub fn put_slot(
        &mut self,
        owner: SlotOwner,
        secret: &[u8],
        pepper: Option<&[u8]>,
        kdf: KdfParams,
        key: &MasterKey,
        temporary: bool,
    ) -> Result<()> {
        let slot_secret = Zeroizing::new(random_bytes::<32>()?);
        let public = PublicKey::from(&StaticSecret::from(*slot_secret));
        let sealed = Sealed::seal(&slot_secret, secret, pepper, kdf, &sealed_aad(&owner, temporary))?;
        let boxed = Boxed::seal(&key.0, &public, &box_aad(&self.book_id, &owner))?;
        if let SlotOwner::User { user_id, .. } = &owner {
            self.aliases.retain(|_, id| id != user_id);
        }
        self.slots.retain(|s| !same_owner(&s.owner, &owner));
        self.slots.push(Slot {
            owner,
            sealed,
            boxed: Some(boxed),
            temporary,
        });
        Ok(())
    }

    /// Whether `owner`'s slot is of the first format (it holds the master key itself).
    pub fn is_legacy(&self, owner: &SlotOwner) -> bool {
        self.slots
            .iter()
            .any(|s| same_owner(&s.owner, owner) && s.boxed.is_none())
    }

    /// Removes `user_id`'s slot; false when they had none here.
    pub fn remove_user(&mut self, user_id: &str) -> bool {
        self.aliases.retain(|_, id| id != user_id);
        let before = self.slots.len();
        self.slots
            .retain(|s| !matches!(&s.owner, SlotOwner::User { user_id: id, .. } if id == user_id));
        before != self.slots.len()
    }

    /// Seals `key` (a new master key) into every slot without anyone's passphrase. Slots of the
    /// first format cannot take it and are removed: their owners are returned, to get a new
    /// passphrase (or, for the recovery slot, a new recovery code).
    pub fn rewrap(&mut self, key: &MasterKey) -> Result<Vec<SlotOwner>> {
        let mut dropped = Vec::new();
        let mut kept = Vec::new();
        for mut slot in std::mem::take(&mut self.slots) {
            match slot.boxed.as_ref().and_then(Boxed::public) {
                Some(public) => {
                    slot.boxed = Some(Boxed::seal(&key.0, &public, &box_aad(&self.book_id, &slot.owner))?);
                    kept.push(slot);
                }
                None => dropped.push(slot.owner),
            }
        }
        self.slots = kept;
        for owner in &dropped {
            if let SlotOwner::User { user_id, .. } = owner {
                self.aliases.retain(|_, id| id != user_id);
            }
        }
        Ok(dropped)
    }

    /// Unwraps the master key from the slot of `owner`, enforcing the growing wait after wrong
    /// tries. The caller saves the file afterwards (the counter changed).
    pub fn open_slot(
        &mut self,
        owner: &SlotOwner,
        secret: &[u8],
        pepper: Option<&[u8]>,
        now_unix: i64,
    ) -> Result<(MasterKey, Opened)> {
        let wait = self.wait_secs(now_unix);
        if wait > 0 {
            return Err(Error::TooSoon { wait_secs: wait });
        }
        let slot = self
            .slots
            .iter()
            .find(|s| same_owner(&s.owner, owner))
            .ok_or(Error::UnknownUser)?;
        match unwrap_slot(&self.book_id, slot, secret, pepper) {
            Some(key) => {
                let opened = Opened {
                    temporary: slot.temporary,
                    legacy: slot.boxed.is_none(),
                };
                self.throttle = Throttle::default();
                Ok((key, opened))
            }
            None => {
                self.throttle.failures += 1;
                self.throttle.last_failure_unix = now_unix;
                Err(Error::WrongSecret {
                    retry_after_secs: delay_after(self.throttle.failures),
                })
            }
        }
    }

    /// The wrong tries counted: (how many since the last right one, when the last was).
    pub fn tries(&self) -> (u32, i64) {
        (self.throttle.failures, self.throttle.last_failure_unix)
    }

    /// Counts at least the wrong tries kept elsewhere (the OS keyring), so that editing the
    /// key file alone does not reset the wait.
    pub fn count_tries_kept(&mut self, (failures, last_failure_unix): (u32, i64)) {
        if failures > self.throttle.failures {
            self.throttle = Throttle {
                failures,
                last_failure_unix,
            };
        }
    }

    /// The wait before the next try: never longer than the delay itself, so a clock set back
    /// (a wrong try "in the future") does not lock the right passphrase out.
    fn wait_secs(&self, now_unix: i64) -> u64 {
        let delay = delay_after(self.throttle.failures) as i64;
        let until = self.throttle.last_failure_unix + delay;
        (until - now_unix).clamp(0, delay) as u64
    }

    /// Writes the recovery slot alone, as `casebook.recovery` (`path`).
    pub(crate) fn save_recovery_to(&self, path: &Path) -> Result<()> {
        let recovery = self
            .slots
            .iter()
            .find(|s| s.owner == SlotOwner::Recovery)
            .ok_or_else(|| Error::KeyFile("no recovery slot".into()))?;
        let file = KeyFile {
            slots: vec![recovery.clone()],
            throttle: Throttle::default(),
            aliases: Default::default(),
            ..KeyFile::new(&self.book_id)
        };
        file.save_to(path)
    }

    /// A key file holding only the recovery slot kept in `casebook.recovery`: what the
    /// recovery code opens when the key file itself is lost.
    pub fn load_recovery(dir: &Path) -> Result<KeyFile> {
        KeyFile::load_from(&dir.join(RECOVERY_FILE))
    }
}

fn delay_after(failures: u32) -> u64 {
    if failures <= FREE_TRIES {
        0
    } else {
        (1u64 << (failures - FREE_TRIES - 1).min(16)).min(MAX_DELAY_SECS)
    }
}

fn same_owner(a: &SlotOwner, b: &SlotOwner) -> bool {
    match (a, b) {
        (SlotOwner::Recovery, SlotOwner::Recovery) => true,
        (SlotOwner::User { user_id: x, .. }, SlotOwner::User { user_id: y, .. }) => x == y,
        _ => false,
    }
}

fn slot_aad(owner: &SlotOwner) -> String {
    match owner {
        SlotOwner::User { user_id, username } => format!("user:{user_id}:{username}"),
        SlotOwner::Recovery => "recovery".into(),
    }
}

fn sealed_aad(owner: &SlotOwner, temporary: bool) -> String {
    if temporary {
        format!("{}:temporary", slot_aad(owner))
    } else {
        slot_aad(owner)
    }
}

/// Binds the boxed master key to its book and slot: a box copied into another slot or another
/// book's key file does not open.
fn box_aad(book_id: &str, owner: &SlotOwner) -> String {
    format!("{book_id}:{}", slot_aad(owner))
}

fn unwrap_slot(book_id: &str, slot: &Slot, secret: &[u8], pepper: Option<&[u8]>) -> Option<MasterKey> {
    let opened = slot
        .sealed
        .open(secret, pepper, &sealed_aad(&slot.owner, slot.temporary))?;
    match &slot.boxed {
        None => Some(MasterKey(opened)),
        Some(boxed) => boxed
            .open(&StaticSecret::from(*opened), &box_aad(book_id, &slot.owner))
            .map(MasterKey),
    }
}

fn derive(secret: &[u8], pepper: Option<&[u8]>, salt: &[u8], kdf: KdfParams) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.lanes, Some(32))
        .map_err(|e| Error::KeyFile(format!("argon2 parameters: {e}")))?;
    let argon = match pepper {
        Some(pepper) => Argon2::new_with_secret(pepper, Algorithm::Argon2id, Version::V0x13, params)
            .map_err(|e| Error::KeyFile(format!("argon2: {e}")))?,
        None => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
    };
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(secret, salt, &mut *out)
        .map_err(|e| Error::KeyFile(format!("argon2: {e}")))?;
    Ok(out)
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::KeyFile(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// The recovery code printed once for the unit head: 128 random bits in Crockford base32,
/// grouped by four ("7K3Q-…"), read back forgiving case, spaces, and O/0, I/L/1 mix-ups.
pub struct RecoveryCode(Zeroizing<String>);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl RecoveryCode {
    pub fn random() -> Result<RecoveryCode> {
        let bytes: Zeroizing<[u8; 16]> = Zeroizing::new(random_bytes()?);
        let mut bits: u32 = 0;
        let mut nbits = 0;
        let mut code = String::new();
        for byte in bytes.iter() {
            bits = (bits << 8) | u32::from(*byte);
            nbits += 8;
            while nbits >= 5 {
                nbits -= 5;
                code.push(CROCKFORD[((bits >> nbits) & 31) as usize] as char);
            }
        }
        if nbits > 0 {
            code.push(CROCKFORD[((bits << (5 - nbits)) & 31) as usize] as char);
        }
        Ok(RecoveryCode(Zeroizing::new(code)))
    }

    /// For the recovery sheet: groups of four separated by dashes.
    pub fn display(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The canonical form of what a person typed.
    pub fn normalize(typed: &str) -> Zeroizing<String> {
        Zeroizing::new(
            typed
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| match c.to_ascii_uppercase() {
                    'O' => '0',
                    'I' | 'L' => '1',
                    other => other,
                })
                .collect(),
        )
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_grows_after_the_free_try() {
        let waits: Vec<u64> = (1..=6).map(delay_after).collect();
        assert_eq!(waits, vec![0, 1, 2, 4, 8, 16]);
        assert_eq!(delay_after(40), MAX_DELAY_SECS);
    }

    #[test]
    fn recovery_code_reads_back_with_typing_slips() {
        let code = RecoveryCode::random().unwrap();
        let shown = code.display();
        assert_eq!(shown.len(), 26 + 6);
        let typed = shown.to_lowercase().replace('0', "o").replace('-', " ");
        assert_eq!(*RecoveryCode::normalize(&typed), *code.0);
    }
}
