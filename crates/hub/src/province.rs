//! The province's signing key: it approves devices (`oscc_sync::attestation`), so that a
//! laptop trusts an event because the province enrolled its device, not because the hub says
//! so. The key lives in a file of its own, sealed under the province administrator's
//! passphrase (Argon2id, ChaCha20-Poly1305: the book's own key sealing), and is opened only by
//! `oscc-hub approve`; `oscc-hub serve` never reads the file and holds only the public key.
//! Keep the file off the server (a USB stick in the office safe) and a copy of it elsewhere:
//! without it no new laptop can be approved.

use casebook::store::keys::{KdfParams, Sealed};
use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

/// A passphrase shorter than this is refused when the key is made.
pub const MIN_PASSPHRASE: usize = 12;

/// What the sealed key opens for: nothing else sealed the same way opens as it.
const LABEL: &str = "oscc-province-signing-key-1";

#[derive(Serialize, Deserialize)]
struct KeyFile {
    /// The public key, hex: which province key this is, readable without the passphrase.
    public_key: String,
    #[serde(flatten)]
    sealed: Sealed,
}

/// Makes the province key in a new file at `path` (never over an existing one); its public
/// key, hex.
pub fn create(path: &Path, passphrase: &str) -> Result<String, String> {
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(format!("the passphrase needs at least {MIN_PASSPHRASE} characters"));
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|e| format!("no randomness: {e}"))?;
    let public_key = hex::encode(SigningKey::from_bytes(&seed).verifying_key().to_bytes());
    let sealed =
        Sealed::seal(&seed, passphrase.as_bytes(), None, KdfParams::default(), LABEL).map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&KeyFile {
        public_key: public_key.clone(),
        sealed,
    })
    .map_err(|e| e.to_string())?;
    crate::private_file::write(path, text.as_bytes(), true).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!("{} exists already: a province has one key", path.display()),
        _ => format!("cannot write {}: {e}", path.display()),
    })?;
    Ok(public_key)
}

/// The province key in `path`, opened with `passphrase`; it must be the key whose public half
/// is `expected` (the one the hub hands to laptops).
pub fn open(path: &Path, passphrase: &str, expected: &str) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let file: KeyFile = serde_json::from_str(&text).map_err(|_| format!("{} is not a province key", path.display()))?;
    if file.public_key != expected {
        return Err(format!("{} is not this hub's province key", path.display()));
    }
    let seed = file
        .sealed
        .open(passphrase.as_bytes(), None, LABEL)
        .ok_or("wrong passphrase for the province key")?;
    let key = SigningKey::from_bytes(&seed);
    if hex::encode(key.verifying_key().to_bytes()) != expected {
        return Err(format!("{} is damaged", path.display()));
    }
    Ok(key)
}

/// The devices approved with the key in `key_file`, as noted beside it in `<key file>.approved`
/// (one line each: device id, unit, public key): (unit, public key) by device id. The hub's
/// database could be edited to show an approved device as waiting again with another key;
/// `approve` checks each device against this list first, which lives with the key, off the
/// server.
pub fn approved_before(key_file: &Path) -> Result<std::collections::HashMap<String, (String, String)>, String> {
    let path = approvals(key_file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let (id, unit, key) = (fields.next()?, fields.next()?, fields.next()?);
            Some((id.to_owned(), (unit.to_owned(), key.to_owned())))
        })
        .collect())
}

/// Notes an approval in the list beside the key file.
pub fn note_approval(key_file: &Path, device_id: &str, unit_code: &str, public_key: &str) -> Result<(), String> {
    let path = approvals(key_file);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::io::Write::write_all(
        &mut file,
        format!("{device_id}\t{unit_code}\t{public_key}\n").as_bytes(),
    )
    .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn approvals(key_file: &Path) -> std::path::PathBuf {
    let mut name = key_file.as_os_str().to_owned();
    name.push(".approved");
    name.into()
}

/// The administrator's passphrase: one line from standard input with `--passphrase-stdin`
/// (scripts), else asked on the terminal without echo.
pub fn passphrase(from_stdin: bool, prompt: &str) -> Result<Zeroizing<String>, String> {
    let typed = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the passphrase: {e}"))?;
        line
    } else {
        rpassword::prompt_password(prompt).map_err(|e| format!("cannot read the passphrase: {e}"))?
    };
    Ok(Zeroizing::new(typed.trim_end_matches(['\r', '\n']).to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_opens_only_with_its_passphrase_and_never_is_written_in_clear() {
        let dir = std::env::temp_dir().join(format!("oscc-province-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("province.key");
        assert!(create(&path, "short").is_err());
        let public = create(&path, "synthetic province passphrase").unwrap();
        assert!(
            create(&path, "synthetic province passphrase").is_err(),
            "never replaced"
        );
        let key = open(&path, "synthetic province passphrase", &public).unwrap();
        assert_eq!(hex::encode(key.verifying_key().to_bytes()), public);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains(&hex::encode(key.to_bytes())),
            "the private key is sealed"
        );
        assert_eq!(
            open(&path, "another passphrase here", &public).err().unwrap(),
            "wrong passphrase for the province key"
        );
        assert!(open(&path, "synthetic province passphrase", &"00".repeat(32)).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
